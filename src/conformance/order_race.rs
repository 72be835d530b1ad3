//! Submissions of one new key racing each other, as when two gateway instances receive the same
//! order at once (a buyer's double click behind a load balancer, a retry that overtakes its
//! original). Each instance has its own single flight, so the adapter and its ERP are all that
//! keep the key to one order.

use futures_util::future::join_all;

use super::context::{Context, TestOrder};
use super::orders::orders_of;
use super::{Checked, During, Outcome, Rule, ensure};
use crate::domain::IdempotencyKey;

/// How many submissions race.
const RACERS: usize = 4;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "orders.concurrent_create",
    description: "Submissions of one key racing each other make one order, and every one answers with it.",
    check: |cx| Box::pin(concurrent_create(cx)),
}];

async fn concurrent_create(cx: &Context<'_>) -> Checked {
    let TestOrder { submitted, .. } = cx.test_order().await?;
    let customer = &cx.subject.customer;
    let mut racing = submitted.clone();
    racing.po_number = format!("{}-RACE", submitted.po_number);
    let key = IdempotencyKey::generate();
    let erp = &cx.subject.erp;
    let answers = join_all((0..RACERS).map(|_| erp.create_order(&key, &racing))).await;
    let mut numbers = Vec::with_capacity(RACERS);
    for (i, answer) in answers.into_iter().enumerate() {
        let order = answer.during(format_args!(
            "racing create_order({key}) {} of {RACERS}",
            i + 1
        ))?;
        numbers.push(order.number);
    }
    let first = numbers[0].clone();
    ensure(numbers.iter().all(|n| *n == first), || {
        let numbers: Vec<&str> = numbers.iter().map(|n| n.as_str()).collect();
        format!("{RACERS} racing creates with one key answered with different orders: {numbers:?}")
    })?;
    let listed = orders_of(cx, customer).await?;
    let held: Vec<&str> = listed
        .iter()
        .filter(|s| s.po_number == racing.po_number)
        .map(|s| s.number.as_str())
        .collect();
    ensure(held == [first.as_str()], || {
        format!(
            "after {RACERS} racing creates with one key, orders({customer}) lists {} orders with PO {}: {held:?}",
            held.len(),
            racing.po_number
        )
    })?;
    let found = erp
        .find_order_by_key(customer, &key)
        .await
        .during(format_args!("find_order_by_key({customer}, {key})"))?;
    ensure(found.as_ref().map(|o| &o.number) == Some(&first), || {
        format!(
            "find_order_by_key({customer}, {key}) found {:?}; the racing creates answered {first}",
            found.map(|o| o.number)
        )
    })?;
    Ok(Outcome::Pass)
}
