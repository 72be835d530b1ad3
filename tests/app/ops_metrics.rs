//! `/metrics`: scraped from the running server's own listener after real requests, ERP calls,
//! orders and logins; names and labels as Prometheus expects; never a customer, SKU or login
//! in a label; never served on the public port.
//!
//! The recorder is process-wide, and other tests run alongside: figures are compared as
//! "moved by at least", never as exact values.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{ANNA, NORTHWIND_TOKEN, TestApp, sku_in_stock, some_skus, spawn_app};

/// One sample line: name, labels, value.
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

/// Parses the text exposition format (no escaped quotes in our label values).
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let labels = rest
                        .trim_end_matches('}')
                        .split("\",")
                        .filter(|pair| !pair.is_empty())
                        .map(|pair| {
                            let (k, v) = pair.split_once("=\"").expect("label=\"value\"");
                            (k.to_string(), v.trim_end_matches('"').to_string())
                        })
                        .collect();
                    (name.to_string(), labels)
                }
                None => (series.to_string(), Vec::new()),
            };
            Sample {
                name,
                labels,
                value: value.parse().expect("a number"),
            }
        })
        .collect()
}

/// The sum of the samples of `name` that carry every label in `with`.
fn sum(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            with.iter()
                .all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|s| s.value)
        .sum()
}

async fn scrape(app: &TestApp) -> (String, Vec<Sample>) {
    let response = reqwest::get(format!("{}/metrics", app.metrics_address))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

/// Product reads (a miss, then hits), a failed and a good login, and an order.
async fn some_traffic(app: &TestApp) -> (String, Vec<String>) {
    let sku = sku_in_stock(app).await;
    for _ in 0..3 {
        let product = app
            .api_json(&format!("/api/v1/products/{sku}"), NORTHWIND_TOKEN)
            .await;
        assert_eq!(product["sku"], sku.as_str());
    }
    let mut browser = app.browser();
    browser.login(ANNA, "not her password").await;
    browser.login(ANNA, "demo").await;
    let order = app
        .api()
        .post(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .header("Idempotency-Key", "metrics-order-0001")
        .json(&json!({"po_number": "PO-METRICS", "lines": [{"sku": sku, "quantity": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(order.status(), StatusCode::CREATED);
    (sku, some_skus(app, 10).await)
}

#[tokio::test]
async fn requests_erp_calls_cache_orders_and_logins_move_their_metrics() {
    let app = spawn_app().await;
    let (_, before) = scrape(&app).await;
    some_traffic(&app).await;
    let (text, after) = scrape(&app).await;
    let moved =
        |name: &str, with: &[(&str, &str)]| sum(&after, name, with) - sum(&before, name, with);

    let route = [
        ("route", "/api/v1/products/{sku}"),
        ("method", "GET"),
        ("status_class", "2xx"),
    ];
    assert!(
        moved("erpfront_http_requests_total", &route) >= 3.0,
        "{text}"
    );
    assert!(
        moved("erpfront_http_request_duration_seconds_count", &route) >= 3.0,
        "a histogram, not a summary: {text}"
    );
    assert!(text.contains("erpfront_http_request_duration_seconds_bucket{"));
    let counting = [("adapter", "counting"), ("outcome", "ok")];
    assert!(
        moved(
            "erpfront_erp_calls_total",
            &[counting[0], counting[1], ("operation", "product")]
        ) >= 1.0
    );
    assert!(
        moved(
            "erpfront_erp_calls_total",
            &[counting[0], ("operation", "create_order")]
        ) >= 1.0
    );
    assert!(moved("erpfront_erp_call_duration_seconds_count", &counting) >= 1.0);
    assert!(
        moved("erpfront_cache_hits_total", &[("kind", "answer")]) >= 2.0,
        "{text}"
    );
    assert!(moved("erpfront_cache_misses_total", &[("kind", "catalog")]) >= 1.0);
    assert!(moved("erpfront_cache_hits_total", &[("kind", "catalog")]) >= 1.0);
    assert!(sum(&after, "erpfront_cache_bytes", &[("cache", "answers")]) > 0.0);
    assert!(moved("erpfront_orders_total", &[("outcome", "created")]) >= 1.0);
    assert!(moved("erpfront_login_attempts_total", &[("result", "failure")]) >= 1.0);
    assert!(moved("erpfront_login_attempts_total", &[("result", "success")]) >= 1.0);
    assert_eq!(
        sum(&after, "erpfront_erp_breaker_state", &[("state", "closed")]),
        1.0
    );
    assert!(sum(&after, "erpfront_cache_bytes", &[("cache", "erp")]) > 0.0);
    assert!(sum(&after, "erpfront_cache_bytes_limit", &[("cache", "erp")]) > 0.0);
    assert!(sum(&after, "erpfront_erp_calls_in_flight_limit", &[]) > 0.0);
    assert!(
        after.iter().any(
            |s| s.name == "erpfront_build_info" && s.labels.iter().any(|(k, _)| k == "version")
        ),
        "{text}"
    );
    for sample in &after {
        assert!(sample.name.starts_with("erpfront_"), "{}", sample.name);
        if sample.name.ends_with("_total") {
            assert!(sample.value >= 0.0);
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn no_label_names_a_customer_a_sku_or_a_login() {
    let app = spawn_app().await;
    let (sku, skus) = some_traffic(&app).await;
    // A 404 for a made-up path must not become a label either.
    let probe = app
        .api()
        .get(app.url("/no/such/C-1000/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), StatusCode::NOT_FOUND);
    let (text, samples) = scrape(&app).await;
    assert!(
        sum(
            &samples,
            "erpfront_http_requests_total",
            &[("route", "unmatched")]
        ) >= 1.0,
        "{text}"
    );
    let private: Vec<String> = [
        "C-1000",
        "C-2000",
        "@",
        NORTHWIND_TOKEN,
        "PO-METRICS",
        "metrics-order",
    ]
    .into_iter()
    .map(String::from)
    .chain(skus)
    .chain([sku])
    .collect();
    for sample in &samples {
        for (key, value) in &sample.labels {
            for secret in &private {
                // Route templates name their parameters (`{sku}`), never their values.
                assert!(
                    !value.contains(secret.as_str()),
                    "{}{{{key}=\"{value}\"}} carries {secret:?}",
                    sample.name
                );
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn metrics_are_not_served_on_the_public_listener() {
    let app = spawn_app().await;
    let public = app.api().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let body = public.text().await.unwrap();
    assert!(!body.contains("erpfront_"), "{body}");
    assert_ne!(app.address, app.metrics_address);
    let (text, _) = scrape(&app).await;
    assert!(
        text.contains("# TYPE erpfront_http_requests_total counter"),
        "{text}"
    );
    app.stop().await;
}
