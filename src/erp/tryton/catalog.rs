//! The catalog: product categories, salable products searched and paged in Tryton, one product
//! by SKU, and availability in the warehouse, each a constant number of calls however many
//! products are involved.

use chrono::Utc;
use serde_json::{Value, json};

use super::receipts::next_date;
use super::wire::{Record, records, stock_quantity};
use super::{TrytonErp, distinct, like_escape};
use crate::domain::{Availability, CatalogQuery, Category, Product, ProductPage, Sku};
use crate::erp::{ErpError, ErpResult};

const PRODUCT_FIELDS: [&str; 6] = [
    "code",
    "name",
    "description",
    "categories",
    "categories.code",
    "sale_uom.symbol",
];

/// The id a category goes by: its code, or its record id when it has none.
fn category_id(record: &Record<'_>) -> ErpResult<String> {
    match record.opt_str("code")?.filter(|c| !c.is_empty()) {
        Some(code) => Ok(code.to_owned()),
        None => Ok(record.id()?.to_string()),
    }
}

fn product(record: &Record<'_>) -> ErpResult<Product> {
    let code = record.str("code")?;
    let sku = Sku::parse(code)
        .map_err(|e| ErpError::invalid_data(format!("product code {code:?}: {e}")))?;
    let category = match record.related_list("categories")?.first() {
        Some(category) => category_id(category)?,
        None => String::new(),
    };
    let unit = match record.related("sale_uom")? {
        Some(uom) => uom.text("symbol")?,
        None => String::new(),
    };
    Ok(Product {
        sku,
        name: record.str("name")?.to_owned(),
        description: record.text("description")?,
        category,
        unit,
        attributes: Vec::new(),
    })
}

/// The products a query asks for: salable, with a code, every word in the name, code or
/// description, in the category.
fn catalog_domain(query: &CatalogQuery) -> Value {
    let mut domain = vec![json!(["salable", "=", true]), json!(["code", "!=", null])];
    for word in query.text.iter().flat_map(|t| t.split_whitespace()) {
        let pattern = format!("%{}%", like_escape(word));
        domain.push(json!([
            "OR",
            ["rec_name", "ilike", pattern],
            ["description", "ilike", pattern]
        ]));
    }
    if let Some(category) = &query.category {
        match category.parse::<i64>() {
            Ok(id) => domain.push(json!([
                "OR",
                ["categories.code", "=", category],
                ["categories.id", "=", id]
            ])),
            Err(_) => domain.push(json!(["categories.code", "=", category])),
        }
    }
    Value::Array(domain)
}

impl TrytonErp {
    pub(super) async fn list_categories(&self) -> ErpResult<Vec<Category>> {
        let reply = self
            .rpc
            .read(
                "model.product.category.search_read",
                vec![
                    json!([["accounting", "=", false]]),
                    json!(0),
                    Value::Null,
                    json!([["name", "ASC"], ["id", "ASC"]]),
                    json!(["code", "name"]),
                ],
                &[],
            )
            .await?;
        records("product.category", &reply)?
            .iter()
            .map(|r| {
                Ok(Category {
                    id: category_id(r)?,
                    name: r.str("name")?.to_owned(),
                })
            })
            .collect()
    }

    pub(super) async fn find_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        let domain = catalog_domain(query);
        let page = self.rpc.read(
            "model.product.product.search_read",
            vec![
                domain.clone(),
                json!(query.offset()),
                json!(query.per_page),
                json!([["code", "ASC"], ["id", "ASC"]]),
                json!(PRODUCT_FIELDS),
            ],
            &[],
        );
        let count = self
            .rpc
            .read("model.product.product.search_count", vec![domain], &[]);
        let (page, count) = tokio::try_join!(page, count)?;
        let items = records("product.product", &page)?
            .iter()
            .map(product)
            .collect::<ErpResult<Vec<_>>>()?;
        let total = count
            .as_u64()
            .ok_or_else(|| ErpError::invalid_data("product.product.search_count: not a count"))?;
        Ok(ProductPage {
            items,
            total,
            page: query.page,
            per_page: query.per_page,
        })
    }

    pub(super) async fn product_by_sku(&self, sku: &Sku) -> ErpResult<Product> {
        let reply = self
            .rpc
            .read(
                "model.product.product.search_read",
                vec![
                    json!([["code", "=", sku.as_str()], ["salable", "=", true]]),
                    json!(0),
                    json!(1),
                    Value::Null,
                    json!(PRODUCT_FIELDS),
                ],
                &[],
            )
            .await?;
        let found = records("product.product", &reply)?;
        found
            .first()
            .map(product)
            .unwrap_or(Err(ErpError::NotFound))
    }

    /// Stock in the warehouse for many SKUs in one call. What can be promised is the smaller of
    /// the stock on hand and the forecast (stock less what confirmed orders will take); when
    /// more comes is read from the planned receipts, asked alongside (see `receipts`).
    pub(super) async fn stock(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        let skus = distinct(skus);
        if skus.is_empty() {
            return Ok(Vec::new());
        }
        let warehouse = self.warehouse().await?;
        let codes: Vec<&str> = skus.iter().map(|s| s.as_str()).collect();
        let now = Utc::now();
        let in_warehouse = [("locations", json!([warehouse]))];
        let stock = self.rpc.read(
            "model.product.product.search_read",
            vec![
                json!([["code", "in", codes]]),
                json!(0),
                Value::Null,
                Value::Null,
                json!(["code", "quantity", "forecast_quantity"]),
            ],
            &in_warehouse,
        );
        let receipts = self.planned_receipts(warehouse, &codes, now.date_naive());
        let (reply, receipts) = tokio::try_join!(stock, receipts)?;
        let mut answer = Vec::with_capacity(skus.len());
        for record in records("product.product", &reply)? {
            let code = record.str("code")?;
            let Some(sku) = skus.iter().find(|s| s.as_str() == code) else {
                continue;
            };
            let on_hand = record.float("quantity")?;
            let forecast = record.float("forecast_quantity")?;
            let available = stock_quantity(code, on_hand.min(forecast))?;
            let coming = receipts.get(code).map(Vec::as_slice).unwrap_or_default();
            answer.push(Availability {
                sku: (*sku).clone(),
                available,
                next_date: next_date(on_hand, forecast, available, coming),
                as_of: now,
            });
        }
        Ok(answer)
    }

    /// The warehouse whose stock buyers see: the configured code, or the first warehouse.
    /// Resolved once; a warehouse's id does not change.
    async fn warehouse(&self) -> ErpResult<i64> {
        self.warehouse
            .get_or_try_init(|| async {
                let mut domain = vec![json!(["type", "=", "warehouse"])];
                if let Some(code) = &self.warehouse_code {
                    domain.push(json!(["code", "=", code]));
                }
                let reply = self
                    .rpc
                    .read(
                        "model.stock.location.search_read",
                        vec![
                            Value::Array(domain),
                            json!(0),
                            json!(1),
                            json!([["id", "ASC"]]),
                            json!(["code"]),
                        ],
                        &[],
                    )
                    .await?;
                let found = records("stock.location", &reply)?;
                match found.first() {
                    Some(record) => record.id(),
                    None => Err(ErpError::unavailable(format!(
                        "Tryton has no warehouse{}",
                        self.warehouse_code
                            .as_ref()
                            .map(|c| format!(" with the code {c}"))
                            .unwrap_or_default()
                    ))),
                }
            })
            .await
            .copied()
    }
}
