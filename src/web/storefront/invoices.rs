//! Invoices, open and paid, with their PDF documents, for the buyer's own customer only.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};

use super::Buyer;
use crate::domain::{Document, Invoice, InvoiceNumber, InvoiceSummary};
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "storefront/invoices.html")]
struct InvoicesPage {
    layout: Layout,
    invoices: Vec<InvoiceSummary>,
    today: NaiveDate,
    open_total: Option<String>,
}

/// The customer's invoices, newest first, with the total still open.
pub async fn list_invoices(
    State(state): State<AppState>,
    buyer: Buyer,
) -> Result<Response, AppError> {
    let invoices = state.erp.invoices(&buyer.customer).await?;
    let open_total = invoices
        .iter()
        .map(|i| i.open_amount)
        .try_fold(
            None,
            |sum: Option<crate::domain::Money>, amount| match sum {
                None => Some(Some(amount)),
                Some(s) => s.checked_add(amount).ok().map(Some),
            },
        )
        .flatten()
        .map(|m| m.to_string());
    let page = InvoicesPage {
        layout: buyer.layout(&state, "Invoices", "invoices"),
        invoices,
        today: Utc::now().date_naive(),
        open_total,
    };
    Ok(HtmlPage(page).into_response())
}

#[derive(Template)]
#[template(path = "storefront/invoice.html")]
struct InvoicePage {
    layout: Layout,
    invoice: Invoice,
    /// Days past the due date with money still open. Shown beside the ERP's status rather than
    /// instead of it: the PDF is the ERP's own document and says "Open", so the page says
    /// "Open" too, and adds that it is overdue.
    overdue_days: Option<i64>,
}

fn parse_number(number: String) -> Result<InvoiceNumber, AppError> {
    InvoiceNumber::parse(number).map_err(|_| AppError::NotFound)
}

/// One invoice. Another customer's invoice is a 404.
pub async fn show_invoice(
    State(state): State<AppState>,
    buyer: Buyer,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let number = parse_number(number)?;
    let invoice = state.erp.invoice(&buyer.customer, &number).await?;
    let today = Utc::now().date_naive();
    let overdue_days = invoice
        .summary()
        .is_overdue(today)
        .then(|| (today - invoice.due_on).num_days());
    let page = InvoicePage {
        layout: buyer.layout(&state, format!("Invoice {number}"), "invoices"),
        invoice,
        overdue_days,
    };
    Ok(HtmlPage(page).into_response())
}

/// The invoice document, as the ERP made it.
pub async fn download_invoice(
    State(state): State<AppState>,
    buyer: Buyer,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let number = parse_number(number)?;
    let document = state.erp.invoice_document(&buyer.customer, &number).await?;
    Ok(document_response(document))
}

/// A document as a download that no shared cache may keep.
pub fn document_response(document: Document) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        document.filename.replace(['"', '\\'], "_")
    );
    (
        [
            (header::CONTENT_TYPE, document.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        document.bytes,
    )
        .into_response()
}
