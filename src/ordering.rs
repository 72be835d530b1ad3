//! Placing orders exactly once, without keeping anything: the idempotency key goes into the ERP
//! with the order, the ERP is asked for it before creating, and a create whose outcome is
//! unknown is looked up again before the buyer is answered. What a failed submission means for
//! the buyer is decided once, by [`PlaceError::unplaced`], for every place that answers one.

mod outcome;
mod same;

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use crate::domain::{CustomerId, IdempotencyKey, InvalidOrder, NewOrder, Order};
use crate::erp::{Erp, ErpError};
use crate::monitoring::names;

pub use outcome::Unplaced;
pub use same::is_same_order;

/// How a submission ended.
#[derive(Debug, Clone)]
pub enum Placed {
    /// This submission created the order.
    Created(Order),
    /// An earlier submission with the same key had already created it.
    Existing(Order),
}

impl Placed {
    /// The order, however it came to be.
    pub fn order(&self) -> &Order {
        match self {
            Self::Created(o) | Self::Existing(o) => o,
        }
    }
}

/// Why a submission did not produce an order.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlaceError {
    /// The order is not valid as submitted; the message is buyer-safe.
    #[error(transparent)]
    Invalid(#[from] InvalidOrder),
    /// The key was used before for a different order.
    #[error("this idempotency key was already used for a different order")]
    KeyReused,
    /// The ERP refused or failed. Whether the order may nonetheless exist is
    /// [`PlaceError::unplaced`]'s to say.
    #[error(transparent)]
    Erp(#[from] ErpError),
}

/// Places orders through an adapter, one ERP create per key even under concurrent resubmits.
pub struct Ordering {
    erp: Arc<dyn Erp>,
    in_flight: Cache<(CustomerId, IdempotencyKey), Arc<Order>>,
}

impl Ordering {
    /// Places orders through `erp` (which must not cache writes).
    pub fn new(erp: Arc<dyn Erp>) -> Self {
        let in_flight = Cache::builder()
            .max_capacity(10_000)
            .time_to_live(Duration::from_secs(30))
            .build();
        Self { erp, in_flight }
    }

    /// Submits `order` under `key`, or finds the order an earlier submission made.
    pub async fn place(&self, key: &IdempotencyKey, order: NewOrder) -> Result<Placed, PlaceError> {
        let placed = self.place_once(key, order).await;
        let outcome = match &placed {
            Ok(Placed::Created(_)) => "created",
            Ok(Placed::Existing(_)) => "existing",
            Err(err) => match err.unplaced() {
                Unplaced::Refused(_) => "refused",
                Unplaced::KeyReused => "key_reused",
                Unplaced::NotSent => "not_sent",
                Unplaced::Impossible => "impossible",
                Unplaced::Unknown => "unknown",
            },
        };
        metrics::counter!(names::ORDERS, "outcome" => outcome).increment(1);
        placed
    }

    async fn place_once(
        &self,
        key: &IdempotencyKey,
        order: NewOrder,
    ) -> Result<Placed, PlaceError> {
        let order = order.validated(chrono::Utc::now().date_naive())?;
        if let Some(existing) = self.erp.find_order_by_key(&order.customer, key).await? {
            metrics::counter!(names::ORDERS_FOUND_BY_KEY, "when" => "before_create").increment(1);
            return Self::same(&order, existing).map(Placed::Existing);
        }
        // Concurrent submissions of one key on this instance share one create; across
        // instances the adapter's own race-safe create keeps it to one order. A submission
        // dropped while its create runs (the buyer left, the deadline answered) gives the slot
        // up: moka hands the create to the next waiting submission, which the adapter's lookup
        // of the key keeps from making a second order (tests/app/single_flight.rs).
        let created = self
            .in_flight
            .try_get_with((order.customer.clone(), key.clone()), async {
                self.create(key, &order).await.map(Arc::new)
            })
            .await
            .map_err(|e: Arc<ErpError>| PlaceError::Erp((*e).clone()))?;
        Self::same(&order, (*created).clone()).map(Placed::Created)
    }

    async fn create(&self, key: &IdempotencyKey, order: &NewOrder) -> Result<Order, ErpError> {
        match self.erp.create_order(key, order).await {
            Err(
                err @ (ErpError::Timeout
                | ErpError::Unavailable { .. }
                | ErpError::InvalidData { .. }),
            ) => {
                // The ERP may have created the order before the answer was lost, or garbled on
                // the way back (an answer that cannot be read says nothing about the outcome).
                tracing::warn!(order.key = %key, error = %err, "order create outcome unknown, looking it up");
                match self.erp.find_order_by_key(&order.customer, key).await {
                    Ok(Some(found)) => {
                        metrics::counter!(names::ORDERS_FOUND_BY_KEY, "when" => "after_lost_answer")
                            .increment(1);
                        Ok(found)
                    }
                    _ => Err(err),
                }
            }
            other => other,
        }
    }

    fn same(asked: &NewOrder, held: Order) -> Result<Order, PlaceError> {
        if is_same_order(asked, &held) {
            Ok(held)
        } else {
            Err(PlaceError::KeyReused)
        }
    }
}
