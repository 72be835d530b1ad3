//! The read-through cache seen from outside: concurrent misses make one ERP call, errors are
//! never cached, and writes are never served from the cache.

use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::ErpError;
use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    CountingErp, GLOBEX_TOKEN, NORTHWIND_TOKEN, sku_in_stock, some_skus, spawn_app, spawn_app_with,
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
    // A product nobody has asked for yet: the first answer for this URL is the failure.
    let sku = some_skus(&app, 60).await.pop().unwrap();
    let url = app.url(&format!("/api/v1/products/{sku}"));
    let get = || app.api().get(&url).bearer_auth(NORTHWIND_TOKEN).send();
    app.erp
        .break_operation("product", Some(ErpError::unavailable("switched off")));
    let failed = get().await.unwrap();
    assert_eq!(failed.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "erp_unavailable");
    assert!(
        !body.to_string().contains("switched off"),
        "the ERP's message stays in the log"
    );
    app.erp.break_operation("product", None);
    let product_calls = app.erp.calls("product");
    let recovered = get().await.unwrap();
    assert_eq!(
        recovered.status(),
        StatusCode::OK,
        "the failure was not remembered"
    );
    assert!(
        app.erp.calls("product") > product_calls,
        "the same URL asked the ERP again"
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

#[tokio::test]
async fn concurrent_misses_for_many_skus_share_calls_per_customer() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    // One call out per group, so every later miss must wait and share the next one.
    let app = crate::support::spawn_app_configured(erp.clone(), |c| {
        c.cache.batch_calls_in_flight = 1;
    })
    .await;
    let skus = crate::support::some_skus(&app, 12).await;
    // What each customer's price for each SKU is, asked one by one on another instance.
    let reference = spawn_app().await;
    let mut expected = Vec::new();
    for token in [NORTHWIND_TOKEN, GLOBEX_TOKEN] {
        for sku in &skus {
            let answer = reference
                .api_json(&format!("/api/v1/products/{sku}"), token)
                .await;
            expected.push((token, sku.clone(), answer["price"]["unit_price"].clone()));
        }
    }
    let (prices_before, stock_before) = (erp.calls("prices"), erp.calls("availability"));
    // A slow ERP keeps the first calls in flight while the other misses arrive.
    erp.set_delay(Duration::from_millis(300));
    let requests = expected.iter().map(|(token, sku, _)| {
        let url = app.url(&format!("/api/v1/products/{sku}"));
        let request = app.api().get(url).bearer_auth(*token).send();
        async move {
            let answer: Value = request.await.unwrap().json().await.unwrap();
            answer
        }
    });
    let answers = futures_util::future::join_all(requests).await;
    for ((token, sku, price), answer) in expected.iter().zip(&answers) {
        assert_eq!(&answer["sku"], sku.as_str());
        assert_eq!(
            &answer["price"]["unit_price"], price,
            "{token} gets their own price for {sku}, never a neighbour's from a shared call"
        );
    }
    let prices = erp.calls("prices") - prices_before;
    let stock = erp.calls("availability") - stock_before;
    // Per customer: the first miss goes at once, the others wait for it and go together.
    assert!(
        (2..=4).contains(&prices),
        "24 concurrent price misses of two customers made {prices} price calls"
    );
    assert!(
        (1..=2).contains(&stock),
        "24 concurrent availability misses made {stock} availability calls"
    );
}

#[tokio::test]
async fn a_kept_answer_lives_no_longer_than_the_data_it_shows() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let app = crate::support::spawn_app_configured(erp.clone(), |config| {
        config.cache.availability_ttl_secs = 2;
    })
    .await;
    let sku = sku_in_stock(&app).await;
    let path = format!("/api/v1/products/{sku}");
    let before = app.api_json(&path, NORTHWIND_TOKEN).await;
    let stock = before["availability"]["available"].as_u64().unwrap();
    let order = json!({"po_number": "PO-FRESH", "lines": [{"sku": sku, "quantity": 1}]});
    let placed = app
        .api()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .header("Idempotency-Key", "fresh-answer-1")
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(placed.status(), StatusCode::CREATED);
    let calls = erp.calls("availability");
    let again = app.api_json(&path, NORTHWIND_TOKEN).await;
    assert_eq!(again, before, "within the TTL the kept answer is served");
    assert_eq!(erp.calls("availability"), calls, "without asking the ERP");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let after = app.api_json(&path, NORTHWIND_TOKEN).await;
    assert_eq!(
        after["availability"]["available"].as_u64().unwrap(),
        stock - 1,
        "once availability is due, the answer shows the stock the order booked"
    );
    assert_eq!(
        after["price"], before["price"],
        "the rest of the answer is unchanged"
    );
}

#[tokio::test]
async fn a_price_call_also_brings_what_buyers_look_at_most() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let app = spawn_app_with(erp.clone()).await;
    let skus = crate::support::some_skus(&app, 4).await;
    let product = |sku: &str| format!("/api/v1/products/{sku}");
    for sku in &skus[..3] {
        app.api_json(&product(sku), NORTHWIND_TOKEN).await;
    }
    // The ranking of what buyers look at is rebuilt at most once a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let before = erp.calls("prices");
    let first = app.api_json(&product(&skus[3]), GLOBEX_TOKEN).await;
    assert_eq!(
        erp.calls("prices"),
        before + 1,
        "one call for Globex's miss"
    );
    let mut seen = vec![first];
    for sku in &skus[..3] {
        seen.push(app.api_json(&product(sku), GLOBEX_TOKEN).await);
    }
    assert_eq!(
        erp.calls("prices"),
        before + 1,
        "Globex's prices of the products Northwind looked at came with that call"
    );
    let reference = spawn_app().await;
    for (answer, sku) in seen.iter().zip(skus[3..].iter().chain(&skus[..3])) {
        let expected = reference.api_json(&product(sku), GLOBEX_TOKEN).await;
        assert_eq!(
            answer["price"]["tiers"], expected["price"]["tiers"],
            "Globex's own price for {sku}, never Northwind's"
        );
    }
}

#[tokio::test]
async fn prefetching_reaches_only_as_far_down_as_configured() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let app = crate::support::spawn_app_configured(erp.clone(), |config| {
        config.cache.popular_skus = 2;
    })
    .await;
    let skus = crate::support::some_skus(&app, 4).await;
    let product = |sku: &str| format!("/api/v1/products/{sku}");
    // The first two are looked at twice, so they are the top two.
    for sku in [&skus[0], &skus[1], &skus[0], &skus[1], &skus[2]] {
        app.api_json(&product(sku), NORTHWIND_TOKEN).await;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let before = erp.calls("prices");
    app.api_json(&product(&skus[3]), GLOBEX_TOKEN).await;
    app.api_json(&product(&skus[0]), GLOBEX_TOKEN).await;
    app.api_json(&product(&skus[1]), GLOBEX_TOKEN).await;
    assert_eq!(erp.calls("prices"), before + 1, "the top two came along");
    app.api_json(&product(&skus[2]), GLOBEX_TOKEN).await;
    assert_eq!(
        erp.calls("prices"),
        before + 2,
        "the third is below the configured depth"
    );
}
