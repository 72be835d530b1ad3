//! The one seam to an ERP: the [`Erp`] trait, its error outcomes, and one module per adapter.
//!
//! An adapter translates between the ERP's protocol and the types in [`crate::domain`]; it never
//! caches (that is [`crate::cache`]) and never decides what a buyer may see (that is the web
//! layer). A new ERP is one module here plus a green conformance run.
#![warn(missing_docs)]

pub mod demo;
mod error;
pub mod http;
pub mod sap;
pub mod tryton;

use async_trait::async_trait;

pub use error::{ErpError, ErpResult};

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, CustomerSummary, Document,
    IdempotencyKey, Invoice, InvoiceNumber, InvoiceSummary, NewOrder, Order, OrderHit, OrderNumber,
    OrderSearch, OrderSummary, Price, Product, ProductPage, Sku,
};

/// An ERP, as the gateway needs it. Every method is a live call to the system of record.
///
/// Customer-specific operations take the customer as an argument and must answer `NotFound`
/// for a record that belongs to another customer: that is what keeps one buyer from another's
/// data even when a number is guessed.
#[async_trait]
pub trait Erp: Send + Sync + 'static {
    /// A short name for logs and the status page (`demo`, `tryton`).
    fn name(&self) -> &str;

    /// Is the ERP answering? The default asks for the category list.
    async fn health(&self) -> ErpResult<()> {
        self.categories().await.map(|_| ())
    }

    /// The product categories.
    async fn categories(&self) -> ErpResult<Vec<Category>>;

    /// A page of the catalog matching a query, ordered by SKU.
    async fn search_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage>;

    /// One product; `NotFound` for an unknown SKU.
    async fn product(&self, sku: &Sku) -> ErpResult<Product>;

    /// The customer's prices for many SKUs in one call. SKUs the ERP does not sell to this
    /// customer are left out of the answer rather than failing the batch.
    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>>;

    /// Availability for many SKUs in one call; unknown SKUs are left out.
    async fn availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>>;

    /// The customer with its bill-to and ship-to addresses.
    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer>;

    /// Creates an order exactly once per key: an adapter stores `key` in the ERP with the order
    /// and, if an order with that key already exists for the customer, returns it instead of
    /// creating a second. The ERP prices the order. A business refusal (unknown SKU, blocked
    /// customer) is `Rejected` with a buyer-safe reason.
    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order>;

    /// The customer's order created with this key, if there is one.
    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>>;

    /// The customer's orders, newest first.
    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>>;

    /// One of the customer's orders; `NotFound` if it is another customer's.
    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order>;

    /// The customer's invoices, newest first.
    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>>;

    /// One of the customer's invoices; `NotFound` if it is another customer's.
    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice>;

    /// The printable document of one of the customer's invoices.
    async fn invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document>;

    /// Orders of every customer matching a search, newest first, for the service desk. The
    /// default answers `Unsupported`, and the desk then offers what it can without it.
    async fn search_orders(&self, search: &OrderSearch) -> ErpResult<Vec<OrderHit>> {
        let _ = search;
        Err(ErpError::Unsupported {
            operation: "search_orders",
        })
    }

    /// Customers whose number or name contains `text`, for the service desk. The default
    /// answers `Unsupported`.
    async fn search_customers(&self, text: &str) -> ErpResult<Vec<CustomerSummary>> {
        let _ = text;
        Err(ErpError::Unsupported {
            operation: "search_customers",
        })
    }
}

/// Builds the adapter the configuration names: the one place that knows every adapter.
pub fn connect(
    config: &crate::config::ErpConfig,
) -> Result<std::sync::Arc<dyn Erp>, Box<dyn std::error::Error + Send + Sync>> {
    use crate::config::ErpConfig;
    Ok(match config {
        ErpConfig::Demo {
            data_dir: Some(dir),
        } => std::sync::Arc::new(demo::DemoErp::from_dir(dir)?),
        ErpConfig::Demo { data_dir: None } => std::sync::Arc::new(demo::DemoErp::embedded()?),
        ErpConfig::Http {
            base_url,
            token,
            connect_timeout_ms,
            request_timeout_ms,
        } => std::sync::Arc::new(http::HttpErp::new(
            http::HttpErpSettings::new(base_url)?
                .with_token(token.clone())
                .with_timeouts(
                    std::time::Duration::from_millis(*connect_timeout_ms),
                    std::time::Duration::from_millis(*request_timeout_ms),
                )?,
        )?),
        ErpConfig::Tryton {
            url,
            database,
            user,
            password,
            warehouse,
            connect_timeout_ms,
            request_timeout_ms,
        } => std::sync::Arc::new(tryton::TrytonErp::new(tryton::TrytonSettings {
            url: url.clone(),
            database: database.clone(),
            user: user.clone(),
            password: password.clone(),
            warehouse: warehouse.clone(),
            connect_timeout: std::time::Duration::from_millis(*connect_timeout_ms),
            request_timeout: std::time::Duration::from_millis(*request_timeout_ms),
        })?),
        ErpConfig::Sap(sap) => std::sync::Arc::new(sap::SapErp::new(sap.as_ref().clone())?),
    })
}
