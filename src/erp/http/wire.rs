//! The wire format of the HTTP adapter protocol, version 1: the bodies that are not domain types,
//! the error body with its outcomes, and the limits. The client ([`super::HttpErp`]) and the
//! sandbox server ([`crate::sim`]) both use these types, so the two cannot drift apart; the
//! OpenAPI document ([`OPENAPI`]) describes the same contract for implementers in other
//! languages.
//!
//! Records travel as the domain types serialize them: identifiers and dates as strings, money
//! amounts as decimal strings (`"12.40"`), never as JSON numbers.

mod search;

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

pub use search::{CustomerSearchQuery, HitPage, OrderSearchQuery, SEARCH_PER_PAGE};

use crate::domain::{Order, Sku};
use crate::erp::ErpError;

/// The OpenAPI 3.1 document of the protocol, as committed in `protocol.openapi.json`.
pub const OPENAPI: &str = include_str!("protocol.openapi.json");

/// The header that carries the idempotency key of `POST .../orders`.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// The largest JSON answer accepted, in bytes.
pub const JSON_LIMIT: usize = 4 * 1024 * 1024;

/// The largest document (invoice PDF) accepted, in bytes.
pub const DOCUMENT_LIMIT: usize = 16 * 1024 * 1024;

/// A list answer: `{"items": [...]}`, so a list can gain fields later without breaking clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Items<T> {
    /// The records.
    pub items: Vec<T>,
}

/// The body of the batch reads (prices, availability): `{"skus": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuList {
    /// The SKUs asked for.
    pub skus: Vec<Sku>,
}

/// The answer of the lookup by idempotency key: `{"order": null}` when there is none, which is
/// different from a `not_found` error (that means the customer is unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderByKey {
    /// The order created with the key, if any.
    pub order: Option<Order>,
}

/// The answer of `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"ok"` in a 2xx answer.
    pub status: String,
}

/// What went wrong, in the protocol's words; each outcome is one [`ErpError`] variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No such record, or not for this customer.
    NotFound,
    /// A business refusal; the message is shown to the buyer.
    Rejected,
    /// The ERP behind the adapter cannot be reached or is failing.
    Unavailable,
    /// The request, or what the ERP answered the adapter, did not make sense.
    InvalidData,
    /// The adapter does not offer this operation.
    Unsupported,
    /// The ERP behind the adapter did not answer in time.
    Timeout,
}

impl Outcome {
    /// The outcome of an adapter error.
    pub fn of(error: &ErpError) -> Self {
        match error {
            ErpError::NotFound => Self::NotFound,
            ErpError::Rejected { .. } => Self::Rejected,
            ErpError::Timeout => Self::Timeout,
            // A gateway-side refusal, if an adapter behind the protocol is itself guarded.
            ErpError::Unavailable { .. } | ErpError::CircuitOpen | ErpError::Overloaded => {
                Self::Unavailable
            }
            ErpError::InvalidData { .. } => Self::InvalidData,
            ErpError::Unsupported { .. } => Self::Unsupported,
        }
    }

    /// The HTTP status a server answers with this outcome.
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Rejected => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InvalidData => StatusCode::BAD_GATEWAY,
            Self::Unsupported => StatusCode::NOT_IMPLEMENTED,
            Self::Timeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }
}

/// The body of every error answer: `{"error": {"outcome": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// What happened.
    pub outcome: Outcome,
    /// For `rejected`, buyer-safe wording; otherwise a description for the gateway's logs.
    pub message: String,
}

impl ErrorBody {
    /// An error body with this outcome and message.
    pub fn new(outcome: Outcome, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                outcome,
                message: message.into(),
            },
        }
    }

    /// The body a server sends for an adapter error.
    pub fn from_error(error: &ErpError) -> Self {
        let message = match error {
            ErpError::Rejected { reason } => reason.clone(),
            ErpError::Unavailable { detail } | ErpError::InvalidData { detail } => detail.clone(),
            other => other.to_string(),
        };
        Self::new(Outcome::of(error), message)
    }

    /// The adapter error a client reports for this body, answering `operation`.
    pub fn into_error(self, operation: &'static str) -> ErpError {
        let ErrorDetail { outcome, message } = self.error;
        match outcome {
            Outcome::NotFound => ErpError::NotFound,
            Outcome::Rejected => ErpError::rejected(message),
            Outcome::Timeout => ErpError::Timeout,
            Outcome::Unavailable => ErpError::unavailable(format!("{operation}: {message}")),
            Outcome::InvalidData => ErpError::invalid_data(format!("{operation}: {message}")),
            Outcome::Unsupported => ErpError::Unsupported { operation },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_survives_the_wire() {
        let errors = [
            ErpError::NotFound,
            ErpError::rejected("FAS-1001 cannot be sold in this quantity"),
            ErpError::Timeout,
            ErpError::unavailable("down"),
            ErpError::invalid_data("garbage"),
            ErpError::Unsupported {
                operation: "invoices",
            },
        ];
        for error in errors {
            let text = serde_json::to_string(&ErrorBody::from_error(&error)).unwrap();
            let back: ErrorBody = serde_json::from_str(&text).unwrap();
            let again = back.into_error("invoices");
            assert_eq!(Outcome::of(&again), Outcome::of(&error), "{text}");
            if let ErpError::Rejected { .. } = error {
                assert_eq!(again, error, "the reason reaches the buyer unchanged");
            }
        }
    }

    #[test]
    fn outcomes_are_snake_case_words() {
        let body = ErrorBody::new(Outcome::InvalidData, "x");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": {"outcome": "invalid_data", "message": "x"}})
        );
        assert!(serde_json::from_str::<Outcome>("\"exploded\"").is_err());
    }
}
