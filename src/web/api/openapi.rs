//! The OpenAPI document, generated from the handlers and types so it cannot drift from them.

use std::sync::LazyLock;

use axum::Json;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::{invoices, orders, products};

#[derive(OpenApi)]
#[openapi(
    info(title = "erpfront buyer API", description = "Live catalog, prices, orders and invoices from the seller's ERP, for a buyer's own systems."),
    paths(
        products::list_products, products::get_product,
        orders::list_orders, orders::get_order, orders::create_order,
        invoices::list_invoices, invoices::get_invoice, invoices::get_invoice_pdf,
    ),
    modifiers(&BearerAuth, &CommonAnswers),
)]
struct ApiDoc;

/// The answers every operation can give, added to each so that none goes undocumented: no or
/// a wrong token (401); the ERP unreachable, erpfront too busy for it (503) or too slow (504);
/// and, where there are parameters, one that cannot be read (400).
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let mut answers = vec![
                    (
                        "401",
                        "No valid API token (`Authorization: Bearer <token>`)",
                    ),
                    (
                        "503",
                        "The ERP cannot be reached or erpfront is too busy; see `Retry-After`",
                    ),
                    ("504", "The ERP did not answer in time"),
                ];
                if has_parameters {
                    answers.push(("400", "A parameter cannot be read"));
                }
                for (status, description) in answers {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_answer(description));
                }
            }
        }
    }
}

fn error_answer(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorResponse")))
                    .build(),
            )
            .build(),
    )
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

static DOCUMENT: LazyLock<serde_json::Value> =
    LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default());

/// `GET /api/v1/openapi.json`
pub async fn serve() -> Json<serde_json::Value> {
    Json(DOCUMENT.clone())
}
