//! Free text for the ERP is checked: control characters (NUL included) are refused in notes,
//! invisible formatting characters in PO numbers, with a clear message and what was typed kept;
//! an Idempotency-Key outside ASCII is named for what it is.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{ANNA, NORTHWIND_TOKEN, attr_of, html, sku_in_stock, spawn_app, text_of};

#[tokio::test]
async fn checkout_refuses_control_and_invisible_characters_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let key = anna.open_checkout_with(&sku, "1").await;
    for (po, note, words) in [
        ("PO-NUL", "deliver\0 to gate 2", "control characters"),
        ("PO-\u{202E}1234", "", "invisible characters"),
        ("PO-\u{200B}1234", "", "invisible characters"),
    ] {
        let (status, _, body) = anna
            .post(
                "/checkout",
                &[
                    ("idempotency_key", &key),
                    ("po_number", po),
                    ("ship_to", ""),
                    ("requested_date", ""),
                    ("note", note),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{po:?}");
        let page = html(&body);
        assert!(
            text_of(&page, ".notice-error").contains(words),
            "{po:?}: {}",
            text_of(&page, ".notice-error")
        );
        assert_eq!(
            attr_of(&page, "input[name=po_number]", "value").as_deref(),
            Some(po),
            "what was typed is kept"
        );
        assert_eq!(app.erp.calls("create_order"), 0, "nothing reached the ERP");
    }
    // A note with line breaks is fine.
    let (status, _, _) = anna
        .post(
            "/checkout",
            &[
                ("idempotency_key", &key),
                ("po_number", "PO-OK"),
                ("ship_to", ""),
                ("requested_date", ""),
                ("note", "Gate 2\r\nafter 8:00"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_api_refuses_the_same_and_names_a_non_ascii_key() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let post = |key: &'static [u8], body: serde_json::Value| {
        app.api()
            .post(app.url("/api/v1/orders"))
            .bearer_auth(NORTHWIND_TOKEN)
            .header(
                "idempotency-key",
                reqwest::header::HeaderValue::from_bytes(key).unwrap(),
            )
            .json(&body)
            .send()
    };
    let line = json!([{"sku": sku, "quantity": 1}]);
    let answer = post(
        b"k-nul",
        json!({"po_number": "PO-1", "note": "a\u{0}b", "lines": line}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer = post(
        b"k-bidi",
        json!({"po_number": "PO-\u{2067}1", "lines": line}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer = post(
        "schl\u{fc}ssel".as_bytes(),
        json!({"po_number": "PO-1", "lines": line}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = answer.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("A-Z a-z 0-9"), "{message}");
    assert!(!message.contains("empty"), "{message}");
    let answer = post(
        b"k-float",
        json!({"po_number": "PO-F", "lines": [{"sku": sku, "quantity": 2.0}]}),
    )
    .await
    .unwrap();
    assert_eq!(
        answer.status(),
        StatusCode::CREATED,
        "2.0 is a JSON integer"
    );
    assert_eq!(app.erp.calls("create_order"), 1);
}
