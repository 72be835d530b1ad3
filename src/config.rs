//! The one typed configuration, loaded from a TOML file with `ERPFRONT_` environment overrides
//! (`ERPFRONT_SESSION__KEY` sets `session.key`), and checked at start with clear messages.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::domain::CustomerId;

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
}

/// Which ERP adapter to use; `kind` picks it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ErpConfig {
    /// The in-memory demo ERP.
    Demo {
        /// Load the demo data from this directory instead of the copy built into the binary.
        data_dir: Option<PathBuf>,
    },
    /// An ERP-side service that speaks the HTTP adapter protocol (`src/erp/http`).
    Http {
        /// Where the protocol's `/v1/...` paths start, such as `https://erp-adapter.internal/`.
        base_url: String,
        /// Bearer token the service expects, if any.
        token: Option<SecretString>,
        /// Longest wait for a connection, in milliseconds.
        #[serde(default = "default_erp_connect_timeout_ms")]
        connect_timeout_ms: u64,
        /// Deadline of one ERP call, in milliseconds.
        #[serde(default = "default_erp_request_timeout_ms")]
        request_timeout_ms: u64,
    },
    /// A Tryton server, over JSON-RPC (see the README).
    Tryton {
        /// Base URL of the Tryton server, such as `https://erp.example.com`.
        url: String,
        /// The Tryton database.
        database: String,
        /// The Tryton login erpfront acts as; it must belong to the selling company.
        user: String,
        /// Its password; better set through `ERPFRONT_ERP__PASSWORD` than in the file.
        password: SecretString,
        /// Code of the warehouse (a `stock.location`) whose stock buyers see; the first
        /// warehouse when absent.
        #[serde(default)]
        warehouse: Option<String>,
        /// How long to wait for a connection to Tryton.
        #[serde(default = "default_tryton_connect_timeout_ms")]
        connect_timeout_ms: u64,
        /// How long one call to Tryton may take (confirming an order takes a second or two).
        #[serde(default = "default_tryton_request_timeout_ms")]
        request_timeout_ms: u64,
    },
    /// SAP S/4HANA over its OData APIs (see `crate::erp::sap`).
    Sap(Box<crate::erp::sap::SapConfig>),
}

fn default_erp_connect_timeout_ms() -> u64 {
    crate::erp::http::DEFAULT_CONNECT_TIMEOUT_MS
}

fn default_erp_request_timeout_ms() -> u64 {
    crate::erp::http::DEFAULT_REQUEST_TIMEOUT_MS
}

fn default_tryton_connect_timeout_ms() -> u64 {
    3_000
}

/// Confirming a sale in Tryton takes a second or two.
fn default_tryton_request_timeout_ms() -> u64 {
    15_000
}

/// The read-through cache: a byte bound and a TTL per kind of data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Upper bound of what the cache holds, in bytes.
    pub max_bytes: u64,
    /// Catalog, categories and customer master data.
    pub catalog_ttl_secs: u64,
    /// Customer prices.
    pub price_ttl_secs: u64,
    /// Availability.
    pub availability_ttl_secs: u64,
    /// Order lists and orders.
    pub order_ttl_secs: u64,
    /// Invoice lists, invoices and their documents.
    pub invoice_ttl_secs: u64,
    /// How long after its TTL the last good catalog, price or availability answer may still be
    /// shown, labelled with its time, while the ERP cannot be reached. 0 turns this off.
    pub max_stale_secs: u64,
    /// Price misses of one customer, and availability misses, share ERP calls: at most this
    /// many such calls per customer (and for availability) are out at once, and misses arriving
    /// meanwhile go together in the next one.
    pub batch_calls_in_flight: u8,
    /// Such a call may also carry up to this many of the SKUs buyers ask for most that are not
    /// held fresh for its customer (or for availability), so that each customer's prices of
    /// popular products arrive in a few calls instead of one miss at a time. Calls stay within
    /// 100 SKUs. 0 turns this off.
    pub prefetch_skus: u8,
    /// How far down the ranking of most-asked SKUs prefetching reaches. Deeper rankings save
    /// more ERP calls but hold every customer's price of every ranked SKU, so they need room:
    /// about 530 bytes of `max_bytes` per customer and SKU.
    pub popular_skus: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            catalog_ttl_secs: 300,
            price_ttl_secs: 60,
            availability_ttl_secs: 10,
            order_ttl_secs: 10,
            invoice_ttl_secs: 30,
            max_stale_secs: 3600,
            batch_calls_in_flight: 4,
            prefetch_skus: 99,
            popular_skus: 500,
        }
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
        if !path.exists() {
            return Err(ConfigError::Invalid(format!(
                "{} does not exist",
                path.display()
            )));
        }
        let figment = Figment::new()
            .merge(Serialized::defaults(Defaults::default()))
            .merge(Toml::file(path))
            .merge(Env::prefixed("ERPFRONT_").split("__"));
        let config: Config = figment.extract().map_err(Box::new)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.session.key_bytes()?;
        if self.cache.max_bytes < 1024 * 1024 {
            return Err(ConfigError::Invalid(
                "cache.max_bytes must be at least 1 MiB".into(),
            ));
        }
        if self.cache.batch_calls_in_flight == 0 {
            return Err(ConfigError::Invalid(
                "cache.batch_calls_in_flight must be at least 1".into(),
            ));
        }
        if !(1..=crate::cache::MAX_POPULAR_SKUS).contains(&self.cache.popular_skus) {
            return Err(ConfigError::Invalid(format!(
                "cache.popular_skus must be between 1 and {}",
                crate::cache::MAX_POPULAR_SKUS
            )));
        }
        if !self.support.email.contains('@') {
            return Err(ConfigError::Invalid(
                "support.email is not an e-mail address".into(),
            ));
        }
        self.status.token_hashes()?;
        if self.resilience.slow_answer_ms == 0 {
            return Err(ConfigError::Invalid(
                "resilience.slow_answer_ms must be above 0".into(),
            ));
        }
        if self.resilience.max_concurrent_calls == 0 {
            return Err(ConfigError::Invalid(
                "resilience.max_concurrent_calls must be above 0".into(),
            ));
        }
        if let ErpConfig::Http {
            base_url,
            connect_timeout_ms,
            request_timeout_ms,
            ..
        } = &self.erp
        {
            crate::erp::http::parse_base_url(base_url).map_err(ConfigError::Invalid)?;
            crate::erp::http::check_timeouts(
                std::time::Duration::from_millis(*connect_timeout_ms),
                std::time::Duration::from_millis(*request_timeout_ms),
            )
            .map_err(ConfigError::Invalid)?;
        }
        if let ErpConfig::Sap(sap) = &self.erp {
            sap.validate().map_err(ConfigError::Invalid)?;
        }
        self.validate_server()?;
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

/// Defaults for the sections that have them, so a config file may omit them.
#[derive(Serialize, Default)]
struct Defaults {
    server: ServerConfig,
    cache: CacheConfig,
    resilience: ResilienceConfig,
    login: LoginConfig,
}

/// For adapter config tests: a whole configuration file around an `[erp]` section, loaded the
/// way `serve --config` loads it.
#[cfg(test)]
pub(crate) mod test_support {
    use super::Config;

    /// Every section but `[erp]`, with valid values.
    pub(crate) const COMMON_SECTIONS: &str = r#"
        [session]
        key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw=="
        [support]
        company = "Acme"
        phone = "+49 30 1234"
        email = "help@acme.example"
        [users]
        file = "users.toml"
    "#;

    /// Loads `COMMON_SECTIONS` followed by `erp_section` (which starts with `[erp]`) from a
    /// temporary file.
    pub(crate) fn load_with_erp(erp_section: &str) -> Result<Config, String> {
        let dir = std::env::temp_dir().join(format!("erpfront-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join("erpfront.toml");
        std::fs::write(&path, format!("{COMMON_SECTIONS}\n{erp_section}"))
            .map_err(|e| e.to_string())?;
        let result = Config::load(&path).map_err(|e| e.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        result
    }
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
