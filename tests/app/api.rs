//! The JSON API's contract: names buyers' scripts rely on, and the idempotency rules of
//! `POST /api/v1/orders`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::SendForJson;
use crate::support::{GLOBEX_TOKEN, NORTHWIND_TOKEN, TestApp, sku_in_stock, spawn_app};

async fn post_order(app: &TestApp, key: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut request = app
        .api()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn products_search_and_get_carry_the_callers_price_and_availability() {
    let app = spawn_app().await;
    let list: Value = app
        .api_json("/api/v1/products?q=&page=1", NORTHWIND_TOKEN)
        .await;
    let items = list["items"].as_array().unwrap();
    assert!(!items.is_empty() && items[0]["sku"].is_string() && items[0]["name"].is_string());
    assert!(list["total"].as_u64().unwrap() >= 200);

    let sku = items[0]["sku"].as_str().unwrap();
    let get = |token: &'static str| {
        let app = &app;
        async move {
            let r = app
                .api()
                .get(app.url(&format!("/api/v1/products/{sku}")))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.unwrap()
        }
    };
    let northwind = get(NORTHWIND_TOKEN).await;
    let globex = get(GLOBEX_TOKEN).await;
    assert_eq!(northwind["sku"], sku);
    assert!(
        northwind["price"]["unit_price"].is_string(),
        "amounts are strings: {northwind}"
    );
    assert!(northwind["price"]["tiers"].as_array().unwrap().len() >= 2);
    assert!(northwind["availability"]["available"].is_u64());
    assert_ne!(
        northwind["price"]["unit_price"],
        globex["price"]["unit_price"]
    );

    let missing = app
        .api()
        .get(app.url("/api/v1/products/NO-SUCH-SKU"))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_same_key_with_the_same_body_returns_the_same_order() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let order = json!({"po_number": "PO-API-1", "lines": [{"sku": sku, "quantity": 3}]});
    let (status, first) = post_order(&app, Some("key-api-0001"), &order).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(first["number"].is_string());
    assert_eq!(first["po_number"], "PO-API-1");
    let (status, again) = post_order(&app, Some("key-api-0001"), &order).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["number"], first["number"]);
    assert_eq!(
        app.erp.calls("create_order"),
        1,
        "the ERP was asked to create once"
    );

    let list: Value = app.api_json("/api/v1/orders", NORTHWIND_TOKEN).await;
    let matching = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["po_number"] == "PO-API-1")
        .count();
    assert_eq!(matching, 1, "one order in the ERP");
    let fetched: Value = app
        .api_json(
            &format!("/api/v1/orders/{}", first["number"].as_str().unwrap()),
            NORTHWIND_TOKEN,
        )
        .await;
    assert_eq!(fetched["lines"][0]["sku"], sku);
}

#[tokio::test]
async fn racing_submissions_with_one_key_make_one_order() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let order = json!({"po_number": "PO-RACE", "lines": [{"sku": sku, "quantity": 1}]});
    let attempts = (0..8).map(|_| post_order(&app, Some("key-race-0001"), &order));
    let results = futures_util::future::join_all(attempts).await;
    let numbers: Vec<&Value> = results
        .iter()
        .map(|(status, body)| {
            assert!(status.is_success(), "{status} {body}");
            &body["number"]
        })
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] == w[1]),
        "every answer names one order: {numbers:?}"
    );
    let list: Value = app.api_json("/api/v1/orders", NORTHWIND_TOKEN).await;
    assert_eq!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["po_number"] == "PO-RACE")
            .count(),
        1
    );
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422_and_no_key_is_400() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let order = json!({"po_number": "PO-API-2", "lines": [{"sku": sku, "quantity": 2}]});
    let (status, _) = post_order(&app, Some("\"key-api-0002\""), &order).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a structured-field (quoted) key is accepted"
    );
    let changed = json!({"po_number": "PO-API-2", "lines": [{"sku": sku, "quantity": 5}]});
    let (status, body) = post_order(&app, Some("key-api-0002"), &changed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "unprocessable");

    let (status, body) = post_order(&app, None, &order).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    let (status, _) = post_order(&app, Some("not a valid key!"), &order).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(app.erp.calls("create_order"), 1);
}

#[tokio::test]
async fn bad_order_bodies_get_clear_errors_and_create_nothing() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let cases = [
        (
            json!({"po_number": "PO-X", "lines": [{"sku": sku, "quantity": -1}]}),
            StatusCode::BAD_REQUEST,
            "at least 1",
        ),
        (
            json!({"po_number": "PO-X", "lines": [{"sku": sku, "quantity": 1_000_000}]}),
            StatusCode::BAD_REQUEST,
            "at most",
        ),
        (
            json!({"po_number": "PO-X", "lines": [{"sku": "NO-SUCH-SKU", "quantity": 1}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "NO-SUCH-SKU",
        ),
        (
            json!({"po_number": "", "lines": [{"sku": sku, "quantity": 1}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "PO",
        ),
        (
            json!({"po_number": "PO-X", "lines": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no lines",
        ),
        (
            json!({"po_number": "PO-X", "lines": [{"sku": sku, "quantity": 1}], "price": "0.01"}),
            StatusCode::BAD_REQUEST,
            "price",
        ),
    ];
    for (i, (body, expected, words)) in cases.iter().enumerate() {
        let (status, answer) = post_order(&app, Some(&format!("key-bad-{i:04}")), body).await;
        assert_eq!(status, *expected, "case {i}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "case {i}: {message}");
    }
    let malformed = app
        .api()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .header("Idempotency-Key", "key-bad-json")
        .header("content-type", "application/json")
        .body("{\"po_number\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    let list: Value = app.api_json("/api/v1/orders", NORTHWIND_TOKEN).await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["po_number"] != "PO-X"),
        "nothing was created"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc: Value = app
        .api()
        .get(app.url("/api/v1/openapi.json"))
        .json_answer()
        .await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/products",
        "/api/v1/products/{sku}",
        "/api/v1/orders",
        "/api/v1/orders/{number}",
        "/api/v1/invoices",
        "/api/v1/invoices/{number}",
        "/api/v1/invoices/{number}/pdf",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    assert!(doc["components"]["schemas"]["CreateOrderRequest"].is_object());
}
