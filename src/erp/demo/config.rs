//! The `[erp] kind = "demo"` settings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::DemoErp;
use crate::erp::{AdapterConfig, ConnectError, Erp};

/// The in-memory demo ERP, with its built-in data or data from a directory.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoConfig {
    /// Load the demo data from this directory instead of the copy built into the binary.
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
}

impl AdapterConfig for DemoConfig {
    fn connect(&self) -> Result<Arc<dyn Erp>, ConnectError> {
        Ok(Arc::new(match &self.data_dir {
            Some(dir) => DemoErp::from_dir(dir)?,
            None => DemoErp::embedded()?,
        }))
    }

    // In-process: there is no connection to break.
    fn aimed_at(&self, _: SocketAddr) -> Option<Result<Arc<dyn Erp>, ConnectError>> {
        None
    }

    fn call_deadline(&self) -> Duration {
        Duration::ZERO
    }
}
