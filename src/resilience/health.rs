//! What the gateway knows about the ERP's health from the calls it makes: the breaker, the last
//! success and failure, and a smoothed latency. The status page and the degraded banner read it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::breaker::{Breaker, BreakerState};

/// How the ERP is doing, in the words a buyer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reachability {
    /// Answering normally.
    Up,
    /// Failing now and then: pages may be slow or show earlier data.
    Unstable,
    /// Not answering; calls are paused by the breaker.
    Down,
}

/// A snapshot for the status page.
#[derive(Debug, Clone)]
pub struct HealthReport {
    /// The adapter's name.
    pub erp: String,
    /// Up, unstable or down.
    pub reachability: Reachability,
    /// The breaker's state.
    pub breaker: BreakerState,
    /// When the breaker last changed.
    pub breaker_since: DateTime<Utc>,
    /// The last answer the ERP gave.
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_failure: Option<DateTime<Utc>>,
    /// Smoothed latency of recent calls.
    pub latency: Option<Duration>,
}

/// The shared health of one ERP.
#[derive(Debug)]
pub struct ErpHealth {
    name: String,
    /// Decides whether calls go out.
    pub breaker: Breaker,
    last_success: Mutex<Option<DateTime<Utc>>>,
    last_failure: Mutex<Option<DateTime<Utc>>>,
    /// Exponentially weighted moving average, microseconds; 0 means no sample yet.
    latency_us: AtomicU64,
}

/// How long after a failure the ERP still counts as unstable.
const UNSTABLE_FOR: chrono::Duration = chrono::Duration::seconds(60);

impl ErpHealth {
    /// Health of the ERP `name`, guarded by `breaker`.
    pub fn new(name: &str, breaker: Breaker) -> Self {
        Self {
            name: name.to_string(),
            breaker,
            last_success: Mutex::new(None),
            last_failure: Mutex::new(None),
            latency_us: AtomicU64::new(0),
        }
    }

    /// Records a call's outcome.
    pub fn observe(&self, elapsed: Duration, failed: bool) {
        let now = Utc::now();
        let slot = if failed {
            &self.last_failure
        } else {
            &self.last_success
        };
        *slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(now);
        if !failed {
            let sample = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
            let _ = self
                .latency_us
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                    Some(if old == 0 {
                        sample
                    } else {
                        (old * 7 + sample) / 8
                    })
                });
        }
    }

    /// The current picture.
    pub fn report(&self) -> HealthReport {
        let (breaker, breaker_since) = self.breaker.state();
        let read = |m: &Mutex<Option<DateTime<Utc>>>| {
            *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        let (last_success, last_failure) = (read(&self.last_success), read(&self.last_failure));
        let recent_failure = last_failure
            .is_some_and(|f| Utc::now() - f < UNSTABLE_FOR && last_success.is_none_or(|s| f >= s));
        let reachability = match breaker {
            BreakerState::Open | BreakerState::HalfOpen => Reachability::Down,
            BreakerState::Closed if recent_failure => Reachability::Unstable,
            BreakerState::Closed => Reachability::Up,
        };
        let latency = match self.latency_us.load(Ordering::Relaxed) {
            0 => None,
            us => Some(Duration::from_micros(us)),
        };
        HealthReport {
            erp: self.name.clone(),
            reachability,
            breaker,
            breaker_since,
            last_success,
            last_failure,
            latency,
        }
    }
}
