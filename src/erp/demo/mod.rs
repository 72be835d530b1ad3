//! The demo ERP: an in-memory system of record for demos, development and tests.
//!
//! It owns a catalog, three customers with their price lists, past orders and invoices, loaded
//! from the JSON files in `fixtures/demo/` (embedded at compile time, or read from a directory),
//! and everything the buyers do to it afterwards: new orders and the stock they book. Nothing is
//! written to disk, so a restart brings back the fixtures. The file formats are described on the
//! record types in `records` and, for price lists, in `pricing`.

mod config;
mod desk;
mod load;
mod pdf;
mod pricing;
mod records;
mod store;
#[cfg(test)]
mod tests;
mod unserialised;

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;

pub use config::DemoConfig;
pub use records::DemoDataError;

use records::Sources;
use store::{Catalog, CustomerEntry, Ledger, newest_first};

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, CustomerSearch, CustomerSummary,
    Document, Hits, IdempotencyKey, Invoice, InvoiceNumber, InvoiceSummary, NewOrder, Order,
    OrderHit, OrderNumber, OrderSearch, OrderSummary, Price, Product, ProductPage, SavedCart, Sku,
};
use crate::erp::{Erp, ErpError, ErpResult};

/// The in-memory demo ERP. Cheap to query; every call answers from memory after the optional
/// artificial latency.
#[derive(Debug)]
pub struct DemoErp {
    catalog: Catalog,
    /// What orders change, under one lock so that an idempotency check and the order it guards
    /// cannot interleave with another submission (unless `order_lock` is off).
    ledger: Mutex<Ledger>,
    latency: Duration,
    /// Whether that lock spans an order's whole entry; see `unserialised` for the other way.
    order_lock: bool,
}

impl DemoErp {
    /// The demo ERP with the fixtures compiled into the binary.
    pub fn embedded() -> Result<Self, DemoDataError> {
        Self::from_sources(Sources {
            categories: include_str!("../../../fixtures/demo/categories.json"),
            products: include_str!("../../../fixtures/demo/products.json"),
            customers: include_str!("../../../fixtures/demo/customers.json"),
            orders: include_str!("../../../fixtures/demo/orders.json"),
            invoices: include_str!("../../../fixtures/demo/invoices.json"),
        })
    }

    /// The demo ERP with the five fixture files read from `dir`, for trying other data without
    /// a rebuild.
    pub fn from_dir(dir: &Path) -> Result<Self, DemoDataError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|error| DemoDataError::Read { path, error })
        };
        let (categories, products, customers, orders, invoices) = (
            read(records::CATEGORIES)?,
            read(records::PRODUCTS)?,
            read(records::CUSTOMERS)?,
            read(records::ORDERS)?,
            read(records::INVOICES)?,
        );
        Self::from_sources(Sources {
            categories: &categories,
            products: &products,
            customers: &customers,
            orders: &orders,
            invoices: &invoices,
        })
    }

    fn from_sources(sources: Sources<'_>) -> Result<Self, DemoDataError> {
        let (catalog, ledger) = load::load(sources)?;
        Ok(Self {
            catalog,
            ledger: Mutex::new(ledger),
            latency: Duration::ZERO,
            order_lock: true,
        })
    }

    /// Makes every call wait this long first, to exercise timeouts and loading states the way a
    /// remote ERP would.
    pub fn with_latency(self, latency: Duration) -> Self {
        Self { latency, ..self }
    }

    /// Enters orders in separate steps (check, insert, second look) rather than under one
    /// lock, as an ERP without a unique index on the key would; duplicates are settled after
    /// the insert (see `unserialised`).
    pub fn without_order_lock(self) -> Self {
        Self {
            order_lock: false,
            ..self
        }
    }

    async fn pause(&self) {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        // Nothing panics while holding the lock, and the ledger stays consistent even if
        // something did, so a poisoned lock is still usable.
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn customer_entry(&self, id: &CustomerId) -> ErpResult<&CustomerEntry> {
        self.catalog.customers.get(id).ok_or(ErpError::NotFound)
    }

    fn find_invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<&Invoice> {
        self.catalog
            .invoices
            .iter()
            .find(|i| &i.customer == customer && &i.number == number)
            .ok_or(ErpError::NotFound)
    }
}

/// Each SKU once, in the order first asked for.
fn distinct(skus: &[Sku]) -> Vec<&Sku> {
    let mut seen = std::collections::HashSet::new();
    skus.iter().filter(|s| seen.insert(*s)).collect()
}

/// A download name that is safe in a `Content-Disposition` header and on any file system.
fn document_filename(number: &InvoiceNumber) -> String {
    let safe: String = number
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("invoice-{safe}.pdf")
}

#[async_trait]
impl Erp for DemoErp {
    fn name(&self) -> &str {
        "demo"
    }

    async fn categories(&self) -> ErpResult<Vec<Category>> {
        self.pause().await;
        Ok(self.catalog.categories.clone())
    }

    async fn search_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        self.pause().await;
        Ok(self.catalog.search(query))
    }

    async fn product(&self, sku: &Sku) -> ErpResult<Product> {
        self.pause().await;
        let entry = self.catalog.products.get(sku).ok_or(ErpError::NotFound)?;
        Ok(entry.product.clone())
    }

    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>> {
        self.pause().await;
        let entry = self.customer_entry(customer)?;
        let now = Utc::now();
        Ok(distinct(skus)
            .into_iter()
            .filter_map(|sku| self.catalog.price(entry, sku, now))
            .collect())
    }

    async fn availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        self.pause().await;
        let now = Utc::now();
        let ledger = self.ledger();
        let answer = distinct(skus)
            .into_iter()
            .filter_map(|sku| {
                let entry = self.catalog.products.get(sku)?;
                Some(Availability {
                    sku: sku.clone(),
                    available: ledger.stock.get(sku).copied().unwrap_or(0),
                    next_date: entry.next_receipt,
                    as_of: now,
                })
            })
            .collect();
        Ok(answer)
    }

    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        self.pause().await;
        Ok(self.customer_entry(customer)?.customer.clone())
    }

    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        self.pause().await;
        if !self.order_lock {
            return self.create_unserialised(key, order).await;
        }
        self.ledger()
            .create_order(&self.catalog, key, order, Utc::now())
    }

    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        self.pause().await;
        self.customer_entry(customer)?;
        Ok(self.ledger().by_key(customer, key).cloned())
    }

    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        self.pause().await;
        self.customer_entry(customer)?;
        let mut summaries: Vec<OrderSummary> = self
            .ledger()
            .orders
            .iter()
            .filter(|o| &o.customer == customer)
            .map(Order::summary)
            .collect();
        newest_first(&mut summaries, |s| (s.placed_on, s.number.as_str()));
        Ok(summaries)
    }

    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        self.pause().await;
        self.ledger()
            .order(customer, number)
            .cloned()
            .ok_or(ErpError::NotFound)
    }

    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> {
        self.pause().await;
        self.customer_entry(customer)?;
        let mut summaries: Vec<InvoiceSummary> = self
            .catalog
            .invoices
            .iter()
            .filter(|i| &i.customer == customer)
            .map(Invoice::summary)
            .collect();
        newest_first(&mut summaries, |s| (s.issued_on, s.number.as_str()));
        Ok(summaries)
    }

    async fn search_orders(&self, search: &OrderSearch) -> ErpResult<Hits<OrderHit>> {
        self.pause().await;
        Ok(desk::search_orders(&self.catalog, &self.ledger(), search))
    }

    async fn search_customers(&self, search: &CustomerSearch) -> ErpResult<Hits<CustomerSummary>> {
        self.pause().await;
        Ok(desk::search_customers(&self.catalog, search))
    }

    async fn saved_cart(&self, customer: &CustomerId) -> ErpResult<SavedCart> {
        self.pause().await;
        self.customer_entry(customer)?;
        let ledger = self.ledger();
        Ok(ledger
            .saved_carts
            .get(customer)
            .cloned()
            .unwrap_or_default())
    }

    async fn save_cart(&self, customer: &CustomerId, cart: &SavedCart) -> ErpResult<()> {
        self.pause().await;
        self.customer_entry(customer)?;
        let mut ledger = self.ledger();
        if cart.is_empty() {
            ledger.saved_carts.remove(customer);
        } else {
            ledger.saved_carts.insert(customer.clone(), cart.clone());
        }
        Ok(())
    }

    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        self.pause().await;
        self.find_invoice(customer, number).cloned()
    }

    async fn invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        self.pause().await;
        let invoice = self.find_invoice(customer, number)?;
        let buyer = &self.customer_entry(customer)?.customer;
        let po_number = invoice.order_number.as_ref().and_then(|n| {
            let ledger = self.ledger();
            ledger.order(customer, n).map(|o| o.po_number.clone())
        });
        let bytes = pdf::render(invoice, buyer, po_number.as_deref());
        Ok(Document {
            content_type: "application/pdf".to_owned(),
            filename: document_filename(number),
            bytes: bytes::Bytes::from(bytes),
        })
    }
}
