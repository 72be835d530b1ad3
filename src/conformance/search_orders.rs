//! Service-desk order search rules: the test order is found by each criterion, every hit
//! matches what was asked, dates bound the hits, and hits come a page at a time within the
//! page size. The search is optional: an adapter that answers `Unsupported` has these rules
//! skipped, and the desk then finds customers by number only.

use super::context::{Context, TestOrder, short_random};
use super::{Checked, During, Outcome, Rule, ensure};
use crate::domain::{Hits, OrderHit, OrderSearch, Paging, matches_words};
use crate::erp::ErpError;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "search.orders_by_each_field",
        description: "An order is found by its number, its PO number, its customer's number and a word of the customer's name (also with an accent added), and every hit matches each word asked for.",
        check: |cx| Box::pin(by_each_field(cx)),
    },
    Rule {
        id: "search.orders_dates_and_status",
        description: "A date range finds the orders placed within it, both days included, and none outside; a status finds only orders in it.",
        check: |cx| Box::pin(dates_and_status(cx)),
    },
    Rule {
        id: "search.orders_only_matches",
        description: "A search matching nothing answers no hits and no more; a PO number longer than the test order's does not find it.",
        check: |cx| Box::pin(only_matches(cx)),
    },
    Rule {
        id: "search.orders_pages",
        description: "Order hits come a page at a time: never more than the page size, `more` when a next page has hits, the next page different, a page past the end empty.",
        check: |cx| Box::pin(pages(cx)),
    },
];

/// The page of `search`, `None` when the adapter cannot search orders.
async fn search(cx: &Context<'_>, search: &OrderSearch) -> Result<Option<Hits<OrderHit>>, String> {
    match cx.subject.erp.search_orders(search).await {
        Err(ErpError::Unsupported { .. }) => Ok(None),
        answer => answer
            .during(format_args!("search_orders({search:?})"))
            .map(Some),
    }
}

fn unsupported() -> Outcome {
    Outcome::Skip("the adapter cannot search orders across customers (Unsupported)".into())
}

fn has_test_order(hits: &Hits<OrderHit>, order: &TestOrder) -> bool {
    hits.items
        .iter()
        .any(|h| h.order.number == order.created.number && h.customer == order.created.customer)
}

fn numbers(hits: &Hits<OrderHit>) -> Vec<String> {
    hits.items
        .iter()
        .map(|h| format!("{} ({}, {})", h.order.number, h.customer, h.order.placed_on))
        .collect()
}

fn with(paging: Paging) -> OrderSearch {
    OrderSearch {
        paging,
        ..OrderSearch::default()
    }
}

async fn by_each_field(cx: &Context<'_>) -> Checked {
    let order = cx.test_order().await?;
    let customer = cx
        .subject
        .erp
        .customer(&order.created.customer)
        .await
        .during(format_args!("customer({})", order.created.customer))?;
    let name_word = customer
        .name
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap_or_default()
        .to_uppercase();
    let paging = Paging::new(1, 50);
    let heard = super::search_customers::accented(&name_word);
    let mut searches = vec![
        (
            "the order number",
            OrderSearch {
                order_number: Some(order.created.number.to_string()),
                ..with(paging)
            },
        ),
        (
            "the PO number in lower case",
            OrderSearch {
                po_number: Some(order.submitted.po_number.to_lowercase()),
                ..with(paging)
            },
        ),
        (
            "the customer number",
            OrderSearch {
                customer: Some(order.created.customer.to_string()),
                po_number: Some(order.submitted.po_number.clone()),
                ..with(paging)
            },
        ),
        (
            "a word of the customer's name in upper case",
            OrderSearch {
                customer: Some(name_word),
                po_number: Some(order.submitted.po_number.clone()),
                ..with(paging)
            },
        ),
    ];
    if let Some(heard) = heard {
        searches.push((
            "a word of the customer's name with an accent added",
            OrderSearch {
                customer: Some(heard),
                po_number: Some(order.submitted.po_number.clone()),
                ..with(paging)
            },
        ));
    }
    for (what, asked) in searches {
        let Some(hits) = search(cx, &asked).await? else {
            return Ok(unsupported());
        };
        ensure(has_test_order(&hits, order), || {
            format!(
                "searching by {what} ({asked:?}) did not find the test order {}; hits: {:?}",
                order.created.number,
                numbers(&hits)
            )
        })?;
        for hit in &hits.items {
            let matches =
                matches_words(asked.order_number.as_deref(), &[hit.order.number.as_str()])
                    && matches_words(asked.po_number.as_deref(), &[&hit.order.po_number])
                    && matches_words(
                        asked.customer.as_deref(),
                        &[hit.customer.as_str(), &hit.customer_name],
                    );
            ensure(matches, || {
                format!("searching by {what} ({asked:?}) found {hit:?}, which does not match")
            })?;
        }
    }
    Ok(Outcome::Pass)
}

async fn dates_and_status(cx: &Context<'_>) -> Checked {
    let order = cx.test_order().await?;
    let day = order.created.placed_on;
    let customer = Some(order.created.customer.to_string());
    let on_the_day = OrderSearch {
        customer: customer.clone(),
        placed_from: Some(day),
        placed_to: Some(day),
        ..with(Paging::new(1, 50))
    };
    let Some(hits) = search(cx, &on_the_day).await? else {
        return Ok(unsupported());
    };
    ensure(has_test_order(&hits, order), || {
        format!("the range {day}..={day} did not find the test order placed on {day}")
    })?;
    ensure(hits.items.iter().all(|h| h.order.placed_on == day), || {
        format!(
            "the range {day}..={day} found orders of other days: {:?}",
            numbers(&hits)
        )
    })?;
    let before = day.pred_opt().unwrap_or(day);
    let up_to_the_day_before = OrderSearch {
        placed_from: Some(before - chrono::Days::new(30)),
        placed_to: Some(before),
        ..on_the_day.clone()
    };
    let hits = search(cx, &up_to_the_day_before).await?.unwrap_or_default();
    ensure(
        hits.items.iter().all(|h| h.order.placed_on <= before),
        || {
            format!(
                "a range ending {before} found later orders: {:?}",
                numbers(&hits)
            )
        },
    )?;
    ensure(!has_test_order(&hits, order), || {
        format!("a range ending {before} found the test order placed on {day}")
    })?;
    let in_status = OrderSearch {
        status: Some(order.created.status),
        ..on_the_day.clone()
    };
    let hits = search(cx, &in_status).await?.unwrap_or_default();
    ensure(has_test_order(&hits, order), || {
        format!(
            "status {:?} did not find the test order in it",
            order.created.status
        )
    })?;
    ensure(
        hits.items
            .iter()
            .all(|h| h.order.status == order.created.status),
        || {
            format!(
                "status {:?} found orders in others: {hits:?}",
                order.created.status
            )
        },
    )?;
    Ok(Outcome::Pass)
}

async fn only_matches(cx: &Context<'_>) -> Checked {
    let order = cx.test_order().await?;
    let longer = OrderSearch {
        po_number: Some(format!("{}-NOT", order.submitted.po_number)),
        ..with(Paging::new(1, 50))
    };
    let Some(hits) = search(cx, &longer).await? else {
        return Ok(unsupported());
    };
    ensure(!has_test_order(&hits, order), || {
        format!(
            "the PO number {:?} found the test order with PO number {}",
            longer.po_number, order.submitted.po_number
        )
    })?;
    let nothing = OrderSearch {
        po_number: Some(format!("NO-SUCH-PO-{}", short_random())),
        ..with(Paging::new(1, 10))
    };
    let Some(hits) = search(cx, &nothing).await? else {
        return Ok(unsupported());
    };
    ensure(hits.items.is_empty() && !hits.more, || {
        format!(
            "a PO number nobody has found {:?} (more: {})",
            numbers(&hits),
            hits.more
        )
    })?;
    Ok(Outcome::Pass)
}

async fn pages(cx: &Context<'_>) -> Checked {
    let order = cx.test_order().await?;
    // The suite's own orders: the test order and the race order, at least two.
    let ours = |paging| OrderSearch {
        customer: Some(order.created.customer.to_string()),
        po_number: Some("TEST".into()),
        ..with(paging)
    };
    let Some(first) = search(cx, &ours(Paging::new(1, 1))).await? else {
        return Ok(unsupported());
    };
    ensure(first.items.len() == 1 && first.more, || {
        format!(
            "page 1 of size 1 of the test customer's TEST orders: {:?}, more: {}; expected one hit and more",
            numbers(&first),
            first.more
        )
    })?;
    let second = search(cx, &ours(Paging::new(2, 1)))
        .await?
        .unwrap_or_default();
    ensure(
        second.items.len() == 1 && second.items != first.items,
        || {
            format!(
                "page 2 of size 1: {:?} after {:?}",
                numbers(&second),
                numbers(&first)
            )
        },
    )?;
    let newest_first = first.items[0].order.placed_on >= second.items[0].order.placed_on;
    ensure(newest_first, || {
        format!(
            "pages are not newest first: {:?} then {:?}",
            numbers(&first),
            numbers(&second)
        )
    })?;
    let past_the_end = search(cx, &ours(Paging::new(90, 10)))
        .await?
        .unwrap_or_default();
    ensure(past_the_end.items.is_empty() && !past_the_end.more, || {
        format!("a page past the end answered {:?}", numbers(&past_the_end))
    })?;
    Ok(Outcome::Pass)
}
