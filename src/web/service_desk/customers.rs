//! Finding a customer and seeing what they see: ship-tos, recent orders, open invoices.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::rep::Rep;
use crate::domain::{
    Customer, CustomerId, CustomerSummary, InvoiceStatus, InvoiceSummary, OrderSummary,
};
use crate::erp::ErpError;
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState};

/// What a rep reads when the ERP did not answer, instead of "no such customer".
const NO_ANSWER: &str = "The order system did not answer, so we cannot say whether this customer exists. Try again in a moment.";

#[derive(Deserialize)]
pub struct CustomerQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "service_desk/customers.html")]
struct CustomersPage {
    layout: Layout,
    query: String,
    customers: Vec<CustomerSummary>,
    notice: Option<String>,
}

/// Customers by number or name.
pub async fn search_customers(
    State(state): State<AppState>,
    rep: Rep,
    Query(query): Query<CustomerQuery>,
) -> Result<Response, AppError> {
    let text = query.q.trim().to_string();
    let mut notice = None;
    let customers = match state.erp.search_customers(&text).await {
        Ok(found) => found,
        Err(ErpError::Unsupported { .. }) => {
            // Without a search, a customer number still leads straight to the customer.
            match CustomerId::parse(text.clone()) {
                Ok(id) => match state.erp.customer(&id).await {
                    Ok(c) => vec![CustomerSummary {
                        id: c.id,
                        name: c.name,
                        city: c.bill_to.city,
                    }],
                    Err(ErpError::NotFound) => Vec::new(),
                    Err(err) => {
                        tracing::warn!(error = %err, "customer look-up failed");
                        notice = Some(NO_ANSWER.into());
                        Vec::new()
                    }
                },
                Err(_) => {
                    notice = Some(
                        "This ERP cannot search customers by name; enter a customer number.".into(),
                    );
                    Vec::new()
                }
            }
        }
        Err(other) => return Err(other.into()),
    };
    let customers = customers
        .into_iter()
        .filter(|c| rep.user.may_serve(&c.id))
        .collect();
    let page = CustomersPage {
        layout: rep.layout(&state, "Customers"),
        query: text,
        customers,
        notice,
    };
    Ok(HtmlPage(page).into_response())
}

#[derive(Template)]
#[template(path = "service_desk/customer.html")]
struct CustomerPage {
    layout: Layout,
    customer: Customer,
    orders: Vec<OrderSummary>,
    open_invoices: Vec<InvoiceSummary>,
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
    let open_invoices = invoices?
        .into_iter()
        .filter(|i| i.status == InvoiceStatus::Open)
        .collect();
    let page = CustomerPage {
        layout: rep.layout(&state, customer.name.clone()),
        customer,
        orders,
        open_invoices,
    };
    Ok(HtmlPage(page).into_response())
}
