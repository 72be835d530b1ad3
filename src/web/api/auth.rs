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
            .and_then(bearer_token);
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

/// The token of a `Bearer` credential; the scheme name is case-insensitive (RFC 9110 §11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn unauthorized() -> Response {
    ([(WWW_AUTHENTICATE, "Bearer")], AppError::Unauthorized).into_response()
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in ["Bearer t-1", "bearer t-1", "BEARER  t-1 "] {
            assert_eq!(bearer_token(value), Some("t-1"), "{value}");
        }
        for value in ["Basic t-1", "Bearer", "Bearer ", "Bearert-1"] {
            assert_eq!(bearer_token(value), None, "{value}");
        }
    }
}
