//! A scripted ERP for the layers' tests: the demo ERP behind a layer that counts calls and can
//! be told to be down, to fail a few calls, or to be slow.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::erp::demo::DemoErp;
use crate::erp::{Erp, ErpError, ErpLayer, ErpResult, Operation};

pub struct Scripted {
    demo: DemoErp,
    calls: AtomicUsize,
    failures_left: AtomicUsize,
    down: AtomicBool,
    delay_ms: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Scripted {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            demo: DemoErp::embedded().unwrap(),
            calls: AtomicUsize::new(0),
            failures_left: AtomicUsize::new(0),
            down: AtomicBool::new(false),
            delay_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    /// Calls that reached this ERP.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn fail_next(&self, n: usize) {
        self.failures_left.store(n, Ordering::SeqCst);
    }

    pub fn delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

/// Counts a call as under way until it ends or is dropped.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ErpLayer for Scripted {
    fn inner(&self) -> &dyn Erp {
        &self.demo
    }

    async fn around<T, F, Fut>(&self, _: Operation, call: F) -> ErpResult<T>
    where
        T: Send,
        F: Fn() -> Fut + Send,
        Fut: Future<Output = ErpResult<T>> + Send,
    {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let _in_flight = InFlight(&self.in_flight);
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let delay = self.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        let failing = self
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing || self.down.load(Ordering::SeqCst) {
            return Err(ErpError::unavailable("scripted outage"));
        }
        call().await
    }
}
