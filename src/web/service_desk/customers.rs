//! Finding a customer and seeing what they see: ship-tos, recent orders, open invoices with the
//! overdue ones flagged.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::rep::Rep;
use super::search::{PAGE_SIZE, PageLinks, notice};
use crate::desk;
use crate::domain::{
    Customer, CustomerId, CustomerSearch, CustomerSummary, InvoiceStatus, InvoiceSummary,
    OrderSummary, Paging,
};
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState};

#[derive(Deserialize, Serialize)]
pub struct CustomerQuery {
    #[serde(default)]
    q: String,
    #[serde(default, skip_serializing)]
    page: String,
}

#[derive(Template)]
#[template(path = "service_desk/customers.html")]
struct CustomersPage {
    layout: Layout,
    query: String,
    customers: Vec<CustomerSummary>,
    notice: Option<String>,
    pages: PageLinks,
}

/// Customers by number or name, a page at a time.
pub async fn search_customers(
    State(state): State<AppState>,
    rep: Rep,
    Query(query): Query<CustomerQuery>,
) -> Result<Response, AppError> {
    let text = query.q.trim().to_string();
    let paging = Paging::new(query.page.trim().parse().unwrap_or(1), PAGE_SIZE);
    let mut page = CustomersPage {
        layout: rep.layout(&state, "Customers"),
        query: text.clone(),
        customers: Vec::new(),
        notice: None,
        pages: PageLinks::default(),
    };
    if !text.is_empty() {
        let search = CustomerSearch { text, paging };
        match desk::customers(state.erp.as_ref(), &search).await {
            Ok(hits) => {
                page.pages = PageLinks::of("/service-desk/customers", &query, paging, hits.more);
                page.customers = hits
                    .items
                    .into_iter()
                    .filter(|c| rep.user.may_serve(&c.id))
                    .collect();
            }
            Err(failure) => page.notice = Some(notice(failure, "customers")?),
        }
    }
    Ok(HtmlPage(page).into_response())
}

#[derive(Template)]
#[template(path = "service_desk/customer.html")]
struct CustomerPage {
    layout: Layout,
    customer: Customer,
    orders: Vec<OrderSummary>,
    open_invoices: Vec<InvoiceSummary>,
    overdue: usize,
    today: NaiveDate,
}

/// One customer: addresses, recent orders and open invoices, asked for at once.
pub async fn show_customer(
    State(state): State<AppState>,
    rep: Rep,
    Path(customer): Path<String>,
) -> Result<Response, AppError> {
    let id = CustomerId::parse(customer).map_err(|_| AppError::NotFound)?;
    rep.check(&id)?;
    let (customer, orders, invoices) = tokio::join!(
        state.erp.customer(&id),
        state.erp.orders(&id),
        state.erp.invoices(&id)
    );
    let customer = customer?;
    let mut orders = orders?;
    orders.truncate(20);
    let open_invoices: Vec<InvoiceSummary> = invoices?
        .into_iter()
        .filter(|i| i.status == InvoiceStatus::Open)
        .collect();
    let today = Utc::now().date_naive();
    let overdue = open_invoices.iter().filter(|i| i.is_overdue(today)).count();
    let page = CustomerPage {
        layout: rep.layout(&state, customer.name.clone()),
        customer,
        orders,
        open_invoices,
        overdue,
        today,
    };
    Ok(HtmlPage(page).into_response())
}
