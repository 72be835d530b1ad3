//! `POST /punchout/cxml/order`: an approved requisition becomes exactly one ERP order.

use reqwest::StatusCode;

use super::documents::*;
use super::post_cxml;
use crate::support::{TestApp, spawn_app};
use erpfront::domain::{CustomerId, Sku};
use erpfront::erp::Erp as _;

async fn price(app: &TestApp, sku: &str, quantity: u32) -> String {
    let customer = CustomerId::parse("C-1000").unwrap();
    let prices = app
        .erp
        .prices(&customer, &[Sku::parse(sku).unwrap()])
        .await
        .unwrap();
    prices[0]
        .unit_price(quantity)
        .amount
        .round_dp(2)
        .to_string()
}

async fn orders_with_po(app: &TestApp, po: &str) -> Vec<erpfront::domain::OrderSummary> {
    let customer = CustomerId::parse("C-1000").unwrap();
    app.erp
        .orders(&customer)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.po_number == po)
        .collect()
}

#[tokio::test]
async fn an_order_request_becomes_one_order_however_often_it_comes() {
    let app = spawn_app().await;
    let items = format!(
        "{}{}",
        item_out(1, "FAS-1001", "", "3", &price(&app, "FAS-1001", 3).await),
        item_out(
            2,
            "FAS-1002",
            "aux",
            "10",
            &price(&app, "FAS-1002", 10).await
        )
    );
    let first = ariba_order("p-1@ariba", "PO-ARIBA-1", "orderVersion=\"1\"", &items);
    let (status, body) = post_cxml(&app, "/punchout/cxml/order", first.clone()).await;
    assert_eq!(
        (status, status_of(&body)),
        (StatusCode::OK, (200, "OK".into())),
        "{body}"
    );
    assert_valid_cxml(&body);
    // The same document again, a new payloadID for the same order, and two copies at once.
    let resent = ariba_order("p-2@ariba", "PO-ARIBA-1", "orderVersion=\"1\"", &items);
    let (a, b, c) = tokio::join!(
        post_cxml(&app, "/punchout/cxml/order", first),
        post_cxml(&app, "/punchout/cxml/order", resent.clone()),
        post_cxml(&app, "/punchout/cxml/order", resent),
    );
    for (status, body) in [a, b, c] {
        assert_eq!(
            (status, status_of(&body).0),
            (StatusCode::OK, 200),
            "{body}"
        );
    }
    let orders = orders_with_po(&app, "PO-ARIBA-1").await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    let customer = CustomerId::parse("C-1000").unwrap();
    let order = app.erp.order(&customer, &orders[0].number).await.unwrap();
    assert_eq!(order.ship_to.id.as_str(), "NW-SHIP-2");
    let note = order.note.unwrap_or_default();
    assert!(
        note.contains("Deliver to gate 4") && note.contains("CostCenter: 4711"),
        "{note}"
    );
    assert_eq!(order.lines.len(), 2);
}

#[tokio::test]
async fn unknown_parts_and_wrong_prices_are_refused_by_line_and_nothing_is_created() {
    let app = spawn_app().await;
    let good = item_out(1, "FAS-1001", "", "3", &price(&app, "FAS-1001", 3).await);
    let unknown = format!("{good}{}", item_out(2, "NO-SUCH-PART", "", "1", "1.00"));
    let (status, body) = post_cxml(
        &app,
        "/punchout/cxml/order",
        ariba_order("p", "PO-BAD-1", "", &unknown),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (code, text) = status_of(&body);
    assert_eq!(code, 400);
    assert!(
        text.contains("line 2") && text.contains("NO-SUCH-PART"),
        "{text}"
    );
    assert_valid_cxml(&body);

    let cheap = format!("{good}{}", item_out(2, "FAS-1002", "", "1", "0.01"));
    let (status, body) = post_cxml(
        &app,
        "/punchout/cxml/order",
        ariba_order("p", "PO-BAD-2", "", &cheap),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(status_of(&body).1.contains("line 2"), "{body}");
    // Within the configured half percent passes.
    let ours: rust_decimal::Decimal = price(&app, "FAS-1002", 1).await.parse().unwrap();
    let near = (ours * rust_decimal_macros_free(1004, 3))
        .round_dp(4)
        .to_string();
    let close = format!("{good}{}", item_out(2, "FAS-1002", "", "1", &near));
    let (status, body) = post_cxml(
        &app,
        "/punchout/cxml/order",
        ariba_order("p", "PO-NEAR", "", &close),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.erp.calls("create_order"),
        1,
        "only the order within tolerance"
    );
    assert!(orders_with_po(&app, "PO-BAD-1").await.is_empty());
}

/// `mantissa / 10^scale` without the macro crate.
fn rust_decimal_macros_free(mantissa: i64, scale: u32) -> rust_decimal::Decimal {
    rust_decimal::Decimal::new(mantissa, scale)
}

#[tokio::test]
async fn change_orders_are_refused_and_never_become_a_second_order() {
    let app = spawn_app().await;
    let items = item_out(1, "FAS-1001", "", "3", &price(&app, "FAS-1001", 3).await);
    let (status, _) = post_cxml(
        &app,
        "/punchout/cxml/order",
        ariba_order("p1", "PO-CHG", "", &items),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for attrs in [
        "type=\"update\" orderVersion=\"2\"",
        "type=\"delete\"",
        "orderVersion=\"2\"",
    ] {
        let (status, body) = post_cxml(
            &app,
            "/punchout/cxml/order",
            ariba_order("p2", "PO-CHG", attrs, &items),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{attrs}: {body}");
        let (code, text) = status_of(&body);
        assert_eq!(code, 400);
        assert!(
            text.contains("change orders are not accepted online"),
            "{text}"
        );
    }
    assert_eq!(orders_with_po(&app, "PO-CHG").await.len(), 1);
    // A wrong secret orders nothing.
    let forged = ariba_order("p3", "PO-FORGED", "", &items).replace(ARIBA_SECRET, "guess");
    let (status, body) = post_cxml(&app, "/punchout/cxml/order", forged).await;
    assert_eq!(
        (status, status_of(&body).0),
        (StatusCode::UNAUTHORIZED, 401)
    );
    assert!(orders_with_po(&app, "PO-FORGED").await.is_empty());
}
