//! The OpenAPI document, generated from the handlers and types so it cannot drift from them.

use std::sync::LazyLock;

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
    modifiers(&BearerAuth),
)]
struct ApiDoc;

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
