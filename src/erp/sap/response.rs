//! Reading SAP's answers: bounded bodies, JSON or Atom by content type, the mapping of
//! transport failures and HTTP statuses to [`ErpError`]s, and `sap-message` warnings to the log.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::Value;

use super::atom;
use super::errors::{ErrorBody, SapMessage};
use crate::erp::{ErpError, ErpResult};

/// A transport error as an outcome: no answer in time is `Timeout`, anything else (refused
/// connection, reset, TLS) `Unavailable`.
pub fn transport(error: reqwest::Error) -> ErpError {
    if error.is_timeout() {
        ErpError::Timeout
    } else {
        ErpError::unavailable(format!("SAP could not be reached: {error}"))
    }
}

/// Reads at most `limit` bytes of a body; more is `InvalidData`, as no answer SAP sends the
/// adapter is that large.
pub async fn read_limited(mut response: reqwest::Response, limit: usize) -> ErpResult<Bytes> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ErpError::invalid_data(format!(
            "SAP answer larger than {limit} bytes"
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > limit {
            return Err(ErpError::invalid_data(format!(
                "SAP answer larger than {limit} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// Turns a body into V2 JSON by its content type.
pub fn decode(headers: &HeaderMap, body: &[u8]) -> ErpResult<Value> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.contains("json") {
        serde_json::from_slice(body)
            .map_err(|e| ErpError::invalid_data(format!("SAP sent malformed JSON: {e}")))
    } else if content_type.contains("xml") {
        let text = std::str::from_utf8(body)
            .map_err(|_| ErpError::invalid_data("SAP sent XML that is not UTF-8"))?;
        atom::to_json(text).map_err(|e| ErpError::invalid_data(e.to_string()))
    } else {
        Err(ErpError::invalid_data(format!(
            "SAP answered with content type {content_type:?}"
        )))
    }
}

/// The outcome of a non-success status other than a business refusal.
pub fn status_error(status: StatusCode, body: Option<ErrorBody>) -> ErpError {
    let detail = body.map(|b| b.describe()).unwrap_or_default();
    match status.as_u16() {
        404 => ErpError::NotFound,
        401 => {
            tracing::error!(%status, "SAP refused erpfront's credentials; check erp.auth and the communication user");
            ErpError::unavailable("SAP refused the credentials (401)")
        }
        403 => {
            tracing::error!(%status, sap.error = %detail, "SAP denied access; check the communication arrangement and the user's roles");
            ErpError::unavailable("SAP denied access (403)")
        }
        412 | 428 => {
            tracing::error!(%status, sap.error = %detail, "SAP refused a change without a current ETag");
            ErpError::unavailable(format!("SAP refused the change ({status})"))
        }
        300..=399 => {
            tracing::error!(%status, "SAP redirected an OData call, probably to a login page");
            ErpError::unavailable(format!("SAP redirected ({status})"))
        }
        _ => {
            tracing::warn!(%status, sap.error = %detail, "SAP failed");
            ErpError::unavailable(format!("SAP answered {status}"))
        }
    }
}

pub fn log_sap_messages(headers: &HeaderMap) {
    for value in headers.get_all("sap-message") {
        match value.to_str().ok().and_then(SapMessage::parse) {
            Some(message) => {
                tracing::info!(sap.code = %message.code, sap.severity = %message.severity, sap.message = %message.message, details = message.details.len(), "SAP message");
            }
            None => tracing::info!("SAP sent a sap-message header that is not JSON"),
        }
    }
}
