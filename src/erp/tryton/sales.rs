//! A sale read from Tryton as an order: which sale field holds which order field (the PO
//! number in `reference`, the idempotency key in `description`, the note and who placed the
//! order in `comment`, the requested date in `shipping_date`), and how sale states read to a
//! buyer.

use super::pricing::unit_amount;
use super::shipping;
use super::wire::{Record, whole_quantity};
use crate::domain::{
    Address, AddressId, Currency, CustomerId, IdempotencyKey, Money, Order, OrderLine, OrderNumber,
    OrderStatus, OrderSummary, OrderTotals, Sku,
};
use crate::erp::{ErpError, ErpResult};

/// What the sale's `description` holds for an order placed through the gateway.
const KEY_PREFIX: &str = "erpfront-key:";
/// The line the sale's `comment` ends with when someone placed the order for the customer.
const PLACED_BY: &str = "Placed for the customer by ";

pub(super) fn key_tag(key: &IdempotencyKey) -> String {
    format!("{KEY_PREFIX}{key}")
}

/// The sale's comment: the buyer's note, then who placed the order for the customer.
pub(super) fn comment(note: Option<&str>, placed_by: Option<&str>) -> Option<String> {
    let placed_by = placed_by.map(|p| format!("{PLACED_BY}{}", p.replace(['\r', '\n'], " ")));
    match (note, placed_by) {
        (Some(note), Some(placed_by)) => Some(format!("{note}\n\n{placed_by}")),
        (Some(note), None) => Some(note.to_owned()),
        (None, placed_by) => placed_by,
    }
}

/// The note and who placed the order, from a comment [`comment`] wrote.
fn split_comment(comment: &str) -> (Option<String>, Option<String>) {
    let (rest, last) = comment.rsplit_once('\n').unwrap_or(("", comment));
    let (note, placed_by) = match last.strip_prefix(PLACED_BY) {
        Some(name) => (rest, Some(name.trim().to_owned())),
        None => (comment, None),
    };
    let note = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
    (note, placed_by)
}

pub(super) const SUMMARY_FIELDS: [&str; 9] = [
    "number",
    "reference",
    "state",
    "shipment_state",
    "sale_date",
    "quotation_date",
    "create_date",
    "total_amount",
    "currency.code",
];

/// The sale fields an order needs besides [`SUMMARY_FIELDS`]; `shipping` adds those of its
/// deliveries.
pub(super) const ORDER_FIELDS: [&str; 21] = [
    "description",
    "comment",
    "shipping_date",
    "party.name",
    "untaxed_amount",
    "tax_amount",
    "shipment_address",
    "shipment_address.party_name",
    "shipment_address.street",
    "shipment_address.postal_code",
    "shipment_address.city",
    "shipment_address.country.code",
    "lines",
    "lines.type",
    "lines.product.code",
    "lines.product.name",
    "lines.description",
    "lines.quantity",
    "lines.unit.symbol",
    "lines.unit_price",
    "lines.amount",
];

/// How a Tryton sale's state reads to a buyer.
fn status(state: &str, shipment_state: Option<&str>) -> ErpResult<OrderStatus> {
    Ok(match (state, shipment_state) {
        ("draft" | "quotation", _) => OrderStatus::Received,
        ("confirmed", _) => OrderStatus::Confirmed,
        ("processing", Some("sent")) => OrderStatus::Shipped,
        ("processing", Some("partially shipped")) => OrderStatus::PartiallyShipped,
        ("processing", _) => OrderStatus::Processing,
        ("done", _) => OrderStatus::Completed,
        ("cancelled", _) => OrderStatus::Cancelled,
        (other, _) => return Err(ErpError::invalid_data(format!("sale state {other:?}"))),
    })
}

pub(super) fn currency(record: &Record<'_>) -> ErpResult<Currency> {
    let code = record
        .related("currency")?
        .ok_or_else(|| ErpError::invalid_data("a document without a currency"))?
        .str("code")?;
    Currency::parse(code).map_err(|_| ErpError::invalid_data(format!("currency code {code:?}")))
}

pub(super) fn summary(record: &Record<'_>) -> ErpResult<OrderSummary> {
    let number = record.str("number")?;
    let placed_on = [
        record.opt_date("sale_date")?,
        record.opt_date("quotation_date")?,
        record.opt_date("create_date")?,
    ]
    .into_iter()
    .flatten()
    .next()
    .ok_or_else(|| ErpError::invalid_data(format!("sale {number} has no date")))?;
    Ok(OrderSummary {
        number: OrderNumber::parse(number)
            .map_err(|e| ErpError::invalid_data(format!("sale number {number:?}: {e}")))?,
        po_number: record.text("reference")?,
        status: status(record.str("state")?, record.opt_str("shipment_state")?)?,
        placed_on,
        gross: Money::new(record.decimal("total_amount")?, currency(record)?),
    })
}

pub(super) fn order(record: &Record<'_>, customer: &CustomerId) -> ErpResult<Order> {
    let summary = summary(record)?;
    let currency = summary.gross.currency;
    let money = |amount| Money::new(amount, currency);
    let (note, placed_by, key) = match record
        .opt_str("description")?
        .and_then(|d| d.strip_prefix(KEY_PREFIX))
    {
        Some(key) => {
            let (note, placed_by) = split_comment(&record.text("comment")?);
            (note, placed_by, IdempotencyKey::parse(key).ok())
        }
        None => (record.opt_str("comment")?.map(str::to_owned), None, None),
    };
    let party_name = match record.related("party")? {
        Some(party) => party.text("name")?,
        None => String::new(),
    };
    let address = record.related("shipment_address")?.ok_or_else(|| {
        ErpError::invalid_data(format!("sale {} has no shipment address", summary.number))
    })?;
    let mut lines = Vec::new();
    for line in record.related_list("lines")? {
        let Some(product) = line.related("product")? else {
            continue; // comments, titles, and lines with no product have no SKU
        };
        if line.opt_str("type")? != Some("line") {
            continue;
        }
        let code = product.str("code")?;
        lines.push(OrderLine {
            sku: Sku::parse(code)
                .map_err(|e| ErpError::invalid_data(format!("product code {code:?}: {e}")))?,
            name: product.str("name")?.to_owned(),
            quantity: whole_quantity(code, line.float("quantity")?)?.into(),
            unit: line
                .related("unit")?
                .map(|u| u.text("symbol"))
                .transpose()?
                .unwrap_or_default(),
            unit_price: money(unit_amount(line.decimal("unit_price")?)),
            net: money(line.decimal("amount")?),
            shipped: shipping::shipped(&line)?,
        });
    }
    Ok(Order {
        number: summary.number,
        customer: customer.clone(),
        po_number: summary.po_number,
        status: summary.status,
        placed_on: summary.placed_on,
        ship_to: ship_to(&address, &party_name)?,
        requested_date: record.opt_date("shipping_date")?,
        note,
        placed_by,
        idempotency_key: key,
        lines,
        totals: OrderTotals {
            net: money(record.decimal("untaxed_amount")?),
            tax: money(record.decimal("tax_amount")?),
            gross: summary.gross,
        },
        deliveries: shipping::deliveries(record)?,
    })
}

fn ship_to(address: &Record<'_>, party_name: &str) -> ErpResult<Address> {
    let id = address.id()?;
    let street = address.text("street")?;
    Ok(Address {
        id: AddressId::parse(id.to_string())
            .map_err(|e| ErpError::invalid_data(format!("address id {id}: {e}")))?,
        name: address
            .opt_str("party_name")?
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(party_name)
            .to_owned(),
        street: street
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        postal_code: address.text("postal_code")?,
        city: address.text("city")?,
        country: match address.related("country")? {
            Some(country) => country.text("code")?,
            None => String::new(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_comment_carries_the_note_and_who_placed_the_order() {
        let both = comment(Some("Ring twice"), Some("Sam Rivera")).unwrap();
        assert_eq!(both, "Ring twice\n\nPlaced for the customer by Sam Rivera");
        assert_eq!(
            split_comment(&both),
            (Some("Ring twice".into()), Some("Sam Rivera".into()))
        );
        let only = comment(None, Some("Sam")).unwrap();
        assert_eq!(split_comment(&only), (None, Some("Sam".into())));
        assert_eq!(
            split_comment("line 1\nline 2"),
            (Some("line 1\nline 2".into()), None)
        );
        assert_eq!(comment(None, None), None);
    }

    #[test]
    fn sale_states_map_to_what_buyers_understand() {
        assert_eq!(
            status("quotation", Some("none")).unwrap(),
            OrderStatus::Received
        );
        assert_eq!(
            status("processing", Some("waiting")).unwrap(),
            OrderStatus::Processing
        );
        assert_eq!(
            status("processing", Some("partially shipped")).unwrap(),
            OrderStatus::PartiallyShipped
        );
        assert_eq!(
            status("processing", Some("sent")).unwrap(),
            OrderStatus::Shipped
        );
        assert_eq!(
            status("done", Some("sent")).unwrap(),
            OrderStatus::Completed
        );
        assert!(status("weird", None).is_err());
    }
}
