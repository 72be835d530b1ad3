//! Order entry without the ledger lock spanning it, for showing that exactly-once holds without
//! a lock (`erpfront erp-sim --no-order-lock`).
//!
//! By default one lock covers an order's idempotency check and its insert, as a unique index
//! on the key would in a database. Most ERPs have no such index on whatever field holds the
//! key, so here the check, the insert and a second look are separate steps with time between
//! them, as separate statements would be, and duplicates are settled the way the Tryton and
//! SAP adapters settle them: every order carrying the key is read again after the insert, the
//! lowest number (entered first: numbers are taken under the lock, in insert order) is the
//! order, and a submission whose own order is not the lowest takes it back out and answers
//! with the lowest. For that moment between insert and second look, the duplicate is visible
//! in the customer's order list.

use std::time::Duration;

use chrono::Utc;

use super::DemoErp;
use crate::domain::{IdempotencyKey, NewOrder, Order};
use crate::erp::ErpResult;

/// Between the check and the insert, and between the insert and the second look: about what a
/// database round trip takes, enough for racing submissions to interleave.
const STEP_GAP: Duration = Duration::from_millis(20);

impl DemoErp {
    pub(super) async fn create_unserialised(
        &self,
        key: &IdempotencyKey,
        order: &NewOrder,
    ) -> ErpResult<Order> {
        let customer = &order.customer;
        self.customer_entry(customer)?;
        if let Some(existing) = self.ledger().by_key(customer, key) {
            return Ok(existing.clone());
        }
        tokio::time::sleep(STEP_GAP).await;
        let entered = self
            .ledger()
            .enter_order(&self.catalog, key, order, Utc::now())?;
        tokio::time::sleep(STEP_GAP).await;
        let mut ledger = self.ledger();
        let first = ledger
            .orders_with_key(customer, key)
            .min_by_key(|o| (o.number.as_str().len(), o.number.as_str().to_owned()))
            .cloned()
            .unwrap_or_else(|| entered.clone());
        if first.number != entered.number {
            tracing::warn!(order.key = %key, order.number = %first.number,
                order.duplicate = %entered.number,
                "a concurrent submission of the key entered the order first; taking this one back");
            ledger.withdraw(&entered.number);
        }
        Ok(first)
    }
}
