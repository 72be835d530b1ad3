//! PunchOut over HTTP: the cXML endpoints procurement systems call server-to-server, the start
//! link that opens a buyer's punchout session, the OCI entry an SAP system opens the shop with,
//! and the page that sends the cart back through the buyer's browser. Policy lives in
//! [`crate::punchout`]; these handlers parse and answer.

mod cxml;
mod hand_back;
mod oci;
mod shopping;

use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

use super::AppState;
use super::session::{Session, SessionLayer};
use crate::punchout::read::{Operation, Refusal};
use crate::punchout::{Identity, PunchoutSession, write};

/// The routes, mounted at the root.
pub(super) fn router(state: AppState) -> Router<AppState> {
    let browser = Router::new()
        .route("/punchout/start", get(shopping::start))
        .route("/punchout/transfer", post(shopping::transfer));
    // The OCI entry is a login from another site by design (the SAP system's page posts it),
    // so it has a session but no CSRF form guard; what proves it is the OCI password.
    let entry = Router::new()
        .route("/punchout/oci", get(oci::entry_get).post(oci::entry_post))
        .layer(
            ServiceBuilder::new()
                .layer(SessionLayer::new(state.clone()))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                )),
        );
    Router::new()
        .route("/punchout/cxml/setup", post(cxml::setup))
        .route("/punchout/cxml/order", post(cxml::order))
        .merge(entry)
        .merge(super::html_area(browser, state, None))
}

/// The CSP `frame-ancestors` sources for an identity's pages: its configured origins, else
/// none, as for every other page.
fn frame_ancestors(identity: &Identity) -> String {
    if identity.frame_ancestors.is_empty() {
        "'none'".to_string()
    } else {
        identity.frame_ancestors.join(" ")
    }
}

/// Lets the identity's configured origins frame this page, unless the page set its own CSP.
fn allow_framing(response: &mut Response, identity: &Identity) {
    if identity.frame_ancestors.is_empty()
        || response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    {
        return;
    }
    let csp = format!(
        "{}; frame-ancestors {}",
        super::PAGE_CSP_SOURCES,
        frame_ancestors(identity)
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Start links this instance has opened, so each opens once here. Kept as long as a link
/// lives; another instance does not know them (see README, PunchOut).
pub struct OpenedStarts(moka::future::Cache<String, ()>);

impl Default for OpenedStarts {
    fn default() -> Self {
        let ttl = crate::punchout::start::START_LINK_SECS.unsigned_abs() + 60;
        Self(
            moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(ttl))
                .build(),
        )
    }
}

impl OpenedStarts {
    /// Whether this is the first opening of the link with `nonce` here.
    async fn first_opening(&self, nonce: &str) -> bool {
        self.0
            .entry(nonce.to_string())
            .or_insert(())
            .await
            .is_fresh()
    }
}

/// Keeps a punchout session out of what does not belong in it: checkout, orders and invoices
/// (the order comes from the procurement system), and any change to a cart opened to look at;
/// and lets the organisation's configured origins frame its pages.
pub(super) fn confine(router: Router<AppState>, state: AppState) -> Router<AppState> {
    router.layer(axum::middleware::from_fn_with_state(state, confine_request))
}

async fn confine_request(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let punchout = request
        .extensions()
        .get::<Session>()
        .and_then(|s| s.punchout.clone());
    let Some(punchout) = punchout else {
        return next.run(request).await;
    };
    let identity = state.users.current().punchout().get(&punchout.identity);
    let mut response = confined(&punchout, request, next).await;
    if let Some(identity) = identity {
        allow_framing(&mut response, &identity);
    }
    response
}

async fn confined(punchout: &PunchoutSession, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let shop_only = ["/checkout", "/orders", "/invoices"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    let changes_cart = path.starts_with("/cart/");
    if shop_only || (punchout.operation == Operation::Inspect && changes_cart) {
        let message = if shop_only {
            "This page is not available while you shop from your procurement system: transfer the cart to it, and the order comes from there."
        } else {
            "This cart was opened to look at only; it cannot be changed here."
        };
        return super::AppError::BadRequest(message.into()).into_response();
    }
    next.run(request).await
}

/// The host the request was sent to, as its documents and links name us.
fn request_host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost")
        .to_string()
}

/// A cXML document as the answer, with the HTTP status mirroring a refusal's code (some
/// procurement systems look only at one of the two).
fn xml(code: u16, document: String) -> Response {
    let status = match code {
        200..=299 => StatusCode::OK,
        _ => StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST),
    };
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        )],
        document,
    )
        .into_response()
}

fn refused(host: &str, refusal: &Refusal) -> Response {
    xml(
        refusal.code,
        write::status(host, refusal.code, &refusal.text),
    )
}

/// A cXML status document for an error a layer answered before any handler ran (a body over
/// the size limit, one sent too slowly) on a cXML address; `None` elsewhere.
pub(super) fn layer_error_as_cxml(path: &str, status: StatusCode) -> Option<Response> {
    if !path.starts_with("/punchout/cxml/") {
        return None;
    }
    let text = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the document is larger than 64 KiB",
        StatusCode::REQUEST_TIMEOUT => "the document was not sent in time",
        StatusCode::METHOD_NOT_ALLOWED => "documents are sent with POST",
        _ => "the request could not be handled",
    };
    let code = if status.is_client_error() {
        status.as_u16()
    } else {
        500
    };
    Some(refused(
        &request_host(&HeaderMap::new()),
        &Refusal::new(code, text),
    ))
}
