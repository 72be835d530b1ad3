//! The sandbox itself: its admin API counts calls and switches faults, tokens guard it, and its
//! routes take percent-encoded path segments one by one.

use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::demo::DemoErp;
use erpfront::erp::http::{HttpErp, HttpErpSettings};
use erpfront::erp::{Erp, ErpError};
use erpfront::sim::{SimAccess, SimControl, spawn_sim_with};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::support::SendForJson;
use crate::support::adapters::{demo_over_http, http_erp};

fn id<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap()
}

#[tokio::test]
async fn the_admin_api_counts_calls_and_switches_faults() {
    let (_, sim, http) = demo_over_http().await;
    let admin = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", sim.url());

    http.categories().await.unwrap();
    http.customer(&id("C-1000")).await.unwrap();
    http.customer(&id("C-1000")).await.unwrap();
    let calls: Value = admin.get(url("/admin/calls")).json_answer().await;
    assert_eq!(calls, json!({"categories": 1, "customer": 2}));

    let set = admin
        .put(url("/admin/faults"))
        .json(&json!({"outage": true, "operation": "categories"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    assert!(matches!(
        http.categories().await,
        Err(ErpError::Unavailable { .. })
    ));
    assert!(
        http.customer(&id("C-1000")).await.is_ok(),
        "the fault is scoped"
    );
    let refused = admin
        .put(url("/admin/faults"))
        .json(&json!({"error_rate": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(
        sim.faults().outage,
        "a refused change leaves the faults as they were"
    );

    let cleared = admin.delete(url("/admin/faults")).send().await.unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    assert!(http.categories().await.is_ok());
    let reset = admin.delete(url("/admin/calls")).send().await.unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let calls: Value = admin.get(url("/admin/calls")).json_answer().await;
    assert_eq!(calls, json!({}));
}

#[tokio::test]
async fn tokens_guard_the_protocol_and_the_admin_api() {
    let demo = Arc::new(DemoErp::embedded().unwrap());
    let control = SimControl::new(SimAccess {
        admin_token: Some("admin-secret".into()),
        protocol_token: Some("erp-secret".into()),
    });
    let (_, sim) = spawn_sim_with(demo, control).await.unwrap();
    let anonymous = http_erp(&sim.url(), Duration::from_secs(5));
    assert!(matches!(
        anonymous.categories().await,
        Err(ErpError::Unavailable { .. })
    ));
    let settings = HttpErpSettings::new(&sim.url())
        .unwrap()
        .with_token(Some(SecretString::from("erp-secret")));
    let with_token = HttpErp::new(settings).unwrap();
    assert!(with_token.categories().await.is_ok());

    let admin = reqwest::Client::new();
    let calls = format!("{}/admin/calls", sim.url());
    let status = admin.get(&calls).send().await.unwrap().status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let status = admin
        .get(&calls)
        .bearer_auth("admin-secret")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn path_segments_are_percent_decoded_one_by_one() {
    let (_, sim, _) = demo_over_http().await;
    let client = reqwest::Client::new();
    for path in [
        "/v1/customers/C-1000/invoices/INV%2F2026%2F1",
        "/v1/customers/C-1000/invoices/INV%2F2026%2F1/document",
        "/v1/customers/C-1000/orders/SO%2F1",
    ] {
        let answer = client
            .get(format!("{}{path}", sim.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(
            body["error"]["outcome"], "not_found",
            "{path} reached its route"
        );
    }
}
