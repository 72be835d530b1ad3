//! The service desk's searches on the wire: the queries of `GET /v1/orders` and
//! `GET /v1/customers`, and the page of hits both answer. The client and the sandbox share them,
//! so the parameter names cannot drift apart.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{CustomerSearch, Hits, OrderSearch, OrderStatus, Paging};

/// One page of search hits: `{"items": [...], "more": bool}`, where `more` says whether a next
/// page has hits (the service knows it from one extra hit, without counting all of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitPage<T> {
    /// At most a page of hits.
    pub items: Vec<T>,
    /// Whether there are hits after these.
    pub more: bool,
}

impl<T> From<Hits<T>> for HitPage<T> {
    fn from(hits: Hits<T>) -> Self {
        Self {
            items: hits.items,
            more: hits.more,
        }
    }
}

impl<T> From<HitPage<T>> for Hits<T> {
    fn from(page: HitPage<T>) -> Self {
        Self {
            items: page.items,
            more: page.more,
        }
    }
}

/// The query of `GET /v1/orders`, the service desk's order search; absent criteria are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSearchQuery {
    /// Words of the order number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Words of the PO number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub po_number: Option<String>,
    /// Words of the customer number or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Placed on or after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Placed on or before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// In this status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// The page, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Hits per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

impl From<&OrderSearch> for OrderSearchQuery {
    fn from(search: &OrderSearch) -> Self {
        Self {
            number: search.order_number.clone(),
            po_number: search.po_number.clone(),
            customer: search.customer.clone(),
            from: search.placed_from,
            to: search.placed_to,
            status: search.status,
            page: Some(search.paging.number()),
            per_page: Some(search.paging.size()),
        }
    }
}

impl From<OrderSearchQuery> for OrderSearch {
    /// The search asked for, its paging brought within bounds.
    fn from(query: OrderSearchQuery) -> Self {
        Self {
            order_number: query.number,
            po_number: query.po_number,
            customer: query.customer,
            placed_from: query.from,
            placed_to: query.to,
            status: query.status,
            paging: paging(query.page, query.per_page),
        }
    }
}

/// The query of `GET /v1/customers`, the service desk's customer search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSearchQuery {
    /// Words of the customer number or name.
    #[serde(default)]
    pub q: String,
    /// The page, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Hits per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

impl From<&CustomerSearch> for CustomerSearchQuery {
    fn from(search: &CustomerSearch) -> Self {
        Self {
            q: search.text.clone(),
            page: Some(search.paging.number()),
            per_page: Some(search.paging.size()),
        }
    }
}

impl From<CustomerSearchQuery> for CustomerSearch {
    /// The search asked for, its paging brought within bounds.
    fn from(query: CustomerSearchQuery) -> Self {
        Self {
            text: query.q,
            paging: paging(query.page, query.per_page),
        }
    }
}

/// The paging a search query asks for, with the protocol's defaults, clamped as a service must.
fn paging(page: Option<u32>, per_page: Option<u32>) -> Paging {
    Paging::new(page.unwrap_or(1), per_page.unwrap_or(SEARCH_PER_PAGE))
}

/// Hits per page when a search does not say.
pub const SEARCH_PER_PAGE: u32 = 25;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_queries_survive_the_wire() {
        let search = OrderSearch {
            customer: Some("Glöbex indus".into()),
            placed_from: "2026-01-01".parse().ok(),
            status: Some(OrderStatus::PartiallyShipped),
            paging: Paging::new(3, 10),
            ..OrderSearch::default()
        };
        let query = serde_urlencoded::to_string(OrderSearchQuery::from(&search)).unwrap();
        assert_eq!(
            query,
            "customer=Gl%C3%B6bex+indus&from=2026-01-01&status=partially_shipped&page=3&per_page=10"
        );
        let back: OrderSearchQuery = serde_urlencoded::from_str(&query).unwrap();
        assert_eq!(OrderSearch::from(back), search);
        let asked: CustomerSearchQuery =
            serde_urlencoded::from_str("q=m%C3%BC&per_page=500").unwrap();
        let clamped = CustomerSearch::from(asked);
        assert_eq!(
            (clamped.text.as_str(), clamped.paging),
            ("mü", Paging::new(1, 50))
        );
    }
}
