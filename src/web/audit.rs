//! Audit events: what service reps do for customers, and every login attempt. They go to the log under their own target,
//! `erpfront::audit`, so operators can route them to their log store; erpfront keeps nothing.

use crate::domain::CustomerId;

/// The tracing target of every audit event.
pub const TARGET: &str = "erpfront::audit";

/// Records one event: who did what for which customer, and the order concerned if any. The
/// time is the log line's.
pub fn record(rep: &str, customer: &CustomerId, action: &str, order: Option<&str>) {
    tracing::info!(
        target: TARGET,
        rep = rep,
        customer = %customer,
        action = action,
        order = order.unwrap_or(""),
        "service rep {rep} {action} for customer {customer}"
    );
}

/// Records a login attempt: the login tried, the client's address, and `action` (`login`,
/// `login_failed`, `login_throttled`, `logout`).
pub fn login(login: &str, client: &str, action: &str) {
    tracing::info!(
        target: TARGET,
        login = login,
        client.address = client,
        action = action,
        "{action}: {login:?} from {client}"
    );
}
