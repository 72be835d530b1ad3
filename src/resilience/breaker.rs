//! A circuit breaker over consecutive ERP failures: it opens after a run of them, fails fast
//! while open, lets one probe through after a pause, and closes by itself when the probe works.
//!
//! Hand-written rather than taken from a crate because the status page needs what crates keep
//! private: the state, since when, and the last error, read without side effects.
//!
//! Every admitted call holds a [`Pass`]. A probe's pass that is dropped without an outcome (the
//! buyer closed the tab, the request deadline answered first) counts as a failed probe: the
//! breaker opens again and the next probe goes out after the pause. Without that, a cancelled
//! probe would leave the breaker half-open, refusing every call, until a restart.

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

/// Permission to make one call; report its outcome with [`Pass::record`].
#[derive(Debug)]
#[must_use = "a pass reports the call's outcome"]
pub struct Pass<'a> {
    breaker: &'a Breaker,
    probe: bool,
    recorded: bool,
}

impl Pass<'_> {
    /// Whether this call is the probe that decides whether the breaker closes.
    pub fn is_probe(&self) -> bool {
        self.probe
    }

    /// Reports the call's outcome. `failed` counts only failures of the ERP itself (timeouts,
    /// unreachable, nonsense), never business answers like "not found".
    pub fn record(mut self, failed: bool) {
        self.recorded = true;
        self.breaker.record(self.probe, failed);
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        // An ordinary call that was given up says nothing about the ERP; a probe that was
        // given up must not leave the breaker half-open for ever.
        if self.probe && !self.recorded {
            self.breaker.record(true, true);
        }
    }
}

/// The breaker refused the call: the ERP is not being called right now.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused;

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
    pub fn admit(&self) -> Result<Pass<'_>, Refused> {
        let mut inner = self.lock();
        let probe = match inner.state {
            BreakerState::Closed => false,
            BreakerState::HalfOpen => return Err(Refused),
            BreakerState::Open => {
                if inner.opened_at.is_none_or(|t| t.elapsed() < self.open_for) {
                    return Err(Refused);
                }
                inner.state = BreakerState::HalfOpen;
                inner.changed_at = Utc::now();
                count_transition(BreakerState::HalfOpen);
                true
            }
        };
        Ok(Pass {
            breaker: self,
            probe,
            recorded: false,
        })
    }

    fn record(&self, probe: bool, failed: bool) {
        let mut inner = self.lock();
        let was = inner.state;
        if failed {
            inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
            let trips = probe || inner.consecutive_failures >= self.failures_to_open;
            if trips && was != BreakerState::Open {
                inner.state = BreakerState::Open;
                inner.opened_at = Some(Instant::now());
                inner.changed_at = Utc::now();
                count_transition(BreakerState::Open);
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
                count_transition(BreakerState::Closed);
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

impl BreakerState {
    /// The word metrics and logs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Open => "open",
            Self::HalfOpen => "half_open",
        }
    }
}

fn count_transition(to: BreakerState) {
    metrics::counter!(crate::monitoring::names::BREAKER_TRANSITIONS, "to" => to.as_str())
        .increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(breaker: &Breaker) {
        breaker.admit().expect("admitted").record(true);
    }

    #[test]
    fn opens_after_a_run_of_failures_probes_and_closes() {
        let breaker = Breaker::new(3, Duration::from_millis(30));
        fail(&breaker);
        fail(&breaker);
        assert_eq!(
            breaker.state().0,
            BreakerState::Closed,
            "two failures are not a run of three"
        );
        fail(&breaker);
        assert_eq!(breaker.state().0, BreakerState::Open);
        assert_eq!(
            breaker.admit().err(),
            Some(Refused),
            "fails fast while open"
        );
        std::thread::sleep(Duration::from_millis(40));
        let probe = breaker.admit().expect("a probe after the pause");
        assert!(probe.is_probe());
        assert_eq!(breaker.admit().err(), Some(Refused), "one probe at a time");
        probe.record(true);
        assert_eq!(
            breaker.state().0,
            BreakerState::Open,
            "a failed probe reopens"
        );
        std::thread::sleep(Duration::from_millis(40));
        breaker.admit().expect("probe").record(false);
        assert_eq!(breaker.state().0, BreakerState::Closed);
        assert!(!breaker.admit().expect("closed").is_probe());
    }

    #[test]
    fn a_success_resets_the_run() {
        let breaker = Breaker::new(2, Duration::from_secs(60));
        fail(&breaker);
        breaker.admit().unwrap().record(false);
        fail(&breaker);
        assert_eq!(breaker.state().0, BreakerState::Closed);
    }

    #[test]
    fn a_probe_given_up_reopens_instead_of_jamming() {
        let breaker = Breaker::new(1, Duration::from_millis(20));
        fail(&breaker);
        std::thread::sleep(Duration::from_millis(30));
        drop(breaker.admit().expect("probe"));
        assert_eq!(breaker.state().0, BreakerState::Open, "counted as failed");
        assert_eq!(
            breaker.admit().err(),
            Some(Refused),
            "the pause starts again"
        );
        std::thread::sleep(Duration::from_millis(30));
        breaker.admit().expect("a new probe").record(false);
        assert_eq!(breaker.state().0, BreakerState::Closed);
    }

    #[test]
    fn an_ordinary_call_given_up_counts_for_nothing() {
        let breaker = Breaker::new(1, Duration::from_secs(60));
        drop(breaker.admit().expect("closed"));
        assert_eq!(breaker.state().0, BreakerState::Closed);
    }
}
