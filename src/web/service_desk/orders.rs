//! An order as the rep sees it, and its invoices' documents.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::rep::Rep;
use crate::domain::{CustomerId, InvoiceNumber, InvoiceSummary, Order, OrderNumber};
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::storefront::document_response;
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "service_desk/order.html")]
struct OrderPage {
    layout: Layout,
    customer: CustomerId,
    customer_name: String,
    order: Order,
    invoices: Vec<InvoiceSummary>,
    /// The ERP did not answer for the invoices: said on the page, not hidden.
    invoices_missing: bool,
    /// SKUs stay plain text: the rep's product view is the storefront, acting for the customer.
    shop_links: bool,
}

fn ids(customer: String) -> Result<CustomerId, AppError> {
    CustomerId::parse(customer).map_err(|_| AppError::NotFound)
}

/// One order with lines, deliveries, tracking and its invoices, as the customer sees it.
pub async fn show_order(
    State(state): State<AppState>,
    rep: Rep,
    Path((customer, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let customer = ids(customer)?;
    rep.check(&customer)?;
    let number = OrderNumber::parse(number).map_err(|_| AppError::NotFound)?;
    let (order, invoices, account) = tokio::join!(
        state.erp.order(&customer, &number),
        state.erp.invoices(&customer),
        state.erp.customer(&customer),
    );
    let order = order?;
    let invoices_missing = invoices.is_err();
    let invoices = InvoiceSummary::of_order(invoices.unwrap_or_default(), &order.number);
    let customer_name = account
        .map(|c| c.name)
        .unwrap_or_else(|_| customer.to_string());
    let page = OrderPage {
        layout: rep.layout(&state, format!("Order {number}")),
        customer,
        customer_name,
        order,
        invoices,
        invoices_missing,
        shop_links: false,
    };
    Ok(HtmlPage(page).into_response())
}

/// A customer's invoice document.
pub async fn download_invoice(
    State(state): State<AppState>,
    rep: Rep,
    Path((customer, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let customer = ids(customer)?;
    rep.check(&customer)?;
    let number = InvoiceNumber::parse(number).map_err(|_| AppError::NotFound)?;
    Ok(document_response(
        state.erp.invoice_document(&customer, &number).await?,
    ))
}
