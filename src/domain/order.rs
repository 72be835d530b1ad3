//! Sales orders: what a buyer submits, and what the ERP holds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{
    Address, AddressId, CustomerId, IdempotencyKey, LineQuantity, Money, OrderNumber, Sku, text,
};

/// A quantity to order: a whole number of sales units, at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

/// Why a quantity was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Zero or negative.
    #[error("quantity must be at least 1")]
    TooSmall,
    /// More than any single order line may carry.
    #[error("quantity must be at most {}", Quantity::MAX)]
    TooLarge,
}

impl Quantity {
    /// The largest quantity a line may carry.
    pub const MAX: u32 = 99_999;

    /// Checks the bounds.
    pub fn new(value: i64) -> Result<Self, QuantityError> {
        if value < 1 {
            Err(QuantityError::TooSmall)
        } else if value > i64::from(Self::MAX) {
            Err(QuantityError::TooLarge)
        } else {
            Ok(Self(value as u32))
        }
    }

    /// The quantity as a number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = QuantityError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

/// One line of an order to be placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrderLine {
    /// The product.
    pub sku: Sku,
    /// How many sales units.
    pub quantity: Quantity,
}

/// An order as the buyer submits it. The ERP prices it; the gateway never sends prices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    /// The customer it is for.
    pub customer: CustomerId,
    /// The buyer's purchase order number.
    pub po_number: String,
    /// The ship-to; the customer's default when absent.
    pub ship_to: Option<AddressId>,
    /// The delivery date the buyer asks for.
    pub requested_date: Option<NaiveDate>,
    /// A note for the seller.
    pub note: Option<String>,
    /// The lines, one per SKU.
    pub lines: Vec<NewOrderLine>,
    /// Who placed it when not the buyer themself (a service rep), recorded on the ERP order.
    pub placed_by: Option<String>,
}

impl NewOrder {
    /// Longest PO number accepted (SAP's `PurchaseOrderByCustomer` holds 35).
    pub const MAX_PO_LEN: usize = 35;
    /// Longest note accepted.
    pub const MAX_NOTE_LEN: usize = 1000;
    /// Most lines one order may have.
    pub const MAX_LINES: usize = 200;
}

/// Where an order stands, in words a buyer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Received by the ERP, not yet confirmed.
    Received,
    /// Confirmed by the seller.
    Confirmed,
    /// Being picked and packed.
    Processing,
    /// Some deliveries have left.
    PartiallyShipped,
    /// Everything has left.
    Shipped,
    /// Delivered and complete.
    Completed,
    /// Cancelled.
    Cancelled,
}

impl OrderStatus {
    /// The status as shown to a buyer.
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::Confirmed => "Confirmed",
            Self::Processing => "In progress",
            Self::PartiallyShipped => "Partially shipped",
            Self::Shipped => "Shipped",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
        }
    }

    /// The status as a stable machine word (`partially_shipped`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Confirmed => "confirmed",
            Self::Processing => "processing",
            Self::PartiallyShipped => "partially_shipped",
            Self::Shipped => "shipped",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One line of an order the ERP holds, as the ERP priced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The product.
    pub sku: Sku,
    /// Its name at the time of ordering.
    pub name: String,
    /// How much was ordered, in `unit` (2.5 for metres of cable).
    pub quantity: LineQuantity,
    /// The unit of measure.
    pub unit: String,
    /// The price per unit.
    pub unit_price: Money,
    /// The line's net amount.
    pub net: Money,
    /// How much of it has left the warehouse, in `unit`; `None` when the ERP cannot say.
    #[serde(default)]
    pub shipped: Option<LineQuantity>,
}

/// The amounts of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderTotals {
    /// Before tax.
    pub net: Money,
    /// Tax.
    pub tax: Money,
    /// To pay.
    pub gross: Money,
}

/// A delivery (shipment) of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The ERP's delivery number.
    pub number: String,
    /// When it left.
    pub shipped_on: NaiveDate,
    /// Who carries it.
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: Option<String>,
    /// Where to track it, when the carrier offers a page.
    pub tracking_url: Option<String>,
}

impl Delivery {
    /// The tracking page to link to: only an `http(s)` address, since the URL comes from the ERP
    /// (or its carrier module) and a `javascript:` one must never become a link.
    pub fn tracking_link(&self) -> Option<&str> {
        self.tracking_url.as_deref().map(str::trim).filter(|u| {
            let lower = u.to_ascii_lowercase();
            (lower.starts_with("https://") || lower.starts_with("http://"))
                && !u.contains(char::is_whitespace)
        })
    }
}

/// A sales order as the ERP holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The ERP's order number.
    pub number: OrderNumber,
    /// The customer.
    pub customer: CustomerId,
    /// The buyer's purchase order number.
    pub po_number: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// When it was placed.
    pub placed_on: NaiveDate,
    /// Where it goes.
    pub ship_to: Address,
    /// The delivery date asked for.
    pub requested_date: Option<NaiveDate>,
    /// The buyer's note.
    pub note: Option<String>,
    /// Who placed it for the customer (a service rep), if not the buyer.
    pub placed_by: Option<String>,
    /// The key it was submitted with, if it came through a gateway.
    pub idempotency_key: Option<IdempotencyKey>,
    /// Its lines.
    pub lines: Vec<OrderLine>,
    /// Its amounts.
    pub totals: OrderTotals,
    /// Its deliveries so far.
    pub deliveries: Vec<Delivery>,
}

impl Order {
    /// Whether the ERP says, for any line, how much has shipped.
    pub fn knows_shipped(&self) -> bool {
        self.lines.iter().any(|l| l.shipped.is_some())
    }

    /// The order in a line of a list.
    pub fn summary(&self) -> OrderSummary {
        OrderSummary {
            number: self.number.clone(),
            po_number: self.po_number.clone(),
            status: self.status,
            placed_on: self.placed_on,
            gross: self.totals.gross,
        }
    }
}

/// An order in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    /// The ERP's order number.
    pub number: OrderNumber,
    /// The buyer's purchase order number.
    pub po_number: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// When it was placed.
    pub placed_on: NaiveDate,
    /// Its total to pay.
    pub gross: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_tracking_links() {
        let delivery = |url: &str| Delivery {
            number: "D1".into(),
            shipped_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            carrier: "DHL".into(),
            tracking_number: Some("1".into()),
            tracking_url: Some(url.into()),
        };
        let link = |url: &str| delivery(url).tracking_link().map(str::to_owned);
        assert_eq!(
            link("https://track.example/?id=1").as_deref(),
            Some("https://track.example/?id=1")
        );
        assert_eq!(
            link(" HTTP://t.example/1 ").as_deref(),
            Some("HTTP://t.example/1")
        );
        assert_eq!(link("javascript:alert(1)"), None);
        assert_eq!(link("data:text/html,x"), None);
        assert_eq!(link("//t.example/1"), None);
        assert_eq!(link("https://t.example/a b"), None);
    }

    #[test]
    fn quantities_are_bounded() {
        assert_eq!(Quantity::new(0), Err(QuantityError::TooSmall));
        assert_eq!(Quantity::new(-5), Err(QuantityError::TooSmall));
        assert_eq!(Quantity::new(100_000), Err(QuantityError::TooLarge));
        assert_eq!(Quantity::new(3).unwrap().get(), 3);
        assert!(serde_json::from_str::<Quantity>("-1").is_err());
        assert!(serde_json::from_str::<Quantity>("1.5").is_err());
        assert!(serde_json::from_str::<Quantity>("1e12").is_err());
    }
}

/// Why an order cannot be submitted as it is; each message is safe to show the buyer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidOrder(pub String);

impl NewOrder {
    /// Checks what the gateway can check before asking the ERP, and merges lines of one SKU.
    pub fn validated(mut self, today: NaiveDate) -> Result<Self, InvalidOrder> {
        let fail = |m: &str| Err(InvalidOrder(m.to_string()));
        self.po_number = self.po_number.trim().to_string();
        if self.po_number.is_empty() {
            return fail("Please enter your purchase order (PO) number.");
        }
        if self.po_number.chars().count() > Self::MAX_PO_LEN
            || self.po_number.chars().any(char::is_control)
        {
            return fail(
                "The PO number may have at most 35 characters and no line breaks or control characters.",
            );
        }
        if text::has_invisible_formatting(&self.po_number) {
            return fail(
                "The PO number contains invisible characters (such as text-direction marks or zero-width spaces). Please type it again.",
            );
        }
        self.note = self
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        if self.note.as_deref().is_some_and(text::has_control_chars) {
            return fail(
                "The note contains control characters that cannot be sent. Please remove them (line breaks are fine).",
            );
        }
        if self
            .note
            .as_ref()
            .is_some_and(|n| n.chars().count() > Self::MAX_NOTE_LEN)
        {
            return fail("The note may have at most 1000 characters.");
        }
        if let Some(date) = self.requested_date {
            if date < today {
                return fail("The requested delivery date is in the past.");
            }
            if date > today + chrono::Days::new(366) {
                return fail("The requested delivery date is more than a year ahead.");
            }
        }
        let mut merged: Vec<NewOrderLine> = Vec::with_capacity(self.lines.len());
        for line in self.lines {
            match merged.iter_mut().find(|l| l.sku == line.sku) {
                Some(existing) => {
                    let sum = i64::from(existing.quantity.get()) + i64::from(line.quantity.get());
                    existing.quantity = Quantity::new(sum)
                        .map_err(|e| InvalidOrder(format!("{}: {e}", line.sku)))?;
                }
                None => merged.push(line),
            }
        }
        if merged.is_empty() {
            return fail("The order has no lines.");
        }
        if merged.len() > Self::MAX_LINES {
            return fail("An order may have at most 200 lines.");
        }
        self.lines = merged;
        Ok(self)
    }
}
