//! Reads that found the ERP unreachable are repeated, after a jittered pause, while a retry
//! budget allows: a short blip costs the buyer a little latency instead of an error page, and a
//! real outage does not turn every read into several. Writes are never repeated here.

use std::sync::Arc;
use std::time::Duration;

use tower::retry::budget::{Budget, TpsBudget};

use crate::erp::{Access, Erp, ErpError, ErpLayer, ErpResult, Operation};

/// Repeats reads the ERP could not answer, within a budget.
pub struct ReadRetry {
    inner: Arc<dyn Erp>,
    retries: u32,
    backoff: Duration,
    budget: TpsBudget,
}

impl ReadRetry {
    /// Up to `retries` repeats per read, the n-th after `n × backoff` plus jitter.
    pub fn new(inner: Arc<dyn Erp>, retries: u32, backoff: Duration) -> Self {
        Self {
            inner,
            retries,
            backoff,
            // At most one retry per five calls over ten seconds, plus ten a second to start.
            budget: TpsBudget::new(Duration::from_secs(10), 10, 0.2),
        }
    }
}

impl ErpLayer for ReadRetry {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    async fn around<T, F, Fut>(&self, operation: Operation, call: F) -> ErpResult<T>
    where
        T: Send,
        F: Fn() -> Fut + Send,
        Fut: Future<Output = ErpResult<T>> + Send,
    {
        let mut retries = 0;
        loop {
            let result = call().await;
            match &result {
                Ok(_) => self.budget.deposit(),
                // Only a refused connection or a server error is worth repeating: a timeout
                // would double the wait, and anything else would fail the same way again.
                Err(ErpError::Unavailable { .. })
                    if operation.access == Access::Read
                        && retries < self.retries
                        && self.budget.withdraw() =>
                {
                    retries += 1;
                    let jitter = self.backoff.mul_f64(fastrand::f64());
                    tokio::time::sleep(self.backoff * retries + jitter).await;
                    tracing::debug!(erp.operation = operation.name, retries, "retrying ERP read");
                    continue;
                }
                Err(_) => {}
            }
            return result;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::ReadRetry;
    use crate::domain::{CustomerId, IdempotencyKey, NewOrder, NewOrderLine, Quantity, Sku};
    use crate::erp::{Erp, ErpError};
    use crate::resilience::testing::Scripted;

    #[tokio::test(start_paused = true)]
    async fn a_read_is_repeated_after_a_blip() {
        let erp = Scripted::new();
        erp.fail_next(1);
        let retry = ReadRetry::new(erp.clone(), 2, Duration::from_millis(50));
        assert!(retry.categories().await.is_ok());
        assert_eq!(erp.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_gives_up_after_its_retries() {
        let erp = Scripted::new();
        erp.set_down(true);
        let retry = ReadRetry::new(erp.clone(), 2, Duration::from_millis(50));
        assert!(retry.categories().await.is_err());
        assert_eq!(erp.calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_is_never_repeated() {
        let erp = Scripted::new();
        erp.set_down(true);
        let retry = ReadRetry::new(erp.clone(), 2, Duration::from_millis(50));
        let order = NewOrder {
            customer: CustomerId::parse("C-1000").unwrap(),
            po_number: "PO-1".into(),
            ship_to: None,
            requested_date: None,
            note: None,
            lines: vec![NewOrderLine {
                sku: Sku::parse("BOLT-M8-40").unwrap(),
                quantity: Quantity::new(1).unwrap(),
            }],
            placed_by: None,
        };
        let key = IdempotencyKey::generate();
        assert!(retry.create_order(&key, &order).await.is_err());
        assert_eq!(erp.calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_is_not_repeated() {
        let erp = Scripted::new();
        let retry = ReadRetry::new(erp.clone(), 2, Duration::from_millis(50));
        let unknown = Sku::parse("NO-SUCH-SKU").unwrap();
        assert!(matches!(
            retry.product(&unknown).await,
            Err(ErpError::NotFound)
        ));
        assert_eq!(erp.calls(), 1);
    }
}
