//! Request ids: made for every request, echoed in the answer, kept only from a trusted proxy,
//! and sent with the ERP calls made for the request (seen by the HTTP adapter's sandbox).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::{Next, from_fn};
use erpfront::erp::demo::DemoErp;
use erpfront::sim::{self, SimControl};

use crate::support::adapters::http_erp;
use crate::support::{
    CountingErp, NORTHWIND_TOKEN, TestApp, some_skus, spawn_app, spawn_app_configured,
};

async fn id_of(app: &TestApp, sent: Option<&str>) -> String {
    let mut request = app
        .api()
        .get(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN);
    if let Some(id) = sent {
        request = request.header("X-Request-Id", id);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string()
}

fn is_uuid(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok()
}

#[tokio::test]
async fn every_answer_carries_a_new_id_and_an_untrusted_peers_id_is_replaced() {
    let app = spawn_app().await;
    let (first, second) = (id_of(&app, None).await, id_of(&app, None).await);
    assert!(is_uuid(&first) && is_uuid(&second), "{first} {second}");
    assert_ne!(first, second);
    // The demo trusts no proxy: whatever the client says is replaced.
    let replaced = id_of(&app, Some("forged-by-the-client")).await;
    assert!(is_uuid(&replaced), "{replaced}");
    // Error pages carry one too.
    let missing = app.api().get(app.url("/nowhere")).send().await.unwrap();
    assert!(is_uuid(missing.headers()["x-request-id"].to_str().unwrap()));
    app.stop().await;
}

#[tokio::test]
async fn a_trusted_proxys_id_is_kept_unless_it_is_unfit_for_a_log_line() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let app = spawn_app_configured(erp, |config| {
        config.server.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    assert_eq!(id_of(&app, Some("lb-7f3a-0001")).await, "lb-7f3a-0001");
    let too_long = "x".repeat(200);
    assert!(is_uuid(&id_of(&app, Some(&too_long)).await));
    assert!(is_uuid(&id_of(&app, Some("two words")).await));
    app.stop().await;
}

#[tokio::test]
async fn the_id_reaches_the_erp_with_the_calls_made_for_the_request() {
    // The sandbox ERP, with a recorder of the X-Request-Id of each call in front of it.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let demo = Arc::new(DemoErp::embedded().unwrap());
    let router = sim::router(demo, &SimControl::default()).layer(from_fn(
        move |request: Request, next: Next| {
            let record = record.clone();
            async move {
                if let Some(id) = request.headers().get("x-request-id") {
                    record
                        .lock()
                        .unwrap()
                        .push(id.to_str().unwrap().to_string());
                }
                next.run(request).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(sim::serve(listener, router));
    let erp = Arc::new(CountingErp::new(Arc::new(http_erp(
        &url,
        Duration::from_secs(5),
    ))));
    let app = crate::support::spawn_app_with(erp).await;

    let id = id_of(&app, None).await;
    assert!(
        seen.lock().unwrap().contains(&id),
        "the orders call carried {id}: {:?}",
        seen.lock().unwrap()
    );
    // A product's price and availability go out in shared batch calls on their own task:
    // they carry the id of the request that started them.
    let sku = &some_skus(&app, 1).await[0];
    let response = app
        .api()
        .get(app.url(&format!("/api/v1/products/{sku}")))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let calls = seen.lock().unwrap().iter().filter(|s| **s == id).count();
    assert!(
        calls >= 3,
        "product, prices and availability carried {id}: {calls}"
    );
    app.stop().await;
    server.abort();
}

/// `erpfront demo` names its metrics URL, and with `ERPFRONT_LOG_FORMAT=json` each log line of
/// a request is one JSON object naming the request's id.
#[tokio::test]
async fn the_demo_names_its_metrics_url_and_json_log_lines_carry_the_request_id() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_erpfront"))
        .args([
            "demo",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .env("ERPFRONT_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,tower_http=debug")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let next_line = async |lines: &mut tokio::io::Lines<_>| {
        tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the demo keeps talking")
            .unwrap()
            .expect("the demo is running")
    };
    let (mut shop, mut metrics) = (None, None);
    while shop.is_none() || metrics.is_none() {
        let line: String = next_line(&mut lines).await;
        if let Some(url) = line.strip_prefix("erpfront demo: ") {
            shop = Some(url.to_string());
        }
        if let Some(url) = line.strip_prefix("Metrics (Prometheus): ") {
            metrics = Some(url.to_string());
        }
    }
    let (shop, metrics) = (shop.unwrap(), metrics.unwrap());
    assert_ne!(shop, metrics);
    let scraped = reqwest::get(&metrics).await.unwrap();
    assert_eq!(scraped.status(), reqwest::StatusCode::OK);
    assert!(
        scraped
            .text()
            .await
            .unwrap()
            .contains("erpfront_build_info")
    );

    let response = reqwest::get(format!("{shop}/login")).await.unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    loop {
        let line: String = next_line(&mut lines).await;
        if !line.contains(&id) {
            continue;
        }
        let logged: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
        let spans = logged["spans"].as_array().expect("the spans of the line");
        assert!(
            spans.iter().any(|span| span["request_id"] == id.as_str()),
            "{line}"
        );
        break;
    }
    child.kill().await.unwrap();
}
