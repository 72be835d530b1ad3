//! The ERP-neutral business vocabulary: customers, products, prices, carts, orders, invoices.
//!
//! Everything an ERP adapter returns and everything the web layer shows is expressed in these
//! types. This module must never import axum, reqwest, moka or any adapter's wire format.
#![warn(missing_docs)]

mod cart;
mod customer;
mod ids;
mod invoice;
mod line_quantity;
mod money;
mod order;
mod product;
mod search;
pub mod text;

pub use cart::{SavedCart, SavedCartError, SavedCartLine};
pub use customer::{Address, Customer};
pub use ids::{AddressId, CustomerId, IdError, IdempotencyKey, InvoiceNumber, OrderNumber, Sku};
pub use invoice::{Document, Invoice, InvoiceLine, InvoiceStatus, InvoiceSummary};
pub use line_quantity::LineQuantity;
pub use money::{Currency, Money, MoneyError};
pub use order::{
    Delivery, InvalidOrder, NewOrder, NewOrderLine, Order, OrderLine, OrderStatus, OrderSummary,
    OrderTotals, Quantity, QuantityError,
};
pub use product::{
    Attribute, Availability, CatalogQuery, Category, Price, PriceTier, Product, ProductPage,
};
pub use search::{
    CustomerSearch, CustomerSummary, Hits, MAX_DATES_ALONE_DAYS, MAX_PAGE, MAX_PAGE_SIZE,
    MIN_WORD_CHARS, OrderHit, OrderSearch, Paging, fold, matches_words, words,
};
