//! What `erpfront check-adapter` checks: a [`Subject`] built from a configuration file (with
//! its `[conformance]` section naming the customers), or the built-in demo ERP.

use std::sync::Arc;

use super::{FaultSubjects, Subject};
use crate::config::{Config, ErpConfig};
use crate::domain::CustomerId;
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
    let deadline_ms = match erp {
        // In-process: there is no connection to break.
        ErpConfig::Demo { .. } => return None,
        ErpConfig::Sap(sap) => return Some(sap_fault_subjects(sap).await),
        ErpConfig::Http {
            request_timeout_ms, ..
        }
        | ErpConfig::Tryton {
            request_timeout_ms, ..
        } => *request_timeout_ms,
    };
    let pointed_at = |addr: std::net::SocketAddr| crate::erp::connect(&at_address(erp, addr)).ok();
    Some(FaultSubjects {
        unreachable: pointed_at(super::broken_erps::unused_port_addr())?,
        slow: pointed_at(super::broken_erps::hanging_server().await)?,
        slow_deadline: std::time::Duration::from_millis(deadline_ms),
        nonsense: pointed_at(super::broken_erps::nonsense_server().await)?,
    })
}

/// The same adapter configuration, aimed at another address.
fn at_address(erp: &ErpConfig, addr: std::net::SocketAddr) -> ErpConfig {
    let mut moved = erp.clone();
    match &mut moved {
        ErpConfig::Demo { .. } => {}
        ErpConfig::Http { base_url, .. } => *base_url = format!("http://{addr}/"),
        ErpConfig::Tryton { url, .. } => *url = format!("http://{addr}"),
        ErpConfig::Sap(sap) => sap.base_url = format!("http://{addr}"),
    }
    moved
}

/// The SAP adapter with `config`'s settings, pointed at each broken ERP in turn.
async fn sap_fault_subjects(config: &crate::erp::sap::SapConfig) -> FaultSubjects {
    use super::broken_erps::{hanging_server, nonsense_server, unused_port_addr};
    let at = |addr: std::net::SocketAddr| {
        let mut broken = config.clone();
        broken.base_url = format!("http://{addr}");
        let erp = crate::erp::sap::SapErp::new(broken).expect("a loopback URL is a valid base_url");
        Arc::new(erp) as Arc<dyn crate::erp::Erp>
    };
    FaultSubjects {
        unreachable: at(unused_port_addr()),
        slow: at(hanging_server().await),
        slow_deadline: config.request_timeout(),
        nonsense: at(nonsense_server().await),
    }
}
