//! Logging in to SAP: basic authentication, or an OAuth 2.0 client-credentials token that is
//! fetched once, cached until shortly before it expires, and fetched again after a 401.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::config::SapAuth;
use crate::erp::{ErpError, ErpResult};

/// How much earlier than its stated expiry a token is replaced, so none expires in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// The credentials of one adapter instance.
pub enum Credentials {
    /// A communication user.
    Basic {
        user: String,
        password: SecretString,
    },
    /// OAuth client credentials with the cached token.
    Oauth {
        client_id: String,
        client_secret: SecretString,
        token_url: String,
        token: Mutex<Option<Token>>,
    },
}

/// A bearer token and when to stop using it.
pub struct Token {
    value: SecretString,
    renew_at: Instant,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl Credentials {
    /// From the configuration.
    pub fn new(auth: &SapAuth) -> Self {
        match auth.clone() {
            SapAuth::Basic { user, password } => Self::Basic { user, password },
            SapAuth::Oauth {
                client_id,
                client_secret,
                token_url,
            } => Self::Oauth {
                client_id,
                client_secret,
                token_url,
                token: Mutex::new(None),
            },
        }
    }

    /// Whether a 401 may be cured by fetching a new token.
    pub fn can_refresh(&self) -> bool {
        matches!(self, Self::Oauth { .. })
    }

    /// Forgets the cached token, after SAP refused it.
    pub async fn invalidate(&self) {
        if let Self::Oauth { token, .. } = self {
            *token.lock().await = None;
        }
    }

    /// Adds the credentials to a request, fetching a token first if needed.
    pub async fn apply(
        &self,
        http: &reqwest::Client,
        request: reqwest::RequestBuilder,
    ) -> ErpResult<reqwest::RequestBuilder> {
        match self {
            Self::Basic { user, password } => {
                Ok(request.basic_auth(user, Some(password.expose_secret())))
            }
            Self::Oauth {
                client_id,
                client_secret,
                token_url,
                token,
            } => {
                let mut cached = token.lock().await;
                if cached.as_ref().is_none_or(|t| Instant::now() >= t.renew_at) {
                    *cached = Some(fetch(http, client_id, client_secret, token_url).await?);
                }
                let bearer = cached
                    .as_ref()
                    .map(|t| t.value.expose_secret().to_owned())
                    .unwrap_or_default();
                Ok(request.bearer_auth(bearer))
            }
        }
    }
}

async fn fetch(
    http: &reqwest::Client,
    client_id: &str,
    client_secret: &SecretString,
    token_url: &str,
) -> ErpResult<Token> {
    let response = http
        .post(token_url)
        .basic_auth(client_id, Some(client_secret.expose_secret()))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .map_err(super::response::transport)?;
    let status = response.status();
    if !status.is_success() {
        tracing::error!(%status, token_url, "the OAuth token endpoint refused erpfront's client credentials; check erp.auth");
        return Err(ErpError::unavailable(format!(
            "OAuth token endpoint answered {status}"
        )));
    }
    let body = super::response::read_limited(response, 64 * 1024).await?;
    let answer: TokenAnswer = serde_json::from_slice(&body)
        .map_err(|e| ErpError::invalid_data(format!("OAuth token answer: {e}")))?;
    let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(300));
    Ok(Token {
        value: SecretString::from(answer.access_token),
        renew_at: Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN),
    })
}
