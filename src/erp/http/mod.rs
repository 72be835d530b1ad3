//! The `http` adapter: an ERP reached through the HTTP adapter protocol, a small versioned
//! JSON-over-HTTP contract that an ERP-side service implements in any language.
//!
//! This module owns the client side ([`HttpErp`]), the wire types both sides share ([`wire`]),
//! and the contract itself, `protocol.openapi.json` ([`wire::OPENAPI`]). The sandbox server in
//! [`crate::sim`] implements the server side around any [`Erp`]; `tests/reference_adapter/` does
//! it in Python.
//!
//! Every call has one deadline, the request timeout, from sending to the last byte, and every
//! failure becomes an [`ErpError`]:
//!
//! | what happens | outcome |
//! | --- | --- |
//! | connection refused or reset, DNS failure, TLS failure | `Unavailable` |
//! | no complete answer within the deadline (slow, hanging, trickling) | `Timeout` |
//! | an error body `{"error": {"outcome", "message"}}` | the outcome's variant |
//! | 5xx (or 401, 403, 408, 429) without an error body | `Unavailable` |
//! | 501 without an error body; a bare 404 for an optional operation (saved cart, search) | `Unsupported` |
//! | any other non-2xx without an error body (a bare 404 is a wrong path) | `InvalidData` |
//! | a body that is cut short, too large, not JSON, or of the wrong shape | `InvalidData` |
//! | a record for another customer or SKU than asked for | `InvalidData` |

mod document;
mod search;
mod settings;
mod strict;
mod transport;
pub mod wire;

use async_trait::async_trait;

pub use settings::{
    DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, HttpConfig, HttpErpSettings,
    check_timeouts, parse_base_url,
};

use transport::Transport;
use wire::{Health, IDEMPOTENCY_KEY_HEADER, Items, OrderByKey, SkuList};

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, CustomerSearch, CustomerSummary,
    Document, Hits, IdempotencyKey, Invoice, InvoiceNumber, InvoiceSummary, NewOrder, Order,
    OrderHit, OrderNumber, OrderSearch, OrderSummary, Price, Product, ProductPage, SavedCart, Sku,
};
use crate::erp::{Erp, ErpError, ErpResult};

/// An ERP behind an adapter service that speaks the protocol. One pooled HTTP client (rustls)
/// serves all calls.
pub struct HttpErp {
    transport: Transport,
}

impl HttpErp {
    /// A client for the service the settings name. Fails only if the TLS setup fails.
    pub fn new(settings: HttpErpSettings) -> Result<Self, reqwest::Error> {
        Ok(Self {
            transport: Transport::new(settings)?,
        })
    }
}

/// Refuses an answer that is about another record than the one asked for: a buggy adapter must
/// not show one customer another's order.
fn same<T: PartialEq + std::fmt::Display>(
    operation: &'static str,
    what: &str,
    asked: &T,
    answered: &T,
) -> ErpResult<()> {
    if asked == answered {
        Ok(())
    } else {
        Err(ErpError::invalid_data(format!(
            "{operation}: asked for {what} {asked}, the answer is for {answered}"
        )))
    }
}

#[async_trait]
impl Erp for HttpErp {
    fn name(&self) -> &str {
        "http"
    }

    async fn health(&self) -> ErpResult<()> {
        let t = &self.transport;
        let _: Health = t.json("health", t.get(t.url(&["health"]))).await?;
        Ok(())
    }

    async fn categories(&self) -> ErpResult<Vec<Category>> {
        let t = &self.transport;
        let answer: Items<Category> = t.json("categories", t.get(t.url(&["categories"]))).await?;
        Ok(answer.items)
    }

    async fn search_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        let t = &self.transport;
        let mut url = t.url(&["products"]);
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(text) = &query.text {
                pairs.append_pair("text", text);
            }
            if let Some(category) = &query.category {
                pairs.append_pair("category", category);
            }
            pairs
                .append_pair("page", &query.page.to_string())
                .append_pair("per_page", &query.per_page.to_string());
        }
        t.json("search_products", t.get(url)).await
    }

    async fn product(&self, sku: &Sku) -> ErpResult<Product> {
        let t = &self.transport;
        let product: Product = t
            .json("product", t.get(t.url(&["products", sku.as_str()])))
            .await?;
        same("product", "SKU", sku, &product.sku)?;
        Ok(product)
    }

    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>> {
        let t = &self.transport;
        let url = t.url(&["customers", customer.as_str(), "prices"]);
        let body = SkuList {
            skus: skus.to_vec(),
        };
        let answer: Items<Price> = t.json("prices", t.post_json(url, &body)?).await?;
        Ok(answer.items)
    }

    async fn availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        let t = &self.transport;
        let body = SkuList {
            skus: skus.to_vec(),
        };
        let request = t.post_json(t.url(&["availability"]), &body)?;
        let answer: Items<Availability> = t.json("availability", request).await?;
        Ok(answer.items)
    }

    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        let t = &self.transport;
        let answer: Customer = t
            .json("customer", t.get(t.url(&["customers", customer.as_str()])))
            .await?;
        same("customer", "customer", customer, &answer.id)?;
        Ok(answer)
    }

    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        let t = &self.transport;
        let url = t.url(&["customers", order.customer.as_str(), "orders"]);
        let request = t
            .post_json(url, order)?
            .header(IDEMPOTENCY_KEY_HEADER, key.as_str());
        let created: Order = t.json("create_order", request).await?;
        same(
            "create_order",
            "customer",
            &order.customer,
            &created.customer,
        )?;
        Ok(created)
    }

    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        let t = &self.transport;
        let url = t.url(&[
            "customers",
            customer.as_str(),
            "orders",
            "by-key",
            key.as_str(),
        ]);
        let answer: OrderByKey = t.json("find_order_by_key", t.get(url)).await?;
        if let Some(order) = &answer.order {
            same("find_order_by_key", "customer", customer, &order.customer)?;
        }
        Ok(answer.order)
    }

    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        let t = &self.transport;
        let url = t.url(&["customers", customer.as_str(), "orders"]);
        let answer: Items<OrderSummary> = t.json("orders", t.get(url)).await?;
        Ok(answer.items)
    }

    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        let t = &self.transport;
        let url = t.url(&["customers", customer.as_str(), "orders", number.as_str()]);
        let order: Order = t.json("order", t.get(url)).await?;
        same("order", "customer", customer, &order.customer)?;
        same("order", "order", number, &order.number)?;
        Ok(order)
    }

    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> {
        let t = &self.transport;
        let url = t.url(&["customers", customer.as_str(), "invoices"]);
        let answer: Items<InvoiceSummary> = t.json("invoices", t.get(url)).await?;
        Ok(answer.items)
    }

    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        let t = &self.transport;
        let url = t.url(&["customers", customer.as_str(), "invoices", number.as_str()]);
        let invoice: Invoice = t.json("invoice", t.get(url)).await?;
        same("invoice", "customer", customer, &invoice.customer)?;
        same("invoice", "invoice", number, &invoice.number)?;
        Ok(invoice)
    }

    async fn search_orders(&self, search: &OrderSearch) -> ErpResult<Hits<OrderHit>> {
        search::orders(&self.transport, search).await
    }

    async fn search_customers(&self, search: &CustomerSearch) -> ErpResult<Hits<CustomerSummary>> {
        search::customers(&self.transport, search).await
    }

    async fn saved_cart(&self, customer: &CustomerId) -> ErpResult<SavedCart> {
        let t = &self.transport;
        let url = t.url(&["customers", customer.as_str(), "cart"]);
        t.json("saved_cart", t.get(url)).await
    }

    async fn save_cart(&self, customer: &CustomerId, cart: &SavedCart) -> ErpResult<()> {
        let t = &self.transport;
        let url = t.url(&["customers", customer.as_str(), "cart"]);
        let _: SavedCart = t.json("save_cart", t.put_json(url, cart)?).await?;
        Ok(())
    }

    async fn invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        let t = &self.transport;
        let url = t.url(&[
            "customers",
            customer.as_str(),
            "invoices",
            number.as_str(),
            "document",
        ]);
        let fallback = format!("invoice-{number}.pdf");
        t.document("invoice_document", t.get(url), &fallback).await
    }
}
