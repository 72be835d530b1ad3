//! The Tryton adapter: a live Tryton server (8.x) over JSON-RPC is the system of record.
//!
//! How the gateway's notions map onto Tryton:
//! - a customer is a `party.party`; its [`CustomerId`] is the party's code;
//! - a product is a salable `product.product`; its SKU is the product's code, its category the
//!   code of its first (non-accounting) `product.category`, or that category's id when it has
//!   no code;
//! - a customer's price is `sale_price_uom` read with the party's sale price list in the
//!   context; the quantity tiers are that price read again at each minimal quantity the price
//!   list's lines name, for all SKUs at once per quantity;
//! - availability is `min(quantity, forecast_quantity)` in the configured warehouse, and its
//!   next date the first planned incoming move into the warehouse that adds to it;
//! - an order's deliveries are its done shipments, with carrier and package tracking where
//!   Tryton's `carrier` and `stock_package_shipping` modules are activated (see `shipping`);
//! - an address's [`AddressId`](crate::domain::AddressId) is the `party.address` id;
//! - an order is a `sale.sale`: the PO number is its `reference`, the idempotency key its
//!   `description` (`erpfront-key:<key>`), the buyer's note and who placed it for the customer
//!   its `comment`, the requested date its `shipping_date`. Sales still without a number
//!   (drafts entered in Tryton) are not shown;
//! - the customer's saved cart is a draft sale of the party whose `description` is
//!   `erpfront saved cart` (see `saved_cart`): a draft is no order, and placing never matches it;
//! - invoices are posted or paid customer invoices (`account.invoice` of type `out`).
//!
//! Every customer-specific read filters on the party code in Tryton itself, so another party's
//! record is simply not found. The adapter keeps no business data; it only remembers its
//! session, the company, and the warehouse it resolved.

mod catalog;
mod config;
mod customers;
mod errors;
mod forms;
mod invoices;
mod like;
mod orders;
mod placing;
mod pricing;
mod receipts;
mod rpc;
mod sales;
mod saved_cart;
mod search;
mod shipping;
mod wire;

use std::time::Duration;

use async_trait::async_trait;
use reqwest::Url;
use secrecy::SecretString;

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, CustomerSearch, CustomerSummary,
    Document, Hits, IdempotencyKey, Invoice, InvoiceNumber, InvoiceSummary, NewOrder, Order,
    OrderHit, OrderNumber, OrderSearch, OrderSummary, Price, Product, ProductPage, SavedCart, Sku,
};
use crate::erp::{Erp, ErpResult};

pub use config::TrytonConfig;

/// How to reach Tryton.
#[derive(Debug, Clone)]
pub struct TrytonSettings {
    /// Base URL of the server, such as `http://127.0.0.1:8000`.
    pub url: String,
    /// The database.
    pub database: String,
    /// The login erpfront acts as.
    pub user: String,
    /// Its password.
    pub password: SecretString,
    /// Code of the warehouse whose stock buyers see; the first warehouse when `None`.
    pub warehouse: Option<String>,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one call may take.
    pub request_timeout: Duration,
}

/// Why the adapter could not be set up (nothing is sent to Tryton before the first call).
#[derive(Debug, thiserror::Error)]
pub enum TrytonSetupError {
    /// The URL is not an http(s) URL.
    #[error("erp.url {0:?} is not an http:// or https:// URL")]
    Url(String),
    /// The database name holds characters that do not belong in a URL path.
    #[error("erp.database {0:?} may only hold letters, digits, '-', '_' and '.'")]
    Database(String),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
}

/// The Tryton adapter. Cheap to share; calls run concurrently over one connection pool.
pub struct TrytonErp {
    rpc: rpc::Rpc,
    warehouse_code: Option<String>,
    warehouse: tokio::sync::OnceCell<i64>,
    shipment_fields: tokio::sync::OnceCell<shipping::ShipmentFields>,
}

impl TrytonErp {
    /// An adapter for the server `settings` name. Logs in on first use.
    pub fn new(settings: TrytonSettings) -> Result<Self, TrytonSetupError> {
        let mut base = Url::parse(&settings.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| TrytonSetupError::Url(settings.url.clone()))?;
        let database = settings.database;
        let valid_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if database.is_empty() || !database.chars().all(valid_name) || database.starts_with('.') {
            return Err(TrytonSetupError::Database(database));
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let join = |path: &str| {
            base.join(path)
                .map_err(|_| TrytonSetupError::Url(settings.url.clone()))
        };
        let root = join("rpc/")?;
        let endpoint = join(&format!("{database}/rpc/"))?;
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("erpfront/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TrytonSetupError::Client(e.to_string()))?;
        Ok(Self {
            rpc: rpc::Rpc::new(http, root, endpoint, settings.user, settings.password),
            warehouse_code: settings.warehouse,
            warehouse: tokio::sync::OnceCell::new(),
            shipment_fields: tokio::sync::OnceCell::new(),
        })
    }

    /// HTTP requests sent to Tryton so far, logins included: what an operation costs.
    pub fn request_count(&self) -> u64 {
        self.rpc.requests()
    }
}

#[async_trait]
impl Erp for TrytonErp {
    fn name(&self) -> &str {
        "tryton"
    }

    async fn health(&self) -> ErpResult<()> {
        self.rpc.ping().await
    }

    async fn categories(&self) -> ErpResult<Vec<Category>> {
        self.list_categories().await
    }

    async fn search_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        self.find_products(query).await
    }

    async fn product(&self, sku: &Sku) -> ErpResult<Product> {
        self.product_by_sku(sku).await
    }

    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>> {
        self.customer_prices(customer, skus).await
    }

    async fn availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        self.stock(skus).await
    }

    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        self.customer_record(customer).await
    }

    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        self.place(key, order).await
    }

    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        self.order_by_key(customer, key).await
    }

    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        self.order_list(customer).await
    }

    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        self.order_by_number(customer, number).await
    }

    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> {
        self.invoice_list(customer).await
    }

    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        self.invoice_by_number(customer, number).await
    }

    async fn invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        self.invoice_pdf(customer, number).await
    }

    async fn search_orders(&self, search: &OrderSearch) -> ErpResult<Hits<OrderHit>> {
        self.search_sales(search).await
    }

    async fn search_customers(&self, search: &CustomerSearch) -> ErpResult<Hits<CustomerSummary>> {
        self.search_parties(search).await
    }

    async fn saved_cart(&self, customer: &CustomerId) -> ErpResult<SavedCart> {
        self.saved_cart_of(customer).await
    }

    async fn save_cart(&self, customer: &CustomerId, cart: &SavedCart) -> ErpResult<()> {
        self.replace_saved_cart(customer, cart).await
    }
}

/// Each SKU once, in the order first asked for.
fn distinct(skus: &[Sku]) -> Vec<&Sku> {
    let mut seen = std::collections::HashSet::new();
    skus.iter().filter(|s| seen.insert(*s)).collect()
}

/// Escapes `%`, `_` and `\` for a Tryton `ilike` pattern.
fn like_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use figment::Figment;
    use figment::providers::{Format, Toml};

    use super::*;
    use crate::erp::ErpConfig;

    #[test]
    fn the_configuration_names_the_server_and_connect_builds_the_adapter() {
        let config: ErpConfig = Figment::new()
            .merge(Toml::string(
                r#"kind = "tryton"
                   url = "http://127.0.0.1:8000"
                   database = "erp"
                   user = "gateway"
                   password = "secret"
                   warehouse = "WH""#,
            ))
            .extract()
            .unwrap();
        let ErpConfig::Tryton(TrytonConfig {
            warehouse,
            request_timeout_ms,
            connect_timeout_ms,
            ..
        }) = &config
        else {
            panic!("not a Tryton configuration: {config:?}");
        };
        assert_eq!(warehouse.as_deref(), Some("WH"));
        assert!(*request_timeout_ms >= 5_000 && *connect_timeout_ms > 0);
        assert!(
            !format!("{config:?}").contains("secret"),
            "the password stays out of logs"
        );
        let erp = crate::erp::connect(&config).unwrap();
        assert_eq!(erp.name(), "tryton");
    }

    #[test]
    fn settings_are_checked_before_anything_is_sent() {
        let settings = |url: &str, database: &str| TrytonSettings {
            url: url.into(),
            database: database.into(),
            user: "u".into(),
            password: SecretString::from("p"),
            warehouse: None,
            connect_timeout: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
        };
        assert!(TrytonErp::new(settings("http://erp.example:8000/base", "erp")).is_ok());
        assert!(matches!(
            TrytonErp::new(settings("ftp://erp.example", "erp")),
            Err(TrytonSetupError::Url(_))
        ));
        assert!(matches!(
            TrytonErp::new(settings("http://erp.example", "../admin")),
            Err(TrytonSetupError::Database(_))
        ));
        assert_eq!(like_escape("100%_a\\b"), "100\\%\\_a\\\\b");
    }
}
