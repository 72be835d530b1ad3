//! Logging: human-readable lines by default, JSON with `ERPFRONT_LOG_FORMAT=json`, filtered by
//! `RUST_LOG` (default `info`). Audit events use their own target, `erpfront::audit`, so that
//! operators can route them to their log store.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; a second call (as in tests) is a no-op.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("ERPFRONT_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
}
