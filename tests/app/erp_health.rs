//! The truth about the ERP's health: a probe that is given up does not jam the breaker, and
//! `/status`, `/status.json` and the banner on every page say the same thing, from how the
//! ERP answered in the last minute. Pages that cannot show part of their data say so.

use std::sync::Arc;
use std::time::{Duration, Instant};

use erpfront::erp::ErpError;
use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    ANNA, CountingErp, NORTHWIND_TOKEN, OPERATOR_TOKEN, SAM, SendForJson, TestApp, html,
    spawn_app_configured, text_of,
};

fn demo_erp() -> Arc<CountingErp> {
    Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())))
}

async fn operator_status(app: &TestApp) -> Value {
    app.api()
        .get(app.url("/status.json"))
        .bearer_auth(OPERATOR_TOKEN)
        .json_answer()
        .await
}

/// An uncached read: each order number is asked for once.
async fn read_order(app: &TestApp, n: usize) -> StatusCode {
    app.api()
        .get(app.url(&format!("/api/v1/orders/SO-HEALTH-{n}")))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_probe_cut_off_by_the_request_deadline_does_not_jam_the_breaker() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |c| {
        c.server.request_timeout_secs = 1;
        c.resilience.call_timeout_ms = 20_000;
        c.resilience.breaker_failures = 2;
        c.resilience.breaker_open_ms = 300;
        c.resilience.read_retries = 0;
    })
    .await;
    erp.set_down(true);
    for n in 0..2 {
        assert_eq!(read_order(&app, n).await, StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(operator_status(&app).await["breaker"], "open");

    // The ERP is back but hangs: the probe is cut off by the request deadline and dropped.
    erp.set_down(false);
    erp.set_delay(Duration::from_secs(10));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(read_order(&app, 10).await, StatusCode::GATEWAY_TIMEOUT);

    // It answers again: the shop recovers by itself, with no restart.
    erp.set_delay(Duration::ZERO);
    let started = Instant::now();
    let mut n = 20;
    while read_order(&app, n).await != StatusCode::NOT_FOUND {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the breaker stayed jammed: {}",
            operator_status(&app).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        n += 1;
    }
    assert_eq!(operator_status(&app).await["breaker"], "closed");
}

#[tokio::test]
async fn an_erp_failing_half_its_calls_is_partly_failing_everywhere() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |c| {
        c.resilience.read_retries = 0;
        c.resilience.breaker_failures = 100;
    })
    .await;
    for n in 0..10 {
        if n % 2 == 0 {
            erp.fail_next(1);
        }
        read_order(&app, n).await;
    }
    // The last call worked; the minute's figures still say what buyers live with.
    let status = operator_status(&app).await;
    assert_eq!(status["state"], "partly_failing", "{status}");
    assert_eq!(status["window"]["failures"], 5, "{status}");

    let (_, page) = app.browser().get("/status").await;
    assert!(
        text_of(&html(&page), "h1").contains("failing some requests"),
        "{page}"
    );
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (_, catalog) = anna.get("/catalog").await;
    assert!(
        text_of(&html(&catalog), ".erp-banner").contains("failing some requests"),
        "the banner agrees with /status"
    );
}

#[tokio::test]
async fn slow_answers_are_called_slow() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |c| c.resilience.slow_answer_ms = 200).await;
    assert_eq!(operator_status(&app).await["state"], "working");
    erp.set_delay(Duration::from_millis(300));
    read_order(&app, 1).await;
    let status = operator_status(&app).await;
    assert_eq!(status["state"], "slow", "{status}");
    assert!(status["latency_ms"].as_f64().unwrap() >= 300.0, "{status}");
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (_, catalog) = anna.get("/catalog").await;
    assert!(text_of(&html(&catalog), ".erp-banner").contains("answering slowly"));
}

#[tokio::test]
async fn an_outage_is_dated_from_its_first_failure_not_its_last_probe() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |c| {
        c.resilience.read_retries = 0;
        c.resilience.breaker_failures = 2;
        c.resilience.breaker_open_ms = 200;
    })
    .await;
    read_order(&app, 0).await;
    erp.set_down(true);
    read_order(&app, 1).await;
    read_order(&app, 2).await;
    let down = operator_status(&app).await;
    assert_eq!(down["state"], "unreachable", "{down}");
    let since = down["since"].clone();
    assert!(since.is_string(), "{down}");
    assert_eq!(down["latency_ms"].as_f64().map(|l| l < 100.0), Some(true));

    // Later probes fail too: still unreachable since the first failure.
    for n in 3..6 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        read_order(&app, n).await;
    }
    let still = operator_status(&app).await;
    assert_eq!(still["state"], "unreachable");
    assert_eq!(still["since"], since, "{still}");
    let (_, page) = app.browser().get("/status").await;
    assert!(text_of(&html(&page), ".status-board").contains("Not answering since"));

    erp.set_down(false);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(read_order(&app, 9).await, StatusCode::NOT_FOUND);
    let back = operator_status(&app).await;
    assert_eq!(back["state"], "recovering", "{back}");
    let public: Value = app.api().get(app.url("/status.json")).json_answer().await;
    assert_eq!(public["state"], "recovering");
    for private in ["erp", "breaker", "latency_ms", "window"] {
        assert!(public.get(private).is_none(), "{private} is for operators");
    }
}

#[tokio::test]
async fn the_desk_says_when_the_erp_did_not_answer_instead_of_hiding_data() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |_| {}).await;
    let orders: Value = app.api_json("/api/v1/orders", NORTHWIND_TOKEN).await;
    let number = orders["items"][0]["number"].as_str().unwrap().to_string();
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;

    erp.break_operation("invoices", Some(ErpError::Timeout));
    let (status, body) = sam
        .get(&format!("/service-desk/customers/C-1000/orders/{number}"))
        .await;
    assert_eq!(status, StatusCode::OK, "the order itself is shown");
    assert!(
        text_of(&html(&body), "main").contains("did not answer for this order's invoices"),
        "{body}"
    );

    // Where the ERP cannot search customers, a number leads to the customer, and an outage is
    // not "no such customer".
    erp.break_operation(
        "search_customers",
        Some(ErpError::Unsupported {
            operation: "search_customers",
        }),
    );
    erp.break_operation("customer", Some(ErpError::unavailable("test outage")));
    let (_, body) = sam.get("/service-desk/customers?q=C-2000").await;
    let main = text_of(&html(&body), "main");
    assert!(main.contains("did not answer"), "{main}");
    assert!(!main.contains("No customer matches"), "{main}");
    erp.break_operation("customer", Some(ErpError::NotFound));
    let (_, body) = sam.get("/service-desk/customers?q=C-9999").await;
    assert!(text_of(&html(&body), "main").contains("No customer matches"));
}

#[tokio::test]
async fn the_catalog_says_when_its_categories_are_missing() {
    let erp = demo_erp();
    let app = spawn_app_configured(erp.clone(), |_| {}).await;
    erp.break_operation("categories", Some(ErpError::Timeout));
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (status, body) = anna.get("/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text_of(&html(&body), ".sidebar")
            .contains("not answering right now, so the categories cannot be shown"),
        "{body}"
    );
}
