//! The service desk under `/service-desk`, for customer-service reps: find any order by number,
//! PO number, customer, dates or status; look into a customer; act for a customer in the
//! storefront, audited. Buyers get a 404 here; nobody gets in without logging in.

mod acting;
mod customers;
mod orders;
mod rep;
mod search;

use axum::Router;
use axum::routing::{get, post};

use super::AppState;

pub(super) fn router(state: AppState) -> Router<AppState> {
    let routes = Router::new()
        .route("/", get(search::desk))
        .route("/customers", get(customers::search_customers))
        .route("/customers/{customer}", get(customers::show_customer))
        .route(
            "/customers/{customer}/orders/{number}",
            get(orders::show_order),
        )
        .route(
            "/customers/{customer}/invoices/{number}/pdf",
            get(orders::download_invoice),
        )
        .route("/act", post(acting::start_acting))
        .route("/stop", post(acting::stop_acting));
    // Acting starts and stops are audited by their handlers.
    super::html_area(routes, state, None)
}
