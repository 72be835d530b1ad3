//! At most N calls at the ERP at once: a call queues briefly for a slot, then is shed with
//! `Overloaded` rather than piling up behind a slow ERP.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::erp::{Erp, ErpError, ErpLayer, ErpResult, Operation};
use crate::monitoring::names;

/// Limits concurrent calls and sheds what cannot get a slot in time.
pub struct Shedding {
    inner: Arc<dyn Erp>,
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
}

impl Shedding {
    /// At most `slots` calls at `inner`; a call waits `queue_timeout` for one at most.
    pub fn new(inner: Arc<dyn Erp>, slots: usize, queue_timeout: Duration) -> Self {
        Self {
            inner,
            slots: Arc::new(Semaphore::new(slots)),
            queue_timeout,
        }
    }

    /// Permits held by calls now, read at scrape time rather than counted on every call.
    pub fn in_use(&self) -> impl Fn() -> usize + Send + Sync + 'static {
        let (slots, limit) = (self.slots.clone(), self.slots.available_permits());
        move || limit.saturating_sub(slots.available_permits())
    }
}

impl ErpLayer for Shedding {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    async fn around<T, F, Fut>(&self, operation: Operation, call: F) -> ErpResult<T>
    where
        T: Send,
        F: Fn() -> Fut + Send,
        Fut: Future<Output = ErpResult<T>> + Send,
    {
        // The permit is a guard: a call dropped halfway gives its slot back.
        let Ok(Ok(_slot)) = tokio::time::timeout(self.queue_timeout, self.slots.acquire()).await
        else {
            tracing::warn!(
                erp.operation = operation.name,
                "ERP call shed: too many under way"
            );
            metrics::counter!(names::ERP_SHED, "operation" => operation.name).increment(1);
            return Err(ErpError::Overloaded);
        };
        call().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::Shedding;
    use crate::erp::{Erp, ErpError};
    use crate::resilience::testing::Scripted;

    #[tokio::test(start_paused = true)]
    async fn calls_beyond_the_limit_wait_then_are_shed() {
        let erp = Scripted::new();
        erp.delay(Duration::from_secs(1));
        let shedding = Arc::new(Shedding::new(erp.clone(), 2, Duration::from_millis(100)));
        let running: Vec<_> = (0..2)
            .map(|_| {
                let shedding = shedding.clone();
                tokio::spawn(async move { shedding.categories().await })
            })
            .collect();
        tokio::task::yield_now().await;
        assert!(matches!(
            shedding.categories().await,
            Err(ErpError::Overloaded)
        ));
        for call in running {
            assert!(call.await.unwrap().is_ok());
        }
        assert_eq!(erp.max_in_flight(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_call_gives_its_slot_back() {
        let erp = Scripted::new();
        erp.delay(Duration::from_secs(60));
        let shedding = Shedding::new(erp.clone(), 1, Duration::from_millis(100));
        let cut = tokio::time::timeout(Duration::from_millis(10), shedding.categories()).await;
        assert!(cut.is_err());
        erp.delay(Duration::ZERO);
        assert!(shedding.categories().await.is_ok(), "the slot came back");
    }
}
