//! Which searches are refused before they reach the ERP: one with nothing in it, and one that
//! would list a large part of the ERP (only a one-letter text, or dates alone that are open at
//! one end or span years). Paging already caps what one answer holds; this keeps the ERP from
//! scanning a table for a search no rep means.

use chrono::NaiveDate;

use super::{CustomerSearch, OrderSearch, words};

/// A text narrows a search when one of its words has at least this many characters.
pub const MIN_WORD_CHARS: usize = 2;

/// Dates searched for alone may span at most this many days.
pub const MAX_DATES_ALONE_DAYS: i64 = 366;

fn narrows(text: Option<&str>) -> bool {
    text.is_some_and(|t| words(t).iter().any(|w| w.chars().count() >= MIN_WORD_CHARS))
}

impl OrderSearch {
    /// Why this search is not sent to the ERP, said so that the rep knows what to change; `None`
    /// when it may be sent.
    pub fn refusal(&self) -> Option<String> {
        if self.is_empty() {
            return Some(
                "Type an order number, PO number or customer, or choose dates or a status.".into(),
            );
        }
        if let (Some(from), Some(to)) = (self.placed_from, self.placed_to)
            && from > to
        {
            return Some(format!("The from date {from} is after the to date {to}."));
        }
        let texts_narrow = narrows(self.order_number.as_deref())
            || narrows(self.po_number.as_deref())
            || narrows(self.customer.as_deref());
        if texts_narrow || self.status.is_some() {
            return None;
        }
        match (self.placed_from, self.placed_to) {
            (Some(from), Some(to)) if span_days(from, to) <= MAX_DATES_ALONE_DAYS => None,
            (Some(_), Some(_)) => Some(format!(
                "Dates alone may span at most {MAX_DATES_ALONE_DAYS} days: add a customer, a status or a number, or narrow the dates."
            )),
            (Some(_), None) | (None, Some(_)) => Some(
                "Give both dates, or add a customer, a status or a number: one date alone would list most orders.".into(),
            ),
            (None, None) => Some(format!(
                "Type at least {MIN_WORD_CHARS} characters of a number, PO number or customer."
            )),
        }
    }
}

fn span_days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

impl CustomerSearch {
    /// Why this search is not sent to the ERP; `None` when it may be sent.
    pub fn refusal(&self) -> Option<String> {
        if words(&self.text).is_empty() {
            return Some("Type a customer number or name.".into());
        }
        if !narrows(Some(&self.text)) {
            return Some(format!(
                "Type at least {MIN_WORD_CHARS} characters of the customer's number or name."
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OrderStatus;

    fn date(text: &str) -> Option<NaiveDate> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn searches_that_would_list_the_erp_are_refused() {
        assert!(OrderSearch::default().refusal().is_some());
        let one_letter = OrderSearch {
            customer: Some("a".into()),
            ..OrderSearch::default()
        };
        assert!(one_letter.refusal().unwrap().contains("2 characters"));
        let open_dates = OrderSearch {
            placed_from: date("2026-01-01"),
            ..OrderSearch::default()
        };
        assert!(open_dates.refusal().unwrap().contains("both dates"));
        let years = OrderSearch {
            placed_from: date("2020-01-01"),
            placed_to: date("2026-01-01"),
            ..OrderSearch::default()
        };
        assert!(years.refusal().is_some());
        let backwards = OrderSearch {
            placed_from: date("2026-02-01"),
            placed_to: date("2026-01-01"),
            status: Some(OrderStatus::Shipped),
            ..OrderSearch::default()
        };
        assert!(backwards.refusal().unwrap().contains("after"));
        assert!(
            CustomerSearch {
                text: " x ".into(),
                ..Default::default()
            }
            .refusal()
            .is_some()
        );
    }

    #[test]
    fn narrow_searches_pass() {
        for search in [
            OrderSearch {
                customer: Some("a north".into()),
                ..OrderSearch::default()
            },
            OrderSearch {
                placed_from: date("2026-01-01"),
                placed_to: date("2026-03-31"),
                ..OrderSearch::default()
            },
            OrderSearch {
                placed_from: date("2026-01-01"),
                status: Some(OrderStatus::Received),
                ..OrderSearch::default()
            },
        ] {
            assert_eq!(search.refusal(), None, "{search:?}");
        }
        let customers = CustomerSearch {
            text: "mü".into(),
            ..Default::default()
        };
        assert_eq!(customers.refusal(), None);
    }
}
