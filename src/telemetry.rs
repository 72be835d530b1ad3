//! Logging: human-readable lines by default, one JSON object per line with `[log] format =
//! "json"` (or `ERPFRONT_LOG_FORMAT=json`, which overrides the file either way), filtered by
//! `RUST_LOG` (default `info`). Audit events use their own target, `erpfront::audit`, so that
//! operators can route them to their log store.

use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;

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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    let _ = match format(configured) {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.compact().try_init(),
    };
}
