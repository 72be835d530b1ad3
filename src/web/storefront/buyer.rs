//! Who is buying: the logged-in user and the ERP customer they buy for.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;

use bytes::Bytes;

use super::Cart;
use crate::cache::answers::{AnswerKey, Finished};
use crate::domain::CustomerId;
use crate::erp::ErpError;
use crate::users::{Role, User};
use crate::web::layout::{Layout, LayoutUser};
use crate::web::session::Session;
use crate::web::{AppError, AppState};

/// A logged-in buyer and the customer whose prices, orders and invoices they see.
pub struct Buyer {
    /// The user.
    pub user: Arc<User>,
    /// The ERP customer: every ERP call of the request is for this customer only.
    pub customer: CustomerId,
    /// The customer's name, for the header.
    pub customer_name: String,
    /// The session, for its CSRF token.
    pub session: Session,
    /// The cart, already checked to belong to this customer.
    pub cart: Cart,
    /// The request's cookies, for handlers that change the cart (see [`Buyer::jar`]).
    cookies: Vec<HeaderValue>,
    /// The service rep acting for the customer, when it is not the customer's own buyer.
    pub acting_rep: Option<Arc<User>>,
}

impl Buyer {
    /// The page frame for this buyer.
    pub fn layout(
        &self,
        state: &AppState,
        title: impl Into<String>,
        active: &'static str,
    ) -> Layout {
        Layout {
            title: title.into(),
            active,
            user: Some(LayoutUser {
                name: self.user.name.clone(),
                context: format!("for {} ({})", self.customer_name, self.customer),
                shopping: true,
            }),
            cart_count: self.cart.lines.len(),
            csrf: self.session.csrf.clone(),
            support: state.site.support.clone(),
            acting_for: self
                .acting_rep
                .as_ref()
                .map(|_| format!("{} ({})", self.customer_name, self.customer)),
            is_rep: self.acting_rep.is_some(),
            erp_notice: crate::web::layout::erp_notice(state),
            punchout: self.punchout_system(),
        }
    }

    /// The request's cookie jar, for handlers that change the cart. Made on demand: pages that
    /// only read need no jar.
    pub fn jar(&self, state: &AppState) -> PrivateCookieJar {
        let mut headers = HeaderMap::new();
        for cookie in &self.cookies {
            headers.append(COOKIE, cookie.clone());
        }
        PrivateCookieJar::from_headers(&headers, state.cookie_key.clone())
    }

    /// The procurement system the buyer shops from, and whether the cart may go back to it.
    pub fn punchout_system(&self) -> Option<(String, bool)> {
        let punchout = self.session.punchout.as_ref()?;
        Some((
            self.user.name.clone(),
            punchout.operation != crate::punchout::read::Operation::Inspect,
        ))
    }

    /// How the ERP order records who placed it, when a rep placed it for the customer.
    pub fn placed_by(&self) -> Option<String> {
        self.acting_rep
            .as_ref()
            .map(|rep| format!("{} <{}>, customer service", rep.name, rep.login))
    }
}

impl FromRequestParts<AppState> for Buyer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session =
            parts.extensions.get::<Session>().cloned().ok_or_else(|| {
                AppError::Internal("session layer missing".into()).into_response()
            })?;
        let user = session
            .login
            .as_deref()
            .and_then(|login| state.users.get(login));
        let Some(user) = user else {
            let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
            let target = format!("/login?next={}", urlencode(next));
            return Err(Redirect::to(&target).into_response());
        };
        let (customer, acting_rep) = match (user.role, &user.customer, &session.acting_for) {
            (Role::Buyer, Some(customer), _) => (customer.clone(), None),
            (Role::Service, _, Some(customer)) if user.may_serve(customer) => {
                (customer.clone(), Some(user.clone()))
            }
            // A rep who is not acting for anyone belongs at the desk.
            (Role::Service, _, _) => return Err(Redirect::to("/service-desk").into_response()),
            _ => return Err(AppError::NotFound.into_response()),
        };
        let cart = Cart::in_request(state, &parts.headers, &customer);
        // The header shows the customer's name; the page must not fail when only that is missing.
        let name = state
            .answers
            .get_or_build(AnswerKey::CustomerName(customer.clone()), async {
                let found = state.erp.customer(&customer).await?;
                Ok::<_, ErpError>(Finished {
                    body: Bytes::new(),
                    title: Arc::from(found.name),
                })
            })
            .await;
        let customer_name = match name {
            Ok(found) => found.title.to_string(),
            Err(_) => customer.to_string(),
        };
        Ok(Buyer {
            user,
            customer,
            customer_name,
            session,
            cart,
            cookies: parts.headers.get_all(COOKIE).iter().cloned().collect(),
            acting_rep,
        })
    }
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
