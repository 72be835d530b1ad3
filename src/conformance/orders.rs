//! Customer and order rules: ship-tos, and the test order as created and read back, with its
//! lines, totals and prices.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::context::{Context, TestOrder};
use super::{Checked, During, Outcome, Rule, TEST_ORDER_NOTE, ensure};
use crate::domain::{CustomerId, LineQuantity, Money, Order, OrderSummary, Sku};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "customer.ship_tos",
        description: "Each customer has at least one ship-to address, with distinct ids.",
        check: |cx| Box::pin(ship_tos(cx)),
    },
    Rule {
        id: "orders.create",
        description: "A created order has the submitted lines, PO number and note, consistent totals, and shows in the customer's orders.",
        check: |cx| Box::pin(create(cx)),
    },
    Rule {
        id: "orders.priced_as_quoted",
        description: "Each order line costs what prices() quotes for its quantity.",
        check: |cx| Box::pin(priced_as_quoted(cx)),
    },
];

async fn ship_tos(cx: &Context<'_>) -> Checked {
    for id in [&cx.subject.customer, &cx.subject.other_customer] {
        let customer = cx
            .subject
            .erp
            .customer(id)
            .await
            .during(format_args!("customer({id})"))?;
        ensure(&customer.id == id, || {
            format!("customer({id}) returned customer {}", customer.id)
        })?;
        ensure(!customer.ship_tos.is_empty(), || {
            format!("customer {id} has no ship-to address; orders need one")
        })?;
        let mut seen = HashSet::new();
        for address in &customer.ship_tos {
            ensure(seen.insert(&address.id), || {
                format!(
                    "customer {id} has two ship-to addresses with id {}",
                    address.id
                )
            })?;
        }
    }
    Ok(Outcome::Pass)
}

pub(super) async fn orders_of(
    cx: &Context<'_>,
    customer: &CustomerId,
) -> Result<Vec<OrderSummary>, String> {
    cx.subject
        .erp
        .orders(customer)
        .await
        .during(format_args!("orders({customer})"))
}

async fn create(cx: &Context<'_>) -> Checked {
    let TestOrder {
        submitted, created, ..
    } = cx.test_order().await?;
    let customer = &cx.subject.customer;
    let number = &created.number;
    ensure(&created.customer == customer, || {
        format!(
            "the order created for {customer} belongs to {}",
            created.customer
        )
    })?;
    ensure(created.po_number == submitted.po_number, || {
        format!(
            "order {number} has PO number {:?}, submitted {:?}",
            created.po_number, submitted.po_number
        )
    })?;
    ensure(created.note.as_deref() == Some(TEST_ORDER_NOTE), || {
        format!(
            "order {number} has note {:?}, submitted {TEST_ORDER_NOTE:?}",
            created.note
        )
    })?;
    if let Some(ship_to) = &submitted.ship_to {
        ensure(&created.ship_to.id == ship_to, || {
            format!(
                "order {number} ships to {}, submitted {ship_to}",
                created.ship_to.id
            )
        })?;
    }
    check_lines(
        submitted
            .lines
            .iter()
            .map(|l| (&l.sku, l.quantity.get().into())),
        created,
    )?;
    check_totals(created)?;

    let listed = orders_of(cx, customer).await?;
    let entry = listed
        .iter()
        .find(|s| &s.number == number)
        .ok_or_else(|| format!("orders({customer}) does not list the new order {number}"))?;
    ensure(
        entry.po_number == created.po_number && entry.gross == created.totals.gross,
        || {
            format!(
                "orders({customer}) lists {number} with PO {:?} and gross {}, the order says {:?} and {}",
                entry.po_number, entry.gross, created.po_number, created.totals.gross
            )
        },
    )?;

    let read = cx
        .subject
        .erp
        .order(customer, number)
        .await
        .during(format_args!("order({customer}, {number})"))?;
    ensure(&read.number == number, || {
        format!("order({customer}, {number}) returned order {}", read.number)
    })?;
    check_lines(created.lines.iter().map(|l| (&l.sku, l.quantity)), &read)?;
    ensure(read.totals == created.totals, || {
        format!(
            "order({customer}, {number}) has gross {}, create_order returned {}",
            read.totals.gross, created.totals.gross
        )
    })?;
    check_totals(&read)?;
    Ok(Outcome::Pass)
}

/// The order holds exactly the expected SKUs in the expected quantities.
fn check_lines<'a>(
    expected: impl Iterator<Item = (&'a Sku, LineQuantity)>,
    order: &Order,
) -> Result<(), String> {
    let number = &order.number;
    let expected: Vec<_> = expected.collect();
    for (sku, quantity) in &expected {
        let held: Vec<LineQuantity> = order
            .lines
            .iter()
            .filter(|l| &l.sku == *sku)
            .map(|l| l.quantity)
            .collect();
        match held.as_slice() {
            [] => return Err(format!("order {number} has no line for {sku}")),
            [held] => ensure(held == quantity, || {
                format!(
                    "order {number}: {sku} was ordered {quantity} times, the order holds {held}"
                )
            })?,
            _ => {
                return Err(format!(
                    "order {number} has {} lines for {sku}, one was ordered",
                    held.len()
                ));
            }
        }
    }
    if let Some(extra) = order
        .lines
        .iter()
        .find(|l| !expected.iter().any(|(sku, _)| *sku == &l.sku))
    {
        return Err(format!(
            "order {number} has a line for {}, which was not ordered",
            extra.sku
        ));
    }
    Ok(())
}

/// One currency throughout, net is the sum of the lines, gross is net plus tax.
fn check_totals(order: &Order) -> Result<(), String> {
    let number = &order.number;
    let totals = &order.totals;
    let currency = totals.net.currency;
    let amounts = order
        .lines
        .iter()
        .flat_map(|l| {
            [
                (format!("line {} unit price", l.sku), l.unit_price),
                (format!("line {} net", l.sku), l.net),
            ]
        })
        .chain([
            ("tax".to_owned(), totals.tax),
            ("gross".to_owned(), totals.gross),
        ]);
    for (what, money) in amounts {
        ensure(money.currency == currency, || {
            format!(
                "order {number}: the {what} is in {}, the net total in {currency}",
                money.currency
            )
        })?;
    }
    let lines: Decimal = order.lines.iter().map(|l| l.net.amount).sum();
    ensure(totals.net.amount == lines, || {
        format!(
            "order {number}: net {} is not the sum of its lines, {}",
            totals.net,
            Money::new(lines, currency)
        )
    })?;
    ensure(
        totals.gross.amount == totals.net.amount + totals.tax.amount,
        || {
            format!(
                "order {number}: gross {} is not net {} plus tax {}",
                totals.gross, totals.net, totals.tax
            )
        },
    )?;
    Ok(())
}

async fn priced_as_quoted(cx: &Context<'_>) -> Checked {
    let TestOrder {
        created, quoted, ..
    } = cx.test_order().await?;
    for line in &created.lines {
        let Some(price) = quoted.iter().find(|p| p.sku == line.sku) else {
            return Err(format!(
                "prices() quoted nothing for {}, which the order holds",
                line.sku
            ));
        };
        // Prices are quoted for whole units; a line of 2.5 m has no quote to compare with.
        let Some(quantity) = line.quantity.whole() else {
            continue;
        };
        let expected = price.unit_price(quantity);
        ensure(line.unit_price == expected, || {
            format!(
                "order {}: {} × {} is charged {} per unit; prices() quoted {expected} for that quantity",
                created.number, line.sku, line.quantity, line.unit_price
            )
        })?;
    }
    Ok(Outcome::Pass)
}
