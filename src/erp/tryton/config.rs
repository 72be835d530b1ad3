//! The `[erp] kind = "tryton"` settings.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use super::{TrytonErp, TrytonSettings};
use crate::erp::{AdapterConfig, ConnectError, Erp};

/// Where the Tryton server is and whom erpfront logs in as.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrytonConfig {
    /// Base URL of the Tryton server, such as `https://erp.example.com`.
    pub url: String,
    /// The Tryton database.
    pub database: String,
    /// The Tryton login erpfront acts as; it must belong to the selling company.
    pub user: String,
    /// Its password; better set through `ERPFRONT_ERP__PASSWORD` than in the file.
    pub password: SecretString,
    /// Code of the warehouse (a `stock.location`) whose stock buyers see; the first warehouse
    /// when absent.
    #[serde(default)]
    pub warehouse: Option<String>,
    /// How long to wait for a connection to Tryton.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// How long one call to Tryton may take (confirming an order takes a second or two).
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
}

fn default_connect_timeout_ms() -> u64 {
    3_000
}

/// Confirming a sale in Tryton takes a second or two.
fn default_request_timeout_ms() -> u64 {
    15_000
}

impl TrytonConfig {
    /// The server at `url`, with the default timeouts and the first warehouse.
    pub fn new(url: &str, database: &str, user: &str, password: &str) -> Self {
        Self {
            url: url.into(),
            database: database.into(),
            user: user.into(),
            password: SecretString::from(password),
            warehouse: None,
            connect_timeout_ms: default_connect_timeout_ms(),
            request_timeout_ms: default_request_timeout_ms(),
        }
    }

    fn settings(&self) -> TrytonSettings {
        TrytonSettings {
            url: self.url.clone(),
            database: self.database.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            warehouse: self.warehouse.clone(),
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            request_timeout: Duration::from_millis(self.request_timeout_ms),
        }
    }
}

impl AdapterConfig for TrytonConfig {
    fn check(&self) -> Result<(), String> {
        TrytonErp::new(self.settings())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn connect(&self) -> Result<Arc<dyn Erp>, ConnectError> {
        Ok(Arc::new(TrytonErp::new(self.settings())?))
    }

    fn aimed_at(&self, addr: SocketAddr) -> Option<Result<Arc<dyn Erp>, ConnectError>> {
        let aimed = Self {
            url: format!("http://{addr}"),
            ..self.clone()
        };
        Some(aimed.connect())
    }

    fn call_deadline(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}
