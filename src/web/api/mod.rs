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
use axum::routing::get;

use super::AppState;

pub(super) fn router(_state: AppState) -> Router<AppState> {
    Router::new()
        .route("/products", get(products::list_products))
        .route("/products/{sku}", get(products::get_product))
        .route(
            "/orders",
            get(orders::list_orders).post(orders::create_order),
        )
        .route("/orders/{number}", get(orders::get_order))
        .route("/invoices", get(invoices::list_invoices))
        .route("/invoices/{number}", get(invoices::get_invoice))
        .route("/invoices/{number}/pdf", get(invoices::get_invoice_pdf))
        .route("/openapi.json", get(openapi::serve))
}
