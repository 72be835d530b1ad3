//! The one seam to an ERP: the [`Erp`] trait, its error outcomes, and one module per adapter.
//!
//! An adapter translates between the ERP's protocol and the types in [`crate::domain`]; it never
//! caches (that is [`crate::cache`]) and never decides what a buyer may see (that is the web
//! layer). A new ERP is one module here plus a green conformance run. The trait is written from
//! the list of operations below (see [`seam`] for how and why): adding an operation means its
//! line there, the adapters that support it and its conformance rules; the cache, resilience
//! and test layers need no change unless they treat it differently.
#![warn(missing_docs)]

pub mod demo;
mod error;
pub mod http;
pub(crate) mod registry;
pub mod request_id;
pub mod sap;
mod seam;
pub mod tryton;

pub use error::{ErpError, ErpResult};
pub use registry::{AdapterConfig, ConnectError, ErpConfig, connect};
pub use seam::{Access, Operation};

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, CustomerSearch, CustomerSummary,
    Document, Hits, IdempotencyKey, Invoice, InvoiceNumber, InvoiceSummary, NewOrder, Order,
    OrderHit, OrderNumber, OrderSearch, OrderSummary, Price, Product, ProductPage, SavedCart, Sku,
};

seam::erp_seam! {
    required {
        // The catalog, the same for every customer.

        /// The product categories.
        read fn categories() -> Vec<Category>;

        /// A page of the catalog matching a query, ordered by SKU.
        read fn search_products(query: &CatalogQuery) -> ProductPage;

        /// One product; `NotFound` for an unknown SKU.
        read fn product(sku: &Sku) -> Product;

        /// Availability for many SKUs in one call; unknown SKUs are left out.
        read fn availability(skus: &[Sku]) -> Vec<Availability>;

        // The customer's account.

        /// The customer's prices for many SKUs in one call. SKUs the ERP does not sell to this
        /// customer are left out of the answer rather than failing the batch.
        read fn prices(customer: &CustomerId, skus: &[Sku]) -> Vec<Price>;

        /// The customer with its bill-to and ship-to addresses.
        read fn customer(customer: &CustomerId) -> Customer;

        // Orders.

        /// Creates an order exactly once per key: an adapter stores `key` in the ERP with the
        /// order and, if an order with that key already exists for the customer, returns it
        /// instead of creating a second. The ERP prices the order. A business refusal (unknown
        /// SKU, blocked customer) is `Rejected` with a buyer-safe reason.
        write fn create_order(key: &IdempotencyKey, order: &NewOrder) -> Order;

        /// The customer's order created with this key, if there is one.
        read fn find_order_by_key(customer: &CustomerId, key: &IdempotencyKey) -> Option<Order>;

        /// The customer's orders, newest first.
        read fn orders(customer: &CustomerId) -> Vec<OrderSummary>;

        /// One of the customer's orders; `NotFound` if it is another customer's.
        read fn order(customer: &CustomerId, number: &OrderNumber) -> Order;

        // Invoices.

        /// The customer's invoices, newest first.
        read fn invoices(customer: &CustomerId) -> Vec<InvoiceSummary>;

        /// One of the customer's invoices; `NotFound` if it is another customer's.
        read fn invoice(customer: &CustomerId, number: &InvoiceNumber) -> Invoice;

        /// The printable document of one of the customer's invoices.
        read fn invoice_document(customer: &CustomerId, number: &InvoiceNumber) -> Document;
    }
    optional {
        // The service desk.

        /// One page of the orders of every customer matching a search, newest first (orders of
        /// one day in an order that stays the same from page to page), for the service desk. Text criteria follow the semantics in
        /// [`crate::domain::OrderSearch`]'s module. An adapter asks the ERP for at most
        /// [`Paging::fetch`](crate::domain::Paging::fetch) hits, never for all of them; the
        /// gateway refuses searches that would list most of the ERP before they get here.
        read fn search_orders(search: &OrderSearch) -> Hits<OrderHit>;

        /// One page of the customers whose number or name has every word of the search, ordered
        /// by name, for the service desk.
        read fn search_customers(search: &CustomerSearch) -> Hits<CustomerSummary>;

        // The customer's saved cart, so that a cart follows the customer from one login,
        // device or service rep to the next without the gateway keeping it.

        /// The customer's saved cart; empty when there is none.
        read fn saved_cart(customer: &CustomerId) -> SavedCart;

        /// Replaces the customer's saved cart with `cart`; an empty cart clears it.
        write fn save_cart(customer: &CustomerId, cart: &SavedCart) -> ();
    }
}
