//! The storefront: HTML pages for buyers, working without JavaScript. Every page is a live
//! read through the cache; every form is CSRF-checked in one place before any handler runs.

mod buyer;
mod cart;
mod catalog;
mod checkout;
mod invoices;
mod login;
mod next_page;
mod orders;
mod quick_order;
mod saved_cart;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use super::AppState;
use super::acting_audit::ActingAuditLayer;

pub(crate) use buyer::Buyer;
pub(crate) use cart::Cart;
pub(crate) use invoices::document_response;
pub(crate) use saved_cart::restore as restore_saved_cart;

pub(super) fn router(state: AppState) -> Router<AppState> {
    let routes = Router::new()
        .route("/", get(|| async { Redirect::to("/catalog") }))
        .route("/login", get(login::show_login).post(login::login))
        .route("/logout", post(login::logout))
        .route("/catalog", get(catalog::list_products))
        .route("/products/{sku}", get(catalog::show_product))
        .route("/cart", get(cart::show_cart))
        .route("/cart/add", post(cart::add_to_cart))
        .route("/cart/update", post(cart::update_cart))
        .route("/cart/quick-order", post(quick_order::quick_order))
        .route(
            "/checkout",
            get(checkout::show_checkout).post(checkout::submit_order),
        )
        .route("/orders", get(orders::list_orders))
        .route("/orders/{number}", get(orders::show_order))
        .route("/invoices", get(invoices::list_invoices))
        .route("/invoices/{number}", get(invoices::show_invoice))
        .route("/invoices/{number}/pdf", get(invoices::download_invoice));
    let routes = super::punchout::confine(routes, state.clone());
    // Every change a rep makes while acting for a customer is audited.
    super::html_area(routes, state, Some(ActingAuditLayer))
}
