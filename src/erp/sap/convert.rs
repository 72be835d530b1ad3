//! SAP's wire entities turned into the domain: names in the configured language, money in the
//! document currency, SAP's status codes in words a buyer understands, and buyer-safe reasons
//! for refused orders.

use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::config::SapConfig;
use super::errors::ErrorBody;
use super::odata::parse_datetime;
use super::pricing::unit_price;
use super::wire;
use crate::domain::{
    Address, Attribute, Availability, Currency, CustomerId, IdempotencyKey, Invoice, InvoiceLine,
    InvoiceNumber, InvoiceStatus, LineQuantity, Money, NewOrder, Order, OrderLine, OrderNumber,
    OrderStatus, OrderSummary, OrderTotals, Product, Sku,
};
use crate::erp::{ErpError, ErpResult};

fn invalid(what: &str, error: impl std::fmt::Display) -> ErpError {
    ErpError::invalid_data(format!("SAP {what}: {error}"))
}

fn currency(code: &str) -> ErpResult<Currency> {
    Currency::parse(code).map_err(|_| invalid("currency", format!("{code:?} is not ISO 4217")))
}

/// A product; its name is the description in `language`, else the first one, else the SKU.
pub fn product(p: wire::Product, language: &str) -> ErpResult<Product> {
    let sku = Sku::parse(&p.product).map_err(|e| invalid("product number", e))?;
    let name = p
        .descriptions
        .results
        .iter()
        .find(|d| d.language.eq_ignore_ascii_case(language))
        .or(p.descriptions.results.first())
        .map_or_else(|| p.product.clone(), |d| d.product_description.clone());
    let mut attributes = Vec::new();
    if let Some(weight) = p.gross_weight.filter(|w| !w.is_zero()) {
        attributes.push(Attribute {
            name: "Gross weight".into(),
            value: format!("{} {}", weight.normalize(), p.weight_unit)
                .trim()
                .to_owned(),
        });
    }
    if !p.product_type.is_empty() {
        attributes.push(Attribute {
            name: "Product type".into(),
            value: p.product_type.clone(),
        });
    }
    Ok(Product {
        sku,
        description: name.clone(),
        name,
        category: p.product_group,
        unit: p.base_unit,
        attributes,
    })
}

/// Available now: the period covering `now`; next date: the start of the first later period
/// with more.
pub fn availability(
    sku: Sku,
    mut records: Vec<wire::AvailabilityRecord>,
    now: DateTime<Utc>,
) -> ErpResult<Availability> {
    let mut periods = Vec::with_capacity(records.len());
    for r in records.drain(..) {
        let start = parse_datetime(&r.period_start)
            .ok_or_else(|| invalid("availability period", &r.period_start))?;
        periods.push((start, r.available_quantity_in_base_unit));
    }
    periods.sort_by_key(|p| p.0);
    let current = periods
        .iter()
        .rev()
        .find(|p| p.0 <= now)
        .map_or(Decimal::ZERO, |p| p.1);
    let next_date = periods
        .iter()
        .find(|p| p.0 > now && p.1 > current)
        .map(|p| p.0.date_naive());
    let available = current
        .max(Decimal::ZERO)
        .trunc()
        .try_into()
        .unwrap_or(u32::MAX);
    Ok(Availability {
        sku,
        available,
        next_date,
        as_of: now,
    })
}

fn line_quantity(quantity: Decimal) -> ErpResult<LineQuantity> {
    LineQuantity::new(quantity)
        .ok_or_else(|| invalid("quantity", format!("{quantity} is negative")))
}

fn status(o: &wire::SalesOrder) -> OrderStatus {
    match (
        o.rejection_status.as_str(),
        o.overall_s_d_process_status.as_str(),
        o.overall_total_delivery_status.as_str(),
    ) {
        ("C", _, _) => OrderStatus::Cancelled,
        (_, "C", _) => OrderStatus::Completed,
        (_, _, "C") => OrderStatus::Shipped,
        (_, _, "B") => OrderStatus::PartiallyShipped,
        (_, "B", _) => OrderStatus::Processing,
        _ if !o.total_block_status.is_empty() => OrderStatus::Received,
        _ => OrderStatus::Confirmed,
    }
}

fn lines_and_totals(o: &wire::SalesOrder) -> ErpResult<(Vec<OrderLine>, OrderTotals)> {
    let currency = currency(&o.transaction_currency)?;
    let mut lines = Vec::with_capacity(o.items.results.len());
    let (mut net, mut tax) = (Decimal::ZERO, Decimal::ZERO);
    for item in &o.items.results {
        net += item.net_amount;
        // Releases before 2021 have no item tax: the order then shows no tax.
        tax += item.tax_amount.unwrap_or_default();
        // A text item (no material) carries words for the warehouse, not goods.
        if item.material.is_empty() {
            continue;
        }
        let sku = Sku::parse(&item.material).map_err(|e| invalid("order item material", e))?;
        lines.push(OrderLine {
            sku,
            name: item.sales_order_item_text.clone(),
            quantity: line_quantity(item.requested_quantity)?,
            unit: item.requested_quantity_unit.clone(),
            unit_price: Money::new(
                unit_price(item.net_amount, item.requested_quantity),
                currency,
            ),
            net: Money::new(item.net_amount, currency),
            // What shipped is in the outbound deliveries, which are not read.
            shipped: None,
        });
    }
    let totals = OrderTotals {
        net: Money::new(net, currency),
        tax: Money::new(tax, currency),
        gross: Money::new(net + tax, currency),
    };
    Ok((lines, totals))
}

/// An order in a list (items expanded for the tax).
pub fn order_summary(o: wire::SalesOrder) -> ErpResult<OrderSummary> {
    let (_, totals) = lines_and_totals(&o)?;
    Ok(OrderSummary {
        number: OrderNumber::parse(&o.sales_order).map_err(|e| invalid("order number", e))?,
        po_number: o.purchase_order_by_customer.clone(),
        status: status(&o),
        placed_on: o.creation_date,
        gross: totals.gross,
    })
}

/// A whole order; the note, key and placed-by come from the header texts.
pub fn order(o: wire::SalesOrder, config: &SapConfig, ship_to: Address) -> ErpResult<Order> {
    let (lines, totals) = lines_and_totals(&o)?;
    let text = |id: &str| {
        o.texts
            .results
            .iter()
            .find(|t| t.long_text_id == id)
            .map(|t| t.long_text.clone())
            .filter(|t| !t.is_empty())
    };
    Ok(Order {
        number: OrderNumber::parse(&o.sales_order).map_err(|e| invalid("order number", e))?,
        customer: CustomerId::parse(&o.sold_to_party).map_err(|e| invalid("sold-to party", e))?,
        po_number: o.purchase_order_by_customer.clone(),
        status: status(&o),
        placed_on: o.creation_date,
        ship_to,
        requested_date: o.requested_delivery_date,
        note: text(&config.note_text_id),
        placed_by: text(&config.placed_by_text_id),
        idempotency_key: text(&config.key_text_id)
            .and_then(|k| IdempotencyKey::parse(k.trim()).ok()),
        lines,
        totals,
        // Deliveries live in another API; `SapErp::read_deliveries` adds them.
        deliveries: Vec::new(),
    })
}

/// An invoice. SAP's billing API has neither a due date nor an open amount: the due date is the
/// billing date plus the configured payment days, and a document is paid once cleared.
pub fn invoice(d: wire::BillingDocument, payment_days: u32) -> ErpResult<Invoice> {
    let currency = currency(&d.transaction_currency)?;
    let money = |amount| Money::new(amount, currency);
    let paid = d.invoice_clearing_status == "C";
    let lines = d
        .items
        .results
        .iter()
        .map(|item| {
            Ok(InvoiceLine {
                sku: Sku::parse(&item.material).ok(),
                description: item.billing_document_item_text.clone(),
                quantity: line_quantity(item.billing_quantity)?,
                unit_price: money(unit_price(item.net_amount, item.billing_quantity)),
                net: money(item.net_amount),
            })
        })
        .collect::<ErpResult<Vec<_>>>()?;
    let order_number = d
        .items
        .results
        .iter()
        .find(|i| !i.sales_document.is_empty())
        .and_then(|i| OrderNumber::parse(&i.sales_document).ok());
    let issued_on: NaiveDate = d.billing_document_date;
    Ok(Invoice {
        number: InvoiceNumber::parse(&d.billing_document)
            .map_err(|e| invalid("billing document number", e))?,
        customer: CustomerId::parse(&d.sold_to_party).map_err(|e| invalid("sold-to party", e))?,
        order_number,
        issued_on,
        due_on: issued_on + Days::new(u64::from(payment_days)),
        net: money(d.total_net_amount),
        tax: money(d.tax_amount),
        gross: money(d.total_gross_amount),
        open_amount: money(if paid {
            Decimal::ZERO
        } else {
            d.total_gross_amount
        }),
        status: if paid {
            InvoiceStatus::Paid
        } else {
            InvoiceStatus::Open
        },
        lines,
    })
}

/// A download name that is safe in a header and on any file system.
pub fn document_filename(number: &InvoiceNumber) -> String {
    let safe: String = number
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("invoice-{safe}.pdf")
}

/// SAP message codes whose meaning is safe to tell the buyer, in the buyer's words.
const KNOWN_REFUSALS: &[(&str, &str)] = &[
    (
        "V4/115",
        "An order with this PO number already exists. Please use another PO number.",
    ),
    (
        "V1/555",
        "Your account is blocked for orders. Please contact us.",
    ),
];

/// A buyer-safe reason for a refused order: a known message in our own words, the SKU of a
/// refused item, or a general sentence; SAP's own text only goes to the log.
pub fn rejection_reason(body: &ErrorBody, order: &NewOrder) -> String {
    for code in body.codes() {
        if let Some((_, reason)) = KNOWN_REFUSALS.iter().find(|(known, _)| *known == code) {
            return (*reason).to_owned();
        }
    }
    for detail in &body.innererror.errordetails {
        if let Some(sku) = item_of(&detail.target).and_then(|i| order.lines.get(i)) {
            return format!(
                "{} cannot be ordered as requested. Please check it or contact us.",
                sku.sku
            );
        }
    }
    "The order could not be accepted. Please check it or contact us.".into()
}

/// The index of the order line an error target like `to_Item('20')/Material` or
/// `/A_SalesOrderItem(SalesOrder='',SalesOrderItem='20')/Material` points at.
fn item_of(target: &str) -> Option<usize> {
    let start = target.find("Item")?;
    let rest = &target[start..];
    let digits: String = rest
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let number: usize = digits.parse().ok()?;
    (number >= 10 && number.is_multiple_of(10)).then(|| number / 10 - 1)
}
