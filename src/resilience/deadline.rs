//! No ERP call waits longer than the call timeout: past it, the call is dropped and answers
//! `Timeout`.

use std::sync::Arc;
use std::time::Duration;

use crate::erp::{Erp, ErpError, ErpLayer, ErpResult, Operation};

/// Bounds every call by one timeout.
pub struct Deadline {
    inner: Arc<dyn Erp>,
    timeout: Duration,
}

impl Deadline {
    /// Calls to `inner` take at most `timeout`.
    pub fn new(inner: Arc<dyn Erp>, timeout: Duration) -> Self {
        Self { inner, timeout }
    }
}

impl ErpLayer for Deadline {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    async fn around<T, F, Fut>(&self, _: Operation, call: F) -> ErpResult<T>
    where
        T: Send,
        F: Fn() -> Fut + Send,
        Fut: Future<Output = ErpResult<T>> + Send,
    {
        tokio::time::timeout(self.timeout, call())
            .await
            .unwrap_or(Err(ErpError::Timeout))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Deadline;
    use crate::erp::{Erp, ErpError};
    use crate::resilience::testing::Scripted;

    #[tokio::test(start_paused = true)]
    async fn a_call_past_the_timeout_answers_timeout() {
        let erp = Scripted::new();
        erp.delay(Duration::from_secs(5));
        let deadline = Deadline::new(erp.clone(), Duration::from_secs(1));
        let started = tokio::time::Instant::now();
        assert!(matches!(
            deadline.categories().await,
            Err(ErpError::Timeout)
        ));
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_within_the_timeout_answers() {
        let erp = Scripted::new();
        erp.delay(Duration::from_millis(900));
        let deadline = Deadline::new(erp.clone(), Duration::from_secs(1));
        assert!(deadline.categories().await.is_ok());
    }
}
