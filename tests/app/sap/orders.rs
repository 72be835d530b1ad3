//! Orders in SAP: created once with their texts, found after a lost answer, CSRF tokens fetched
//! again, refusals in buyer-safe words, and changes with ETags.

use erpfront::domain::*;
use erpfront::erp::{Erp, ErpError};
use reqwest::StatusCode;
use serde_json::json;

use super::{adapter, customer, new_order};
use crate::support::s4_sim::S4Sim;

#[tokio::test]
async fn an_order_is_created_once_with_its_po_key_note_and_placed_by_in_sap() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let key = IdempotencyKey::generate();
    let order = new_order("BW-7001", &[("BLT-M8-40", 12), ("HLM-WHT", 1)]);
    let created = erp.create_order(&key, &order).await.unwrap();
    assert_eq!(created.po_number, "BW-7001");
    assert_eq!(created.note.as_deref(), Some("Ring the bell"));
    assert_eq!(created.placed_by.as_deref(), Some("sam@service.example"));
    assert_eq!(created.idempotency_key.as_ref(), Some(&key));
    assert_eq!(created.ship_to.city, "Hamburg");
    assert_eq!(created.ship_to.id.as_str(), "17100011");
    assert!(erpfront::ordering::is_same_order(&order, &created));
    // 12 bolts reach the 10-piece scale: 0.22 each.
    assert_eq!(created.lines[0].unit_price.amount, rust_decimal::dec!(0.22));

    let again = erp.create_order(&key, &order).await.unwrap();
    assert_eq!(again.number, created.number);
    assert_eq!(sim.requests("POST A_SalesOrder"), 1);
    assert_eq!(sim.orders_with_po("BW-7001").len(), 1);
    let found = erp.find_order_by_key(&order.customer, &key).await.unwrap();
    assert_eq!(found.map(|o| o.number), Some(created.number.clone()));
    // The same PO with another key is another order (SAP only warns about the PO).
    let other = erp
        .create_order(&IdempotencyKey::generate(), &order)
        .await
        .unwrap();
    assert_ne!(other.number, created.number);
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_found_instead_of_made_twice() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let key = IdempotencyKey::generate();
    let order = new_order("BW-LOST-1", &[("NUT-M8", 100)]);
    sim.lose_next_create_answer();
    let created = erp.create_order(&key, &order).await.unwrap();
    assert_eq!(sim.orders_with_po("BW-LOST-1").len(), 1);
    assert_eq!(created.po_number, "BW-LOST-1");
    assert_eq!(sim.requests("POST A_SalesOrder"), 1);
}

#[tokio::test]
async fn writes_need_a_csrf_token_and_an_expired_one_is_fetched_again_once() {
    let sim = S4Sim::start().await;
    // Without the handshake, SAP refuses the write.
    let raw = reqwest::Client::new()
        .post(format!(
            "{}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder",
            sim.base_url()
        ))
        .basic_auth("ERPFRONT_COMM", Some("comm-secret"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::FORBIDDEN);
    assert_eq!(raw.headers()["x-csrf-token"], "Required");

    let erp = adapter(&sim);
    erp.create_order(
        &IdempotencyKey::generate(),
        &new_order("BW-CSRF-1", &[("WSH-M8", 5)]),
    )
    .await
    .unwrap();
    assert_eq!(sim.csrf_fetches(), 1);
    erp.prices(&customer("17100001"), &[Sku::parse("WSH-M8").unwrap()])
        .await
        .unwrap();
    assert_eq!(sim.csrf_fetches(), 1, "the token is reused");
    sim.expire_csrf_tokens();
    erp.create_order(
        &IdempotencyKey::generate(),
        &new_order("BW-CSRF-2", &[("WSH-M8", 5)]),
    )
    .await
    .unwrap();
    assert_eq!(sim.csrf_fetches(), 2);
    // The raw attempt, the first order, and the second order refused once and sent again.
    assert_eq!(sim.requests("POST A_SalesOrder"), 1 + 1 + 2);
}

#[tokio::test]
async fn a_refused_order_is_rejected_with_buyer_safe_words() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let order = new_order("BW-BAD-1", &[("BLT-M8-40", 1), ("ZZ-NOT-SOLD", 2)]);
    let error = erp
        .create_order(&IdempotencyKey::generate(), &order)
        .await
        .unwrap_err();
    let ErpError::Rejected { reason } = error else {
        panic!("expected Rejected, got {error:?}");
    };
    assert!(
        reason.starts_with("ZZ-NOT-SOLD cannot be ordered"),
        "{reason}"
    );
    assert!(
        !reason.contains("activated"),
        "SAP's own text stays in the log: {reason}"
    );
    assert!(sim.orders_with_po("BW-BAD-1").is_empty());
}
