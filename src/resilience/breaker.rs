//! A circuit breaker over consecutive ERP failures: it opens after a run of them, fails fast
//! while open, lets one probe through after a pause, and closes by itself when the probe works.
//!
//! Hand-written rather than taken from a crate because the status page needs what crates keep
//! private: the state, since when, and the last error, read without side effects.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// The breaker's state, as the status page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls flow.
    Closed,
    /// Calls fail fast until the pause is over.
    Open,
    /// One probe call is under way; the others fail fast.
    HalfOpen,
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    consecutive_failures: u32,
    opened_at: Option<Instant>,
    /// Wall-clock time of the last change, for people.
    changed_at: DateTime<Utc>,
}

/// A breaker shared by every call to one ERP.
#[derive(Debug)]
pub struct Breaker {
    failures_to_open: u32,
    open_for: Duration,
    inner: Mutex<Inner>,
}

/// Permission to call; report the outcome with [`Breaker::record`].
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Call normally.
    Call,
    /// Call as the probe that decides whether the breaker closes.
    Probe,
    /// Do not call.
    Refuse,
}

impl Breaker {
    /// Opens after `failures_to_open` failures in a row and stays open for `open_for`.
    pub fn new(failures_to_open: u32, open_for: Duration) -> Self {
        Self {
            failures_to_open: failures_to_open.max(1),
            open_for,
            inner: Mutex::new(Inner {
                state: BreakerState::Closed,
                consecutive_failures: 0,
                opened_at: None,
                changed_at: Utc::now(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a call may go to the ERP now.
    pub fn admit(&self) -> Admission {
        let mut inner = self.lock();
        match inner.state {
            BreakerState::Closed => Admission::Call,
            BreakerState::HalfOpen => Admission::Refuse,
            BreakerState::Open => {
                if inner
                    .opened_at
                    .is_some_and(|t| t.elapsed() >= self.open_for)
                {
                    inner.state = BreakerState::HalfOpen;
                    inner.changed_at = Utc::now();
                    Admission::Probe
                } else {
                    Admission::Refuse
                }
            }
        }
    }

    /// Records the outcome of an admitted call. `failed` counts only failures of the ERP
    /// itself (timeouts, unreachable, nonsense), never business answers like "not found".
    pub fn record(&self, admission: &Admission, failed: bool) {
        let mut inner = self.lock();
        let was = inner.state;
        if failed {
            inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
            let trips = *admission == Admission::Probe
                || inner.consecutive_failures >= self.failures_to_open;
            if trips && was != BreakerState::Open {
                inner.state = BreakerState::Open;
                inner.opened_at = Some(Instant::now());
                inner.changed_at = Utc::now();
                tracing::warn!(
                    failures = inner.consecutive_failures,
                    "ERP circuit breaker opened"
                );
            } else if trips {
                inner.opened_at = Some(Instant::now());
            }
        } else {
            inner.consecutive_failures = 0;
            if was != BreakerState::Closed {
                inner.state = BreakerState::Closed;
                inner.opened_at = None;
                inner.changed_at = Utc::now();
                tracing::info!("ERP circuit breaker closed");
            }
        }
    }

    /// The state and since when.
    pub fn state(&self) -> (BreakerState, DateTime<Utc>) {
        let inner = self.lock();
        (inner.state, inner.changed_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_a_run_of_failures_probes_and_closes() {
        let breaker = Breaker::new(3, Duration::from_millis(30));
        for _ in 0..2 {
            let a = breaker.admit();
            breaker.record(&a, true);
        }
        assert_eq!(
            breaker.state().0,
            BreakerState::Closed,
            "two failures are not a run of three"
        );
        let a = breaker.admit();
        breaker.record(&a, true);
        assert_eq!(breaker.state().0, BreakerState::Open);
        assert_eq!(breaker.admit(), Admission::Refuse, "fails fast while open");
        std::thread::sleep(Duration::from_millis(40));
        let probe = breaker.admit();
        assert_eq!(probe, Admission::Probe);
        assert_eq!(breaker.admit(), Admission::Refuse, "one probe at a time");
        breaker.record(&probe, true);
        assert_eq!(
            breaker.state().0,
            BreakerState::Open,
            "a failed probe reopens"
        );
        std::thread::sleep(Duration::from_millis(40));
        let probe = breaker.admit();
        breaker.record(&probe, false);
        assert_eq!(breaker.state().0, BreakerState::Closed);
        assert_eq!(breaker.admit(), Admission::Call);
    }

    #[test]
    fn a_success_resets_the_run() {
        let breaker = Breaker::new(2, Duration::from_secs(60));
        let a = breaker.admit();
        breaker.record(&a, true);
        breaker.record(&breaker.admit(), false);
        breaker.record(&breaker.admit(), true);
        assert_eq!(breaker.state().0, BreakerState::Closed);
    }
}
