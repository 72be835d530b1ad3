//! What a service rep searches for across all customers, how much of it one answer may hold,
//! and which searches are refused before they reach the ERP.
//!
//! Every adapter follows the same text semantics: a text criterion is split into words at
//! whitespace, and every word must appear somewhere in the value (in any order, as part of a
//! word), ignoring case and accents where the ERP can ([`fold`] says how the gateway folds).

mod matching;
mod paging;
mod policy;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CustomerId, OrderStatus, OrderSummary};

pub use matching::{fold, matches_words, words};
pub use paging::{Hits, MAX_PAGE, MAX_PAGE_SIZE, Paging};
pub use policy::{MAX_DATES_ALONE_DAYS, MIN_WORD_CHARS};

/// A search of every customer's orders; all given criteria must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderSearch {
    /// Words of the ERP's order number.
    pub order_number: Option<String>,
    /// Words of the buyer's PO number.
    pub po_number: Option<String>,
    /// Words of the customer's number or name (each word in either).
    pub customer: Option<String>,
    /// Placed on or after.
    pub placed_from: Option<NaiveDate>,
    /// Placed on or before.
    pub placed_to: Option<NaiveDate>,
    /// In this status.
    pub status: Option<OrderStatus>,
    /// Which page of hits, newest first.
    pub paging: Paging,
}

impl OrderSearch {
    /// Whether no criterion is given.
    pub fn is_empty(&self) -> bool {
        self.order_number.is_none()
            && self.po_number.is_none()
            && self.customer.is_none()
            && self.placed_from.is_none()
            && self.placed_to.is_none()
            && self.status.is_none()
    }
}

/// A search of every customer by number or name: every word of `text` must appear in the
/// customer's number or name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerSearch {
    /// What the rep typed.
    pub text: String,
    /// Which page of hits, ordered by name.
    pub paging: Paging,
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
