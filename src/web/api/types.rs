//! The API's request and response bodies: a stable contract for buyers' scripts, separate from
//! the domain types so the domain can change without breaking them. Amounts are strings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    Address, Availability, Delivery, Invoice, InvoiceLine, InvoiceSummary, LineQuantity, Money,
    Order, OrderLine, OrderSummary, Price, Product,
};

/// An amount of money.
#[derive(Serialize, ToSchema)]
pub struct MoneyBody {
    /// Decimal amount as a string, exact (`"12.40"`).
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
}

impl From<Money> for MoneyBody {
    fn from(m: Money) -> Self {
        Self {
            amount: m.amount.to_string(),
            currency: m.currency.to_string(),
        }
    }
}

/// A product in a list.
#[derive(Serialize, ToSchema)]
pub struct ProductSummary {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub unit: String,
}

/// A page of products.
#[derive(Serialize, ToSchema)]
pub struct ProductListResponse {
    pub items: Vec<ProductSummary>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub page_count: u32,
}

/// A product attribute.
#[derive(Serialize, ToSchema)]
pub struct AttributeBody {
    pub name: String,
    pub value: String,
}

/// One step of the caller's price ladder.
#[derive(Serialize, ToSchema)]
pub struct TierBody {
    pub min_quantity: u32,
    pub unit_price: String,
}

/// The caller's own price for a product.
#[derive(Serialize, ToSchema)]
pub struct PriceBody {
    pub currency: String,
    /// Price of one unit at quantity 1.
    pub unit_price: String,
    /// The quantity ladder, ascending.
    pub tiers: Vec<TierBody>,
    pub as_of: DateTime<Utc>,
}

impl From<Price> for PriceBody {
    fn from(p: Price) -> Self {
        Self {
            currency: p.currency.to_string(),
            unit_price: p.base().amount.to_string(),
            tiers: p
                .tiers
                .iter()
                .map(|t| TierBody {
                    min_quantity: t.min_quantity,
                    unit_price: t.unit_price.to_string(),
                })
                .collect(),
            as_of: p.as_of,
        }
    }
}

/// Live availability.
#[derive(Serialize, ToSchema)]
pub struct AvailabilityBody {
    /// Quantity available to promise now.
    pub available: u32,
    /// When more is expected.
    pub next_date: Option<NaiveDate>,
    pub as_of: DateTime<Utc>,
}

impl From<Availability> for AvailabilityBody {
    fn from(a: Availability) -> Self {
        Self {
            available: a.available,
            next_date: a.next_date,
            as_of: a.as_of,
        }
    }
}

/// A product with the caller's price and availability.
#[derive(Serialize, ToSchema)]
pub struct ProductResponse {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub unit: String,
    pub attributes: Vec<AttributeBody>,
    pub price: Option<PriceBody>,
    pub availability: Option<AvailabilityBody>,
}

impl ProductResponse {
    pub fn new(p: Product, price: Option<Price>, availability: Option<Availability>) -> Self {
        Self {
            sku: p.sku.to_string(),
            name: p.name,
            description: p.description,
            category: p.category,
            unit: p.unit,
            attributes: p
                .attributes
                .into_iter()
                .map(|a| AttributeBody {
                    name: a.name,
                    value: a.value,
                })
                .collect(),
            price: price.map(Into::into),
            availability: availability.map(Into::into),
        }
    }
}

/// One line of an order to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderLine {
    /// A SKU of the catalog: 1 to 40 of A-Z a-z 0-9 `-_.:#/`. An unknown SKU is 422.
    #[schema(pattern = r"^[A-Za-z0-9_.:#/-]{1,40}$", example = "FAS-1001")]
    pub sku: String,
    /// Whole sales units, 1 to 99999 (lines of one SKU are added up, and the sum too).
    #[schema(minimum = 1, maximum = 99999, example = 2)]
    #[serde(deserialize_with = "whole_number")]
    pub quantity: i64,
}

/// A JSON integer, also when written with a zero fraction (`2.0`), as JSON Schema's `integer`
/// allows; other fractions are refused.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(whole) = number.as_i64() {
        return Ok(whole);
    }
    match number.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!(
            "{number} is not a whole number"
        ))),
    }
}

/// An order to create. The ERP prices it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"po_number": "PO-4711", "lines": [{"sku": "FAS-1001", "quantity": 2}]}))]
pub struct CreateOrderRequest {
    /// The buyer's purchase order number: 1 to 35 characters, without control characters,
    /// bidirectional controls or zero-width characters.
    #[schema(
        pattern = r"^[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]{0,34}$",
        min_length = 1,
        max_length = 35
    )]
    pub po_number: String,
    /// A ship-to address id of the customer; the default ship-to when absent. One the
    /// customer does not have is 422.
    #[schema(pattern = r"^[A-Za-z0-9_.:#/-]{1,40}$")]
    pub ship_to: Option<String>,
    /// Requested delivery date, `YYYY-MM-DD`, from today to a year ahead (otherwise 422).
    pub requested_date: Option<NaiveDate>,
    /// A note for the seller: at most 1000 characters; line breaks and tabs, but no other
    /// control characters.
    #[schema(
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,1000}$",
        max_length = 1000
    )]
    pub note: Option<String>,
    /// 1 to 200 lines.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<CreateOrderLine>,
}

/// A postal address.
#[derive(Serialize, ToSchema)]
pub struct AddressBody {
    pub id: String,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub country: String,
}

impl From<Address> for AddressBody {
    fn from(a: Address) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name,
            street: a.street,
            postal_code: a.postal_code,
            city: a.city,
            country: a.country,
        }
    }
}

/// An order line as the ERP priced it.
#[derive(Serialize, ToSchema)]
pub struct OrderLineBody {
    pub sku: String,
    pub name: String,
    /// In `unit`; a fraction where the ERP sells by length or weight (2.5 m).
    #[schema(value_type = f64)]
    pub quantity: LineQuantity,
    pub unit: String,
    pub unit_price: MoneyBody,
    pub net: MoneyBody,
}

impl From<OrderLine> for OrderLineBody {
    fn from(l: OrderLine) -> Self {
        Self {
            sku: l.sku.to_string(),
            name: l.name,
            quantity: l.quantity,
            unit: l.unit,
            unit_price: l.unit_price.into(),
            net: l.net.into(),
        }
    }
}

/// A delivery with its tracking.
#[derive(Serialize, ToSchema)]
pub struct DeliveryBody {
    pub number: String,
    pub shipped_on: NaiveDate,
    pub carrier: String,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
}

impl From<Delivery> for DeliveryBody {
    fn from(d: Delivery) -> Self {
        Self {
            number: d.number,
            shipped_on: d.shipped_on,
            carrier: d.carrier,
            tracking_number: d.tracking_number,
            tracking_url: d.tracking_url,
        }
    }
}

/// An order as the ERP holds it.
#[derive(Serialize, ToSchema)]
pub struct OrderResponse {
    /// The ERP's order number.
    pub number: String,
    pub po_number: String,
    /// `received`, `confirmed`, `processing`, `partially_shipped`, `shipped`, `completed` or `cancelled`.
    pub status: String,
    pub placed_on: NaiveDate,
    pub ship_to: AddressBody,
    pub requested_date: Option<NaiveDate>,
    pub note: Option<String>,
    pub placed_by: Option<String>,
    pub lines: Vec<OrderLineBody>,
    pub net: MoneyBody,
    pub tax: MoneyBody,
    pub gross: MoneyBody,
    pub deliveries: Vec<DeliveryBody>,
}

impl From<Order> for OrderResponse {
    fn from(o: Order) -> Self {
        Self {
            number: o.number.to_string(),
            po_number: o.po_number,
            status: o.status.code().to_string(),
            placed_on: o.placed_on,
            ship_to: o.ship_to.into(),
            requested_date: o.requested_date,
            note: o.note,
            placed_by: o.placed_by,
            lines: o.lines.into_iter().map(Into::into).collect(),
            net: o.totals.net.into(),
            tax: o.totals.tax.into(),
            gross: o.totals.gross.into(),
            deliveries: o.deliveries.into_iter().map(Into::into).collect(),
        }
    }
}

/// An order in a list.
#[derive(Serialize, ToSchema)]
pub struct OrderSummaryBody {
    pub number: String,
    pub po_number: String,
    pub status: String,
    pub placed_on: NaiveDate,
    pub gross: MoneyBody,
}

impl From<OrderSummary> for OrderSummaryBody {
    fn from(o: OrderSummary) -> Self {
        Self {
            number: o.number.to_string(),
            po_number: o.po_number,
            status: o.status.code().to_string(),
            placed_on: o.placed_on,
            gross: o.gross.into(),
        }
    }
}

/// The caller's orders, newest first.
#[derive(Serialize, ToSchema)]
pub struct OrderListResponse {
    pub items: Vec<OrderSummaryBody>,
}

/// An invoice line.
#[derive(Serialize, ToSchema)]
pub struct InvoiceLineBody {
    pub sku: Option<String>,
    pub description: String,
    /// A fraction where the ERP bills by length or weight (2.5 m); 0 on a text line.
    #[schema(value_type = f64)]
    pub quantity: LineQuantity,
    pub unit_price: MoneyBody,
    pub net: MoneyBody,
}

impl From<InvoiceLine> for InvoiceLineBody {
    fn from(l: InvoiceLine) -> Self {
        Self {
            sku: l.sku.map(|s| s.to_string()),
            description: l.description,
            quantity: l.quantity,
            unit_price: l.unit_price.into(),
            net: l.net.into(),
        }
    }
}

/// An invoice in a list.
#[derive(Serialize, ToSchema)]
pub struct InvoiceSummaryBody {
    pub number: String,
    pub order_number: Option<String>,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub gross: MoneyBody,
    pub open_amount: MoneyBody,
    /// `open` or `paid`.
    pub status: String,
}

fn invoice_status(s: crate::domain::InvoiceStatus) -> String {
    s.label().to_lowercase()
}

impl From<InvoiceSummary> for InvoiceSummaryBody {
    fn from(i: InvoiceSummary) -> Self {
        Self {
            number: i.number.to_string(),
            order_number: i.order_number.map(|n| n.to_string()),
            issued_on: i.issued_on,
            due_on: i.due_on,
            gross: i.gross.into(),
            open_amount: i.open_amount.into(),
            status: invoice_status(i.status),
        }
    }
}

/// The caller's invoices, newest first.
#[derive(Serialize, ToSchema)]
pub struct InvoiceListResponse {
    pub items: Vec<InvoiceSummaryBody>,
}

/// An invoice with its lines.
#[derive(Serialize, ToSchema)]
pub struct InvoiceResponse {
    pub number: String,
    pub order_number: Option<String>,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub net: MoneyBody,
    pub tax: MoneyBody,
    pub gross: MoneyBody,
    pub open_amount: MoneyBody,
    pub status: String,
    pub lines: Vec<InvoiceLineBody>,
}

impl From<Invoice> for InvoiceResponse {
    fn from(i: Invoice) -> Self {
        Self {
            number: i.number.to_string(),
            order_number: i.order_number.map(|n| n.to_string()),
            issued_on: i.issued_on,
            due_on: i.due_on,
            net: i.net.into(),
            tax: i.tax.into(),
            gross: i.gross.into(),
            open_amount: i.open_amount.into(),
            status: invoice_status(i.status),
            lines: i.lines.into_iter().map(Into::into).collect(),
        }
    }
}

/// Support contact in error bodies.
#[derive(Serialize, ToSchema)]
pub struct SupportBody {
    pub phone: String,
    pub email: String,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable word for what went wrong.
    #[schema(example = "not_found")]
    pub code: ErrorCode,
    /// Safe to show to a person.
    pub message: String,
    pub support: SupportBody,
}

/// The `code` of an error answer.
#[derive(Serialize, ToSchema)]
#[expect(
    dead_code,
    reason = "describes the codes in the document; bodies are written from AppError::code"
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    BadRequest,
    Unauthorized,
    Rejected,
    Unprocessable,
    ErpUnavailable,
    ErpTimeout,
    Busy,
    PayloadTooLarge,
    RequestTimeout,
    MethodNotAllowed,
    UnsupportedMediaType,
    TooManyAttempts,
    Internal,
}

/// Every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}
