//! HTTP to S/4HANA: one reqwest client with a cookie store per adapter instance (SAP binds the
//! CSRF token to its session cookies), the login, the CSRF token fetched with
//! `X-CSRF-Token: Fetch` and fetched again once after `403 x-csrf-token: Required`, and
//! `If-Match` on deletes, and `$batch` round trips ([`super::batch`]). Every call names its language (`sap-language`),
//! so that nothing depends on the communication user's logon language.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

use super::auth::Credentials;
use super::batch;
use super::config::SapConfig;
use super::errors::ErrorBody;
use super::response::{decode, log_sap_messages, read_limited, status_error, transport};
use crate::erp::request_id::WithRequestId;
use crate::erp::{ErpError, ErpResult};

/// Largest OData answer read.
pub const MAX_BODY: usize = 8 << 20;
/// Largest answer read when it carries a PDF.
pub const MAX_PDF_BODY: usize = 32 << 20;

/// What a request could end in other than a usable answer.
#[derive(Debug)]
pub enum Failure {
    /// A transport or protocol outcome, already mapped.
    Erp(ErpError),
    /// SAP refused the request itself (400-class with an error body): a business error for a
    /// write, a bug or a customizing gap for a read.
    Refused { status: StatusCode, body: ErrorBody },
    /// `412`: the entity changed since the ETag sent in `If-Match`.
    Stale,
}

impl From<ErpError> for Failure {
    fn from(error: ErpError) -> Self {
        Self::Erp(error)
    }
}

impl Failure {
    /// The outcome for a read: a refusal is logged and the ERP unavailable for this request.
    pub fn into_read_error(self, what: &str) -> ErpError {
        match self {
            Self::Erp(error) => error,
            Self::Stale => {
                ErpError::unavailable(format!("SAP refused the {what}: changed meanwhile"))
            }
            Self::Refused { status, body } => {
                tracing::error!(%status, sap.error = %body.describe(), "SAP refused the {what} request");
                ErpError::unavailable(format!(
                    "SAP refused the {what} request ({status} {})",
                    body.code
                ))
            }
        }
    }
}

/// A successful answer: the body as V2 JSON (Atom converted).
pub struct Answer {
    pub json: Value,
}

/// The HTTP side of one adapter instance.
pub struct SapClient {
    http: reqwest::Client,
    root: String,
    sap_client: Option<String>,
    language: String,
    credentials: Credentials,
    csrf: Mutex<Option<String>>,
}

impl SapClient {
    /// A client for the system `config` names.
    pub fn new(config: &SapConfig) -> ErpResult<Self> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(config.request_timeout())
            // A redirect from an OData service is a login page, never data.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ErpError::unavailable(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            root: format!(
                "{}{}",
                config.base_url.trim_end_matches('/'),
                config.service_path.trim_end_matches('/')
            ),
            sap_client: config.sap_client.clone(),
            language: config.language.clone(),
            credentials: Credentials::new(&config.auth),
            csrf: Mutex::new(None),
        })
    }

    fn url(&self, service: &str, path: &str, query: &str) -> String {
        let mut url = format!("{}/{service}/{path}", self.root);
        let mut parts: Vec<String> = Vec::new();
        if !query.is_empty() {
            parts.push(query.to_owned());
        }
        if let Some(client) = &self.sap_client {
            parts.push(format!("sap-client={}", super::odata::encode(client)));
        }
        // Partner functions in the sales order and delivery APIs are language-dependent codes
        // (`SH` in English, `WE` in German): they are always read and written in English, so that
        // the codes the adapter sends and compares are the English ones whatever the shop's
        // language.
        let language =
            if service == super::orders::ORDER_SRV || service == super::deliveries::DELIVERY_SRV {
                "EN"
            } else {
                &self.language
            };
        parts.push(format!("sap-language={}", super::odata::encode(language)));
        if !parts.is_empty() {
            url.push('?');
            url.push_str(&parts.join("&"));
        }
        url
    }

    /// Sends a request with credentials; after a 401 with OAuth, once more with a new token.
    async fn send(
        &self,
        build: impl Fn(&reqwest::Client) -> RequestBuilder,
    ) -> ErpResult<reqwest::Response> {
        let mut refreshed = false;
        loop {
            let request = self
                .credentials
                .apply(&self.http, build(&self.http).with_request_id())
                .await?;
            let response = request.send().await.map_err(transport)?;
            if response.status() == StatusCode::UNAUTHORIZED
                && self.credentials.can_refresh()
                && !refreshed
            {
                self.credentials.invalidate().await;
                refreshed = true;
                continue;
            }
            return Ok(response);
        }
    }

    /// `GET` with `$format=json`, read as V2 JSON.
    pub async fn get(&self, service: &str, path: &str, query: &str) -> Result<Answer, Failure> {
        self.get_limited(service, path, query, MAX_BODY).await
    }

    /// `GET` with a body limit of its own.
    pub async fn get_limited(
        &self,
        service: &str,
        path: &str,
        query: &str,
        limit: usize,
    ) -> Result<Answer, Failure> {
        let url = self.url(service, path, query);
        let response = self
            .send(|http| http.get(&url).header(ACCEPT, "application/json"))
            .await?;
        self.answer(response, limit).await
    }

    /// A modifying request with the CSRF token; after `403 x-csrf-token: Required` the token is
    /// fetched again and the request sent once more (SAP refused it before doing anything).
    pub async fn write(
        &self,
        method: Method,
        service: &str,
        path: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> Result<Answer, Failure> {
        let url = self.url(service, path, "");
        let response = self
            .with_csrf(service, |http, token| {
                let mut request = http
                    .request(method.clone(), &url)
                    .header(ACCEPT, "application/json")
                    .header("x-csrf-token", token)
                    .json(body);
                if let Some(etag) = if_match {
                    request = request.header(reqwest::header::IF_MATCH, etag);
                }
                request
            })
            .await?;
        self.answer(response, MAX_BODY).await
    }

    /// `POST`s in one `$batch` round trip, each in a changeset of its own (`requests` are
    /// paths relative to the service root with their bodies). The answer has one outcome per
    /// request, in order: one request SAP refuses does not fail the others. `Err` only when
    /// the batch as a whole failed.
    pub async fn batch(
        &self,
        service: &str,
        requests: &[(&str, &Value)],
    ) -> Result<Vec<Result<Answer, Failure>>, Failure> {
        let url = self.url(service, "$batch", "");
        let boundary = format!("batch_{}", uuid::Uuid::new_v4().simple());
        let body = batch::request_body(&boundary, requests);
        let response = self
            .with_csrf(service, |http, token| {
                http.post(&url)
                    .header(ACCEPT, "multipart/mixed")
                    .header(CONTENT_TYPE, batch::content_type(&boundary))
                    .header("x-csrf-token", token)
                    .body(body.clone())
            })
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        log_sap_messages(&headers);
        let bytes = read_limited(response, MAX_BODY).await?;
        if !status.is_success() {
            return Err(outcome(status, &bytes));
        }
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let groups = batch::read_answer(content_type, &bytes)
            .map_err(|e| ErpError::invalid_data(format!("SAP batch answer: {e}")))?;
        let mut groups = groups.into_iter();
        Ok((0..requests.len())
            .map(|_| match groups.next().and_then(|g| g.into_iter().next()) {
                Some(part) => {
                    log_sap_messages(&part.headers);
                    if part.status.is_success() {
                        success(&part.headers, &part.body)
                    } else {
                        Err(outcome(part.status, &part.body))
                    }
                }
                // SAP stops a batch at some errors; what was not answered is not known.
                None => Err(Failure::Erp(ErpError::unavailable(
                    "SAP answered the batch without this request",
                ))),
            })
            .collect())
    }

    /// Sends a modifying request built with the current CSRF token; after `403 x-csrf-token:
    /// Required` the token is fetched again and the request sent once more.
    async fn with_csrf(
        &self,
        service: &str,
        build: impl Fn(&reqwest::Client, &str) -> RequestBuilder,
    ) -> Result<reqwest::Response, Failure> {
        for attempt in 0..2 {
            let token = self.csrf_token(service, attempt > 0).await?;
            let response = self.send(|http| build(http, &token)).await?;
            let required = response.status() == StatusCode::FORBIDDEN
                && response
                    .headers()
                    .get("x-csrf-token")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.eq_ignore_ascii_case("required"));
            if required && attempt == 0 {
                tracing::info!("SAP asked for a new CSRF token; fetching one and sending again");
                continue;
            }
            return Ok(response);
        }
        Err(Failure::Erp(ErpError::unavailable(
            "SAP refused the CSRF token twice",
        )))
    }

    async fn csrf_token(&self, service: &str, renew: bool) -> ErpResult<String> {
        let mut cached = self.csrf.lock().await;
        if renew {
            *cached = None;
        }
        if let Some(token) = cached.as_ref() {
            return Ok(token.clone());
        }
        // HEAD on the service root with a trailing slash first (some on-premise systems only
        // answer that); then, as SAP's own Cloud SDK does, GET on the root without the slash
        // (some gateways hand out tokens only so).
        let with_slash = self.url(service, "", "");
        let without_slash = with_slash.replacen(&format!("/{service}/"), &format!("/{service}"), 1);
        let mut last = None;
        for (method, url) in [(Method::HEAD, &with_slash), (Method::GET, &without_slash)] {
            let response = self
                .send(|http| {
                    http.request(method.clone(), url)
                        .header("x-csrf-token", "Fetch")
                        .header(ACCEPT, "application/json")
                })
                .await?;
            let status = response.status();
            let token = response
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("required"))
                .map(str::to_owned);
            match token {
                Some(token) if status.is_success() => {
                    *cached = Some(token.clone());
                    return Ok(token);
                }
                _ => {
                    tracing::info!(%status, %method, "SAP handed out no CSRF token this way");
                    last = Some(status);
                }
            }
        }
        match last {
            Some(status) if !status.is_success() => Err(status_error(status, None)),
            _ => Err(ErpError::invalid_data("SAP sent no CSRF token")),
        }
    }

    async fn answer(&self, response: reqwest::Response, limit: usize) -> Result<Answer, Failure> {
        let status = response.status();
        let headers = response.headers().clone();
        log_sap_messages(&headers);
        let body = read_limited(response, limit).await?;
        if status.is_success() {
            success(&headers, &body)
        } else {
            Err(outcome(status, &body))
        }
    }
}

/// A successful answer's body.
fn success(headers: &HeaderMap, body: &[u8]) -> Result<Answer, Failure> {
    let json = if body.is_empty() {
        Value::Null
    } else {
        decode(headers, body)?
    };
    Ok(Answer { json })
}

/// What an unsuccessful status means.
fn outcome(status: StatusCode, body: &[u8]) -> Failure {
    if status == StatusCode::PRECONDITION_FAILED {
        return Failure::Stale;
    }
    let error = ErrorBody::parse(body);
    if matches!(status.as_u16(), 400 | 409 | 422) {
        return Failure::Refused {
            status,
            body: error.unwrap_or_default(),
        };
    }
    Failure::Erp(status_error(status, error))
}
