//! Whether an order the ERP holds under an idempotency key is the submission that key came
//! with. A repeated key with a different order is a client error, never a second order; but the
//! ERP fills in and adjusts what an order leaves open, and that must not make a retry of the
//! same submission look like a different one.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::domain::{NewOrder, Order, Sku};

/// The same submission: same customer and PO number; the ship-to, requested date and note
/// where the submission named them (the ERP proposes a ship-to and a delivery date when none is
/// sent, and may move the date later to the next date it can deliver, never earlier); and the
/// same quantity of each product. Lines the ERP adds at no charge (free goods, text items) are
/// its own.
pub fn is_same_order(asked: &NewOrder, held: &Order) -> bool {
    asked.customer == held.customer
        && asked.po_number == held.po_number
        && asked
            .ship_to
            .as_ref()
            .is_none_or(|id| *id == held.ship_to.id)
        && asked
            .requested_date
            .is_none_or(|date| held.requested_date.is_some_and(|h| h >= date))
        && asked
            .note
            .as_deref()
            .is_none_or(|note| held.note.as_deref().unwrap_or("").trim() == note.trim())
        && same_lines(asked, held)
}

fn same_lines(asked: &NewOrder, held: &Order) -> bool {
    let mut wanted: BTreeMap<&Sku, Decimal> = BTreeMap::new();
    for line in &asked.lines {
        *wanted.entry(&line.sku).or_default() += Decimal::from(line.quantity.get());
    }
    let mut got: BTreeMap<&Sku, Decimal> = BTreeMap::new();
    for line in &held.lines {
        if !wanted.contains_key(&line.sku) && line.net.amount.is_zero() {
            continue;
        }
        *got.entry(&line.sku).or_default() += line.quantity.get();
    }
    wanted == got
}
