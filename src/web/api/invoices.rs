//! `GET /api/v1/invoices`, `/api/v1/invoices/{number}` and `/api/v1/invoices/{number}/pdf`.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;

use super::auth::ApiBuyer;
use super::types::{InvoiceListResponse, InvoiceResponse};
use crate::domain::InvoiceNumber;
use crate::web::storefront::document_response;
use crate::web::{AppError, AppState};

fn parse(number: String) -> Result<InvoiceNumber, AppError> {
    InvoiceNumber::parse(number).map_err(|_| AppError::NotFound)
}

/// The caller's invoices, newest first.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "invoices", security(("bearer" = [])),
    responses((status = 200, body = InvoiceListResponse)))]
pub async fn list_invoices(
    State(state): State<AppState>,
    caller: ApiBuyer,
) -> Result<Json<InvoiceListResponse>, AppError> {
    let invoices = state.erp.invoices(&caller.customer).await?;
    Ok(Json(InvoiceListResponse {
        items: invoices.into_iter().map(Into::into).collect(),
    }))
}

/// One of the caller's invoices.
#[utoipa::path(get, path = "/api/v1/invoices/{number}", tag = "invoices", security(("bearer" = [])),
    params(("number" = String, Path, description = "The ERP's invoice number", pattern = r"^[A-Za-z0-9_.:#/-]{1,40}$")),
    responses((status = 200, body = InvoiceResponse), (status = 404, description = "No such invoice of the caller's", body = super::types::ErrorResponse)))]
pub async fn get_invoice(
    State(state): State<AppState>,
    caller: ApiBuyer,
    Path(number): Path<String>,
) -> Result<Json<InvoiceResponse>, AppError> {
    Ok(Json(
        state
            .erp
            .invoice(&caller.customer, &parse(number)?)
            .await?
            .into(),
    ))
}

/// The invoice document (PDF).
#[utoipa::path(get, path = "/api/v1/invoices/{number}/pdf", tag = "invoices", security(("bearer" = [])),
    params(("number" = String, Path, description = "The ERP's invoice number", pattern = r"^[A-Za-z0-9_.:#/-]{1,40}$")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, description = "No such invoice of the caller's", body = super::types::ErrorResponse)))]
pub async fn get_invoice_pdf(
    State(state): State<AppState>,
    caller: ApiBuyer,
    Path(number): Path<String>,
) -> Result<Response, AppError> {
    let document = state
        .erp
        .invoice_document(&caller.customer, &parse(number)?)
        .await?;
    Ok(document_response(document))
}
