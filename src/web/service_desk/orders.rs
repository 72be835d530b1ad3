//! Finding any order across customers, and an order as the rep sees it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::rep::Rep;
use crate::domain::{
    CustomerId, InvoiceNumber, InvoiceSummary, Order, OrderHit, OrderNumber, OrderSearch,
    OrderStatus,
};
use crate::erp::ErpError;
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::storefront::document_response;
use crate::web::{AppError, AppState};

const STATUSES: [OrderStatus; 7] = [
    OrderStatus::Received,
    OrderStatus::Confirmed,
    OrderStatus::Processing,
    OrderStatus::PartiallyShipped,
    OrderStatus::Shipped,
    OrderStatus::Completed,
    OrderStatus::Cancelled,
];

/// The search form as typed, echoed back.
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    order_number: String,
    #[serde(default)]
    po_number: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "service_desk/orders.html")]
struct DeskPage {
    layout: Layout,
    form: SearchForm,
    statuses: [OrderStatus; 7],
    hits: Vec<OrderHit>,
    searched: bool,
    notice: Option<String>,
}

fn text(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

fn date(value: &str, label: &str) -> Result<Option<NaiveDate>, String> {
    match value.trim() {
        "" => Ok(None),
        v => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("The {label} date must look like 2026-11-22.")),
    }
}

impl SearchForm {
    fn to_search(&self) -> Result<OrderSearch, String> {
        Ok(OrderSearch {
            order_number: text(&self.order_number),
            po_number: text(&self.po_number),
            customer: text(&self.customer),
            placed_from: date(&self.from, "from")?,
            placed_to: date(&self.to, "to")?,
            status: STATUSES.into_iter().find(|s| s.code() == self.status),
            limit: 100,
        })
    }
}

/// The desk's home: the order search, with results when a search was made.
pub async fn search_orders(
    State(state): State<AppState>,
    rep: Rep,
    Query(form): Query<SearchForm>,
) -> Result<Response, AppError> {
    let mut notice = None;
    let mut hits = Vec::new();
    let search = form.to_search();
    let searched = search.as_ref().is_ok_and(|s| !s.is_empty());
    match search {
        Err(message) => notice = Some(message),
        Ok(search) => match state.erp.search_orders(&search).await {
            Ok(found) => {
                hits = found
                    .into_iter()
                    .filter(|h| rep.user.may_serve(&h.customer))
                    .collect()
            }
            Err(ErpError::Unsupported { .. }) => {
                notice = Some("This ERP cannot search orders across customers. Find the customer first, then their orders.".into());
            }
            Err(other) => return Err(other.into()),
        },
    }
    let page = DeskPage {
        layout: rep.layout(&state, "Service desk"),
        form,
        statuses: STATUSES,
        hits,
        searched,
        notice,
    };
    Ok(HtmlPage(page).into_response())
}

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
    let invoices = invoices
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.order_number.as_ref() == Some(&order.number))
        .collect();
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
