//! Logging: human-readable lines by default, one JSON object per line with `[log] format =
//! "json"` (or `ERPFRONT_LOG_FORMAT=json`, which overrides the file either way), filtered by
//! `RUST_LOG` (default `info`). Audit events use their own target, `erpfront::audit`, so that
//! operators can route them to their log store. Built with the `otlp` feature, spans also go to
//! an OpenTelemetry collector when `OTEL_EXPORTER_OTLP_ENDPOINT` names one (`otlp.rs`).

#[cfg(feature = "otlp")]
mod otlp;

use serde::{Deserialize, Serialize};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for a log store.
    Json,
}

/// The `[log]` section.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
}

/// The format in force: `ERPFRONT_LOG_FORMAT` (`json` or `text`) if set to one of those, else
/// `configured`. The variable predates the setting and stays the quick switch for one run.
pub fn format(configured: LogFormat) -> LogFormat {
    match std::env::var("ERPFRONT_LOG_FORMAT").as_deref() {
        Ok("json") => LogFormat::Json,
        Ok("text") => LogFormat::Text,
        _ => configured,
    }
}

/// Installs the global subscriber; a second call (as in tests) is a no-op.
pub fn init(configured: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let lines = match format(configured) {
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_target(true)
            .boxed(),
        LogFormat::Text => fmt::layer().compact().with_target(true).boxed(),
    };
    let subscriber = tracing_subscriber::registry().with(filter).with(lines);
    #[cfg(feature = "otlp")]
    let subscriber = subscriber.with(otlp::layer());
    let _ = subscriber.try_init();
}

/// Sends what is still buffered for export before the process ends (nothing to do without the
/// `otlp` feature).
pub fn shutdown() {
    #[cfg(feature = "otlp")]
    otlp::shutdown();
}
