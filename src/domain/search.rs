//! What a service rep searches for across all customers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CustomerId, OrderStatus, OrderSummary};

/// A search of every customer's orders. Text criteria match case-insensitively on part of the
/// value; all given criteria must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSearch {
    /// Part of the ERP's order number.
    pub order_number: Option<String>,
    /// Part of the buyer's PO number.
    pub po_number: Option<String>,
    /// Part of the customer's number or name.
    pub customer: Option<String>,
    /// Placed on or after.
    pub placed_from: Option<NaiveDate>,
    /// Placed on or before.
    pub placed_to: Option<NaiveDate>,
    /// In this status.
    pub status: Option<OrderStatus>,
    /// At most this many hits, newest first.
    pub limit: u32,
}

impl OrderSearch {
    /// Whether at least one criterion is given (an empty search lists the newest orders).
    pub fn is_empty(&self) -> bool {
        self.order_number.is_none()
            && self.po_number.is_none()
            && self.customer.is_none()
            && self.placed_from.is_none()
            && self.placed_to.is_none()
            && self.status.is_none()
    }
}

/// An order found by a search, with whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderHit {
    /// The customer who placed it.
    pub customer: CustomerId,
    /// The customer's name.
    pub customer_name: String,
    /// The order.
    pub order: OrderSummary,
}

/// A customer found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// The ERP's customer number.
    pub id: CustomerId,
    /// The customer's name.
    pub name: String,
    /// The bill-to city, to tell customers of one name apart.
    pub city: String,
}

/// Whether `needle` (when given) is part of any of `haystacks`, ignoring case.
pub fn contains_any(needle: Option<&str>, haystacks: &[&str]) -> bool {
    match needle {
        None => true,
        Some(needle) => {
            let needle = needle.to_lowercase();
            haystacks.iter().any(|h| h.to_lowercase().contains(&needle))
        }
    }
}
