//! Price and availability rules: customer-specific prices, quantity ladders, and answering for
//! many SKUs at once.

use std::collections::HashSet;

use super::catalog::unknown_sku_value;
use super::context::Context;
use super::{Checked, During, Outcome, Rule, ensure};
use crate::domain::{CustomerId, Price, Sku};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "prices.customer_specific",
        description: "Prices are the customer's own: two customers can pay different prices for one SKU.",
        check: |cx| Box::pin(customer_specific(cx)),
    },
    Rule {
        id: "prices.tiers",
        description: "Every price ladder starts at quantity 1, ascends, and unit_price(q) follows its steps.",
        check: |cx| Box::pin(tiers(cx)),
    },
    Rule {
        id: "prices.batch",
        description: "Prices for many SKUs come in one call; unknown SKUs are left out without failing the batch.",
        check: |cx| Box::pin(prices_batch(cx)),
    },
    Rule {
        id: "availability.batch",
        description: "Availability for many SKUs comes in one call: every catalog SKU answered, unknown SKUs left out.",
        check: |cx| Box::pin(availability_batch(cx)),
    },
];

/// How many catalog SKUs the batch rules ask for alongside an unknown one.
const BATCH_SIZE: usize = 5;

async fn prices_for(
    cx: &Context<'_>,
    customer: &CustomerId,
    skus: &[Sku],
) -> Result<Vec<Price>, String> {
    cx.subject
        .erp
        .prices(customer, skus)
        .await
        .during(format_args!("prices({customer}, {} SKUs)", skus.len()))
}

async fn customer_specific(cx: &Context<'_>) -> Checked {
    let (customer, other) = (&cx.subject.customer, &cx.subject.other_customer);
    ensure(customer != other, || {
        format!("the subject names {customer} as both customers; two are needed")
    })?;
    let skus = cx.sample_skus().await?;
    let mine = prices_for(cx, customer, &skus).await?;
    let theirs = prices_for(cx, other, &skus).await?;
    let mut both = 0;
    for price in &mine {
        if let Some(their) = theirs.iter().find(|p| p.sku == price.sku) {
            both += 1;
            if price.base() != their.base() {
                return Ok(Outcome::Pass);
            }
        }
    }
    let checked: Vec<&str> = skus.iter().map(Sku::as_str).collect();
    Ok(Outcome::Skip(if both == 0 {
        format!("no SKU checked is priced for both {customer} and {other}: {checked:?}")
    } else {
        format!(
            "{customer} and {other} pay the same for every SKU checked; give one of them its own \
             prices to check this: {checked:?}"
        )
    }))
}

async fn tiers(cx: &Context<'_>) -> Checked {
    let skus = cx.sample_skus().await?;
    for customer in [&cx.subject.customer, &cx.subject.other_customer] {
        for price in prices_for(cx, customer, &skus).await? {
            check_ladder(customer, &price)?;
        }
    }
    Ok(Outcome::Pass)
}

fn check_ladder(customer: &CustomerId, price: &Price) -> Result<(), String> {
    let sku = &price.sku;
    let Some(first) = price.tiers.first() else {
        return Err(format!("the price of {sku} for {customer} has no steps"));
    };
    ensure(first.min_quantity == 1, || {
        format!(
            "the price ladder of {sku} for {customer} starts at quantity {}, not 1",
            first.min_quantity
        )
    })?;
    for pair in price.tiers.windows(2) {
        ensure(pair[0].min_quantity < pair[1].min_quantity, || {
            format!(
                "the price ladder of {sku} for {customer} is not ascending: the step from {} follows the step from {}",
                pair[1].min_quantity, pair[0].min_quantity
            )
        })?;
    }
    for (index, step) in price.tiers.iter().enumerate() {
        ensure(!step.unit_price.is_sign_negative(), || {
            format!(
                "the price of {sku} for {customer} from {} units is negative: {}",
                step.min_quantity, step.unit_price
            )
        })?;
        let at_step = price.unit_price(step.min_quantity).amount;
        ensure(at_step == step.unit_price, || {
            format!(
                "unit_price({}) of {sku} for {customer} is {at_step}, its ladder step says {}",
                step.min_quantity, step.unit_price
            )
        })?;
        if let Some(before) = index.checked_sub(1).map(|i| &price.tiers[i]) {
            let just_below = price.unit_price(step.min_quantity - 1).amount;
            ensure(just_below == before.unit_price, || {
                format!(
                    "unit_price({}) of {sku} for {customer} is {just_below}, the step from {} says {}",
                    step.min_quantity - 1,
                    before.min_quantity,
                    before.unit_price
                )
            })?;
        }
    }
    Ok(())
}

/// Some catalog SKUs and one unknown SKU between them.
async fn batch(cx: &Context<'_>) -> Result<(Vec<Sku>, Sku), String> {
    let mut skus: Vec<Sku> = cx
        .sample_skus()
        .await?
        .into_iter()
        .take(BATCH_SIZE)
        .collect();
    let unknown = unknown_sku_value()?;
    skus.insert(skus.len() / 2, unknown.clone());
    Ok((skus, unknown))
}

/// Every answered SKU was asked for, none twice, and the unknown one is not among them.
fn check_answered<'a>(
    call: &str,
    asked: &[Sku],
    unknown: &Sku,
    answered: impl Iterator<Item = &'a Sku>,
) -> Result<(), String> {
    let mut seen = HashSet::new();
    for sku in answered {
        ensure(sku != unknown, || {
            format!("{call} answered for the unknown SKU {unknown} instead of leaving it out")
        })?;
        ensure(asked.contains(sku), || {
            format!("{call} answered for {sku}, which was not asked for")
        })?;
        ensure(seen.insert(sku), || {
            format!("{call} answered for {sku} twice")
        })?;
    }
    Ok(())
}

async fn prices_batch(cx: &Context<'_>) -> Checked {
    let customer = &cx.subject.customer;
    let (asked, unknown) = batch(cx).await?;
    let call = format!(
        "prices({customer}, {} SKUs with unknown {unknown})",
        asked.len()
    );
    let answer = cx
        .subject
        .erp
        .prices(customer, &asked)
        .await
        .during(&call)?;
    check_answered(&call, &asked, &unknown, answer.iter().map(|p| &p.sku))?;
    ensure(!answer.is_empty(), || {
        format!("{call} answered for none of the catalog SKUs {asked:?}")
    })?;
    Ok(Outcome::Pass)
}

async fn availability_batch(cx: &Context<'_>) -> Checked {
    let (asked, unknown) = batch(cx).await?;
    let call = format!("availability({} SKUs with unknown {unknown})", asked.len());
    let answer = cx.subject.erp.availability(&asked).await.during(&call)?;
    check_answered(&call, &asked, &unknown, answer.iter().map(|a| &a.sku))?;
    if let Some(missing) = asked
        .iter()
        .find(|sku| *sku != &unknown && !answer.iter().any(|a| &a.sku == *sku))
    {
        return Err(format!("{call} left out the catalog SKU {missing}"));
    }
    Ok(Outcome::Pass)
}
