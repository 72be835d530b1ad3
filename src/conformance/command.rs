//! What `erpfront check-adapter` checks: a [`Subject`] built from a configuration file (with
//! its `[conformance]` section naming the customers), or the built-in demo ERP.

use std::sync::Arc;
use std::time::Duration;

use super::{FaultSubjects, Subject};
use crate::config::{Config, ConformanceConfig};
use crate::domain::CustomerId;
use crate::erp::ErpConfig;
use crate::erp::demo::DemoErp;

/// The demo customers `check-adapter --demo` uses: Northwind gets the test orders.
pub const DEMO_CUSTOMERS: (&str, &str) = ("C-1000", "C-2000");

/// The built-in demo ERP with its customers Northwind (C-1000) and Globex (C-2000).
pub fn demo_subject() -> Result<Subject, String> {
    let erp = DemoErp::embedded().map_err(|e| format!("demo ERP: {e}"))?;
    let customer = |id: &str| CustomerId::parse(id).map_err(|e| e.to_string());
    Ok(Subject {
        erp: Arc::new(erp),
        customer: customer(DEMO_CUSTOMERS.0)?,
        other_customer: customer(DEMO_CUSTOMERS.1)?,
        faults: None,
    })
}

/// The adapter `config` names, with the customers of its `[conformance]` section.
pub async fn subject_from_config(config: &Config) -> Result<Subject, String> {
    subject_for(
        &config.erp,
        config.conformance.as_ref(),
        super::RULE_TIMEOUT,
    )
    .await
}

/// The `http` adapter at `base_url`, sending `token`, with the default deadlines: what
/// `check-adapter --http URL --token T` checks without a configuration file.
pub fn http_target(base_url: &str, token: Option<String>) -> ErpConfig {
    let mut http = crate::erp::http::HttpConfig::at(base_url);
    http.token = token.map(Into::into);
    ErpConfig::Http(http)
}

/// The adapter `erp` configures, with the customers `conformance` names; refused when the
/// adapter's own deadline leaves a rule (several calls) no time within `rule_timeout`.
pub async fn subject_for(
    erp: &ErpConfig,
    conformance: Option<&ConformanceConfig>,
    rule_timeout: Duration,
) -> Result<Subject, String> {
    let Some(conformance) = conformance else {
        return Err("check-adapter needs two ERP customers, and creates test orders for the \
                    first: name them with --customer and --other-customer, or in the \
                    configuration:\n\n\
                    [conformance]\n\
                    customer = \"C-TEST-1\"        # a test customer: test orders are created for it\n\
                    other_customer = \"C-TEST-2\"  # only read, for isolation and prices"
            .into());
    };
    if conformance.customer == conformance.other_customer {
        return Err(format!(
            "conformance.customer and conformance.other_customer are both {}; name two customers",
            conformance.customer
        ));
    }
    let erp = &strict(erp);
    let deadline = erp.adapter().call_deadline();
    if deadline >= rule_timeout {
        return Err(format!(
            "the adapter's call deadline, erp.request_timeout_ms = {}, does not fit within one \
             rule's time limit, --rule-timeout-secs = {}: a rule makes several calls. Lower \
             erp.request_timeout_ms or raise --rule-timeout-secs",
            deadline.as_millis(),
            rule_timeout.as_secs()
        ));
    }
    let adapter = crate::erp::connect(erp).map_err(|e| format!("ERP adapter: {e}"))?;
    Ok(Subject {
        erp: adapter,
        customer: conformance.customer.clone(),
        other_customer: conformance.other_customer.clone(),
        faults: fault_subjects(erp).await,
    })
}

/// The configuration with every answer held to the protocol's published schemas, for the
/// adapters that have one (the HTTP protocol): what the gateway's types would let through is
/// still a broken promise to an integrator's other clients.
fn strict(erp: &ErpConfig) -> ErpConfig {
    let mut erp = erp.clone();
    if let ErpConfig::Http(http) = &mut erp {
        http.strict_answers = true;
    }
    erp
}

/// The configured adapter pointed at broken ERPs (see [`super::broken_erps`]), for the adapter
/// kinds that reach their ERP over the network; `None` skips the fault rules.
pub async fn fault_subjects(erp: &ErpConfig) -> Option<FaultSubjects> {
    use super::broken_erps::{hanging_server, nonsense_server, unused_port_addr};
    let adapter = erp.adapter();
    let aimed_at = |addr| match adapter.aimed_at(addr)? {
        Ok(erp) => Some(erp),
        Err(err) => {
            tracing::warn!(error = %err, "the adapter could not be aimed at a broken ERP");
            None
        }
    };
    Some(FaultSubjects {
        unreachable: aimed_at(unused_port_addr())?,
        slow: aimed_at(hanging_server().await)?,
        slow_deadline: adapter.call_deadline(),
        nonsense: aimed_at(nonsense_server().await)?,
    })
}
