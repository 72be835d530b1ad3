//! The breaker as a layer: a call goes to the ERP only when the breaker admits it, and every
//! outcome is reported to the breaker and to the health the status page shows.

use std::sync::Arc;
use std::time::Instant;

use super::health::ErpHealth;
use crate::erp::{Erp, ErpError, ErpLayer, ErpResult, Operation};
use crate::monitoring::names;

/// Fails fast while the ERP is down; records every call's outcome and answer time.
pub struct Circuit {
    inner: Arc<dyn Erp>,
    health: Arc<ErpHealth>,
}

impl Circuit {
    /// Guards `inner` with the breaker in `health`, which also receives every outcome.
    pub fn new(inner: Arc<dyn Erp>, health: Arc<ErpHealth>) -> Self {
        Self { inner, health }
    }
}

impl ErpLayer for Circuit {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    async fn around<T, F, Fut>(&self, operation: Operation, call: F) -> ErpResult<T>
    where
        T: Send,
        F: Fn() -> Fut + Send,
        Fut: Future<Output = ErpResult<T>> + Send,
    {
        // The pass reports a dropped probe as failed, so the breaker cannot stay half-open.
        let Ok(pass) = self.health.breaker.admit() else {
            metrics::counter!(names::ERP_BREAKER_REFUSED, "operation" => operation.name)
                .increment(1);
            return Err(ErpError::CircuitOpen);
        };
        let started = Instant::now();
        let result = call().await;
        let failed = result.as_ref().err().is_some_and(ErpError::is_erp_failure);
        pass.record(failed);
        self.health.observe(started.elapsed(), failed);
        if let Err(err) = &result
            && failed
        {
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            tracing::warn!(erp.operation = operation.name, error = %err, duration_ms, "ERP call failed");
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::{Circuit, ErpHealth};
    use crate::erp::{Erp, ErpError};
    use crate::resilience::breaker::{Breaker, BreakerState};
    use crate::resilience::health::Thresholds;
    use crate::resilience::testing::Scripted;

    fn circuit(erp: &Arc<Scripted>) -> (Circuit, Arc<ErpHealth>) {
        let health = Arc::new(ErpHealth::new(
            "scripted",
            Breaker::new(2, Duration::from_secs(10)),
            Thresholds {
                slow: Duration::from_secs(1),
            },
        ));
        (Circuit::new(erp.clone(), health.clone()), health)
    }

    #[tokio::test]
    async fn failures_in_a_row_open_the_breaker_and_calls_then_fail_fast() {
        let erp = Scripted::new();
        let (circuit, health) = circuit(&erp);
        erp.set_down(true);
        for _ in 0..2 {
            assert!(matches!(
                circuit.categories().await,
                Err(ErpError::Unavailable { .. })
            ));
        }
        assert_eq!(health.breaker.state().0, BreakerState::Open);
        let reached = erp.calls();
        assert!(matches!(
            circuit.categories().await,
            Err(ErpError::CircuitOpen)
        ));
        assert_eq!(erp.calls(), reached, "an open breaker kept the call away");
        assert_eq!(health.report().failures, 2);
    }

    #[tokio::test]
    async fn a_business_refusal_is_no_erp_failure() {
        let erp = Scripted::new();
        let (circuit, health) = circuit(&erp);
        for _ in 0..3 {
            let unknown = crate::domain::Sku::parse("NO-SUCH-SKU").unwrap();
            assert!(matches!(
                circuit.product(&unknown).await,
                Err(ErpError::NotFound)
            ));
        }
        assert_eq!(health.breaker.state().0, BreakerState::Closed);
        assert_eq!(health.report().calls, 3);
    }

    // Real time: the breaker's pause is measured with `std::time::Instant`.
    #[tokio::test]
    async fn a_probe_dropped_halfway_opens_the_breaker_again() {
        let erp = Scripted::new();
        let health = Arc::new(ErpHealth::new(
            "scripted",
            Breaker::new(1, Duration::from_millis(100)),
            Thresholds {
                slow: Duration::from_secs(1),
            },
        ));
        let circuit = Circuit::new(erp.clone(), health.clone());
        erp.set_down(true);
        let _ = circuit.categories().await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        erp.set_down(false);
        erp.delay(Duration::from_secs(60));
        let probe = tokio::time::timeout(Duration::from_millis(10), circuit.categories()).await;
        assert!(probe.is_err(), "the probe was cut off");
        assert_eq!(health.breaker.state().0, BreakerState::Open);
        tokio::time::sleep(Duration::from_millis(150)).await;
        erp.delay(Duration::ZERO);
        assert!(
            circuit.categories().await.is_ok(),
            "the next probe went out"
        );
        assert_eq!(health.breaker.state().0, BreakerState::Closed);
    }
}
