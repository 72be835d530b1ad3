//! Sessions ended before their time (log-out, a rep stopping to act for a customer), by the
//! random id each session cookie carries. Nothing about the buyer is kept: an id and until when
//! it must be refused, which is the idle timeout (plus the renewal interval) after the log-out,
//! since no copy of the cookie can stay alive longer once this instance stops renewing it.
//!
//! The list is in this instance's memory; see the README on what that means for a fleet.

use std::time::Duration;

use quick_cache::sync::Cache;
use tokio::time::Instant;

/// Most revoked sessions remembered at once (about 80 bytes each).
const REMEMBERED: usize = 200_000;

/// See the module documentation.
pub struct Revocations {
    revoked: Cache<Box<str>, Instant>,
    keep_for: Duration,
}

impl Revocations {
    /// Remembers each revoked id for `keep_for`.
    pub fn new(keep_for: Duration) -> Self {
        Self {
            revoked: Cache::new(REMEMBERED),
            keep_for,
        }
    }

    /// Refuses the session `id` from now on.
    pub fn revoke(&self, id: &str) {
        if !id.is_empty() {
            self.revoked
                .insert(id.into(), Instant::now() + self.keep_for);
        }
    }

    /// Whether the session `id` was revoked.
    pub fn is_revoked(&self, id: &str) -> bool {
        self.revoked
            .get(id)
            .is_some_and(|until| Instant::now() < until)
    }
}
