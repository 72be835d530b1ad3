//! Past orders and invoices from the demo files, checked line by line and total by total
//! against the catalog and the customers already loaded.

use rust_decimal::Decimal;

use super::super::pricing::{line_net, tax_and_gross};
use super::super::records::{DemoDataError, INVOICES, InvoiceRecord, ORDERS, OrderRecord};
use super::super::store::Catalog;
use crate::domain::{
    Invoice, InvoiceLine, InvoiceStatus, LineQuantity, Money, Order, OrderLine, OrderStatus,
    OrderTotals,
};

pub(super) fn order(catalog: &Catalog, o: OrderRecord) -> Result<Order, DemoDataError> {
    let record = format!("order {}", o.number);
    let invalid = |problem: String| DemoDataError::invalid(ORDERS, record.clone(), problem);
    let customer = &catalog
        .customers
        .get(&o.customer)
        .ok_or_else(|| invalid(format!("names unknown customer {}", o.customer)))?
        .customer;
    let ship_to = customer.ship_to(&o.ship_to).ok_or_else(|| {
        invalid(format!(
            "ship-to {} is not one of {}'s",
            o.ship_to, o.customer
        ))
    })?;
    if o.lines.is_empty() {
        return Err(invalid("has no lines".into()));
    }
    let money = |amount| Money::new(amount, customer.currency);
    let mut lines: Vec<OrderLine> = Vec::with_capacity(o.lines.len());
    for l in o.lines {
        let shipped = shipped(o.status, l.quantity.get(), l.shipped)
            .map_err(|problem| invalid(format!("line {}: {problem}", l.sku)))?;
        let product = &catalog
            .products
            .get(&l.sku)
            .ok_or_else(|| invalid(format!("names unknown product {}", l.sku)))?
            .product;
        if lines.iter().any(|x| x.sku == l.sku) {
            return Err(invalid(format!("has two lines for {}", l.sku)));
        }
        let quantity = l.quantity.get();
        if l.net != line_net(l.unit_price, quantity) {
            return Err(invalid(format!(
                "line {}: {quantity} x {} is not {}",
                l.sku, l.unit_price, l.net
            )));
        }
        lines.push(OrderLine {
            sku: l.sku,
            name: product.name.clone(),
            quantity: quantity.into(),
            unit: product.unit.clone(),
            unit_price: money(l.unit_price),
            net: money(l.net),
            shipped: shipped.map(LineQuantity::from),
        });
    }
    let net = lines.iter().map(|l| l.net.amount).sum();
    check_totals(net, o.totals.net, o.totals.tax, o.totals.gross).map_err(invalid)?;
    let ships = matches!(
        o.status,
        OrderStatus::PartiallyShipped | OrderStatus::Shipped | OrderStatus::Completed
    );
    if ships == o.deliveries.is_empty() {
        return Err(invalid(format!(
            "status {} does not fit its deliveries",
            o.status.code()
        )));
    }
    if let Some(d) = o.deliveries.iter().find(|d| d.shipped_on < o.placed_on) {
        return Err(invalid(format!(
            "delivery {} left before the order was placed",
            d.number
        )));
    }
    Ok(Order {
        number: o.number,
        customer: o.customer,
        po_number: o.po_number,
        status: o.status,
        placed_on: o.placed_on,
        ship_to: ship_to.clone(),
        requested_date: o.requested_date,
        note: o.note,
        placed_by: o.placed_by,
        idempotency_key: None,
        lines,
        totals: OrderTotals {
            net: money(net),
            tax: money(o.totals.tax),
            gross: money(o.totals.gross),
        },
        deliveries: o.deliveries,
    })
}

/// What a line has shipped: all of it once the order has shipped, none before; a partially
/// shipped order's lines say it themselves (or leave it unknown).
fn shipped(status: OrderStatus, quantity: u32, stated: Option<u32>) -> Result<Option<u32>, String> {
    let implied = match status {
        OrderStatus::Shipped | OrderStatus::Completed => Some(quantity),
        OrderStatus::PartiallyShipped => None,
        _ => Some(0),
    };
    match (implied, stated) {
        (_, Some(s)) if s > quantity => Err(format!("shipped {s} is more than ordered {quantity}")),
        (Some(i), Some(s)) if i != s => {
            Err(format!("shipped {s} does not fit status {}", status.code()))
        }
        (Some(i), _) => Ok(Some(i)),
        (None, stated) => Ok(stated),
    }
}

fn check_totals(
    net: Decimal,
    stored_net: Decimal,
    tax: Decimal,
    gross: Decimal,
) -> Result<(), String> {
    let (want_tax, want_gross) = tax_and_gross(net);
    if (stored_net, tax, gross) != (net, want_tax, want_gross) {
        return Err(format!(
            "totals {stored_net} / {tax} / {gross} should be {net} / {want_tax} / {want_gross}"
        ));
    }
    Ok(())
}

pub(super) fn invoice(
    catalog: &Catalog,
    orders: &[Order],
    i: InvoiceRecord,
) -> Result<Invoice, DemoDataError> {
    let record = format!("invoice {}", i.number);
    let invalid = |problem: String| DemoDataError::invalid(INVOICES, record.clone(), problem);
    let customer = &catalog
        .customers
        .get(&i.customer)
        .ok_or_else(|| invalid(format!("names unknown customer {}", i.customer)))?
        .customer;
    if let Some(number) = &i.order_number {
        let order = orders
            .iter()
            .find(|o| &o.number == number && o.customer == i.customer)
            .ok_or_else(|| {
                invalid(format!(
                    "bills {number}, which is not an order of {}",
                    i.customer
                ))
            })?;
        let billed: Vec<_> = i
            .lines
            .iter()
            .map(|l| {
                (
                    l.sku.as_ref(),
                    LineQuantity::from(l.quantity.get()),
                    l.unit_price,
                )
            })
            .collect();
        let ordered: Vec<_> = order
            .lines
            .iter()
            .map(|l| (Some(&l.sku), l.quantity, l.unit_price.amount))
            .collect();
        if billed != ordered {
            return Err(invalid(format!(
                "lines do not match the lines of order {number}"
            )));
        }
    }
    if i.due_on < i.issued_on {
        return Err(invalid("is due before it was issued".into()));
    }
    if i.lines.is_empty() {
        return Err(invalid("has no lines".into()));
    }
    let money = |amount| Money::new(amount, customer.currency);
    let mut lines = Vec::with_capacity(i.lines.len());
    for l in i.lines {
        if let Some(sku) = l
            .sku
            .as_ref()
            .filter(|s| !catalog.products.contains_key(*s))
        {
            return Err(invalid(format!("names unknown product {sku}")));
        }
        let quantity = l.quantity.get();
        if l.net != line_net(l.unit_price, quantity) {
            return Err(invalid(format!(
                "line {:?}: {quantity} x {} is not {}",
                l.description, l.unit_price, l.net
            )));
        }
        lines.push(InvoiceLine {
            sku: l.sku,
            description: l.description,
            quantity: quantity.into(),
            unit_price: money(l.unit_price),
            net: money(l.net),
        });
    }
    let net: Decimal = lines.iter().map(|l| l.net.amount).sum();
    check_totals(net, i.net, i.tax, i.gross).map_err(invalid)?;
    let open_ok = match i.status {
        InvoiceStatus::Paid => i.open_amount.is_zero(),
        InvoiceStatus::Open => i.open_amount > Decimal::ZERO && i.open_amount <= i.gross,
    };
    if !open_ok {
        return Err(invalid(format!(
            "open amount {} does not fit status {:?}",
            i.open_amount, i.status
        )));
    }
    Ok(Invoice {
        number: i.number,
        customer: i.customer,
        order_number: i.order_number,
        issued_on: i.issued_on,
        due_on: i.due_on,
        net: money(net),
        tax: money(i.tax),
        gross: money(i.gross),
        open_amount: money(i.open_amount),
        status: i.status,
        lines,
    })
}
