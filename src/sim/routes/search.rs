//! The service desk's searches, served from the adapter's own: the semantics (words, case and
//! accents, inclusive dates, newest first, the page cap) are the adapter's, for the demo ERP
//! those of [`crate::domain::matches_words`]. A search without any criterion is refused rather
//! than listing the ERP.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};

use super::{Erps, Reply, bad_request, json};
use crate::domain::{CustomerSearch, OrderSearch, words};
use crate::erp::http::wire::{CustomerSearchQuery, HitPage, OrderSearchQuery};

pub(super) async fn search_orders(
    State(erp): Erps,
    query: Result<Query<OrderSearchQuery>, QueryRejection>,
) -> Reply {
    let Query(query) = query.map_err(bad_request)?;
    let search = OrderSearch::from(query);
    if search.is_empty() {
        return Err(bad_request(
            "a search needs at least one of number, po_number, customer, from, to, status",
        ));
    }
    json(&HitPage::from(erp.search_orders(&search).await?))
}

pub(super) async fn search_customers(
    State(erp): Erps,
    query: Result<Query<CustomerSearchQuery>, QueryRejection>,
) -> Reply {
    let Query(query) = query.map_err(bad_request)?;
    let search = CustomerSearch::from(query);
    if words(&search.text).is_empty() {
        return Err(bad_request("a customer search needs q"));
    }
    json(&HitPage::from(erp.search_customers(&search).await?))
}
