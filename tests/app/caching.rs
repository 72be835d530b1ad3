//! The read-through cache seen from outside: concurrent misses make one ERP call, errors are
//! never cached, and writes are never served from the cache.

use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    CountingErp, GLOBEX_TOKEN, NORTHWIND_TOKEN, sku_in_stock, spawn_app, spawn_app_with,
};

#[tokio::test]
async fn concurrent_misses_for_one_product_make_one_call_per_erp_operation() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let app = spawn_app_with(erp.clone()).await;
    // A slow ERP keeps the first call in flight while the others arrive.
    erp.set_delay(Duration::from_millis(200));
    let path = app.url("/api/v1/products/FAS-1001");
    let sku = {
        let list: Value = app
            .api_json("/api/v1/products?per_page=1", NORTHWIND_TOKEN)
            .await;
        list["items"][0]["sku"].as_str().unwrap().to_string()
    };
    let _ = path;
    let url = app.url(&format!("/api/v1/products/{sku}"));
    let requests = (0..50).map(|_| app.api().get(&url).bearer_auth(NORTHWIND_TOKEN).send());
    let responses = futures_util::future::join_all(requests).await;
    assert!(
        responses
            .iter()
            .all(|r| r.as_ref().unwrap().status() == StatusCode::OK)
    );
    assert_eq!(
        erp.calls("product"),
        1,
        "one product call for 50 concurrent requests"
    );
    assert_eq!(erp.calls("prices"), 1, "one price call");
    assert_eq!(erp.calls("availability"), 1, "one availability call");

    // Another customer's price is never the cached one: it costs its own call.
    let other = app
        .api()
        .get(&url)
        .bearer_auth(GLOBEX_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(erp.calls("prices"), 2);
    assert_eq!(erp.calls("product"), 1, "the catalog entry is shared");
}

#[tokio::test]
async fn errors_are_not_cached_and_are_shown_politely() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let url = app.url(&format!("/api/v1/products/{sku}x"));
    app.erp.fail_next(10);
    let failed = app
        .api()
        .get(&url)
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "erp_unavailable");
    assert!(
        !body.to_string().contains("switched off"),
        "the ERP's message stays in the log"
    );
    app.erp.fail_next(0);
    let recovered = app
        .api()
        .get(app.url(&format!("/api/v1/products/{sku}")))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        recovered.status(),
        StatusCode::OK,
        "the failure was not remembered"
    );
}

#[tokio::test]
async fn a_new_order_shows_in_the_history_at_once() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let orders = || async {
        let list: Value = app.api_json("/api/v1/orders", NORTHWIND_TOKEN).await;
        list["items"].as_array().unwrap().len()
    };
    let before = orders().await;
    let created = app
        .api()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .header("Idempotency-Key", "key-history-1")
        .json(&json!({"po_number": "PO-HIST", "lines": [{"sku": sku, "quantity": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        orders().await,
        before + 1,
        "the cached history was dropped on create"
    );
}
