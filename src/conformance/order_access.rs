//! Which order a key and a customer reach: creating twice with one idempotency key makes one
//! order, the key finds it, and another customer finds nothing of it.

use super::context::{Context, TestOrder};
use super::orders::orders_of;
use super::{Checked, During, Outcome, Rule, ensure, expect_not_found};
use crate::domain::{IdempotencyKey, Order};
use crate::ordering::is_same_order;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "orders.idempotent_create",
        description: "Creating an order twice with one idempotency key makes one order.",
        check: |cx| Box::pin(idempotent_create(cx)),
    },
    Rule {
        id: "orders.find_by_key",
        description: "An order is found by the key it was created with, matching its submission; an unused key finds none.",
        check: |cx| Box::pin(find_by_key(cx)),
    },
    Rule {
        id: "orders.filled_in",
        description: "What the ERP fills in on an order (a delivery date proposed when none was asked) keeps it the same submission for its key; a different date asked for does not.",
        check: |cx| Box::pin(filled_in(cx)),
    },
    Rule {
        id: "orders.isolation",
        description: "One customer's order is invisible to another: NotFound, not listed, not found by its key.",
        check: |cx| Box::pin(isolation(cx)),
    },
];

async fn idempotent_create(cx: &Context<'_>) -> Checked {
    let TestOrder {
        key,
        submitted,
        created,
        ..
    } = cx.test_order().await?;
    let customer = &cx.subject.customer;
    let again = cx
        .subject
        .erp
        .create_order(key, submitted)
        .await
        .during(format_args!("the second create_order({key})"))?;
    ensure(again.number == created.number, || {
        format!(
            "second create with the same key returned order {}, first returned {}",
            again.number, created.number
        )
    })?;
    let listed = orders_of(cx, customer).await?;
    let with_po: Vec<&str> = listed
        .iter()
        .filter(|s| s.po_number == submitted.po_number)
        .map(|s| s.number.as_str())
        .collect();
    ensure(with_po == [created.number.as_str()], || {
        format!(
            "after two creates with one key, orders({customer}) lists {} orders with PO {}: {with_po:?}",
            with_po.len(),
            submitted.po_number
        )
    })?;
    Ok(Outcome::Pass)
}

async fn find_by_key(cx: &Context<'_>) -> Checked {
    let TestOrder {
        key,
        submitted,
        created,
        ..
    } = cx.test_order().await?;
    let customer = &cx.subject.customer;
    let call = format!("find_order_by_key({customer}, {key})");
    let found = cx
        .subject
        .erp
        .find_order_by_key(customer, key)
        .await
        .during(&call)?
        .ok_or_else(|| {
            let number = &created.number;
            format!("{call} found nothing; order {number} was created with that key")
        })?;
    ensure(found.number == created.number, || {
        format!(
            "{call} found order {}; the key created {}",
            found.number, created.number
        )
    })?;
    ensure(is_same_order(submitted, &found), || {
        format!(
            "order {} found by its key does not match its submission (PO, ship-to, date, note or lines differ), \
             so a retry of it would be refused as a reused key",
            found.number
        )
    })?;
    let unused = IdempotencyKey::generate();
    let stray = cx
        .subject
        .erp
        .find_order_by_key(customer, &unused)
        .await
        .during(format_args!("find_order_by_key({customer}, {unused})"))?;
    if let Some(stray) = stray {
        return Err(format!(
            "find_order_by_key({customer}, {unused}) found order {} for a key never used",
            stray.number
        ));
    }
    Ok(Outcome::Pass)
}

async fn isolation(cx: &Context<'_>) -> Checked {
    let (owner, other) = (&cx.subject.customer, &cx.subject.other_customer);
    ensure(owner != other, || {
        format!("the subject names {owner} as both customers; two are needed")
    })?;
    let TestOrder { key, created, .. } = cx.test_order().await?;
    let number = &created.number;
    let erp = &cx.subject.erp;
    let whose = |o: &Order| format!("order {} of {}", o.number, o.customer);

    expect_not_found(
        &format!("order({other}, {number})"),
        erp.order(other, number).await,
        whose,
    )?;
    ensure(
        !orders_of(cx, other)
            .await?
            .iter()
            .any(|s| &s.number == number),
        || format!("orders({other}) lists {owner}'s order {number}"),
    )?;
    let by_key = erp
        .find_order_by_key(other, key)
        .await
        .during(format_args!("find_order_by_key({other}, {key})"))?;
    if let Some(found) = by_key {
        return Err(format!(
            "find_order_by_key({other}, {key}) returned {}, created for {owner}",
            whose(&found)
        ));
    }
    Ok(Outcome::Pass)
}

/// The test order is submitted without a requested date, so an ERP that proposes one (S/4HANA
/// does) holds a date the submission never named: a retry of the key must still reach it. And
/// a submission asking for another date than the one held is a different order.
async fn filled_in(cx: &Context<'_>) -> Checked {
    let TestOrder {
        submitted, created, ..
    } = cx.test_order().await?;
    ensure(submitted.requested_date.is_none(), || {
        "the test order was submitted with a requested date".to_owned()
    })?;
    ensure(is_same_order(submitted, created), || {
        format!(
            "order {} (requested date {:?}) is not recognised as the submission without a date that created it",
            created.number, created.requested_date
        )
    })?;
    let held = created
        .requested_date
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut other = submitted.clone();
    other.requested_date = Some(held + chrono::Days::new(30));
    ensure(!is_same_order(&other, created), || {
        format!(
            "a submission asking for {:?} is taken for order {}, which holds {:?}",
            other.requested_date, created.number, created.requested_date
        )
    })?;
    Ok(Outcome::Pass)
}
