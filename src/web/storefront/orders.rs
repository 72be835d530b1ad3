//! Order history and order detail, live from the ERP, for the buyer's own customer only.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::Buyer;
use crate::domain::{InvoiceSummary, Order, OrderNumber, OrderSummary};
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "storefront/orders.html")]
struct OrdersPage {
    layout: Layout,
    orders: Vec<OrderSummary>,
}

/// The customer's orders, newest first.
pub async fn list_orders(
    State(state): State<AppState>,
    buyer: Buyer,
) -> Result<Response, AppError> {
    let orders = state.erp.orders(&buyer.customer).await?;
    let page = OrdersPage {
        layout: buyer.layout(&state, "Orders", "orders"),
        orders,
    };
    Ok(HtmlPage(page).into_response())
}

#[derive(Template)]
#[template(path = "storefront/order.html")]
struct OrderPage {
    layout: Layout,
    order: Order,
    just_placed: bool,
    /// The order's invoices (those naming it), newest first as the ERP lists them.
    invoices: Vec<InvoiceSummary>,
    /// The ERP did not answer for the invoices: said on the page, the order still shown.
    invoices_missing: bool,
    /// Each line's SKU links to its product page.
    shop_links: bool,
}

#[derive(Deserialize)]
pub struct OrderParams {
    placed: Option<String>,
}

/// One order with lines, what shipped, deliveries with tracking, and links to its invoices and
/// products. Another customer's order is a 404.
pub async fn show_order(
    State(state): State<AppState>,
    buyer: Buyer,
    Path(number): Path<String>,
    Query(params): Query<OrderParams>,
) -> Result<Response, AppError> {
    let number = OrderNumber::parse(number).map_err(|_| AppError::NotFound)?;
    let (order, invoices) = tokio::join!(
        state.erp.order(&buyer.customer, &number),
        state.erp.invoices(&buyer.customer),
    );
    let order = order?;
    let invoices_missing = invoices.is_err();
    let invoices = InvoiceSummary::of_order(invoices.unwrap_or_default(), &order.number);
    let page = OrderPage {
        layout: buyer.layout(&state, format!("Order {number}"), "orders"),
        order,
        just_placed: params.placed.is_some(),
        invoices,
        invoices_missing,
        shop_links: true,
    };
    Ok(HtmlPage(page).into_response())
}
