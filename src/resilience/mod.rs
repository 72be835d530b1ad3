//! Protecting the ERP and bounding every call, as four [`ErpLayer`]s that each do one thing:
//!
//! | layer | job |
//! | --- | --- |
//! | [`ReadRetry`] | repeats a read that found the ERP unreachable, jittered, within a budget |
//! | [`Shedding`] | at most N calls at the ERP; a call queues briefly for a slot, then is shed |
//! | [`Circuit`] | the breaker: fails fast while the ERP is down, closes when it answers again; records every outcome for the status page |
//! | [`MeasuredErp`] | counts and times every call that goes out, for `/metrics` |
//! | [`Deadline`] | no call waits longer than the call timeout |
//!
//! [`protect`] composes them in that order, outermost first: each retry is a new attempt that
//! queues for a slot and asks the breaker again, and the breaker counts a timed-out call as a
//! failure. Every layer keeps its state in guards (a semaphore permit, the breaker's
//! [`breaker::Pass`]), so a call dropped halfway — the buyer left, the request deadline answered
//! first — strands nothing.

pub mod breaker;
mod circuit;
mod config;
mod deadline;
pub mod health;
mod retry;
mod shedding;
#[cfg(test)]
pub(crate) mod testing;

use std::sync::Arc;
use std::time::Duration;

use crate::erp::Erp;
use crate::monitoring::erp::MeasuredErp;
use crate::monitoring::{Collector, names};

pub use circuit::Circuit;
pub use config::ResilienceConfig;
pub use deadline::Deadline;
pub use retry::ReadRetry;
pub use shedding::Shedding;

use breaker::{Breaker, BreakerState};
use health::{ErpHealth, Thresholds};

/// An adapter behind the resilience layers, and the health they observe.
pub struct Protected {
    /// The outermost layer: what the cache wraps.
    pub erp: Arc<dyn Erp>,
    /// The ERP's health as seen by the calls, for the status page.
    pub health: Arc<ErpHealth>,
    /// Reads the breaker's state and the permits in use into their gauges, at scrape time.
    pub collect: Collector,
}

/// Wraps `adapter` in the resilience layers with the limits in `config`.
pub fn protect(adapter: Arc<dyn Erp>, config: &ResilienceConfig) -> Protected {
    let health = Arc::new(ErpHealth::new(
        adapter.name(),
        Breaker::new(
            config.breaker_failures,
            Duration::from_millis(config.breaker_open_ms),
        ),
        Thresholds {
            slow: Duration::from_millis(config.slow_answer_ms),
        },
    ));
    let deadline = Deadline::new(adapter, Duration::from_millis(config.call_timeout_ms));
    let measured = MeasuredErp::new(Arc::new(deadline));
    let circuit = Circuit::new(Arc::new(measured), health.clone());
    let shedding = Shedding::new(
        Arc::new(circuit),
        config.max_concurrent_calls,
        Duration::from_millis(config.queue_timeout_ms),
    );
    let collect = collector(&health, &shedding, config.max_concurrent_calls);
    let retry = ReadRetry::new(
        Arc::new(shedding),
        config.read_retries,
        Duration::from_millis(config.retry_backoff_ms),
    );
    Protected {
        erp: Arc::new(retry),
        health,
        collect,
    }
}

fn collector(health: &Arc<ErpHealth>, shedding: &Shedding, limit: usize) -> Collector {
    let (health, in_use) = (health.clone(), shedding.in_use());
    Box::new(move || {
        let now = health.breaker.state().0;
        for state in [
            BreakerState::Closed,
            BreakerState::Open,
            BreakerState::HalfOpen,
        ] {
            metrics::gauge!(names::BREAKER_STATE, "state" => state.as_str()).set(if state == now {
                1.0
            } else {
                0.0
            });
        }
        #[expect(clippy::cast_precision_loss, reason = "a count of permits")]
        {
            metrics::gauge!(names::ERP_IN_FLIGHT).set(in_use() as f64);
            metrics::gauge!(names::ERP_IN_FLIGHT_LIMIT).set(limit as f64);
        }
    })
}
