//! What the HTTP adapter needs to know: where the adapter service is, its token and the
//! timeouts, checked once so that the client never meets a URL it cannot extend.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use secrecy::SecretString;
use serde::Deserialize;

use super::HttpErp;
use crate::erp::{AdapterConfig, ConnectError, Erp};

/// Default for `[erp] connect_timeout_ms`.
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 1000;
/// Default for `[erp] request_timeout_ms`.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 5000;

/// The `[erp] kind = "http"` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Where the protocol's `/v1/...` paths start, such as `https://erp-adapter.internal/`.
    pub base_url: String,
    /// Bearer token the service expects, if any.
    #[serde(default)]
    pub token: Option<SecretString>,
    /// Longest wait for a connection, in milliseconds.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Deadline of one ERP call, in milliseconds.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// Hold every answer to its schema in `protocol.openapi.json`, refusing what breaks it as
    /// invalid data. `check-adapter` always does; `serve` only when set (it costs a validation
    /// per answer).
    #[serde(default)]
    pub strict_answers: bool,
}

fn default_connect_timeout_ms() -> u64 {
    DEFAULT_CONNECT_TIMEOUT_MS
}

fn default_request_timeout_ms() -> u64 {
    DEFAULT_REQUEST_TIMEOUT_MS
}

impl HttpConfig {
    /// The service at `base_url`, without a token and with the default timeouts.
    pub fn at(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: None,
            connect_timeout_ms: DEFAULT_CONNECT_TIMEOUT_MS,
            request_timeout_ms: DEFAULT_REQUEST_TIMEOUT_MS,
            strict_answers: false,
        }
    }

    fn settings(&self) -> Result<HttpErpSettings, String> {
        HttpErpSettings::new(&self.base_url)?
            .with_token(self.token.clone())
            .with_strict_answers(self.strict_answers)
            .with_timeouts(
                Duration::from_millis(self.connect_timeout_ms),
                Duration::from_millis(self.request_timeout_ms),
            )
    }
}

impl AdapterConfig for HttpConfig {
    fn check(&self) -> Result<(), String> {
        self.settings().map(|_| ())
    }

    fn connect(&self) -> Result<Arc<dyn Erp>, ConnectError> {
        Ok(Arc::new(HttpErp::new(self.settings()?)?))
    }

    fn aimed_at(&self, addr: SocketAddr) -> Option<Result<Arc<dyn Erp>, ConnectError>> {
        let aimed = Self {
            base_url: format!("http://{addr}/"),
            ..self.clone()
        };
        Some(aimed.connect())
    }

    fn call_deadline(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

/// Settings of an [`super::HttpErp`].
#[derive(Debug, Clone)]
pub struct HttpErpSettings {
    /// Where the protocol's `/v1/...` paths start (may carry a path prefix).
    pub base_url: Url,
    /// Sent as `Authorization: Bearer ...` on every request, when set.
    pub token: Option<SecretString>,
    /// Longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Deadline of one call, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// Whether every JSON answer is validated against `protocol.openapi.json`.
    pub strict_answers: bool,
}

impl HttpErpSettings {
    /// Settings for the service at `base_url`, without a token and with the default timeouts.
    pub fn new(base_url: &str) -> Result<Self, String> {
        Ok(Self {
            base_url: parse_base_url(base_url)?,
            token: None,
            connect_timeout: Duration::from_millis(DEFAULT_CONNECT_TIMEOUT_MS),
            request_timeout: Duration::from_millis(DEFAULT_REQUEST_TIMEOUT_MS),
            strict_answers: false,
        })
    }

    /// The same, validating every JSON answer against `protocol.openapi.json` when `strict`.
    pub fn with_strict_answers(self, strict: bool) -> Self {
        Self {
            strict_answers: strict,
            ..self
        }
    }

    /// The same with a bearer token.
    pub fn with_token(self, token: Option<SecretString>) -> Self {
        Self { token, ..self }
    }

    /// The same with other timeouts; both must be above zero.
    pub fn with_timeouts(self, connect: Duration, request: Duration) -> Result<Self, String> {
        check_timeouts(connect, request)?;
        Ok(Self {
            connect_timeout: connect,
            request_timeout: request,
            ..self
        })
    }
}

/// Checks `[erp] base_url`: an absolute `http` or `https` URL without query or fragment.
pub fn parse_base_url(text: &str) -> Result<Url, String> {
    let url =
        Url::parse(text.trim()).map_err(|e| format!("erp.base_url {text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(format!(
            "erp.base_url {text:?} must be an http or https URL"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("erp.base_url {text:?} has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "erp.base_url {text:?} must not have a query or fragment"
        ));
    }
    Ok(url)
}

/// Checks the two timeouts.
pub fn check_timeouts(connect: Duration, request: Duration) -> Result<(), String> {
    if connect.is_zero() {
        return Err("erp.connect_timeout_ms must be above 0".into());
    }
    if request.is_zero() {
        return Err("erp.request_timeout_ms must be above 0".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erp::ErpConfig;

    #[test]
    fn base_urls_are_checked() {
        assert!(parse_base_url("https://erp.example/adapter/").is_ok());
        assert!(parse_base_url("http://127.0.0.1:7070").is_ok());
        for bad in [
            "",
            "erp.example",
            "ftp://erp.example",
            "http://erp.example/?x=1",
            "mailto:a@b",
        ] {
            let err = parse_base_url(bad).unwrap_err();
            assert!(err.contains("erp.base_url"), "{bad}: {err}");
        }
    }

    fn load(erp_section: &str) -> Result<ErpConfig, String> {
        crate::erp::registry::test_support::load_section(&format!("[erp]\n{erp_section}"))
    }

    #[test]
    fn the_http_kind_loads_with_defaults_and_connects() {
        let config = load("kind = \"http\"\nbase_url = \"http://127.0.0.1:7070\"").unwrap();
        let ErpConfig::Http(HttpConfig {
            base_url,
            token,
            connect_timeout_ms,
            request_timeout_ms,
            strict_answers,
        }) = &config
        else {
            panic!("not the http kind: {config:?}");
        };
        assert_eq!(base_url, "http://127.0.0.1:7070");
        assert!(token.is_none());
        assert!(!strict_answers, "serve validates answers only when asked");
        assert_eq!(
            (*connect_timeout_ms, *request_timeout_ms),
            (DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS)
        );
        let erp = crate::erp::connect(&config).unwrap();
        assert_eq!(erp.name(), "http");
    }

    #[test]
    fn bad_http_settings_are_named() {
        let err = load("kind = \"http\"\nbase_url = \"not a url\"").unwrap_err();
        assert!(err.contains("erp.base_url"), "{err}");
        let err =
            load("kind = \"http\"\nbase_url = \"http://a\"\nrequest_timeout_ms = 0").unwrap_err();
        assert!(err.contains("erp.request_timeout_ms"), "{err}");
        let err = load("kind = \"http\"\nbase_url = \"http://a\"\nretries = 3").unwrap_err();
        assert!(err.contains("retries"), "{err}");
    }
}
