//! Invoices (billing documents) and their printable documents.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CustomerId, InvoiceNumber, LineQuantity, Money, OrderNumber, Sku};

/// Whether an invoice still has something to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Not fully paid.
    Open,
    /// Paid in full.
    Paid,
}

impl InvoiceStatus {
    /// The status as shown to a buyer.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Paid => "Paid",
        }
    }
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// The product, when the line is for one.
    pub sku: Option<Sku>,
    /// What was billed.
    pub description: String,
    /// How much, in the unit the ERP billed (2.5 for metres of cable; 0 on a text line).
    pub quantity: LineQuantity,
    /// Price per unit.
    pub unit_price: Money,
    /// Net amount of the line.
    pub net: Money,
}

/// An invoice as the ERP holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// The ERP's invoice number.
    pub number: InvoiceNumber,
    /// The customer billed.
    pub customer: CustomerId,
    /// The order it bills, if one.
    pub order_number: Option<OrderNumber>,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// Payment due date.
    pub due_on: NaiveDate,
    /// Net amount.
    pub net: Money,
    /// Tax amount.
    pub tax: Money,
    /// Gross amount.
    pub gross: Money,
    /// What remains to be paid.
    pub open_amount: Money,
    /// Open or paid.
    pub status: InvoiceStatus,
    /// Its lines.
    pub lines: Vec<InvoiceLine>,
}

impl Invoice {
    /// The invoice in a line of a list.
    pub fn summary(&self) -> InvoiceSummary {
        InvoiceSummary {
            number: self.number.clone(),
            order_number: self.order_number.clone(),
            issued_on: self.issued_on,
            due_on: self.due_on,
            gross: self.gross,
            open_amount: self.open_amount,
            status: self.status,
        }
    }
}

/// An invoice in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    /// The ERP's invoice number.
    pub number: InvoiceNumber,
    /// The order it bills, if one.
    pub order_number: Option<OrderNumber>,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// Payment due date.
    pub due_on: NaiveDate,
    /// Gross amount.
    pub gross: Money,
    /// What remains to be paid.
    pub open_amount: Money,
    /// Open or paid.
    pub status: InvoiceStatus,
}

impl InvoiceSummary {
    /// The invoices among `invoices` that bill `order`: those naming it, which is what every
    /// adapter's invoices say about their orders.
    pub fn of_order(invoices: Vec<InvoiceSummary>, order: &OrderNumber) -> Vec<InvoiceSummary> {
        invoices
            .into_iter()
            .filter(|i| i.order_number.as_ref() == Some(order))
            .collect()
    }

    /// Open and past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == InvoiceStatus::Open && self.due_on < today
    }
}

/// A printable document (an invoice PDF) as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The media type, `application/pdf` for invoices.
    pub content_type: String,
    /// A safe file name to offer on download.
    pub filename: String,
    /// The content.
    pub bytes: bytes::Bytes,
}
