//! The one place that names every adapter: the `[erp]` section's `kind` picks one, and each
//! adapter's own configuration type ([`AdapterConfig`]) checks itself, builds the adapter and,
//! for `check-adapter`, aims it at a broken ERP. A new adapter is a variant here and an
//! `AdapterConfig` in its module.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::{Erp, demo, http, sap, tryton};

/// Why an adapter could not be built.
pub type ConnectError = Box<dyn std::error::Error + Send + Sync>;

/// What every adapter's configuration can do.
pub trait AdapterConfig {
    /// Checks the settings before anything is sent; the message names the setting
    /// (`erp.base_url …`).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// Builds the adapter.
    fn connect(&self) -> Result<Arc<dyn Erp>, ConnectError>;

    /// The same adapter aimed at the ERP at `addr`, for `check-adapter`'s fault rules, which
    /// point it at a closed port, a server that hangs and one that answers nonsense; `None` for
    /// an adapter that does not reach its ERP over the network.
    fn aimed_at(&self, addr: SocketAddr) -> Option<Result<Arc<dyn Erp>, ConnectError>>;

    /// The longest one of its calls may take, which the fault rules hold it to.
    fn call_deadline(&self) -> Duration;
}

/// Which ERP adapter to use; `kind` picks it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErpConfig {
    /// The in-memory demo ERP.
    Demo(demo::DemoConfig),
    /// An ERP-side service that speaks the HTTP adapter protocol (`crate::erp::http`).
    Http(http::HttpConfig),
    /// A Tryton server, over JSON-RPC (see the README).
    Tryton(tryton::TrytonConfig),
    /// SAP S/4HANA over its OData APIs (see `crate::erp::sap`).
    Sap(Box<sap::SapConfig>),
}

impl ErpConfig {
    /// The chosen adapter's configuration.
    pub fn adapter(&self) -> &dyn AdapterConfig {
        match self {
            Self::Demo(c) => c,
            Self::Http(c) => c,
            Self::Tryton(c) => c,
            Self::Sap(c) => c.as_ref(),
        }
    }
}

/// Builds the adapter the configuration names.
pub fn connect(config: &ErpConfig) -> Result<Arc<dyn Erp>, ConnectError> {
    config.adapter().connect()
}

#[cfg(test)]
pub(crate) mod test_support {
    use figment::Figment;
    use figment::providers::{Format, Toml};

    use super::ErpConfig;

    /// Reads the `[erp]` section of `text` as `erpfront.toml` would, and checks it.
    pub(crate) fn load_section(text: &str) -> Result<ErpConfig, String> {
        let config: ErpConfig = Figment::from(Toml::string(text))
            .extract_inner("erp")
            .map_err(|e| e.to_string())?;
        config.adapter().check()?;
        Ok(config)
    }
}
