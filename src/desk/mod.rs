//! The service desk's searches across customers, between the desk's pages and the ERP: a search
//! the gateway refuses (see [`OrderSearch::refusal`]) never reaches the ERP, and an ERP without
//! the search still finds a customer by number.

mod one_box;

use crate::domain::{CustomerSearch, CustomerSummary, Hits, OrderHit, OrderSearch};
use crate::erp::{Erp, ErpError};

pub use one_box::{BoxHits, Found, find};

/// Why a search brought no hits.
#[derive(Debug)]
pub enum SearchFailure {
    /// The gateway did not send it: the message says what to change.
    Refused(String),
    /// The ERP cannot search this way.
    Unsupported,
    /// The ERP failed.
    Erp(ErpError),
}

impl From<ErpError> for SearchFailure {
    fn from(error: ErpError) -> Self {
        match error {
            ErpError::Unsupported { .. } => Self::Unsupported,
            other => Self::Erp(other),
        }
    }
}

/// A page of the orders matching `search`, unless the gateway refuses it.
pub async fn orders(erp: &dyn Erp, search: &OrderSearch) -> Result<Hits<OrderHit>, SearchFailure> {
    if let Some(message) = search.refusal() {
        return Err(SearchFailure::Refused(message));
    }
    Ok(erp.search_orders(search).await?)
}

/// A page of the customers matching `search`, unless the gateway refuses it. An ERP that cannot
/// search customers still finds one by its exact number.
pub async fn customers(
    erp: &dyn Erp,
    search: &CustomerSearch,
) -> Result<Hits<CustomerSummary>, SearchFailure> {
    if search.refusal().is_none() {
        match erp.search_customers(search).await {
            Err(ErpError::Unsupported { .. }) => {}
            answer => return answer.map_err(SearchFailure::from),
        }
    }
    // Unsupported or refused: a customer number still leads straight to the customer.
    let Ok(id) = crate::domain::CustomerId::parse(search.text.trim().to_owned()) else {
        return Err(refused_or_unsupported(search));
    };
    match erp.customer(&id).await {
        Ok(c) => Ok(Hits {
            items: vec![CustomerSummary {
                id: c.id,
                name: c.name,
                city: c.bill_to.city,
            }],
            more: false,
        }),
        Err(ErpError::NotFound) => match search.refusal() {
            Some(message) => Err(SearchFailure::Refused(message)),
            None => Ok(Hits::default()),
        },
        Err(other) => Err(SearchFailure::Erp(other)),
    }
}

fn refused_or_unsupported(search: &CustomerSearch) -> SearchFailure {
    match search.refusal() {
        Some(message) => SearchFailure::Refused(message),
        None => SearchFailure::Unsupported,
    }
}
