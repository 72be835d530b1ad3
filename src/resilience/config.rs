//! The `[resilience]` settings.

use serde::{Deserialize, Serialize};

/// How erpfront protects the ERP and keeps pages from hanging when it is slow or down.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResilienceConfig {
    /// Longest any single ERP call may take (adapters have their own, shorter, network timeouts).
    pub call_timeout_ms: u64,
    /// Most ERP calls under way at once from this instance.
    pub max_concurrent_calls: usize,
    /// How long a call waits for a slot before it is shed with a polite "busy" answer.
    pub queue_timeout_ms: u64,
    /// How often a failed read is repeated (within a retry budget); writes never are.
    pub read_retries: u32,
    /// Base pause before a retry; each retry waits longer, with jitter.
    pub retry_backoff_ms: u64,
    /// Failures in a row that open the circuit breaker.
    pub breaker_failures: u32,
    /// How long the breaker stays open before one probe call may test the ERP.
    pub breaker_open_ms: u64,
    /// A mean ERP answer time (successful calls of the last minute) at or above this is shown
    /// to buyers as "answering slowly".
    pub slow_answer_ms: u64,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            call_timeout_ms: 8000,
            max_concurrent_calls: 32,
            queue_timeout_ms: 500,
            read_retries: 1,
            retry_backoff_ms: 50,
            breaker_failures: 5,
            breaker_open_ms: 10_000,
            slow_answer_ms: 1500,
        }
    }
}

impl ResilienceConfig {
    /// Checks what serde cannot; the message names the setting.
    pub fn check(&self) -> Result<(), String> {
        if self.slow_answer_ms == 0 {
            return Err("resilience.slow_answer_ms must be above 0".into());
        }
        if self.max_concurrent_calls == 0 {
            return Err("resilience.max_concurrent_calls must be above 0".into());
        }
        Ok(())
    }
}
