//! The Tryton adapter's saved cart against a real Tryton: a marked draft sale of the party that
//! is read and replaced on its own, never touching the party's other drafts, and never taken
//! for an order. Runs on Baeckerei Mueller (C-100), whose seeded draft sale PO-D-1 must
//! outlive every save.

use std::time::Duration;

use erpfront::domain::{
    IdempotencyKey, NewOrder, NewOrderLine, Quantity, SavedCart, SavedCartLine,
};
use serde_json::{Value, json};

use crate::support::tryton::{GOLD_CUSTOMER, customer, rpc, sku, tryton_erp};

fn cart(lines: &[(&str, i64)]) -> SavedCart {
    SavedCart::new(
        lines
            .iter()
            .map(|&(s, q)| SavedCartLine {
                sku: sku(s),
                quantity: Quantity::new(q).unwrap(),
            })
            .collect(),
    )
    .unwrap()
}

/// The party's draft sales as (reference, description), asked of Tryton directly.
async fn drafts() -> Vec<(Value, Value)> {
    let sales = rpc(
        "model.sale.sale.search_read",
        vec![
            json!([["party.code", "=", GOLD_CUSTOMER], ["state", "=", "draft"]]),
            json!(0),
            json!(null),
            json!([["id", "ASC"]]),
            json!(["reference", "description", "number"]),
        ],
    )
    .await;
    sales
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["reference"].clone(), s["description"].clone()))
        .collect()
}

fn saved_cart_drafts(drafts: &[(Value, Value)]) -> usize {
    drafts
        .iter()
        .filter(|(_, d)| d == "erpfront saved cart")
        .count()
}

fn has_seeded_draft(drafts: &[(Value, Value)]) -> bool {
    drafts.iter().any(|(r, _)| r == "PO-D-1")
}

#[tokio::test]
async fn the_saved_cart_is_one_marked_draft_that_leaves_other_drafts_and_orders_alone() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let erp = tryton_erp().await;
        let gold = customer(GOLD_CUSTOMER);
        assert!(has_seeded_draft(&drafts().await), "the seed's draft sale");

        // SKU-900 is not for sale: it is left out rather than failing the save.
        let asked = cart(&[("SKU-031", 4), ("SKU-900", 1), ("SKU-032", 2)]);
        erp.save_cart(&gold, &asked).await.unwrap();
        let read = erp.saved_cart(&gold).await.unwrap();
        assert_eq!(read, cart(&[("SKU-031", 4), ("SKU-032", 2)]));

        let replacement = cart(&[("SKU-032", 9)]);
        erp.save_cart(&gold, &replacement).await.unwrap();
        assert_eq!(erp.saved_cart(&gold).await.unwrap(), replacement);
        let held = drafts().await;
        assert_eq!(saved_cart_drafts(&held), 1, "{held:?}");
        assert!(
            has_seeded_draft(&held),
            "a save leaves other drafts: {held:?}"
        );

        // An order placed meanwhile is the order's lines only, and the saved cart stays.
        let key = IdempotencyKey::parse("saved-cart-order-1").unwrap();
        let order = NewOrder {
            customer: gold.clone(),
            po_number: "PO-T-SAVED-CART".into(),
            ship_to: None,
            requested_date: None,
            note: None,
            lines: vec![NewOrderLine {
                sku: sku("SKU-033"),
                quantity: Quantity::new(1).unwrap(),
            }],
            placed_by: None,
        };
        let placed = erp.create_order(&key, &order).await.unwrap();
        let skus: Vec<&str> = placed.lines.iter().map(|l| l.sku.as_str()).collect();
        assert_eq!(skus, ["SKU-033"]);
        assert_eq!(erp.saved_cart(&gold).await.unwrap(), replacement);
        let orders = erp.orders(&gold).await.unwrap();
        assert!(orders.iter().any(|o| o.number == placed.number));
        let found = erp.find_order_by_key(&gold, &key).await.unwrap();
        assert_eq!(found.map(|o| o.number), Some(placed.number));

        erp.save_cart(&gold, &SavedCart::default()).await.unwrap();
        assert!(erp.saved_cart(&gold).await.unwrap().is_empty());
        let held = drafts().await;
        assert_eq!(
            saved_cart_drafts(&held),
            0,
            "an empty save clears: {held:?}"
        );
        assert!(
            has_seeded_draft(&held),
            "a clear leaves other drafts: {held:?}"
        );
    })
    .await
    .expect("the saved cart checks finish in time");
}
