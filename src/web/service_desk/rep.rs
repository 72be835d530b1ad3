//! Who is at the desk: a logged-in user with the service role.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::domain::CustomerId;
use crate::users::{Role, User};
use crate::web::layout::{Layout, LayoutUser};
use crate::web::session::Session;
use crate::web::{AppError, AppState};

/// A service rep.
pub struct Rep {
    /// The rep.
    pub user: Arc<User>,
    /// Their session.
    pub session: Session,
}

impl Rep {
    /// The page frame of the desk.
    pub fn layout(&self, state: &AppState, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            active: "desk",
            user: Some(LayoutUser {
                name: self.user.name.clone(),
                context: "customer service".into(),
                shopping: false,
            }),
            cart_count: 0,
            csrf: self.session.csrf.clone(),
            support: state.site.support.clone(),
            // Acting goes on while the rep looks around the desk: the banner says so there too.
            acting_for: self.session.acting_for.as_ref().map(ToString::to_string),
            is_rep: true,
            erp_notice: crate::web::layout::erp_notice(state),
            punchout: None,
        }
    }

    /// A customer outside the rep's list does not exist for them.
    pub fn check(&self, customer: &CustomerId) -> Result<(), AppError> {
        if self.user.may_serve(customer) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}

impl FromRequestParts<AppState> for Rep {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session =
            parts.extensions.get::<Session>().cloned().ok_or_else(|| {
                AppError::Internal("session layer missing".into()).into_response()
            })?;
        let Some(user) = session.login.as_deref().and_then(|l| state.users.get(l)) else {
            return Err(Redirect::to("/login?next=/service-desk").into_response());
        };
        if user.role != Role::Service {
            // The desk does not exist for buyers.
            return Err(AppError::NotFound.into_response());
        }
        Ok(Rep { user, session })
    }
}
