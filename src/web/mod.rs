//! The HTTP face of erpfront, split by audience: the storefront for buyers (HTML), the JSON API
//! for buyers' systems, and health endpoints for load balancers. Handlers stay thin: they parse,
//! call the ERP (through the cache) or [`crate::ordering`], and render.

mod acting_audit;
mod api;
mod assets;
pub(crate) mod audit;
mod body_deadline;
mod client;
mod cookies;
mod deadline;
mod error;
mod filters;
mod forms;
mod health;
mod layout;
pub mod login_guard;
mod punchout;
mod render;
mod request_id;
mod revocations;
mod service_desk;
mod session;
mod stale_header;
mod status;
mod storefront;
mod viewer;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{FromRef, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::Key;
use tower::ServiceBuilder;
use tower::util::BoxCloneSyncService;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::cache::answers::Answers;
use crate::config::SupportConfig;
use crate::domain::{Availability, CustomerId, Price, Product, Sku};
use crate::erp::Erp;
use crate::monitoring::http::{HttpMetricsLayer, RouteTagLayer};
use crate::ordering::Ordering;
use crate::resilience::health::ErpHealth;
use crate::users::LiveUsers;

use acting_audit::ActingAuditLayer;
use body_deadline::BodyDeadlineLayer;
pub use client::{ClientAddr, PeerAddr, TrustedProxies};
pub use cookies::OpenedCookies;
use deadline::DeadlineLayer;
pub use error::AppError;
use forms::FormGuardLayer;
pub use health::Readiness;
pub use punchout::OpenedStarts;
use render::RenderErrorsLayer;
use request_id::RequestIdLayer;
pub use revocations::Revocations;
pub use session::RENEW_EVERY_SECS;
use session::SessionLayer;
use stale_header::StaleHeaderLayer;

/// What every handler can reach. One reference count to clone: extractors and layers clone it
/// on every request.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Shares `parts` with every request.
    pub fn new(parts: Shared) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    /// The ERP behind the read-through cache.
    pub erp: Arc<dyn Erp>,
    /// Finished answers built from fresh cached data, per customer.
    pub answers: Answers,
    /// Exactly-once order placement.
    pub ordering: Arc<Ordering>,
    /// Who may log in; replaced whole when the users file is reloaded.
    pub users: Arc<LiveUsers>,
    /// How the ERP is doing, for the status page and the degraded banner.
    pub health: Arc<ErpHealth>,
    /// Encrypts and signs the session and cart cookies.
    pub cookie_key: Key,
    /// Cart cookie values already decrypted.
    pub carts: OpenedCookies,
    /// Session cookie values already decrypted and parsed.
    pub sessions: OpenedCookies<session::Session>,
    /// Site-wide settings.
    pub site: Arc<Site>,
    /// Throttles password guessing and bounds password checks.
    pub logins: login_guard::LoginGuard,
    /// Sessions ended before their time.
    pub revocations: revocations::Revocations,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Punchout start links this instance has opened.
    pub punchout_starts: punchout::OpenedStarts,
    /// Whether `/readyz` invites traffic: no longer once shutdown has begun.
    pub readiness: Readiness,
}

/// Site-wide settings the pages need.
#[derive(Debug, Clone)]
pub struct Site {
    /// Who buyers call.
    pub support: Arc<SupportConfig>,
    /// Whether cookies are marked `Secure`.
    pub secure_cookies: bool,
    /// How long a login lasts at most.
    pub session_max_age: Duration,
    /// How long a login lasts without a request.
    pub session_idle_timeout: Duration,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// SHA-256 of the tokens that unlock the operators' part of `/status.json`.
    pub status_tokens: Vec<[u8; 32]>,
    /// Longest a client may take to send a request body.
    pub body_read_timeout: Duration,
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.cookie_key.clone()
    }
}

/// Largest request body accepted: a cart of 200 lines as a form fits many times over. Larger
/// bodies are answered 413.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every request's service, as `axum::serve` runs it.
pub type App = BoxCloneSyncService<Request, Response, Infallible>;

/// The whole application: every area, the shared layers, and the 404 page.
pub fn app(state: AppState) -> App {
    let timeout = state.site.request_timeout;
    let body_timeout = state.site.body_read_timeout;
    let hsts = state.site.secure_cookies;
    let routes = Router::new()
        .merge(storefront::router(state.clone()))
        .nest("/service-desk", service_desk::router(state.clone()))
        .merge(punchout::router(state.clone()))
        .merge(api::router())
        .merge(health::router())
        .merge(status::router())
        .merge(assets::router())
        .fallback(|| async { AppError::NotFound })
        .layer(RouteTagLayer)
        .with_state(state.clone());
    // Outermost first. The route template is tagged on each route (only the router knows it)
    // for the metrics layer, which counts and times everything outside; the request id
    // covers the rest, so every log line and ERP call of the request carries it. These wrap the router once instead of each route (`Router::layer`),
    // so a request passes each layer once and no layer clones the services inside it. Tracing
    // sees everything, errors (from handlers, axum or the timeout) become polite pages or JSON
    // bodies before the security headers are added, the timeout bounds every request including
    // body reads, a body sent too slowly is a 408 (not the 504 of the overall deadline), and
    // each request knows whether any answer shown is older than its freshness.
    let request_ids = RequestIdLayer::new(state.trusted_proxies.clone());
    let layered = ServiceBuilder::new()
        .map_response(IntoResponse::into_response)
        .layer(HttpMetricsLayer)
        .layer(request_ids)
        .layer(TraceLayer::new_for_http())
        .map_response(move |response| with_security_headers(response, hsts))
        .layer(RenderErrorsLayer::new(state))
        .layer(DeadlineLayer::new(timeout))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(BodyDeadlineLayer::new(body_timeout))
        .layer(StaleHeaderLayer)
        .service(routes);
    BoxCloneSyncService::new(layered)
}

/// A product with the customer's price and its availability, the three asked for at once.
pub(crate) async fn product_with_terms(
    state: &AppState,
    customer: &CustomerId,
    sku: &Sku,
) -> Result<(Product, Option<Price>, Option<Availability>), AppError> {
    let one = std::slice::from_ref(sku);
    let (product, prices, stock) = tokio::join!(
        state.erp.product(sku),
        state.erp.prices(customer, one),
        state.erp.availability(one),
    );
    Ok((
        product?,
        prices?.into_iter().next(),
        stock?.into_iter().next(),
    ))
}

/// The layers of the HTML areas (storefront, service desk), as one stack so each request passes
/// one boxed route rather than one per layer: the session, no shared caching of pages that
/// show one customer's data, the audit of a rep's changes where asked for (outside the form
/// guard, so that refused forms are recorded too), and the form guard.
fn html_area(
    router: Router<AppState>,
    state: AppState,
    audit: Option<ActingAuditLayer>,
) -> Router<AppState> {
    router.layer(
        ServiceBuilder::new()
            .layer(SessionLayer::new(state))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ))
            .option_layer(audit)
            .layer(FormGuardLayer),
    )
}

/// The CSP of every page but for `frame-ancestors`, which says who may frame it.
macro_rules! page_csp_sources {
    () => {
        "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'"
    };
}
pub(crate) const PAGE_CSP_SOURCES: &str = page_csp_sources!();

/// What every answer tells the browser: no sniffing, no framing, no referrer to other sites,
/// only our own scripts, styles and form targets, and (when the site is reached over HTTPS, as
/// `secure_cookies` says) never to come back over plain HTTP.
fn with_security_headers(mut response: Response, hsts: bool) -> Response {
    const HEADERS: [(HeaderName, HeaderValue); 4] = [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(concat!(page_csp_sources!(), "; frame-ancestors 'none'")),
        ),
    ];
    let headers = response.headers_mut();
    // A page that lets a procurement system frame it says so in its own CSP; `DENY` would
    // contradict it in browsers that still read X-Frame-Options first.
    let framable = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| {
            csp.contains("frame-ancestors") && !csp.contains("frame-ancestors 'none'")
        });
    for (name, value) in HEADERS {
        if !(framable && name == header::X_FRAME_OPTIONS) {
            headers.entry(name).or_insert(value);
        }
    }
    if hsts {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    response
}
