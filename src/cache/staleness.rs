//! Which answers in a response were served past their freshness because the ERP could not be
//! reached, so the page can say "as of" when showing them. Tracked per request in a task-local,
//! which keeps the `Erp` trait free of it.

use std::cell::Cell;

use chrono::{DateTime, Utc};

tokio::task_local! {
    static OLDEST: Cell<Option<DateTime<Utc>>>;
}

/// Runs `request` with staleness tracking; [`observed`] inside it reports what was served.
pub async fn track<F: Future>(request: F) -> F::Output {
    OLDEST.scope(Cell::new(None), request).await
}

/// Notes that an answer from `fetched_at` was served stale.
pub(super) fn note(fetched_at: DateTime<Utc>) {
    let _ = OLDEST.try_with(|oldest| {
        oldest.set(Some(oldest.get().map_or(fetched_at, |o| o.min(fetched_at))));
    });
}

/// The time of the oldest stale answer served so far in this request, if any.
pub fn observed() -> Option<DateTime<Utc>> {
    OLDEST.try_with(Cell::get).ok().flatten()
}
