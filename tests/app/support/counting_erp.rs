//! An adapter around the demo ERP that counts calls per operation and can be told to fail or
//! be slow, so tests can see what reaches the ERP.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use erpfront::erp::{Erp, ErpError, ErpLayer, ErpResult, Operation};

pub struct CountingErp {
    inner: Arc<dyn Erp>,
    calls: Mutex<HashMap<&'static str, usize>>,
    failures_left: AtomicUsize,
    down: std::sync::atomic::AtomicBool,
    delay_ms: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Operations that answer this error, whatever else is set.
    broken: Mutex<HashMap<&'static str, ErpError>>,
}

impl CountingErp {
    pub fn new(inner: Arc<dyn Erp>) -> Self {
        Self {
            inner,
            calls: Mutex::default(),
            failures_left: AtomicUsize::new(0),
            down: Default::default(),
            delay_ms: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            broken: Mutex::default(),
        }
    }

    /// How often `operation` reached the ERP.
    pub fn calls(&self, operation: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    /// The next `n` calls fail as if the ERP were down.
    pub fn fail_next(&self, n: usize) {
        self.failures_left.store(n, Ordering::SeqCst);
    }

    /// Every call fails as if the ERP were down, until `set_down(false)`.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// The most calls that were under way at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    /// Every call takes at least this long.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// `operation` answers `error` from now on (`None`: works again).
    pub fn break_operation(&self, operation: &'static str, error: Option<ErpError>) {
        let mut broken = self.broken.lock().unwrap();
        match error {
            Some(error) => broken.insert(operation, error),
            None => broken.remove(operation),
        };
    }

    async fn enter(&self, operation: &'static str) -> ErpResult<()> {
        *self.calls.lock().unwrap().entry(operation).or_default() += 1;
        if let Some(error) = self.broken.lock().unwrap().get(operation) {
            return Err(error.clone());
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let delay = self.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(ErpError::unavailable("switched off by the test"));
        }
        let failing = self
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            Err(ErpError::unavailable("switched off by the test"))
        } else {
            Ok(())
        }
    }
}

impl ErpLayer for CountingErp {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    fn name(&self) -> &str {
        "counting"
    }

    async fn around<T, F, Fut>(&self, operation: Operation, call: F) -> ErpResult<T>
    where
        T: Send,
        F: Fn() -> Fut + Send,
        Fut: Future<Output = ErpResult<T>> + Send,
    {
        self.enter(operation.name).await?;
        call().await
    }
}
