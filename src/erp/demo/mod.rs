//! placeholder until the demo adapter lands
use std::path::Path;
use async_trait::async_trait;
use crate::domain::*;
use super::{Erp, ErpError, ErpResult};
pub struct DemoErp;
#[derive(Debug, thiserror::Error)]
#[error("demo")]
pub struct DemoDataError;
impl DemoErp { pub fn embedded() -> Result<Self, DemoDataError> { Ok(Self) } pub fn from_dir(_: &Path) -> Result<Self, DemoDataError> { Ok(Self) } }
#[async_trait]
impl Erp for DemoErp {
    fn name(&self) -> &str { "demo" }
    async fn categories(&self) -> ErpResult<Vec<Category>> { Err(ErpError::NotFound) }
    async fn search_products(&self, _: &CatalogQuery) -> ErpResult<ProductPage> { Err(ErpError::NotFound) }
    async fn product(&self, _: &Sku) -> ErpResult<Product> { Err(ErpError::NotFound) }
    async fn prices(&self, _: &CustomerId, _: &[Sku]) -> ErpResult<Vec<Price>> { Err(ErpError::NotFound) }
    async fn availability(&self, _: &[Sku]) -> ErpResult<Vec<Availability>> { Err(ErpError::NotFound) }
    async fn customer(&self, _: &CustomerId) -> ErpResult<Customer> { Err(ErpError::NotFound) }
    async fn create_order(&self, _: &IdempotencyKey, _: &NewOrder) -> ErpResult<Order> { Err(ErpError::NotFound) }
    async fn find_order_by_key(&self, _: &CustomerId, _: &IdempotencyKey) -> ErpResult<Option<Order>> { Err(ErpError::NotFound) }
    async fn orders(&self, _: &CustomerId) -> ErpResult<Vec<OrderSummary>> { Err(ErpError::NotFound) }
    async fn order(&self, _: &CustomerId, _: &OrderNumber) -> ErpResult<Order> { Err(ErpError::NotFound) }
    async fn invoices(&self, _: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> { Err(ErpError::NotFound) }
    async fn invoice(&self, _: &CustomerId, _: &InvoiceNumber) -> ErpResult<Invoice> { Err(ErpError::NotFound) }
    async fn invoice_document(&self, _: &CustomerId, _: &InvoiceNumber) -> ErpResult<Document> { Err(ErpError::NotFound) }
}
