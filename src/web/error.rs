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
    /// The request body is larger than any this site accepts.
    #[error("the request is too large")]
    PayloadTooLarge,
    /// The client took too long to send the request body.
    #[error("the request was not sent in time")]
    RequestTimeout,
    /// The body is not in a format (or character set) this address reads.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// This address exists, but not for this HTTP method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Too many failed logins: wait this many seconds before the next try.
    #[error("too many attempts")]
    TooManyAttempts {
        /// Seconds until the next try is accepted.
        retry_after_secs: u64,
    },
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
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
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
            Self::PayloadTooLarge => "payload_too_large",
            Self::RequestTimeout => "request_timeout",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::Internal(_) => "internal",
        }
    }

    /// Whether the order system is not answering (down, too slow, or too busy for us): the
    /// pages then say what still works.
    pub fn is_erp_outage(&self) -> bool {
        matches!(self, Self::ErpUnavailable | Self::ErpTimeout | Self::Busy)
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
            Self::ErpUnavailable => crate::web::layout::ERP_NOT_ANSWERING,
            Self::ErpTimeout => "Our order system is taking too long to answer",
            Self::Busy => "We are very busy right now",
            Self::PayloadTooLarge => "This request is too large",
            Self::RequestTimeout => "The request took too long to arrive",
            Self::MethodNotAllowed => "This page cannot be used that way",
            Self::UnsupportedMediaType => "This kind of content is not accepted here",
            Self::TooManyAttempts { .. } => "Too many attempts",
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
            Self::PayloadTooLarge => {
                "The form or upload is larger than we accept. Please send less at once.".into()
            }
            Self::RequestTimeout => {
                "Your request did not arrive completely in time. Please try again.".into()
            }
            Self::MethodNotAllowed => {
                "This address does not accept this kind of request.".into()
            }
            Self::UnsupportedMediaType => {
                "Send the body as JSON (Content-Type: application/json), in UTF-8.".into()
            }
            Self::TooManyAttempts { retry_after_secs } => format!(
                "For your security, logging in is paused after several wrong passwords. Please try again in {retry_after_secs} seconds."
            ),
            Self::Internal(_) => {
                "Please try again. If it happens again, call us and we will help you right away."
                    .into()
            }
        }
    }

    /// Why a request body could not be read: too large, or broken off (a body sent too slowly
    /// is turned into 408 by the layer that timed it).
    pub fn unreadable_body(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut cause = Some(error);
        while let Some(error) = cause {
            if error.is::<http_body_util::LengthLimitError>() {
                return Self::PayloadTooLarge;
            }
            cause = error.source();
        }
        Self::BadRequest("The request could not be read completely.".into())
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
        // Tells load balancers, scripts and crawlers when asking again makes sense.
        let retry_after = match &self {
            Self::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
            _ if response.status() == StatusCode::SERVICE_UNAVAILABLE => Some(10),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response.extensions_mut().insert(Arc::new(self));
        response
    }
}
