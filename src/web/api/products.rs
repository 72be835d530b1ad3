//! `GET /api/v1/products` and `GET /api/v1/products/{sku}`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::ApiBuyer;
use super::types::{ProductListResponse, ProductResponse, ProductSummary};
use crate::cache::answers::{AnswerKey, Finished};
use crate::domain::{CatalogQuery, Sku};
use crate::web::{AppError, AppState, product_with_terms};

/// Catalog search parameters.
#[derive(Deserialize, IntoParams)]
pub struct ProductParams {
    /// Words to search in SKU, name and description, at most 100 characters.
    #[param(max_length = 100)]
    q: Option<String>,
    /// A category id, at most 100 characters.
    #[param(max_length = 100)]
    category: Option<String>,
    /// Page number, from 1 (the default) to 10000.
    #[param(minimum = 1, maximum = 10000)]
    page: Option<u32>,
    /// Products per page, 1 to 100 (default 24).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

impl ProductParams {
    /// The query these parameters ask for, or why they are out of range.
    fn query(&self) -> Result<CatalogQuery, AppError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(24);
        let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > 100);
        if !(1..=10_000).contains(&page) {
            return Err(AppError::BadRequest(
                "page must be between 1 and 10000.".into(),
            ));
        }
        if !(1..=CatalogQuery::MAX_PER_PAGE).contains(&per_page) {
            return Err(AppError::BadRequest(format!(
                "per_page must be between 1 and {}.",
                CatalogQuery::MAX_PER_PAGE
            )));
        }
        if too_long(&self.q) || too_long(&self.category) {
            return Err(AppError::BadRequest(
                "q and category may have at most 100 characters.".into(),
            ));
        }
        Ok(CatalogQuery::new(
            self.q.as_deref(),
            self.category.as_deref(),
            page,
            per_page,
        ))
    }
}

/// Search the catalog.
#[utoipa::path(get, path = "/api/v1/products", params(ProductParams), tag = "products",
    security(("bearer" = [])),
    responses((status = 200, body = ProductListResponse),
        (status = 400, description = "A parameter is malformed or out of range", body = super::types::ErrorResponse)))]
pub async fn list_products(
    State(state): State<AppState>,
    _caller: ApiBuyer,
    Query(params): Query<ProductParams>,
) -> Result<Json<ProductListResponse>, AppError> {
    let query = params.query()?;
    let page = state.erp.search_products(&query).await?;
    let page_count = page.page_count();
    Ok(Json(ProductListResponse {
        items: page
            .items
            .into_iter()
            .map(|p| ProductSummary {
                sku: p.sku.to_string(),
                name: p.name,
                category: p.category,
                unit: p.unit,
            })
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        page_count,
    }))
}

/// A product with the caller's price (and its quantity tiers) and live availability.
#[utoipa::path(get, path = "/api/v1/products/{sku}", tag = "products",
    params(("sku" = String, Path, description = "The product's SKU", pattern = r"^[A-Za-z0-9_.:#/-]{1,40}$")),
    security(("bearer" = [])),
    responses((status = 200, body = ProductResponse),
        (status = 404, description = "No such product", body = super::types::ErrorResponse)))]
pub async fn get_product(
    State(state): State<AppState>,
    caller: ApiBuyer,
    Path(sku): Path<String>,
) -> Result<Response, AppError> {
    let sku = Sku::parse(sku).map_err(|_| AppError::NotFound)?;
    let key = AnswerKey::ApiProduct(caller.customer.clone(), sku.clone());
    let body = state
        .answers
        .get_or_build(key, async {
            let (product, price, availability) =
                product_with_terms(&state, &caller.customer, &sku).await?;
            let answer = ProductResponse::new(product, price, availability);
            serde_json::to_vec(&answer)
                .map(|json| Finished::from(Bytes::from(json)))
                .map_err(|e| AppError::Internal(format!("encoding a product: {e}")))
        })
        .await?;
    let json = HeaderValue::from_static("application/json");
    Ok(([(CONTENT_TYPE, json)], body.body).into_response())
}
