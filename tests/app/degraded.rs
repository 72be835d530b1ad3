//! When the ERP is slow or down: bounded answers, a breaker that opens and closes by itself,
//! the last good catalog answers labelled with their time, and honest pages everywhere else.

use std::sync::Arc;
use std::time::{Duration, Instant};

use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::SendForJson;
use crate::support::{
    ANNA, CountingErp, NORTHWIND_TOKEN, TestApp, attr_of, html, sku_in_stock, spawn_app_configured,
    text_of,
};

fn demo_erp() -> Arc<CountingErp> {
    Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())))
}

/// Short TTLs and a quick breaker, so a test sees expiry and recovery in a second.
async fn quick_app(erp: Arc<CountingErp>) -> TestApp {
    spawn_app_configured(erp, |c| {
        c.cache.catalog_ttl_secs = 1;
        c.cache.price_ttl_secs = 1;
        c.cache.availability_ttl_secs = 1;
        c.resilience.breaker_failures = 3;
        c.resilience.breaker_open_ms = 1000;
        c.resilience.call_timeout_ms = 400;
    })
    .await
}

async fn status(app: &TestApp) -> Value {
    app.api()
        .get(app.url("/status.json"))
        .bearer_auth(crate::support::OPERATOR_TOKEN)
        .json_answer()
        .await
}

#[tokio::test]
async fn while_the_erp_is_down_the_catalog_shows_the_last_good_prices_with_their_time() {
    let erp = demo_erp();
    let app = quick_app(erp.clone()).await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (_, body) = anna.get(&format!("/products/{sku}")).await;
    let live_price = text_of(&html(&body), ".buy-box .price.big");
    assert!(
        text_of(&html(&body), ".stale-notice").is_empty(),
        "fresh data carries no label"
    );

    erp.set_down(true);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status_code, body) = anna.get(&format!("/products/{sku}")).await;
    assert_eq!(status_code, StatusCode::OK, "the product page still works");
    let page = html(&body);
    assert_eq!(
        text_of(&page, ".buy-box .price.big"),
        live_price,
        "the last good price"
    );
    assert!(
        text_of(&page, ".stale-notice").contains("as of"),
        "labelled with its time"
    );

    // Orders and invoices are never shown stale: an honest page instead.
    for path in ["/orders", "/invoices"] {
        let (code, body) = anna.get(path).await;
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let page = html(&body);
        assert!(
            text_of(&page, "main").contains("not answering right now"),
            "{path}"
        );
        assert!(text_of(&page, "main").contains("+49 30 555 0100"), "{path}");
        assert!(!body.contains("switched off"), "{path}: no ERP message");
    }
    let (_, body) = anna.get("/catalog").await;
    assert!(
        text_of(&html(&body), ".erp-banner").contains("not answering right now"),
        "a banner on every page"
    );
    assert_eq!(status(&app).await["breaker"], "open");
}

#[tokio::test]
async fn the_breaker_opens_fails_fast_and_closes_by_itself_when_the_erp_returns() {
    let erp = demo_erp();
    let app = quick_app(erp.clone()).await;
    erp.set_down(true);
    for i in 0..4 {
        let r = app
            .api()
            .get(app.url(&format!("/api/v1/orders/SO-{i}")))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.headers().contains_key("retry-after"));
    }
    assert_eq!(status(&app).await["breaker"], "open");
    let calls_before = erp.calls("order");
    let started = Instant::now();
    let r = app
        .api()
        .get(app.url("/api/v1/orders/SO-9"))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "fails fast while open"
    );
    assert_eq!(
        erp.calls("order"),
        calls_before,
        "the ERP is left alone while open"
    );

    let page: Value = app
        .api()
        .get(app.url("/status"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(Value::String)
        .unwrap();
    assert!(page.as_str().unwrap().contains("not answering right now"));

    erp.set_down(false);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = app
        .api()
        .get(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the probe goes through");
    let s = status(&app).await;
    assert_eq!(s["breaker"], "closed");
    assert_eq!(s["state"], "recovering", "back after the outage");
}

#[tokio::test]
async fn checkout_while_the_erp_is_down_is_refused_and_keeps_the_cart() {
    let erp = demo_erp();
    let app = quick_app(erp.clone()).await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let key = anna.open_checkout_with(&sku, "4").await;
    erp.set_down(true);
    // Make the breaker open with a few failing reads.
    for _ in 0..3 {
        anna.get("/orders").await;
    }
    let form = [
        ("idempotency_key", key.as_str()),
        ("po_number", "PO-DOWN-2"),
        ("ship_to", ""),
        ("requested_date", ""),
        ("note", ""),
    ];
    let (code, _, body) = anna.post("/checkout", &form).await;
    assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
    let page = html(&body);
    assert!(
        text_of(&page, "h1").contains("could not be placed"),
        "{}",
        text_of(&page, "h1")
    );
    assert!(
        text_of(&page, "main").contains("not"),
        "says it was not sent"
    );
    assert!(
        attr_of(&page, "form[action='/checkout'] button", "class").is_some(),
        "a retry button"
    );
    assert_eq!(erp.calls("create_order"), 0, "nothing reached the ERP");

    erp.set_down(false);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (code, location, _) = anna.post("/checkout", &form).await;
    assert_eq!(code, StatusCode::SEE_OTHER, "the retry places the order");
    assert!(location.starts_with("/orders/"));
}

#[tokio::test]
async fn a_hanging_erp_gets_a_polite_answer_within_the_deadline() {
    let erp = demo_erp();
    let app = quick_app(erp.clone()).await;
    erp.set_delay(Duration::from_secs(30));
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let started = Instant::now();
    let (code, body) = anna.get("/orders").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered in {:?}",
        started.elapsed()
    );
    assert_eq!(code, StatusCode::GATEWAY_TIMEOUT);
    assert!(text_of(&html(&body), "main").contains("taking too long"));
}

#[tokio::test]
async fn no_request_outlives_the_request_deadline_even_when_every_call_may_take_longer() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |c| {
        c.server.request_timeout_secs = 1;
        c.resilience.call_timeout_ms = 20_000;
    })
    .await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    erp.set_delay(Duration::from_secs(30));
    let started = Instant::now();
    let (code, body) = anna.get("/orders").await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2500),
        "the page answered after {took:?}, at the request deadline"
    );
    assert_eq!(code, StatusCode::GATEWAY_TIMEOUT);
    assert!(text_of(&html(&body), "main").contains("taking too long"));
    let api = app
        .api()
        .get(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::GATEWAY_TIMEOUT);
    let answer: Value = api.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "erp_timeout", "{answer}");
}

#[tokio::test]
async fn erp_load_stays_within_the_concurrency_limit_and_the_rest_is_shed_politely() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |c| {
        c.resilience.max_concurrent_calls = 2;
        c.resilience.queue_timeout_ms = 100;
    })
    .await;
    let skus = crate::support::some_skus(&app, 12).await;
    erp.set_delay(Duration::from_millis(300));
    let requests = skus.iter().map(|sku| {
        app.api()
            .get(app.url(&format!("/api/v1/products/{sku}")))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
    });
    let responses = futures_util::future::join_all(requests).await;
    let statuses: Vec<StatusCode> = responses
        .iter()
        .map(|r| r.as_ref().unwrap().status())
        .collect();
    assert!(
        erp.max_in_flight() <= 2,
        "at most 2 calls at once reached the ERP, saw {}",
        erp.max_in_flight()
    );
    let shed: Vec<_> = responses
        .iter()
        .map(|r| r.as_ref().unwrap())
        .filter(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!shed.is_empty(), "some were shed: {statuses:?}");
    assert!(shed.iter().all(|r| r.headers().contains_key("retry-after")));
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
}
