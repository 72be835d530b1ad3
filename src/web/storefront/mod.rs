//! The storefront: HTML pages for buyers, working without JavaScript. Every page is a live
//! read through the cache; every form is CSRF-checked in one place before any handler runs.

mod buyer;
mod cart;
mod catalog;
mod checkout;
mod invoices;
mod login;
mod orders;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use super::audit;
use super::session::{Session, load_session};
use super::{AppError, AppState, MAX_BODY_BYTES};

pub(crate) use buyer::Buyer;
pub(crate) use cart::Cart;
pub(crate) use invoices::document_response;

pub(super) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/catalog") }))
        .route("/login", get(login::show_login).post(login::login))
        .route("/logout", post(login::logout))
        .route("/catalog", get(catalog::list_products))
        .route("/products/{sku}", get(catalog::show_product))
        .route("/cart", get(cart::show_cart))
        .route("/cart/add", post(cart::add_to_cart))
        .route("/cart/update", post(cart::update_cart))
        .route("/cart/quick-order", post(cart::quick_order))
        .route(
            "/checkout",
            get(checkout::show_checkout).post(checkout::submit_order),
        )
        .route("/orders", get(orders::list_orders))
        .route("/orders/{number}", get(orders::show_order))
        .route("/invoices", get(invoices::list_invoices))
        .route("/invoices/{number}", get(invoices::show_invoice))
        .route("/invoices/{number}/pdf", get(invoices::download_invoice))
        .layer(middleware::from_fn(verify_csrf))
        .layer(middleware::from_fn(audit::record_acting_changes))
        // Pages show one customer's prices and orders: no shared cache may keep them.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ))
        .layer(middleware::from_fn_with_state(state, load_session))
}

/// Refuses every state-changing request whose form does not carry the session's CSRF token, or
/// that a browser says comes from another site.
pub(super) async fn verify_csrf(request: Request, next: Next) -> Result<Response, AppError> {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return Ok(next.run(request).await);
    }
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    let session = request.extensions().get::<Session>().cloned();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| AppError::BadRequest("The request is too large.".into()))?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    let valid = match (session, token) {
        (Some(session), Some(token)) => session.csrf_matches(&token),
        _ => false,
    };
    if cross_site || !valid {
        tracing::info!(path = %parts.uri.path(), "form refused: CSRF token missing or wrong");
        return Err(AppError::ExpiredForm);
    }
    Ok(next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await)
}
