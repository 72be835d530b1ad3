//! ERP calls by adapter, operation and outcome, with their times: an [`ErpLayer`] placed where
//! every call that really goes out passes (inside the breaker and the concurrency limit, which
//! count what they refuse themselves; outside the call deadline, so a timeout is an outcome).

use std::sync::Arc;
use std::time::Instant;

use metrics::SharedString;

use super::names;
use crate::erp::{Erp, ErpError, ErpLayer, ErpResult, Operation};

/// Counts and times the calls to `inner`.
pub struct MeasuredErp {
    inner: Arc<dyn Erp>,
    adapter: SharedString,
}

impl MeasuredErp {
    /// Measures the calls to `inner`, labelled with its name.
    pub fn new(inner: Arc<dyn Erp>) -> Self {
        let adapter = SharedString::from(Arc::<str>::from(inner.name()));
        Self { inner, adapter }
    }
}

/// The outcome label of a call's result: one word per kind of error, never its detail.
fn outcome<T>(result: &ErpResult<T>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(ErpError::NotFound) => "not_found",
        Err(ErpError::Rejected { .. }) => "rejected",
        Err(ErpError::Timeout) => "timeout",
        Err(ErpError::Unavailable { .. }) => "unavailable",
        Err(ErpError::InvalidData { .. }) => "invalid_data",
        Err(ErpError::CircuitOpen) => "circuit_open",
        Err(ErpError::Overloaded) => "overloaded",
        Err(ErpError::Unsupported { .. }) => "unsupported",
    }
}

impl ErpLayer for MeasuredErp {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    async fn around<T, F, Fut>(&self, operation: Operation, call: F) -> ErpResult<T>
    where
        T: Send,
        F: Fn() -> Fut + Send,
        Fut: Future<Output = ErpResult<T>> + Send,
    {
        let started = Instant::now();
        let result = call().await;
        let labels = [
            ("adapter", self.adapter.clone()),
            ("operation", SharedString::const_str(operation.name)),
            ("outcome", SharedString::const_str(outcome(&result))),
        ];
        metrics::counter!(names::ERP_CALLS, &labels).increment(1);
        metrics::histogram!(names::ERP_DURATION, &labels).record(started.elapsed().as_secs_f64());
        result
    }
}
