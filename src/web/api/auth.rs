//! API callers authenticate with a bearer token listed (as a hash) in the users file.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::domain::CustomerId;
use crate::users::Role;
use crate::web::{AppError, AppState};

/// A buyer's system, calling for its customer.
pub struct ApiBuyer {
    /// The customer every call of this request is for.
    pub customer: CustomerId,
}

impl FromRequestParts<AppState> for ApiBuyer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let user = token.and_then(|t| state.users.by_api_token(t));
        match user {
            Some(user) if user.role == Role::Buyer => match &user.customer {
                Some(customer) => Ok(ApiBuyer {
                    customer: customer.clone(),
                }),
                None => Err(unauthorized()),
            },
            _ => Err(unauthorized()),
        }
    }
}

fn unauthorized() -> Response {
    ([(WWW_AUTHENTICATE, "Bearer")], AppError::Unauthorized).into_response()
}
