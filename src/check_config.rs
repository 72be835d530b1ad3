//! `erpfront check-config`: everything `serve` checks before it binds a port (the configuration,
//! the users file it names, the adapter's settings) and, when asked, one call to the ERP, so a
//! deployment can be vetted before it takes traffic and a users file before a SIGHUP.

use std::path::Path;
use std::time::Duration;

use crate::config::Config;
use crate::erp;
use crate::users::Users;

/// What went wrong, and the exit status that says so.
#[derive(Debug)]
pub enum CheckFailure {
    /// The configuration or the users file cannot be used (exit status 2).
    Unusable(String),
    /// Both are fine, but the ERP did not answer (exit status 3).
    Unreachable(String),
}

/// Checks the configuration at `path` and returns the lines to print when all is well.
pub async fn check(path: &Path, reach_erp: bool) -> Result<Vec<String>, CheckFailure> {
    let unusable = |e: &dyn std::fmt::Display| CheckFailure::Unusable(e.to_string());
    let config = Config::load(path).map_err(|e| unusable(&e))?;
    let mut report = vec![format!("configuration {}: ok", path.display())];
    let loaded = Users::load(&config.users.file)
        .map_err(|e| unusable(&e))?
        .counts();
    report.push(format!(
        "users file {}: ok, {} user(s), {} punchout identit(ies)",
        config.users.file.display(),
        loaded.users,
        loaded.punchout
    ));
    let adapter = erp::connect(&config.erp).map_err(|e| unusable(&format!("ERP adapter: {e}")))?;
    report.push(format!("ERP adapter {}: settings ok", adapter.name()));
    if reach_erp {
        let deadline = Duration::from_secs(config.server.request_timeout_secs);
        match tokio::time::timeout(deadline, adapter.health()).await {
            Ok(Ok(())) => report.push(format!("ERP {}: answered", adapter.name())),
            Ok(Err(error)) => {
                return Err(CheckFailure::Unreachable(format!(
                    "the ERP did not answer: {error}"
                )));
            }
            Err(_) => {
                return Err(CheckFailure::Unreachable(format!(
                    "the ERP did not answer within {} s",
                    deadline.as_secs()
                )));
            }
        }
    }
    Ok(report)
}
