//! What a sloppy adapter gets away with unless someone asks: the details of a submission dropped
//! on the way into the ERP, lists in the ERP's own order, an unknown SKU or customer answered
//! with something other than a refusal, and money with more decimals than any currency has.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::Decimal;

use super::context::{Context, TestOrder, short_random};
use super::{Checked, During, Outcome, Rule, TEST_ORDER_NOTE, ensure};
use crate::domain::{CustomerId, IdempotencyKey, NewOrder, NewOrderLine, Quantity, Sku};
use crate::erp::ErpError;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "orders.details_kept",
        description: "An order keeps the ship-to, requested date, note and placed-by it was submitted with.",
        check: |cx| Box::pin(details_kept(cx)),
    },
    Rule {
        id: "orders.unknown_sku_rejected",
        description: "An order with an unknown SKU is Rejected and creates nothing.",
        check: |cx| Box::pin(unknown_sku_rejected(cx)),
    },
    Rule {
        id: "lists.newest_first",
        description: "A customer's orders and invoices are listed newest first.",
        check: |cx| Box::pin(newest_first(cx)),
    },
    Rule {
        id: "customer.unknown",
        description: "A customer the ERP does not know is NotFound.",
        check: |cx| Box::pin(unknown_customer(cx)),
    },
    Rule {
        id: "money.scale",
        description: "Prices and amounts carry at most 4 decimal places.",
        check: |cx| Box::pin(money_scale(cx)),
    },
];

/// Most decimal places an amount may have: 4 covers every currency and the price per unit of
/// goods sold in thousands. More means a float crept in (`4.162400000000001`).
const MAX_SCALE: u32 = 4;

/// The test order again, under a new key, with every detail a buyer or rep can give: the last
/// ship-to (not the default one), a requested date three weeks out on a Wednesday, who placed it.
async fn details_kept(cx: &Context<'_>) -> Checked {
    let TestOrder { submitted, .. } = cx.test_order().await?;
    let erp = &cx.subject.erp;
    let customer = &cx.subject.customer;
    let buyer = erp
        .customer(customer)
        .await
        .during(format_args!("customer({customer})"))?;
    let ship_to = buyer.ship_tos.last().map(|a| a.id.clone());
    let detailed = NewOrder {
        po_number: format!("{}-D", submitted.po_number),
        ship_to: ship_to.clone(),
        requested_date: Some(a_wednesday_three_weeks_out()),
        note: Some(TEST_ORDER_NOTE.to_owned()),
        placed_by: Some("Conformance Rep".into()),
        ..submitted.clone()
    };
    let key = IdempotencyKey::generate();
    let created = erp
        .create_order(&key, &detailed)
        .await
        .during(format_args!("create_order({key})"))?;
    let read = erp
        .order(customer, &created.number)
        .await
        .during(format_args!("order({customer}, {})", created.number))?;
    for (what, order) in [("create_order", &created), ("order", &read)] {
        let number = &order.number;
        if let Some(ship_to) = &ship_to {
            ensure(&order.ship_to.id == ship_to, || {
                format!(
                    "{what} answered order {number} shipping to {}; it was submitted for ship-to {ship_to}",
                    order.ship_to.id
                )
            })?;
        }
        ensure(order.requested_date == detailed.requested_date, || {
            format!(
                "{what} answered order {number} with requested date {:?}; {:?} was asked for",
                order.requested_date, detailed.requested_date
            )
        })?;
        ensure(order.note == detailed.note, || {
            format!(
                "{what} answered order {number} with note {:?}; {:?} was submitted",
                order.note, detailed.note
            )
        })?;
        ensure(order.placed_by == detailed.placed_by, || {
            format!(
                "{what} answered order {number} placed by {:?}; it was placed by {:?}",
                order.placed_by, detailed.placed_by
            )
        })?;
    }
    Ok(Outcome::Pass)
}

fn a_wednesday_three_weeks_out() -> NaiveDate {
    let mut day = chrono::Utc::now().date_naive() + Days::new(21);
    while day.weekday() != Weekday::Wed {
        day = day + Days::new(1);
    }
    day
}

async fn unknown_sku_rejected(cx: &Context<'_>) -> Checked {
    let TestOrder { submitted, .. } = cx.test_order().await?;
    let unknown = Sku::parse(format!("NO-SUCH-{}", short_random())).map_err(|e| e.to_string())?;
    let mut order = submitted.clone();
    order.po_number = format!("{}-X", submitted.po_number);
    order.lines.push(NewOrderLine {
        sku: unknown.clone(),
        quantity: Quantity::new(1).map_err(|e| e.to_string())?,
    });
    let key = IdempotencyKey::generate();
    match cx.subject.erp.create_order(&key, &order).await {
        Err(ErpError::Rejected { .. }) => {
            let customer = &cx.subject.customer;
            let orders = cx
                .subject
                .erp
                .orders(customer)
                .await
                .during(format_args!("orders({customer})"))?;
            match orders.iter().find(|o| o.po_number == order.po_number) {
                Some(made) => Err(format!(
                    "create_order with unknown SKU {unknown} was Rejected, yet orders({customer}) lists order {} with its PO {}",
                    made.number, order.po_number
                )),
                None => Ok(Outcome::Pass),
            }
        }
        Ok(created) => Err(format!(
            "create_order with unknown SKU {unknown} created order {}; expected Rejected",
            created.number
        )),
        Err(other) => Err(format!(
            "create_order with unknown SKU {unknown} answered {other}; expected Rejected"
        )),
    }
}

async fn newest_first(cx: &Context<'_>) -> Checked {
    cx.test_order().await?;
    let erp = &cx.subject.erp;
    // Orders of one day are told apart by the run's own: made one after the other, the later
    // ones must come first (the raced one and the one with every detail, when those rules ran).
    let prefix = cx.po_number();
    let customer = &cx.subject.customer;
    let listed = erp
        .orders(customer)
        .await
        .during(format_args!("orders({customer})"))?;
    let made_in_order = [
        format!("{prefix}-D"),
        format!("{prefix}-RACE"),
        prefix.to_owned(),
    ];
    let positions: Vec<(usize, &str)> = made_in_order
        .iter()
        .filter_map(|po| {
            listed
                .iter()
                .position(|o| &o.po_number == po)
                .map(|at| (at, po.as_str()))
        })
        .collect();
    if let Some(pair) = positions.windows(2).find(|w| w[0].0 > w[1].0) {
        return Err(format!(
            "orders({customer}) lists the test order {} before {}, which was placed after it; newest first",
            pair[1].1, pair[0].1
        ));
    }
    for customer in [&cx.subject.customer, &cx.subject.other_customer] {
        let orders = erp
            .orders(customer)
            .await
            .during(format_args!("orders({customer})"))?;
        if let Some(pair) = orders.windows(2).find(|w| w[0].placed_on < w[1].placed_on) {
            return Err(format!(
                "orders({customer}) lists {} (placed {}) before {} (placed {}); newest first",
                pair[0].number, pair[0].placed_on, pair[1].number, pair[1].placed_on
            ));
        }
        let invoices = erp
            .invoices(customer)
            .await
            .during(format_args!("invoices({customer})"))?;
        if let Some(pair) = invoices
            .windows(2)
            .find(|w| w[0].issued_on < w[1].issued_on)
        {
            return Err(format!(
                "invoices({customer}) lists {} (issued {}) before {} (issued {}); newest first",
                pair[0].number, pair[0].issued_on, pair[1].number, pair[1].issued_on
            ));
        }
    }
    Ok(Outcome::Pass)
}

async fn unknown_customer(cx: &Context<'_>) -> Checked {
    let unknown =
        CustomerId::parse(format!("NO-SUCH-{}", short_random())).map_err(|e| e.to_string())?;
    match cx.subject.erp.customer(&unknown).await {
        Err(ErpError::NotFound) => Ok(Outcome::Pass),
        Ok(found) => Err(format!(
            "customer({unknown}) answered customer {} ({}); expected NotFound",
            found.id, found.name
        )),
        Err(other) => Err(format!(
            "customer({unknown}) answered {other}; expected NotFound"
        )),
    }
}

async fn money_scale(cx: &Context<'_>) -> Checked {
    let customer = &cx.subject.customer;
    let skus = cx.sample_skus().await?;
    let prices = cx
        .subject
        .erp
        .prices(customer, &skus)
        .await
        .during(format_args!("prices({customer}, …)"))?;
    for price in &prices {
        for tier in &price.tiers {
            within_scale(tier.unit_price, || {
                format!("prices: {} from {}", price.sku, tier.min_quantity)
            })?;
        }
    }
    let TestOrder { created, .. } = cx.test_order().await?;
    for line in &created.lines {
        within_scale(line.unit_price.amount, || {
            format!("order {} line {} unit price", created.number, line.sku)
        })?;
        within_scale(line.net.amount, || {
            format!("order {} line {} net", created.number, line.sku)
        })?;
    }
    for (what, amount) in [
        ("net", &created.totals.net),
        ("tax", &created.totals.tax),
        ("gross", &created.totals.gross),
    ] {
        within_scale(amount.amount, || format!("order {} {what}", created.number))?;
    }
    let invoices = cx
        .subject
        .erp
        .invoices(customer)
        .await
        .during(format_args!("invoices({customer})"))?;
    for invoice in &invoices {
        within_scale(invoice.gross.amount, || {
            format!("invoice {} gross", invoice.number)
        })?;
        within_scale(invoice.open_amount.amount, || {
            format!("invoice {} open amount", invoice.number)
        })?;
    }
    Ok(Outcome::Pass)
}

fn within_scale(amount: Decimal, what: impl FnOnce() -> String) -> Result<(), String> {
    ensure(amount.normalize().scale() <= MAX_SCALE, || {
        format!(
            "{}: {amount} has more than {MAX_SCALE} decimal places; send amounts as exact decimals, not floats",
            what()
        )
    })
}
