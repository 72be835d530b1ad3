//! Where `/metrics` is served.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// The metrics listener: on by default, on loopback only, so that nothing is exposed that the
/// operator did not open on purpose (set `listen = "0.0.0.0:9100"` for a scraper on another
/// host or pod, behind the network's own access rules).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Serve `/metrics` at all.
    pub enabled: bool,
    /// Address and port of the metrics listener; never the same as `server.listen`.
    pub listen: SocketAddr,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 9100)),
        }
    }
}

impl MetricsConfig {
    /// Refuses a metrics listener on the public one's address.
    pub fn check(&self, public: SocketAddr) -> Result<(), String> {
        if self.enabled && self.listen.port() != 0 && self.listen == public {
            return Err(format!(
                "metrics.listen ({}) must differ from server.listen: metrics are never served publicly",
                self.listen
            ));
        }
        Ok(())
    }
}
