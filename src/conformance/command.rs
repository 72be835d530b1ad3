//! What `erpfront check-adapter` checks: a [`Subject`] built from a configuration file (with
//! its `[conformance]` section naming the customers), or the built-in demo ERP.

use std::sync::Arc;

use super::{FaultSubjects, Subject};
use crate::config::Config;
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
    let Some(conformance) = &config.conformance else {
        return Err("the configuration has no [conformance] section. check-adapter needs two \
                    ERP customers, and creates a test order for the first:\n\n\
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
    let erp = crate::erp::connect(&config.erp).map_err(|e| format!("ERP adapter: {e}"))?;
    Ok(Subject {
        erp,
        customer: conformance.customer.clone(),
        other_customer: conformance.other_customer.clone(),
        faults: fault_subjects(&config.erp).await,
    })
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
