//! The catalog from `API_PRODUCT_SRV` (products with their descriptions), categories from
//! `API_PRODUCTGROUP_SRV` (product groups), and availability from
//! `API_PRODUCT_AVAILY_INFO_BASIC` (`CalculateAvailabilityTimeseries`, one call per SKU).

use chrono::Utc;
use futures_util::{StreamExt, stream};

use super::SapErp;
use super::client::Failure;
use super::odata::{Collection, Query, SKU_PAGE, any_of, eq, from_d, key_path, quote};
use super::{convert, wire};
use crate::domain::{Availability, CatalogQuery, Category, Product, ProductPage, Sku};
use crate::erp::{ErpError, ErpResult};

pub const PRODUCT_SRV: &str = "API_PRODUCT_SRV";
const GROUP_SRV: &str = "API_PRODUCTGROUP_SRV";
const AVAILABILITY_SRV: &str = "API_PRODUCT_AVAILY_INFO_BASIC";
/// Availability calls under way at once for one batch.
const AVAILABILITY_FANOUT: usize = 8;

const PRODUCT_FIELDS: &str = "Product,ProductGroup,BaseUnit,ProductType,GrossWeight,WeightUnit";

impl SapErp {
    pub(super) async fn read_categories(&self) -> ErpResult<Vec<Category>> {
        let query = Query::new()
            .set("$filter", eq("Language", &self.config.language))
            .set("$select", "MaterialGroup,MaterialGroupName")
            .set("$orderby", "MaterialGroup");
        let answer = self
            .client
            .get(GROUP_SRV, "A_ProductGroupText", &query.encoded())
            .await
            .map_err(|f| f.into_read_error("product group"))?;
        let groups: Collection<wire::ProductGroupText> = from_d(answer.json, "product groups")?;
        Ok(groups
            .results
            .into_iter()
            .map(|g| Category {
                id: g.material_group,
                name: g.material_group_name,
            })
            .collect())
    }

    fn product_query(&self) -> Query {
        Query::new()
            .set(
                "$select",
                format!(
                    "{PRODUCT_FIELDS},to_Description/Language,to_Description/ProductDescription"
                ),
            )
            .set("$expand", "to_Description")
    }

    pub(super) async fn read_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        let mut filters = vec!["IsMarkedForDeletion eq false".to_owned()];
        if let Some(text) = &query.text {
            // A_Product has no description to filter on; SKUs are searched, upper case as SAP
            // keeps material numbers.
            filters.push(format!(
                "substringof({}, Product)",
                quote(&text.to_uppercase())
            ));
        }
        if let Some(category) = &query.category {
            filters.push(eq("ProductGroup", category));
        }
        let odata = self
            .product_query()
            .set("$filter", filters.join(" and "))
            .set("$orderby", "Product")
            .set("$top", query.per_page.to_string())
            .set("$skip", query.offset().to_string())
            .set("$inlinecount", "allpages");
        let answer = self
            .client
            .get(PRODUCT_SRV, "A_Product", &odata.encoded())
            .await
            .map_err(|f| f.into_read_error("product list"))?;
        let page: Collection<wire::Product> = from_d(answer.json, "product list")?;
        let total = page
            .count
            .ok_or_else(|| ErpError::invalid_data("SAP product list without __count"))?;
        let items = page
            .results
            .into_iter()
            .map(|p| convert::product(p, &self.config.language))
            .collect::<ErpResult<Vec<_>>>()?;
        Ok(ProductPage {
            items,
            total,
            page: query.page,
            per_page: query.per_page,
        })
    }

    pub(super) async fn read_product(&self, sku: &Sku) -> ErpResult<Product> {
        let answer = self
            .client
            .get(
                PRODUCT_SRV,
                &key_path("A_Product", sku.as_str()),
                &self.product_query().encoded(),
            )
            .await
            .map_err(|f| f.into_read_error("product"))?;
        let product: wire::Product = from_d(answer.json, "product")?;
        if product.product != sku.as_str() {
            return Err(ErpError::invalid_data(format!(
                "asked SAP for product {sku}, got {}",
                product.product
            )));
        }
        convert::product(product, &self.config.language)
    }

    /// The SKUs among `skus` that SAP knows, each once, in the order asked.
    pub(super) async fn known_skus(&self, skus: &[Sku]) -> ErpResult<Vec<Sku>> {
        let mut distinct: Vec<Sku> = Vec::new();
        for sku in skus {
            if !distinct.contains(sku) {
                distinct.push(sku.clone());
            }
        }
        let mut known = Vec::new();
        for page in distinct.chunks(SKU_PAGE) {
            let query = Query::new()
                .set("$filter", any_of("Product", page.iter().map(Sku::as_str)))
                .set("$select", "Product")
                .set("$top", page.len().to_string());
            let answer = self
                .client
                .get(PRODUCT_SRV, "A_Product", &query.encoded())
                .await
                .map_err(|f| f.into_read_error("product check"))?;
            #[derive(serde::Deserialize)]
            struct Key {
                #[serde(rename = "Product")]
                product: String,
            }
            let found: Collection<Key> = from_d(answer.json, "product check")?;
            known.extend(
                page.iter()
                    .filter(|sku| found.results.iter().any(|k| k.product == sku.as_str()))
                    .cloned(),
            );
        }
        Ok(known)
    }

    pub(super) async fn read_availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        let known = self.known_skus(skus).await?;
        let now = Utc::now();
        let answers: Vec<ErpResult<Option<Availability>>> = stream::iter(known)
            .map(|sku| async move {
                let query = Query::new()
                    .set("ATPCheckingRule", quote(&self.config.atp_checking_rule))
                    .set("Material", quote(sku.as_str()))
                    .set("SupplyingPlant", quote(&self.config.plant));
                let answer = match self
                    .client
                    .get(
                        AVAILABILITY_SRV,
                        "CalculateAvailabilityTimeseries",
                        &query.encoded(),
                    )
                    .await
                {
                    Ok(answer) => answer,
                    // A material not in the plant (or not ATP-relevant there) is refused on its
                    // own; the others still have their stock.
                    Err(Failure::Refused { body, .. }) => {
                        tracing::info!(%sku, sap.error = %body.describe(), "SAP has no availability for this product");
                        return Ok(None);
                    }
                    Err(failure) => return Err(failure.into_read_error("availability")),
                };
                let records: Collection<wire::AvailabilityRecord> =
                    from_d(answer.json, "availability")?;
                convert::availability(sku, records.results, now).map(Some)
            })
            .buffered(AVAILABILITY_FANOUT)
            .collect()
            .await;
        answers.into_iter().filter_map(Result::transpose).collect()
    }
}
