//! The open connections of one instance, so that idle ones can be closed: after the keep-alive
//! time, and (oldest idle first) when the instance is at its connection cap or out of file
//! descriptors. A request under way is never cut: closing asks hyper to shut the connection
//! down gracefully, which ends an idle one at once and a busy one after its answer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// One open connection, as the registry and the connection's task share it.
pub struct Connection {
    id: u64,
    /// Requests being answered on it right now.
    in_flight: AtomicU32,
    /// When it last began or finished a request (or was accepted), in ms since the registry began.
    last_active_ms: AtomicU64,
    closing: AtomicBool,
    close: Notify,
    epoch: Instant,
}

impl Connection {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Marks a request begun; the returned guard marks it finished when dropped.
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.last_active_ms.store(self.now_ms(), Ordering::Relaxed);
        Busy(self.clone())
    }

    /// Resolves once the registry asks this connection to close.
    pub async fn closed(&self) {
        self.close.notified().await;
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0 && !self.closing.load(Ordering::Acquire)
    }

    fn ask_to_close(&self) {
        self.closing.store(true, Ordering::Release);
        // A stored permit: the task sees it even if it is not waiting yet.
        self.close.notify_one();
    }
}

/// A request under way on a connection.
pub struct Busy(Arc<Connection>);

impl Drop for Busy {
    fn drop(&mut self) {
        let connection = &self.0;
        connection
            .last_active_ms
            .store(connection.now_ms(), Ordering::Relaxed);
        connection.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Every open connection of the listener.
pub struct Connections {
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    next_id: AtomicU64,
    epoch: Instant,
    cap: usize,
}

impl Connections {
    /// A registry that keeps at most `cap` connections open.
    pub fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
            cap,
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Registers a just-accepted connection, first closing the longest-idle one if the cap is
    /// reached. `None` when the cap is reached and every connection is busy: the new one is
    /// then refused.
    pub fn admit(&self) -> Option<Arc<Connection>> {
        let mut open = self.lock();
        if open.len() >= self.cap && !Self::close_oldest_idle_in(&open) {
            return None;
        }
        let connection = Arc::new(Connection {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            in_flight: AtomicU32::new(0),
            last_active_ms: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            close: Notify::new(),
            epoch: self.epoch,
        });
        connection
            .last_active_ms
            .store(connection.now_ms(), Ordering::Relaxed);
        open.insert(connection.id, connection.clone());
        Some(connection)
    }

    /// Forgets a connection that has ended.
    pub fn remove(&self, connection: &Connection) {
        self.lock().remove(&connection.id);
    }

    /// Asks the connection idle the longest to close; whether there was one.
    pub fn close_oldest_idle(&self) -> bool {
        Self::close_oldest_idle_in(&self.lock())
    }

    fn close_oldest_idle_in(open: &HashMap<u64, Arc<Connection>>) -> bool {
        let oldest = open
            .values()
            .filter(|c| c.is_idle())
            .min_by_key(|c| c.last_active_ms.load(Ordering::Relaxed));
        match oldest {
            Some(connection) => {
                connection.ask_to_close();
                true
            }
            None => false,
        }
    }

    /// Asks every connection idle for longer than `keep_alive` to close.
    pub fn close_idle_since(&self, keep_alive: Duration) {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let limit = u64::try_from(keep_alive.as_millis()).unwrap_or(u64::MAX);
        for connection in self.lock().values() {
            let idle_for = now.saturating_sub(connection.last_active_ms.load(Ordering::Relaxed));
            if connection.is_idle() && idle_for > limit {
                connection.ask_to_close();
            }
        }
    }

    /// Asks every connection to close (at shutdown).
    pub fn close_all(&self) {
        for connection in self.lock().values() {
            connection.ask_to_close();
        }
    }

    /// How many are open.
    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_the_cap_the_longest_idle_connection_makes_room() {
        let connections = Connections::new(3);
        let oldest = connections.admit().unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let busy = connections.admit().unwrap();
        let _request = busy.begin();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let newer = connections.admit().unwrap();
        assert!(connections.admit().is_some(), "room made");
        assert!(
            oldest.closing.load(Ordering::Acquire),
            "the oldest idle one goes"
        );
        assert!(
            !busy.closing.load(Ordering::Acquire),
            "never one with a request under way"
        );
        assert!(!newer.closing.load(Ordering::Acquire));
    }

    #[tokio::test]
    async fn a_full_house_of_busy_connections_refuses_more() {
        let connections = Connections::new(1);
        let busy = connections.admit().unwrap();
        let _request = busy.begin();
        assert!(connections.admit().is_none());
    }
}
