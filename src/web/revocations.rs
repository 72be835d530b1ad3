//! Sessions ended before their time (log-out, a rep stopping to act for a customer), by the
//! random id each session cookie carries. Nothing about the buyer is kept: an id and until when
//! it must be refused, which is the idle timeout (plus the renewal interval) after the log-out,
//! since no copy of the cookie can stay alive longer once no instance renews it.
//!
//! Every instance keeps the ids it revoked or learned of in memory and checks them on every
//! request. With `session.revocation_store` (Valkey or Redis), a revocation is also written
//! there, and each instance asks the store about a session whenever it renews the session's
//! cookie (at most once a minute), so a log-out reaches every instance within a minute without
//! a network call on each page.

use std::time::Duration;

use quick_cache::sync::Cache;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use tokio::time::Instant;

/// Most revoked sessions remembered at once (about 80 bytes each).
const REMEMBERED: usize = 200_000;

/// Longest a call to the shared store may take.
const STORE_TIMEOUT: Duration = Duration::from_secs(1);

/// See the module documentation.
pub struct Revocations {
    revoked: Cache<Box<str>, Instant>,
    keep_for: Duration,
    shared: Option<ConnectionManager>,
}

impl Revocations {
    /// Remembers each revoked id for `keep_for`, in memory only.
    pub fn new(keep_for: Duration) -> Self {
        Self {
            revoked: Cache::new(REMEMBERED),
            keep_for,
            shared: None,
        }
    }

    /// Also shares revocations through the Valkey or Redis at `url`.
    pub async fn shared(keep_for: Duration, url: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("revocation store: {e}"))?;
        let connection = tokio::time::timeout(STORE_TIMEOUT * 5, client.get_connection_manager())
            .await
            .map_err(|_| "revocation store: no connection in time".to_string())?
            .map_err(|e| format!("revocation store: {e}"))?;
        Ok(Self {
            shared: Some(connection),
            ..Self::new(keep_for)
        })
    }

    /// Whether revocations are shared with other instances.
    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Refuses the session `id` from now on, here and (with a shared store) everywhere.
    pub async fn revoke(&self, id: &str) {
        if id.is_empty() {
            return;
        }
        self.remember(id);
        if let Some(connection) = &self.shared {
            let mut connection = connection.clone();
            let written = tokio::time::timeout(
                STORE_TIMEOUT,
                connection.set_ex::<_, _, ()>(store_key(id), 1u8, self.keep_for.as_secs()),
            )
            .await;
            if !matches!(written, Ok(Ok(()))) {
                tracing::warn!(
                    "revocation store unreachable: a log-out is known to this instance only"
                );
            }
        }
    }

    /// Whether this instance knows the session `id` to be revoked.
    pub fn is_revoked(&self, id: &str) -> bool {
        self.revoked
            .get(id)
            .is_some_and(|until| Instant::now() < until)
    }

    /// Asks the shared store whether `id` was revoked elsewhere, and remembers it if so.
    pub async fn learn(&self, id: &str) {
        let Some(connection) = &self.shared else {
            return;
        };
        let mut connection = connection.clone();
        let found =
            tokio::time::timeout(STORE_TIMEOUT, connection.exists::<_, bool>(store_key(id))).await;
        match found {
            Ok(Ok(true)) => self.remember(id),
            Ok(Ok(false)) => {}
            _ => tracing::warn!("revocation store unreachable: a session was renewed unchecked"),
        }
    }

    fn remember(&self, id: &str) {
        self.revoked
            .insert(id.into(), Instant::now() + self.keep_for);
    }
}

fn store_key(id: &str) -> String {
    format!("erpfront:revoked:{id}")
}
