//! One customer never sees another's data: not by URL, not through the API, not through a
//! cached answer.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{ANNA, GLOBEX_TOKEN, NORTHWIND_TOKEN, TestApp, spawn_app};

async fn first(app: &TestApp, token: &str, path: &str) -> String {
    let body: Value = app.api_json(path, token).await;
    body["items"][0]["number"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} has items: {body}"))
        .to_string()
}

async fn api_get(app: &TestApp, token: &str, path: &str) -> (StatusCode, String) {
    let response = app
        .api()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_buyer_gets_404_for_another_customers_order_invoice_and_pdf() {
    let app = spawn_app().await;
    let order = first(&app, GLOBEX_TOKEN, "/api/v1/orders").await;
    let invoice = first(&app, GLOBEX_TOKEN, "/api/v1/invoices").await;
    let invoice_path = serde_urlencoded::to_string([("", &invoice)]).unwrap();
    let invoice_path = invoice_path.trim_start_matches('=');

    let api_paths = [
        format!("/api/v1/orders/{order}"),
        format!("/api/v1/invoices/{invoice_path}"),
        format!("/api/v1/invoices/{invoice_path}/pdf"),
    ];
    // Li can read her own, which warms the cache with Globex's data.
    for path in &api_paths {
        let (status, _) = api_get(&app, GLOBEX_TOKEN, path).await;
        assert_eq!(status, StatusCode::OK, "{path} for its owner");
    }
    for path in &api_paths {
        let (status, body) = api_get(&app, NORTHWIND_TOKEN, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path} through the API");
        assert!(!body.contains("Globex"), "nothing of Globex leaks: {body}");
    }

    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    for path in [
        format!("/orders/{order}"),
        format!("/invoices/{invoice_path}"),
        format!("/invoices/{invoice_path}/pdf"),
    ] {
        let (status, body) = anna.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path} in the storefront");
        assert!(
            !body.contains("Globex"),
            "nothing of Globex leaks on {path}"
        );
        assert!(!body.contains("%PDF"), "no document on {path}");
    }
}

#[tokio::test]
async fn lists_show_only_the_callers_own_orders_and_invoices() {
    let app = spawn_app().await;
    let list = |token: &'static str, path: &'static str| {
        let app = &app;
        async move {
            let body: Value = app.api_json(path, token).await;
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["number"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let northwind = list(NORTHWIND_TOKEN, "/api/v1/orders").await;
    let globex = list(GLOBEX_TOKEN, "/api/v1/orders").await;
    assert!(!northwind.is_empty() && !globex.is_empty());
    assert!(
        northwind.iter().all(|n| !globex.contains(n)),
        "no order in both lists"
    );
    let northwind = list(NORTHWIND_TOKEN, "/api/v1/invoices").await;
    let globex = list(GLOBEX_TOKEN, "/api/v1/invoices").await;
    assert!(
        northwind.iter().all(|n| !globex.contains(n)),
        "no invoice in both lists"
    );
}

#[tokio::test]
async fn the_api_refuses_missing_wrong_and_service_tokens() {
    let app = spawn_app().await;
    let no_token = app
        .api()
        .get(app.url("/api/v1/orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.headers()["www-authenticate"], "Bearer");
    let body: Value = no_token.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(body["error"]["support"]["phone"], "+49 30 555 0100");
    for token in ["wrong", "demo-northwindx", "demo-service"] {
        let response = app
            .api()
            .get(app.url("/api/v1/orders"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "token {token:?}"
        );
    }
}

/// An adapter that hands out any customer's order by number: the conformance suite would catch
/// it, but one deployed anyway must still not show a buyer another customer's order.
#[tokio::test]
async fn an_order_a_leaky_adapter_returns_for_another_customer_is_refused_not_shown() {
    use crate::conformance::flawed_erp::{Flaw, FlawedErp};
    use crate::support::CountingErp;
    let leaky = FlawedErp::new(Flaw::LeaksOrders);
    let app = crate::support::spawn_app_with(std::sync::Arc::new(CountingErp::new(leaky))).await;
    let northwind_order = first(&app, NORTHWIND_TOKEN, "/api/v1/orders").await;
    let northwind: Value = app
        .api_json(
            &format!("/api/v1/orders/{northwind_order}"),
            NORTHWIND_TOKEN,
        )
        .await;
    let po_number = northwind["po_number"].as_str().unwrap().to_owned();

    let (status, body) = api_get(
        &app,
        GLOBEX_TOKEN,
        &format!("/api/v1/orders/{northwind_order}"),
    )
    .await;
    assert_ne!(status, StatusCode::OK, "{body}");
    assert!(status.is_server_error(), "{status}: {body}");
    assert!(!body.contains(&po_number), "{body}");
    assert!(!body.contains("C-1000"), "{body}");
    // The owner still sees it.
    let (status, _) = api_get(
        &app,
        NORTHWIND_TOKEN,
        &format!("/api/v1/orders/{northwind_order}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
