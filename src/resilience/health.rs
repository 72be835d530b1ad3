//! What the gateway knows about the ERP's health from the calls it makes: the breaker, and the
//! outcomes and answer times of the last minute. The status page, `/status.json` and the banner
//! on every page read the same [`HealthReport`], so they always say the same thing.
//!
//! The state is worked out from a window of recent calls rather than from the last call alone:
//! an ERP failing every second call must not look healthy whenever the last call happened to
//! work, and an outage that began at 14:02 is "not reachable since 14:02", however many probes
//! have failed since.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::breaker::{Breaker, BreakerState};

/// How the ERP is doing, in the order in which the report checks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErpState {
    /// The breaker has stopped calls: the ERP failed every call in a row.
    Unreachable,
    /// A noticeable share of recent calls failed.
    PartlyFailing,
    /// Back within the last minute after being unreachable.
    Recovering,
    /// Answering, but recent answers took longer than the configured threshold.
    Slow,
    /// Answering normally.
    Working,
}

impl ErpState {
    /// The word monitoring reads in `/status.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::PartlyFailing => "partly_failing",
            Self::Recovering => "recovering",
            Self::Slow => "slow",
            Self::Working => "working",
        }
    }
}

/// A snapshot for the status page.
#[derive(Debug, Clone)]
pub struct HealthReport {
    /// The adapter's name.
    pub erp: String,
    /// What buyers are told.
    pub state: ErpState,
    /// Since when, for the states where that is known: the first failure of an outage, or the
    /// first answer after it.
    pub since: Option<DateTime<Utc>>,
    /// The breaker's state.
    pub breaker: BreakerState,
    /// When the breaker last changed.
    pub breaker_since: DateTime<Utc>,
    /// The last answer the ERP gave.
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_failure: Option<DateTime<Utc>>,
    /// Mean answer time of the successful calls in the window; failures never count here.
    pub latency: Option<Duration>,
    /// Calls that reached the ERP in the window.
    pub calls: u64,
    /// Of which failed.
    pub failures: u64,
}

/// The thresholds between the states.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// A mean answer time at or above this is slow.
    pub slow: Duration,
}

/// How far back the figures reach.
const WINDOW_SECS: u64 = 60;
/// How long "recovering" is shown after an outage ends.
const RECOVERING_FOR: Duration = Duration::from_secs(60);
/// At least this many failures, and at least this share of calls (in tenths), make "partly
/// failing": one stray timeout in a busy minute is not news for buyers.
const FAILING_MIN: u64 = 2;
const FAILING_TENTHS: u64 = 1;

#[derive(Debug, Default, Clone, Copy)]
struct Bucket {
    /// Which second since start this bucket holds.
    second: u64,
    ok: u64,
    failed: u64,
    ok_micros: u64,
}

#[derive(Debug, Default)]
struct Record {
    buckets: Vec<Bucket>,
    last_success: Option<DateTime<Utc>>,
    last_failure: Option<DateTime<Utc>>,
    /// The first failure since the last success.
    failing_since: Option<DateTime<Utc>>,
    /// While the breaker is not closed: when the outage began.
    outage_since: Option<DateTime<Utc>>,
    /// The first success after the last outage.
    recovered: Option<(Instant, DateTime<Utc>)>,
}

/// The shared health of one ERP.
#[derive(Debug)]
pub struct ErpHealth {
    name: String,
    /// Decides whether calls go out.
    pub breaker: Breaker,
    thresholds: Thresholds,
    started: Instant,
    record: Mutex<Record>,
}

impl ErpHealth {
    /// Health of the ERP `name`, guarded by `breaker`.
    pub fn new(name: &str, breaker: Breaker, thresholds: Thresholds) -> Self {
        Self {
            name: name.to_string(),
            breaker,
            thresholds,
            started: Instant::now(),
            record: Mutex::new(Record {
                buckets: vec![Bucket::default(); WINDOW_SECS as usize],
                ..Record::default()
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Record> {
        self.record
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn second(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.started).as_secs()
    }

    /// Records the outcome of a call that reached the ERP (after the breaker recorded it).
    pub fn observe(&self, elapsed: Duration, failed: bool) {
        self.observe_at(Instant::now(), Utc::now(), elapsed, failed);
    }

    fn observe_at(&self, now: Instant, wall: DateTime<Utc>, elapsed: Duration, failed: bool) {
        let breaker_open = self.breaker.state().0 != BreakerState::Closed;
        let second = self.second(now);
        let mut record = self.lock();
        if !failed && record.outage_since.take().is_some() {
            // Back after an outage: its failures say nothing about how the ERP does now.
            record.buckets.fill(Bucket::default());
            record.recovered = Some((now, wall));
        }
        let slot = &mut record.buckets[(second % WINDOW_SECS) as usize];
        if slot.second != second {
            *slot = Bucket {
                second,
                ..Bucket::default()
            };
        }
        if failed {
            slot.failed += 1;
            record.last_failure = Some(wall);
            let since = *record.failing_since.get_or_insert(wall);
            if breaker_open && record.outage_since.is_none() {
                record.outage_since = Some(since);
            }
        } else {
            slot.ok += 1;
            slot.ok_micros += u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
            record.last_success = Some(wall);
            record.failing_since = None;
        }
    }

    /// The current picture.
    pub fn report(&self) -> HealthReport {
        self.report_at(Instant::now())
    }

    fn report_at(&self, now: Instant) -> HealthReport {
        let (breaker, breaker_since) = self.breaker.state();
        let record = self.lock();
        let recovered = record
            .recovered
            .filter(|(at, _)| now.saturating_duration_since(*at) < RECOVERING_FOR);
        let newest = self.second(now);
        let oldest = newest.saturating_sub(WINDOW_SECS - 1);
        let (mut ok, mut failed, mut ok_micros) = (0u64, 0u64, 0u64);
        for bucket in record
            .buckets
            .iter()
            .filter(|b| (oldest..=newest).contains(&b.second))
        {
            ok += bucket.ok;
            failed += bucket.failed;
            ok_micros += bucket.ok_micros;
        }
        let latency = (ok > 0).then(|| Duration::from_micros(ok_micros / ok));
        let calls = ok + failed;
        let (state, since) = if breaker != BreakerState::Closed {
            let since = record
                .outage_since
                .or(record.failing_since)
                .unwrap_or(breaker_since);
            (ErpState::Unreachable, Some(since))
        } else if failed >= FAILING_MIN && failed * 10 >= calls * FAILING_TENTHS {
            (ErpState::PartlyFailing, None)
        } else if let Some((_, wall)) = recovered {
            (ErpState::Recovering, Some(wall))
        } else if latency.is_some_and(|l| l >= self.thresholds.slow) {
            (ErpState::Slow, None)
        } else {
            (ErpState::Working, None)
        };
        HealthReport {
            erp: self.name.clone(),
            state,
            since,
            breaker,
            breaker_since,
            last_success: record.last_success,
            last_failure: record.last_failure,
            latency,
            calls,
            failures: failed,
        }
    }

    /// Just the state, for the banner every page shows.
    pub fn state(&self) -> ErpState {
        self.report().state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn health(failures_to_open: u32) -> ErpHealth {
        ErpHealth::new(
            "test",
            Breaker::new(failures_to_open, Duration::from_millis(10)),
            Thresholds {
                slow: Duration::from_secs(1),
            },
        )
    }

    /// One call through the breaker, as the resilience layer makes it.
    fn call(h: &ErpHealth, at: Instant, elapsed: Duration, failed: bool) {
        if let Ok(pass) = h.breaker.admit() {
            pass.record(failed);
            h.observe_at(at, Utc::now(), elapsed, failed);
        }
    }

    #[test]
    fn every_second_call_failing_is_partly_failing_whatever_the_last_call_did() {
        let h = health(100);
        let t = Instant::now();
        for i in 0..10 {
            call(&h, t, 5 * MS, i % 2 == 0);
        }
        let report = h.report_at(t);
        assert_eq!(report.state, ErpState::PartlyFailing);
        assert_eq!((report.calls, report.failures), (10, 5));
        assert_eq!(report.latency, Some(5 * MS), "successes only");
    }

    #[test]
    fn one_stray_failure_in_a_busy_minute_is_still_working() {
        let h = health(100);
        let t = Instant::now();
        for i in 0..30 {
            call(&h, t, 5 * MS, i == 3);
        }
        assert_eq!(h.report_at(t).state, ErpState::Working);
    }

    #[test]
    fn slow_answers_are_slow_and_old_figures_leave_the_window() {
        let h = health(100);
        let t = Instant::now();
        call(&h, t, Duration::from_secs(3), false);
        assert_eq!(h.report_at(t).state, ErpState::Slow);
        let later = t + Duration::from_secs(WINDOW_SECS + 1);
        call(&h, later, 5 * MS, false);
        let report = h.report_at(later);
        assert_eq!(report.state, ErpState::Working);
        assert_eq!(report.latency, Some(5 * MS));
    }

    #[test]
    fn an_outage_is_dated_from_its_first_failure_and_recovery_is_shown() {
        let h = health(3);
        let t = Instant::now();
        call(&h, t, 5 * MS, false);
        for _ in 0..3 {
            call(&h, t, 5 * MS, true);
        }
        let down = h.report_at(t);
        assert_eq!(down.state, ErpState::Unreachable);
        let first_failure = down.since.expect("since");
        // Probes keep failing; the outage still began at its first failure.
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(15));
            call(&h, Instant::now(), 5 * MS, true);
        }
        let still = h.report();
        assert_eq!(still.state, ErpState::Unreachable);
        assert_eq!(still.since, Some(first_failure));
        assert_eq!(still.latency, Some(5 * MS), "no made-up answer time");

        std::thread::sleep(Duration::from_millis(15));
        let back = Instant::now();
        call(&h, back, 5 * MS, false);
        let report = h.report_at(back);
        assert_eq!(
            report.state,
            ErpState::Recovering,
            "the outage's failures do not make it partly failing"
        );
        let report = h.report_at(back + RECOVERING_FOR);
        assert_eq!(report.state, ErpState::Working);
    }
}
