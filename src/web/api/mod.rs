//! The JSON API under `/api/v1`, for buyers' own systems. Every call is authenticated with an
//! API token (`Authorization: Bearer`) that belongs to one customer, and sees only that
//! customer's prices, orders and invoices. Described by the OpenAPI document it serves.

mod auth;
mod invoices;
mod openapi;
mod orders;
mod products;
mod types;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use super::AppState;

/// Full paths rather than `Router::nest`, which would wrap every API route in a prefix-stripping
/// service on each request.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/products", get(products::list_products))
        .route("/api/v1/products/{sku}", get(products::get_product))
        .route(
            "/api/v1/orders",
            get(orders::list_orders).post(orders::create_order),
        )
        .route("/api/v1/orders/{number}", get(orders::get_order))
        .route("/api/v1/invoices", get(invoices::list_invoices))
        .route("/api/v1/invoices/{number}", get(invoices::get_invoice))
        .route(
            "/api/v1/invoices/{number}/pdf",
            get(invoices::get_invoice_pdf),
        )
        .route("/api/v1/openapi.json", get(openapi::serve))
        // Every answer but the document is one customer's: no shared cache may keep it.
        .route_layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ))
}
