//! The demo data files as they are written on disk, and the error for data that does not load.
//!
//! Records reuse the domain's identifier types, so an id that the domain parsers refuse fails
//! parsing with the file named. Cross-record checks live in `load`.

use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::pricing::PriceList;
use crate::domain::{
    Address, AddressId, Attribute, Category, CustomerId, Delivery, InvoiceNumber, InvoiceStatus,
    OrderNumber, OrderStatus, Quantity, Sku,
};

/// The demo data files, by name.
pub(super) const CATEGORIES: &str = "categories.json";
pub(super) const PRODUCTS: &str = "products.json";
pub(super) const CUSTOMERS: &str = "customers.json";
pub(super) const ORDERS: &str = "orders.json";
pub(super) const INVOICES: &str = "invoices.json";

/// Why the demo data could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum DemoDataError {
    /// A file could not be read.
    #[error("cannot read demo data file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// A file is not valid JSON or a record does not have the expected shape.
    #[error("demo data file {file} is malformed: {error}")]
    Parse {
        /// The file name.
        file: &'static str,
        /// What serde said, with line and column.
        error: serde_json::Error,
    },
    /// A record parses but contradicts itself or another record.
    #[error("demo data file {file}, {record}: {problem}")]
    Invalid {
        /// The file name.
        file: &'static str,
        /// The record, such as `order SO-100231`.
        record: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl DemoDataError {
    pub(super) fn invalid(
        file: &'static str,
        record: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            file,
            record: record.into(),
            problem: problem.into(),
        }
    }
}

/// The raw text of the five files.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sources<'a> {
    pub categories: &'a str,
    pub products: &'a str,
    pub customers: &'a str,
    pub orders: &'a str,
    pub invoices: &'a str,
}

/// Parses one file, naming it in the error.
pub(super) fn parse<T: DeserializeOwned>(
    file: &'static str,
    text: &str,
) -> Result<T, DemoDataError> {
    serde_json::from_str(text).map_err(|error| DemoDataError::Parse { file, error })
}

/// A catalog entry with what only the ERP knows: list price and stock.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProductRecord {
    pub sku: Sku,
    pub name: String,
    pub description: String,
    pub category: String,
    pub unit: String,
    pub attributes: Vec<Attribute>,
    #[serde(with = "rust_decimal::serde::str")]
    pub list_price: Decimal,
    pub stock: u32,
    pub next_receipt: Option<NaiveDate>,
}

/// A customer and its price list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CustomerRecord {
    pub id: CustomerId,
    pub name: String,
    pub currency: crate::domain::Currency,
    pub bill_to: Address,
    pub ship_tos: Vec<Address>,
    #[serde(default)]
    pub price_list: PriceList,
}

/// An order line with the price the ERP charged when the order was placed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OrderLineRecord {
    pub sku: Sku,
    pub quantity: Quantity,
    /// How much has shipped; only a partially shipped order names it (otherwise its status says).
    #[serde(default)]
    pub shipped: Option<u32>,
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
}

/// Stored amounts, checked against the lines on load.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TotalsRecord {
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
}

/// A past order. The ship-to is an id of one of the customer's addresses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OrderRecord {
    pub number: OrderNumber,
    pub customer: CustomerId,
    pub po_number: String,
    pub status: OrderStatus,
    pub placed_on: NaiveDate,
    pub ship_to: AddressId,
    #[serde(default)]
    pub requested_date: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub placed_by: Option<String>,
    pub lines: Vec<OrderLineRecord>,
    pub totals: TotalsRecord,
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

/// An invoice line; `sku` is absent for lines that are not for a product (freight, fees).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InvoiceLineRecord {
    #[serde(default)]
    pub sku: Option<Sku>,
    pub description: String,
    pub quantity: Quantity,
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
}

/// A past invoice with its stored amounts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InvoiceRecord {
    pub number: InvoiceNumber,
    pub customer: CustomerId,
    #[serde(default)]
    pub order_number: Option<OrderNumber>,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub status: InvoiceStatus,
    pub lines: Vec<InvoiceLineRecord>,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub open_amount: Decimal,
}

/// Every file parsed, not yet cross-checked.
pub(super) struct Records {
    pub categories: Vec<Category>,
    pub products: Vec<ProductRecord>,
    pub customers: Vec<CustomerRecord>,
    pub orders: Vec<OrderRecord>,
    pub invoices: Vec<InvoiceRecord>,
}

impl Records {
    pub(super) fn parse(sources: Sources<'_>) -> Result<Self, DemoDataError> {
        Ok(Self {
            categories: parse(CATEGORIES, sources.categories)?,
            products: parse(PRODUCTS, sources.products)?,
            customers: parse(CUSTOMERS, sources.customers)?,
            orders: parse(ORDERS, sources.orders)?,
            invoices: parse(INVOICES, sources.invoices)?,
        })
    }
}
