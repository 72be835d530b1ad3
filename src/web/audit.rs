//! Audit events: what service reps do for customers. They go to the log under their own target,
//! `erpfront::audit`, so operators can route them to their log store; erpfront keeps nothing.

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::session::Session;
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

/// Records every change a rep makes while acting for a customer (cart, checkout, logout), with
/// the outcome's status, so nothing a rep does for a customer goes unrecorded.
pub async fn record_acting_changes(request: Request, next: Next) -> Response {
    let acting = request
        .extensions()
        .get::<Session>()
        .and_then(|s| Some((s.login.clone()?, s.acting_for.clone()?)));
    let change = !matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    if let (true, Some((rep, customer))) = (change, acting) {
        let action = format!("POST {path} -> {}", response.status().as_u16());
        record(&rep, &customer, &action, None);
    }
    response
}
