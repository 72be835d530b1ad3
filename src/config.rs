//! The one typed configuration, loaded from a TOML file with `ERPFRONT_` environment overrides
//! (`ERPFRONT_SESSION__KEY` sets `session.key`), and checked at start with clear messages.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub use crate::cache::CacheConfig;
use crate::domain::CustomerId;
pub use crate::erp::ErpConfig;
pub use crate::monitoring::MetricsConfig;
pub use crate::resilience::ResilienceConfig;
pub use crate::telemetry::LogConfig;

/// Everything erpfront is configured with.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// The HTTP listener.
    #[serde(default)]
    pub server: ServerConfig,
    /// Cookie signing and encryption.
    pub session: SessionConfig,
    /// Who buyers call when something goes wrong.
    pub support: SupportConfig,
    /// The local users file.
    pub users: UsersConfig,
    /// Which ERP to talk to, and how.
    pub erp: ErpConfig,
    /// The read-through cache.
    #[serde(default)]
    pub cache: CacheConfig,
    /// Limits that protect the ERP and bound every call.
    #[serde(default)]
    pub resilience: ResilienceConfig,
    /// Who may read the operators' part of `/status.json`.
    #[serde(default)]
    pub status: StatusConfig,
    /// Limits on password guessing and login floods.
    #[serde(default)]
    pub login: LoginConfig,
    /// Where Prometheus metrics are served.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// How log lines are written.
    #[serde(default)]
    pub log: LogConfig,
    /// The customers `erpfront check-adapter` may use; only that command reads it.
    #[serde(default)]
    pub conformance: Option<ConformanceConfig>,
}

/// Who may read the operators' part of `/status.json` (adapter, breaker, answer times).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatusConfig {
    /// SHA-256 (hex) of each bearer token that unlocks it (`erpfront hash-token`).
    pub operator_token_sha256: Vec<String>,
}

impl StatusConfig {
    /// The token hashes as bytes; an error names the first one that is not 64 hex digits.
    pub fn token_hashes(&self) -> Result<Vec<[u8; 32]>, ConfigError> {
        self.operator_token_sha256
            .iter()
            .map(|h| {
                hex::decode(h.trim())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| {
                        ConfigError::Invalid(format!(
                            "status.operator_token_sha256: {h:?} is not a SHA-256 in hex (erpfront hash-token)"
                        ))
                    })
            })
            .collect()
    }
}

/// The HTTP listener.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Mark cookies `Secure`: set whenever buyers reach erpfront over HTTPS (directly or
    /// through a TLS-terminating load balancer).
    pub secure_cookies: bool,
    /// Longest a request may take before the buyer gets a polite timeout page.
    pub request_timeout_secs: u64,
    /// Longest a client may take to send a request's head (its line and headers). Also how long
    /// a kept-alive connection may wait for its next request.
    pub header_read_timeout_secs: u64,
    /// How long a connection with no request under way is kept open for the next one.
    pub keep_alive_secs: u64,
    /// Longest a client may take to send a request's body; past it the answer is 408. Within
    /// `request_timeout_secs` (a longer value counts as that).
    pub body_read_timeout_secs: u64,
    /// Most connections open at once. When full, the connection idle the longest is closed to
    /// make room. Lowered at start to what the process's open-file limit allows.
    pub max_connections: usize,
    /// Proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed for the client's
    /// address. Empty: the address of the TCP peer is the client's.
    pub trusted_proxies: Vec<String>,
    /// On SIGTERM or Ctrl-C, how long to keep accepting connections while `/readyz` already
    /// answers 503, so that load balancers see it before connections are refused.
    pub shutdown_delay_secs: u64,
    /// Then, how long requests under way may take to finish before erpfront exits regardless.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            secure_cookies: false,
            request_timeout_secs: 30,
            header_read_timeout_secs: 10,
            keep_alive_secs: 60,
            body_read_timeout_secs: 15,
            max_connections: 4096,
            trusted_proxies: Vec::new(),
            shutdown_delay_secs: 0,
            shutdown_grace_secs: 20,
        }
    }
}

impl ServerConfig {
    /// The trusted proxies, parsed.
    pub fn trusted_proxy_nets(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        ConfigError::Invalid(format!(
                            "server.trusted_proxies: {entry:?} is not an address or CIDR block"
                        ))
                    })
            })
            .collect()
    }
}

/// How password guessing is slowed down and how much a login flood may cost. Counted per
/// instance, in memory; see the README for fleet-wide limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Wrong passwords for one login before it must wait between tries.
    pub free_attempts_per_login: u32,
    /// Wrong passwords from one client address (an IPv6 /64) before it must wait between tries.
    /// Higher than per login: a whole office may share one address.
    pub free_attempts_per_address: u32,
    /// The first wait, in milliseconds; each further wrong password doubles it.
    pub backoff_base_ms: u64,
    /// The longest wait, in seconds.
    pub backoff_max_secs: u64,
    /// Memory password checks may use at once, in MiB. Each argon2 check takes about 19 MiB,
    /// so this sets how many run at once (at least one, at most one per CPU core).
    pub password_check_memory_mib: u64,
    /// How long a login waits for a password-check slot before it is told to try again.
    pub password_check_queue_ms: u64,
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            free_attempts_per_login: 5,
            free_attempts_per_address: 20,
            backoff_base_ms: 1000,
            backoff_max_secs: 900,
            password_check_memory_mib: 64,
            password_check_queue_ms: 2000,
        }
    }
}

/// Cookie keys.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// Base64 of at least 64 random bytes, the same on every instance so any instance can read
    /// any buyer's session and cart (`erpfront new-session-key` makes one).
    pub key: SecretString,
    /// Hours a login lasts at most, however active (the absolute lifetime).
    #[serde(default = "default_session_hours")]
    pub max_age_hours: u32,
    /// Minutes without a request after which a login ends (the idle timeout).
    #[serde(default = "default_session_idle_minutes")]
    pub idle_minutes: u32,
    /// A Valkey or Redis (`redis://host:6379/0`) through which instances share log-outs;
    /// without it each instance knows only the log-outs it handled itself.
    #[serde(default)]
    pub revocation_store: Option<SecretString>,
}

fn default_session_hours() -> u32 {
    12
}

fn default_session_idle_minutes() -> u32 {
    30
}

impl SessionConfig {
    /// The decoded key bytes.
    pub fn key_bytes(&self) -> Result<Vec<u8>, ConfigError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.key.expose_secret().trim())
            .map_err(|_| ConfigError::Invalid("session.key is not valid base64".into()))?;
        if bytes.len() < 64 {
            return Err(ConfigError::Invalid(format!(
                "session.key must decode to at least 64 bytes, it has {}",
                bytes.len()
            )));
        }
        Ok(bytes)
    }
}

/// Support contact shown on every error page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportConfig {
    /// The seller's name as buyers know it.
    pub company: String,
    /// Phone number for orders and questions.
    pub phone: String,
    /// E-mail address for orders and questions.
    pub email: String,
}

/// Where the users file is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersConfig {
    /// Path of the users TOML file (relative to the working directory).
    pub file: PathBuf,
    /// How often, in seconds, to look whether the file's content changed and put a changed
    /// one in force (as SIGHUP does). 0: never; only SIGHUP reloads.
    #[serde(default = "UsersConfig::default_watch_interval_secs")]
    pub watch_interval_secs: u64,
}

impl UsersConfig {
    fn default_watch_interval_secs() -> u64 {
        5
    }

    /// How often to look at the file, if at all.
    pub fn watch_interval(&self) -> Option<std::time::Duration> {
        (self.watch_interval_secs > 0)
            .then(|| std::time::Duration::from_secs(self.watch_interval_secs))
    }
}

/// The ERP customers `erpfront check-adapter` runs the conformance suite with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConformanceConfig {
    /// The customer the suite creates a test order for: a test customer, never a real one.
    pub customer: CustomerId,
    /// A second customer, whose data the suite only reads (isolation, customer prices).
    pub other_customer: CustomerId,
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file or an environment variable could not be read or has a wrong value.
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    /// A value is present but unusable.
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads `path`, applies `ERPFRONT_*` environment overrides, and validates the result.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let figment = Figment::new()
            .merge(Serialized::defaults(Defaults::default()))
            .merge(file_then_environment(path)?);
        let config: Config = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.session.key_bytes()?;
        self.cache.check().map_err(ConfigError::Invalid)?;
        if !self.support.email.contains('@') {
            return Err(ConfigError::Invalid(
                "support.email is not an e-mail address".into(),
            ));
        }
        self.status.token_hashes()?;
        self.resilience.check().map_err(ConfigError::Invalid)?;
        self.erp.adapter().check().map_err(ConfigError::Invalid)?;
        self.validate_server()?;
        self.metrics
            .check(self.server.listen)
            .map_err(ConfigError::Invalid)?;
        self.validate_login()
    }

    fn validate_server(&self) -> Result<(), ConfigError> {
        let server = &self.server;
        for (name, value) in [
            ("request_timeout_secs", server.request_timeout_secs),
            ("header_read_timeout_secs", server.header_read_timeout_secs),
            ("keep_alive_secs", server.keep_alive_secs),
            ("body_read_timeout_secs", server.body_read_timeout_secs),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid(format!(
                    "server.{name} must be above 0"
                )));
            }
        }
        if server.max_connections < 16 {
            return Err(ConfigError::Invalid(
                "server.max_connections must be at least 16".into(),
            ));
        }
        server.trusted_proxy_nets()?;
        if self.session.idle_minutes == 0
            || u64::from(self.session.idle_minutes) > u64::from(self.session.max_age_hours) * 60
        {
            return Err(ConfigError::Invalid(
                "session.idle_minutes must be above 0 and within session.max_age_hours".into(),
            ));
        }
        Ok(())
    }

    fn validate_login(&self) -> Result<(), ConfigError> {
        let login = &self.login;
        if login.free_attempts_per_login == 0 || login.free_attempts_per_address == 0 {
            return Err(ConfigError::Invalid(
                "login.free_attempts_per_login and _per_address must be above 0".into(),
            ));
        }
        if login.backoff_base_ms == 0 || login.backoff_max_secs * 1000 < login.backoff_base_ms {
            return Err(ConfigError::Invalid(
                "login.backoff_base_ms must be above 0 and within login.backoff_max_secs".into(),
            ));
        }
        if login.password_check_memory_mib < 20 {
            return Err(ConfigError::Invalid(
                "login.password_check_memory_mib must be at least 20 (one argon2 check)".into(),
            ));
        }
        Ok(())
    }
}

/// The file at `path`, overridden by `ERPFRONT_*` variables (`ERPFRONT_SESSION__KEY` sets
/// `session.key`).
fn file_then_environment(path: &Path) -> Result<Figment, ConfigError> {
    if !path.exists() {
        return Err(ConfigError::Invalid(format!(
            "{} does not exist",
            path.display()
        )));
    }
    Ok(Figment::new()
        .merge(Toml::file(path))
        .merge(Env::prefixed("ERPFRONT_").split("__")))
}

/// What `erpfront check-adapter` reads of a configuration file: the ERP and the test customers.
/// The rest of a `serve` configuration (session, support, users) may be there or not.
#[derive(Debug, Clone)]
pub struct AdapterCheckConfig {
    /// Which ERP to check, and how to reach it.
    pub erp: ErpConfig,
    /// The customers the suite may use.
    pub conformance: Option<ConformanceConfig>,
}

impl AdapterCheckConfig {
    /// Loads `[erp]` and `[conformance]` of `path`, with `ERPFRONT_*` overrides, and checks
    /// the adapter's settings.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let figment = file_then_environment(path)?;
        let erp: ErpConfig = figment.extract_inner("erp").map_err(Box::new)?;
        let conformance = if figment.contains("conformance") {
            Some(figment.extract_inner("conformance").map_err(Box::new)?)
        } else {
            None
        };
        erp.adapter().check().map_err(ConfigError::Invalid)?;
        Ok(Self { erp, conformance })
    }
}

/// Defaults for the sections that have them, so a config file may omit them.
#[derive(Serialize, Default)]
struct Defaults {
    server: ServerConfig,
    cache: CacheConfig,
    resilience: ResilienceConfig,
    login: LoginConfig,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("erpfront.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    const GOOD: &str = r#"
        [session]
        key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw=="
        [support]
        company = "Acme"
        phone = "+49 30 1234"
        email = "help@acme.example"
        [users]
        file = "users.toml"
        [erp]
        kind = "demo"
    "#;

    #[test]
    fn a_minimal_file_loads_with_defaults() {
        let dir = std::env::temp_dir().join(format!("erpfront-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = Config::load(&write(&dir, GOOD)).unwrap();
        assert_eq!(config.server.listen.port(), 8080);
        assert_eq!(config.cache.price_ttl_secs, 60);
    }

    #[test]
    fn bad_values_are_named_in_the_error() {
        let dir = std::env::temp_dir().join(format!("erpfront-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let short_key = GOOD.replace("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw==", "c2hvcnQ=");
        let err = Config::load(&write(&dir, &short_key))
            .unwrap_err()
            .to_string();
        assert!(err.contains("session.key"), "{err}");
        let bad_kind = GOOD.replace("kind = \"demo\"", "kind = \"nope\"");
        let err = Config::load(&write(&dir, &bad_kind))
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope"), "{err}");
        // The adapter's own check runs when the file is loaded.
        let bad_url = GOOD.replace("kind = \"demo\"", "kind = \"http\"\nbase_url = \"erp\"");
        let err = Config::load(&write(&dir, &bad_url))
            .unwrap_err()
            .to_string();
        assert!(err.contains("erp.base_url"), "{err}");
        let err = Config::load(&dir.join("missing.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
        for popular in [0, 50_001] {
            let deep = format!("{GOOD}\n[cache]\npopular_skus = {popular}\n");
            let err = Config::load(&write(&dir, &deep)).unwrap_err().to_string();
            assert!(err.contains("cache.popular_skus"), "{err}");
        }
        let deep = format!("{GOOD}\n[cache]\npopular_skus = 50000\n");
        assert_eq!(
            Config::load(&write(&dir, &deep))
                .unwrap()
                .cache
                .popular_skus,
            50_000
        );
    }
    #[test]
    fn check_adapter_needs_only_the_erp_and_the_test_customers() {
        let dir = std::env::temp_dir().join(format!("erpfront-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let text =
            "[erp]\nkind = \"demo\"\n[conformance]\ncustomer = \"C-1\"\nother_customer = \"C-2\"\n";
        let check = AdapterCheckConfig::load(&write(&dir, text)).unwrap();
        assert!(matches!(check.erp, ErpConfig::Demo { .. }));
        assert_eq!(check.conformance.unwrap().other_customer.as_str(), "C-2");
        let check = AdapterCheckConfig::load(&write(&dir, "[erp]\nkind = \"demo\"\n")).unwrap();
        assert!(check.conformance.is_none());
        let err = AdapterCheckConfig::load(&write(&dir, "[conformance]\ncustomer = \"C-1\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("erp"), "{err}");
        let bad_url = "[erp]\nkind = \"http\"\nbase_url = \"erp\"\n";
        let err = AdapterCheckConfig::load(&write(&dir, bad_url))
            .unwrap_err()
            .to_string();
        assert!(err.contains("erp.base_url"), "{err}");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// The example in `deploy/` must stay loadable, with only the key to fill in.
    #[test]
    fn the_deployment_example_loads_once_a_key_is_set() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/deploy/erpfront.example.toml"
        ))
        .unwrap();
        let config: Config = Figment::new()
            .merge(Serialized::defaults(Defaults::default()))
            .merge(Toml::string(&text))
            .extract()
            .unwrap();
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .contains("session.key")
        );
        assert_eq!(config.server.listen.port(), 8080);
        assert!(matches!(config.erp, ErpConfig::Demo { .. }));
    }
}
