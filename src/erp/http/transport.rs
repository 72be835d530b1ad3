//! One exchange with the adapter service under a deadline, and the mapping of everything that
//! can go wrong on the way (transport, status, body size, body content) to an [`ErpError`].

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderMap};
use reqwest::{Client, RequestBuilder, Response, StatusCode, Url};

use crate::erp::request_id::WithRequestId;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::document::{filename_of, safe_filename};
use super::settings::HttpErpSettings;
use super::strict::StrictAnswers;
use super::wire::{DOCUMENT_LIMIT, ErrorBody, JSON_LIMIT};
use crate::domain::Document;
use crate::erp::{ErpError, ErpResult};

/// The pooled client and where it talks to.
pub(super) struct Transport {
    client: Client,
    base_url: Url,
    token: Option<SecretString>,
    deadline: Duration,
    strict: Option<Arc<StrictAnswers>>,
}

/// A successful answer: its headers and the whole body.
pub(super) struct Answer {
    headers: HeaderMap,
    body: Bytes,
}

impl Transport {
    pub(super) fn new(settings: HttpErpSettings) -> Result<Self, reqwest::Error> {
        let client = Client::builder()
            .tls_backend_rustls()
            .connect_timeout(settings.connect_timeout)
            // A redirect from an adapter is a misconfiguration, and following one would carry the
            // token to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            client,
            base_url: settings.base_url,
            token: settings.token,
            deadline: settings.request_timeout,
            strict: settings.strict_answers.then(StrictAnswers::shared),
        })
    }

    /// `base_url` + `/v1/` + the segments, each percent-encoded on its own so that a `/` in an
    /// invoice number stays inside its segment.
    pub(super) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base_url.clone();
        // Settings only admit URLs that can be a base, which always have path segments.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("v1").extend(segments);
        }
        url
    }

    pub(super) fn get(&self, url: Url) -> RequestBuilder {
        self.authorized(self.client.get(url))
    }

    pub(super) fn post_json<B: serde::Serialize>(
        &self,
        url: Url,
        body: &B,
    ) -> ErpResult<RequestBuilder> {
        self.with_json(self.client.post(url), body)
    }

    pub(super) fn put_json<B: serde::Serialize>(
        &self,
        url: Url,
        body: &B,
    ) -> ErpResult<RequestBuilder> {
        self.with_json(self.client.put(url), body)
    }

    fn with_json<B: serde::Serialize>(
        &self,
        request: RequestBuilder,
        body: &B,
    ) -> ErpResult<RequestBuilder> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ErpError::invalid_data(format!("cannot encode the request: {e}")))?;
        Ok(self.authorized(request.header(CONTENT_TYPE, "application/json").body(bytes)))
    }

    fn authorized(&self, request: RequestBuilder) -> RequestBuilder {
        let request = request.with_request_id();
        match &self.token {
            Some(token) => request.bearer_auth(token.expose_secret()),
            None => request,
        }
    }

    /// Sends `request` and decodes the JSON answer.
    pub(super) async fn json<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        request: RequestBuilder,
    ) -> ErpResult<T> {
        let answer = self.exchange(operation, request, JSON_LIMIT).await?;
        if let Some(strict) = &self.strict {
            strict
                .check(operation, &answer.body)
                .map_err(|problems| ErpError::invalid_data(format!("{operation}: {problems}")))?;
        }
        serde_json::from_slice(&answer.body).map_err(|e| {
            ErpError::invalid_data(format!("{operation}: the answer is not valid: {e}"))
        })
    }

    /// Sends `request` and takes the answer as a document named after `fallback_name` unless
    /// the service names it.
    pub(super) async fn document(
        &self,
        operation: &'static str,
        request: RequestBuilder,
        fallback_name: &str,
    ) -> ErpResult<Document> {
        let answer = self.exchange(operation, request, DOCUMENT_LIMIT).await?;
        let content_type = answer
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ErpError::invalid_data(format!("{operation}: no content type")))?
            .to_owned();
        let filename = answer
            .headers
            .get(CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(filename_of)
            .unwrap_or(fallback_name);
        Ok(Document {
            content_type,
            filename: safe_filename(filename),
            bytes: answer.body,
        })
    }

    /// One request and its whole answer within the deadline; a non-2xx answer becomes the error
    /// it stands for.
    async fn exchange(
        &self,
        operation: &'static str,
        request: RequestBuilder,
        limit: usize,
    ) -> ErpResult<Answer> {
        // The one deadline of the call, from sending to the last byte of the body, whatever the
        // server does. reqwest's own timeout would cover the same span with a second timer, and
        // every timer armed is a lock on tokio's timer wheel and often a wake-up of its driver.
        let work = async {
            let response = request
                .send()
                .await
                .map_err(|e| transport_error(operation, &e))?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = read_limited(operation, response, limit).await;
            if status.is_success() {
                Ok(Answer {
                    headers,
                    body: body?,
                })
            } else {
                Err(status_error(operation, status, body.ok().as_deref()))
            }
        };
        tokio::time::timeout(self.deadline, work)
            .await
            .unwrap_or(Err(ErpError::Timeout))
    }
}

/// The body, refused as soon as it is known to exceed `limit`.
async fn read_limited(
    operation: &'static str,
    mut response: Response,
    limit: usize,
) -> ErpResult<Bytes> {
    let too_large = || ErpError::invalid_data(format!("{operation}: answer above {limit} bytes"));
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| body_error(operation, &e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A failure before an answer arrived: nothing was learned from the service.
fn transport_error(operation: &'static str, error: &reqwest::Error) -> ErpError {
    if error.is_timeout() {
        ErpError::Timeout
    } else {
        ErpError::unavailable(format!("{operation}: {}", describe(error)))
    }
}

/// A failure while the answer was arriving. The service did answer, so a body that stops short
/// of its announced length counts as invalid data, not as an unreachable service.
fn body_error(operation: &'static str, error: &reqwest::Error) -> ErpError {
    if error.is_timeout() {
        ErpError::Timeout
    } else {
        ErpError::invalid_data(format!(
            "{operation}: the answer was cut off: {}",
            describe(error)
        ))
    }
}

/// The error a non-2xx answer stands for: the protocol's error body when there is one, else
/// what the status says.
fn status_error(operation: &'static str, status: StatusCode, body: Option<&[u8]>) -> ErpError {
    if let Some(error) = body.and_then(|b| serde_json::from_slice::<ErrorBody>(b).ok()) {
        return error.into_error(operation);
    }
    match status {
        StatusCode::NOT_IMPLEMENTED => ErpError::Unsupported { operation },
        // Services written before an optional operation was part of the protocol, or that leave
        // it out, do not know its path.
        StatusCode::NOT_FOUND if OPTIONAL.contains(&operation) => {
            ErpError::Unsupported { operation }
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ErpError::unavailable(format!(
            "{operation}: the adapter refused the credentials ({status})"
        )),
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS => {
            ErpError::unavailable(format!("{operation}: {status}"))
        }
        s if s.is_server_error() => ErpError::unavailable(format!("{operation}: {status}")),
        // A bare 404 means the path is unknown (a wrong base URL or protocol version), not that
        // a record is missing: the protocol says that with a `not_found` body.
        _ => ErpError::invalid_data(format!(
            "{operation}: unexpected {status} without a protocol error body"
        )),
    }
}

/// The optional operations, added to v1 after its first services were written (`x-optional` in
/// the OpenAPI document): a bare 404 from one of them means the service does not offer it, so
/// the operation is `Unsupported` rather than a wrong path.
const OPTIONAL: [&str; 4] = [
    "saved_cart",
    "save_cart",
    "search_orders",
    "search_customers",
];

/// An error with its chain of causes, which is where reqwest keeps the useful part
/// ("connection refused").
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_without_an_error_body_map_by_class() {
        let op = "categories";
        assert!(matches!(
            status_error(op, StatusCode::SERVICE_UNAVAILABLE, None),
            ErpError::Unavailable { .. }
        ));
        assert!(matches!(
            status_error(op, StatusCode::INTERNAL_SERVER_ERROR, Some(b"<html>")),
            ErpError::Unavailable { .. }
        ));
        assert!(matches!(
            status_error(op, StatusCode::NOT_FOUND, Some(b"Not Found")),
            ErpError::InvalidData { .. }
        ));
        assert_eq!(
            status_error(op, StatusCode::NOT_IMPLEMENTED, None),
            ErpError::Unsupported { operation: op }
        );
        assert_eq!(
            status_error(
                op,
                StatusCode::NOT_FOUND,
                Some(br#"{"error":{"outcome":"not_found","message":"no"}}"#)
            ),
            ErpError::NotFound
        );
        assert_eq!(
            status_error("saved_cart", StatusCode::NOT_FOUND, Some(b"Not Found")),
            ErpError::Unsupported {
                operation: "saved_cart"
            }
        );
        assert_eq!(
            status_error("search_orders", StatusCode::NOT_FOUND, None),
            ErpError::Unsupported {
                operation: "search_orders"
            }
        );
    }

    #[test]
    fn the_optional_operations_are_the_documents() {
        let doc: serde_json::Value = serde_json::from_str(super::super::wire::OPENAPI).unwrap();
        let mut documented: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter(|operation| operation["x-optional"] == true)
            .filter_map(|operation| operation["operationId"].as_str())
            .collect();
        documented.sort_unstable();
        let mut optional = OPTIONAL.to_vec();
        optional.sort_unstable();
        assert_eq!(documented, optional);
    }
}
