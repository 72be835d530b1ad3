//! The SAP S/4HANA adapter: the OData V2 APIs of S/4HANA (Cloud or on-premise) behind the
//! [`Erp`] trait.
//!
//! | need | service |
//! | --- | --- |
//! | catalog | `API_PRODUCT_SRV` (`A_Product`, `to_Description`), `API_PRODUCTGROUP_SRV` |
//! | customer prices and ladders | `API_SALES_ORDER_SIMULATION_SRV` (`A_SalesOrderSimulation`) |
//! | availability | `API_PRODUCT_AVAILY_INFO_BASIC` (`CalculateAvailabilityTimeseries`) |
//! | ship-to, bill-to | `API_BUSINESS_PARTNER` (`A_Customer`, `A_CustSalesPartnerFunc`, `A_BusinessPartner`) |
//! | orders | `API_SALES_ORDER_SRV` (`A_SalesOrder` deep insert, `to_Item`, `to_Partner`, `to_Text`) |
//! | desk search | `A_SalesOrder` and `A_Customer` filtered within the sales area |
//! | deliveries, tracking | `API_OUTBOUND_DELIVERY_SRV;v=0002` (`A_OutbDeliveryHeader`), reached through the order's document flow |
//! | invoices, PDFs | `API_BILLING_DOCUMENT_SRV` (`A_BillingDocument`, `GetPDF`) |
//!
//! Exactly-once orders: the idempotency key goes into a header text of its own (the
//! `key_text_id` of the configuration), the PO number into `PurchaseOrderByCustomer`; before
//! creating, the customer's orders with that PO number are read and their key texts compared,
//! and after a create whose answer was lost they are read again.

mod atom;
mod auth;
mod batch;
mod billing;
mod catalog;
mod client;
mod config;
mod convert;
mod deliveries;
mod errors;
mod odata;
mod orders;
mod partners;
mod pricing;
mod response;
mod search;
#[cfg(test)]
mod tests;
mod wire;

use async_trait::async_trait;

pub use config::{SapAuth, SapConfig};

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, CustomerSearch, CustomerSummary,
    Document, Hits, IdempotencyKey, Invoice, InvoiceNumber, InvoiceSummary, NewOrder, Order,
    OrderHit, OrderNumber, OrderSearch, OrderSummary, Price, Product, ProductPage, Sku,
};
use crate::erp::{Erp, ErpError, ErpResult};

/// An S/4HANA system as an [`Erp`]. Each instance has its own HTTP session (cookies, CSRF
/// token, OAuth token).
pub struct SapErp {
    config: SapConfig,
    client: client::SapClient,
}

impl SapErp {
    /// An adapter for the system `config` names; nothing is sent until the first call.
    pub fn new(config: SapConfig) -> ErpResult<Self> {
        config.validate().map_err(ErpError::unavailable)?;
        let client = client::SapClient::new(&config)?;
        Ok(Self { config, client })
    }
}

#[async_trait]
impl Erp for SapErp {
    fn name(&self) -> &str {
        "sap"
    }

    async fn categories(&self) -> ErpResult<Vec<Category>> {
        self.read_categories().await
    }

    async fn search_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        self.read_products(query).await
    }

    async fn product(&self, sku: &Sku) -> ErpResult<Product> {
        self.read_product(sku).await
    }

    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>> {
        self.read_prices(customer, skus).await
    }

    async fn availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        self.read_availability(skus).await
    }

    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        self.read_customer(customer).await
    }

    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        self.place_order(key, order).await
    }

    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        self.find_by_key(customer, key).await
    }

    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        self.list_orders(customer).await
    }

    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        self.read_order(customer, number).await
    }

    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> {
        self.list_invoices(customer).await
    }

    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        self.read_invoice(customer, number).await
    }

    async fn invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        self.read_invoice_document(customer, number).await
    }

    async fn search_orders(&self, search: &OrderSearch) -> ErpResult<Hits<OrderHit>> {
        self.search_order_list(search).await
    }

    async fn search_customers(&self, search: &CustomerSearch) -> ErpResult<Hits<CustomerSummary>> {
        self.search_customer_list(search).await
    }
}
