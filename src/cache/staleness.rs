//! What the answers used in a request were like: whether any was served past its freshness
//! because the ERP could not be reached (so the page can say "as of"), and when the first of
//! them stops being fresh (so a response built from them can be kept exactly that long).
//! Tracked per request in a task-local, which keeps the `Erp` trait free of it.

use std::cell::Cell;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tokio::task::futures::TaskLocalFuture;

tokio::task_local! {
    static TRACKER: Tracker;
}

/// What one request (or one part of it, see [`measure`]) has been served so far.
#[derive(Default)]
pub struct Tracker {
    stale_since: Cell<Option<DateTime<Utc>>>,
    fresh_until: Cell<Option<Instant>>,
}

impl Tracker {
    /// The time of the oldest stale answer served, if any.
    pub fn stale_since(&self) -> Option<DateTime<Utc>> {
        self.stale_since.get()
    }

    /// When the first answer served stops being fresh; `None` if nothing cached was served.
    pub fn fresh_until(&self) -> Option<Instant> {
        self.fresh_until.get()
    }

    fn note_stale(&self, fetched_at: DateTime<Utc>) {
        let oldest = self
            .stale_since
            .get()
            .map_or(fetched_at, |o| o.min(fetched_at));
        self.stale_since.set(Some(oldest));
    }

    fn note_fresh_until(&self, until: Instant) {
        let first = self.fresh_until.get().map_or(until, |f| f.min(until));
        self.fresh_until.set(Some(first));
    }
}

/// Runs `request` with tracking; [`observed`] inside it reports what was served stale, and the
/// returned future's `take_value` hands over the [`Tracker`] afterwards.
pub fn tracked<F: Future>(request: F) -> TaskLocalFuture<Tracker, F> {
    TRACKER.scope(Tracker::default(), request)
}

/// Runs `part` with its own tracking and returns what it saw, also passing it on to the
/// request around it, so a header or "as of" label still covers the whole response.
pub async fn measure<F: Future>(part: F) -> (F::Output, Tracker) {
    let mut scoped = std::pin::pin!(tracked(part));
    let output = scoped.as_mut().await;
    let tracker = scoped.take_value().unwrap_or_default();
    if let Some(since) = tracker.stale_since() {
        note_stale(since);
    }
    if let Some(until) = tracker.fresh_until() {
        note_fresh_until(until);
    }
    (output, tracker)
}

/// Notes that an answer from `fetched_at` was served stale.
pub(super) fn note_stale(fetched_at: DateTime<Utc>) {
    let _ = TRACKER.try_with(|t| t.note_stale(fetched_at));
}

/// Notes that an answer served is fresh until `until`.
pub(super) fn note_fresh_until(until: Instant) {
    let _ = TRACKER.try_with(|t| t.note_fresh_until(until));
}

/// Notes that the ERP did not answer for something a response shows in a lesser form (a name
/// as its id): a response built so is not kept, so the next request asks again.
pub fn note_missing() {
    note_fresh_until(Instant::now());
}

/// The time of the oldest stale answer served so far in this request, if any.
pub fn observed() -> Option<DateTime<Utc>> {
    TRACKER.try_with(Tracker::stale_since).ok().flatten()
}
