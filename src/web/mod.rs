//! The HTTP face of erpfront, split by audience: the storefront for buyers (HTML), the JSON API
//! for buyers' systems, and health endpoints for load balancers. Handlers stay thin: they parse,
//! call the ERP (through the cache) or [`crate::ordering`], and render.

mod api;
mod assets;
pub(crate) mod audit;
mod error;
mod health;
mod layout;
mod render;
mod service_desk;
mod session;
mod status;
mod storefront;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::{Router, middleware};
use axum_extra::extract::cookie::Key;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::SupportConfig;
use crate::erp::Erp;
use crate::ordering::Ordering;
use crate::resilience::health::ErpHealth;
use crate::users::Users;

pub use error::AppError;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The ERP behind the read-through cache.
    pub erp: Arc<dyn Erp>,
    /// Exactly-once order placement.
    pub ordering: Arc<Ordering>,
    /// Who may log in.
    pub users: Arc<Users>,
    /// How the ERP is doing, for the status page and the degraded banner.
    pub health: Arc<ErpHealth>,
    /// Encrypts and signs the session and cart cookies.
    pub cookie_key: Key,
    /// Site-wide settings.
    pub site: Arc<Site>,
}

/// Site-wide settings the pages need.
#[derive(Debug, Clone)]
pub struct Site {
    /// Who buyers call.
    pub support: Arc<SupportConfig>,
    /// Whether cookies are marked `Secure`.
    pub secure_cookies: bool,
    /// How long a login lasts.
    pub session_max_age: Duration,
    /// Longest a request may take.
    pub request_timeout: Duration,
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.cookie_key.clone()
    }
}

/// Largest request body accepted: a cart of 200 lines as a form fits many times over.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole application: every area, the shared layers, and the 404 page.
pub fn router(state: AppState) -> Router {
    let timeout = state.site.request_timeout;
    // Each `.layer` wraps everything above it: tracing sees everything, the timeout bounds every
    // request including body reads, and errors (from handlers, axum or the timeout) become polite
    // pages or JSON bodies before the security headers are added.
    Router::new()
        .merge(storefront::router(state.clone()))
        .nest("/service-desk", service_desk::router(state.clone()))
        .nest("/api/v1", api::router(state.clone()))
        .merge(health::router())
        .merge(status::router())
        .merge(assets::router())
        .fallback(|| async { AppError::NotFound })
        // Knows, per request, whether any answer shown is older than its freshness.
        .layer(middleware::from_fn(track_staleness))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, timeout))
        .layer(middleware::from_fn_with_state(state.clone(), render::render_errors))
        .with_state(state)
        .layer(security_header("x-content-type-options", "nosniff"))
        .layer(security_header("x-frame-options", "DENY"))
        .layer(security_header("referrer-policy", "same-origin"))
        .layer(security_header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        .layer(TraceLayer::new_for_http())
}

async fn track_staleness(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    crate::cache::staleness::track(async move {
        let mut response = next.run(request).await;
        if let Some(since) = crate::cache::staleness::observed() {
            // Lets API callers see that (part of) the answer is the last good one, and from when.
            if let Ok(value) = HeaderValue::from_str(&since.to_rfc3339()) {
                response.headers_mut().insert("erpfront-stale-since", value);
            }
        }
        response
    })
    .await
}

fn security_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}
