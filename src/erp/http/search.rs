//! The service desk's searches over the protocol: the query as the protocol spells it, and the
//! answer held to the page that was asked for.

use serde::de::DeserializeOwned;

use super::transport::Transport;
use super::wire::{CustomerSearchQuery, HitPage, OrderSearchQuery};
use crate::domain::{CustomerSearch, CustomerSummary, Hits, OrderHit, OrderSearch, Paging};
use crate::erp::{ErpError, ErpResult};

pub(super) async fn orders(t: &Transport, search: &OrderSearch) -> ErpResult<Hits<OrderHit>> {
    let query = OrderSearchQuery::from(search);
    page(t, "search_orders", "orders", &query, &search.paging).await
}

pub(super) async fn customers(
    t: &Transport,
    search: &CustomerSearch,
) -> ErpResult<Hits<CustomerSummary>> {
    let query = CustomerSearchQuery::from(search);
    page(t, "search_customers", "customers", &query, &search.paging).await
}

/// One page of hits from `GET /v1/{path}?{query}`. A page larger than asked for is refused as
/// invalid data: a service that does not clamp `per_page` would also not stop its ERP from
/// listing everything, and the desk's pages are built for the size they asked for.
async fn page<T: DeserializeOwned>(
    t: &Transport,
    operation: &'static str,
    path: &str,
    query: &impl serde::Serialize,
    paging: &Paging,
) -> ErpResult<Hits<T>> {
    let mut url = t.url(&[path]);
    let encoded = serde_urlencoded::to_string(query).map_err(|e| {
        ErpError::invalid_data(format!("{operation}: cannot encode the query: {e}"))
    })?;
    url.set_query(Some(&encoded));
    let answer: HitPage<T> = t.json(operation, t.get(url)).await?;
    if answer.items.len() > paging.size() as usize {
        return Err(ErpError::invalid_data(format!(
            "{operation}: asked for {} hits per page, the answer has {}",
            paging.size(),
            answer.items.len()
        )));
    }
    Ok(answer.into())
}
