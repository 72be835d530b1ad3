//! The one error type of the web layer. Handlers return it; the area's renderer turns it into
//! a polite HTML page or a JSON body, both carrying the support contact. No ERP message, stack
//! trace or internal detail ever reaches a buyer: those go to the log, once, here.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::erp::ErpError;

/// Why a request failed, in terms the buyer can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// No such page or record (or not the caller's).
    #[error("not found")]
    NotFound,
    /// The request itself is wrong; the message is safe to show.
    #[error("{0}")]
    BadRequest(String),
    /// Not logged in, or no valid API token.
    #[error("authentication required")]
    Unauthorized,
    /// A form came without a valid CSRF token, or from another site.
    #[error("the form has expired")]
    ExpiredForm,
    /// The ERP refused the request; the reason is buyer-safe.
    #[error("{0}")]
    Rejected(String),
    /// The request contradicts an earlier one (an idempotency key reused for another order).
    #[error("{0}")]
    Unprocessable(String),
    /// The ERP cannot be reached right now.
    #[error("the ERP is unavailable")]
    ErpUnavailable,
    /// The ERP did not answer in time.
    #[error("the ERP did not answer in time")]
    ErpTimeout,
    /// Too many requests for the ERP right now; nothing was sent.
    #[error("too busy")]
    Busy,
    /// A bug or an ERP answer we could not understand; the detail is for the log only.
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::ExpiredForm => StatusCode::FORBIDDEN,
            Self::Rejected(_) | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::ErpUnavailable | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::ErpTimeout => StatusCode::GATEWAY_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine word for the API (`not_found`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::ExpiredForm => "expired_form",
            Self::Rejected(_) => "rejected",
            Self::Unprocessable(_) => "unprocessable",
            Self::ErpUnavailable => "erp_unavailable",
            Self::ErpTimeout => "erp_timeout",
            Self::Busy => "busy",
            Self::Internal(_) => "internal",
        }
    }

    /// A short title for an error page.
    pub fn title(&self) -> &'static str {
        match self {
            Self::NotFound => "We could not find that page",
            Self::BadRequest(_) => "Something in the request was not right",
            Self::Unauthorized => "Please log in",
            Self::ExpiredForm => "This form has expired",
            Self::Rejected(_) => "The order system declined this request",
            Self::Unprocessable(_) => "This request contradicts an earlier one",
            Self::ErpUnavailable => "Our order system is not reachable right now",
            Self::ErpTimeout => "Our order system is taking too long to answer",
            Self::Busy => "We are very busy right now",
            Self::Internal(_) => "Something went wrong on our side",
        }
    }

    /// What the buyer is told, never anything internal.
    pub fn public_message(&self) -> String {
        match self {
            Self::NotFound => {
                "The page or document does not exist, or it is not available to your account."
                    .into()
            }
            Self::BadRequest(m) | Self::Rejected(m) | Self::Unprocessable(m) => m.clone(),
            Self::Unauthorized => "Please log in to continue.".into(),
            Self::ExpiredForm => {
                "For your security the form could not be accepted. Please go back, reload the page and try again.".into()
            }
            Self::ErpUnavailable => {
                "Nothing is lost: please try again in a few minutes, or call us and we will help you right away.".into()
            }
            Self::ErpTimeout | Self::Busy => {
                "Please try again in a moment, or call us and we will help you right away.".into()
            }
            Self::Internal(_) => {
                "Please try again. If it happens again, call us and we will help you right away."
                    .into()
            }
        }
    }

    /// Logs server-side failures once, with their detail.
    pub fn log(&self) {
        match self {
            Self::Internal(detail) => tracing::error!(error.detail = %detail, "internal error"),
            Self::ErpUnavailable | Self::ErpTimeout | Self::Busy => {
                tracing::warn!(error.code = self.code(), "ERP failure shown to caller")
            }
            _ => {}
        }
    }
}

impl From<ErpError> for AppError {
    fn from(err: ErpError) -> Self {
        match err {
            ErpError::NotFound => Self::NotFound,
            ErpError::Rejected { reason } => Self::Rejected(reason),
            ErpError::Timeout => Self::ErpTimeout,
            ErpError::Unavailable { detail } => {
                tracing::warn!(erp.error = %detail, "ERP unavailable");
                Self::ErpUnavailable
            }
            ErpError::CircuitOpen => Self::ErpUnavailable,
            ErpError::Overloaded => Self::Busy,
            ErpError::InvalidData { detail } => {
                Self::Internal(format!("invalid ERP data: {detail}"))
            }
            ErpError::Unsupported { operation } => {
                Self::Internal(format!("ERP does not support {operation}"))
            }
        }
    }
}

/// The error travels to the area's renderer as a response extension, so that rendering can use
/// the application state (support contact, session) that `IntoResponse` cannot see.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            // Tells load balancers, scripts and crawlers when asking again makes sense.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("10"),
            );
        }
        response.extensions_mut().insert(Arc::new(self));
        response
    }
}
