//! Before the rules: can the adapter reach its ERP at all, with the credentials it has, and does
//! the ERP know both test customers? One answer to that, said once, instead of the same
//! "connection refused" under every rule.

use std::future::Future;
use std::time::Duration;

use super::Subject;
use crate::domain::CatalogQuery;
use crate::erp::{ErpError, ErpResult};

/// Asks the adapter for the first catalog product and for both test customers, each within
/// `deadline`; the error says which call failed and why, in words for the integrator.
pub async fn preflight(subject: &Subject, deadline: Duration) -> Result<(), String> {
    let erp = &subject.erp;
    let first_page = CatalogQuery::new(None, None, 1, 1);
    within(deadline, erp.search_products(&first_page))
        .await
        .map_err(|why| format!("search_products(page 1): {}", describe(why, deadline)))?;
    for (setting, customer) in [
        ("conformance.customer", &subject.customer),
        ("conformance.other_customer", &subject.other_customer),
    ] {
        match within(deadline, erp.customer(customer)).await {
            Ok(_) => {}
            Err(Some(ErpError::NotFound)) => {
                return Err(format!(
                    "customer({customer}): the ERP does not know {customer}; check {setting}"
                ));
            }
            Err(why) => return Err(format!("customer({customer}): {}", describe(why, deadline))),
        }
    }
    Ok(())
}

/// The answer, or the error (`None`: no answer within `deadline`).
async fn within<T>(
    deadline: Duration,
    answer: impl Future<Output = ErpResult<T>>,
) -> Result<T, Option<ErpError>> {
    match tokio::time::timeout(deadline, answer).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Some(error)),
        Err(_) => Err(None),
    }
}

fn describe(why: Option<ErpError>, deadline: Duration) -> String {
    match why {
        Some(error) => error.to_string(),
        None => format!("no answer within {} s", deadline.as_secs_f32()),
    }
}
