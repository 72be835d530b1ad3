//! The protocol's answers to the questions an adapter author meets first, as the OpenAPI
//! document states them, held against every server that speaks it here: the sandbox ERP and the
//! Python and Node.js reference adapters. Unknown paths and methods, a missing or wrong token,
//! unreadable orders, paging bounds, duplicate SKU lines, the default ship-to and a reused key.

use std::sync::Arc;

use erpfront::erp::demo::DemoErp;
use erpfront::sim::{SimAccess, SimControl, spawn_sim, spawn_sim_with};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::adapters::ReferenceAdapter;

/// A server speaking the protocol, and a customer and product of its data.
struct Server<'a> {
    url: &'a str,
    customer: &'a str,
    sku: &'a str,
}

const TOKEN: &str = "s3cret-protocol-token";

#[tokio::test]
async fn the_sandbox_erp_answers_as_the_protocol_says() {
    let (_, sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
    let url = sim.url();
    answers_as_the_protocol_says(Server {
        url: &url,
        customer: "C-1000",
        sku: "FAS-1001",
    })
    .await;
    let control = SimControl::new(SimAccess {
        admin_token: None,
        protocol_token: Some(TOKEN.into()),
    });
    let demo = Arc::new(DemoErp::embedded().unwrap());
    let (_, guarded) = spawn_sim_with(demo, control).await.unwrap();
    refuses_a_missing_or_wrong_token(&guarded.url()).await;
}

#[tokio::test]
async fn the_python_reference_adapter_answers_as_the_protocol_says() {
    let adapter = ReferenceAdapter::python().await;
    answers_as_the_protocol_says(reference(&adapter)).await;
    let guarded = ReferenceAdapter::python_with(&["--token", TOKEN]).await;
    refuses_a_missing_or_wrong_token(&guarded.url).await;
}

#[tokio::test]
async fn the_node_reference_adapter_answers_as_the_protocol_says() {
    let adapter = ReferenceAdapter::node().await;
    answers_as_the_protocol_says(reference(&adapter)).await;
    let guarded = ReferenceAdapter::node_with(&["--token", TOKEN]).await;
    refuses_a_missing_or_wrong_token(&guarded.url).await;
}

fn reference(adapter: &ReferenceAdapter) -> Server<'_> {
    Server {
        url: &adapter.url,
        customer: "R-100",
        sku: "BLT-100",
    }
}

/// The status and JSON body of an answer.
async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn assert_error(got: &(StatusCode, Value), status: StatusCode, outcome: &str, what: &str) {
    assert_eq!(got.0, status, "{what}: {}", got.1);
    assert_eq!(got.1["error"]["outcome"], outcome, "{what}: {}", got.1);
    assert!(got.1["error"]["message"].is_string(), "{what}: {}", got.1);
}

async fn refuses_a_missing_or_wrong_token(url: &str) {
    let client = Client::new();
    let categories = format!("{url}/v1/categories");
    let missing = answer(client.get(&categories)).await;
    assert_error(
        &missing,
        StatusCode::UNAUTHORIZED,
        "unavailable",
        "no token",
    );
    let wrong = answer(client.get(&categories).bearer_auth("guess")).await;
    assert_error(
        &wrong,
        StatusCode::UNAUTHORIZED,
        "unavailable",
        "a wrong token",
    );
    let unknown = answer(client.get(format!("{url}/v2/categories"))).await;
    assert_error(
        &unknown,
        StatusCode::UNAUTHORIZED,
        "unavailable",
        "before the path",
    );
    let right = answer(client.get(&categories).bearer_auth(TOKEN)).await;
    assert_eq!(right.0, StatusCode::OK, "{}", right.1);
}

async fn answers_as_the_protocol_says(server: Server<'_>) {
    let client = Client::new();
    let url = |path: &str| format!("{}{path}", server.url);
    let customer = server.customer;
    let orders_path = url(&format!("/v1/customers/{customer}/orders"));

    for (request, what) in [
        (client.get(url("/v2/categories")), "another version"),
        (client.get(url("/v1/no-such-thing")), "an unknown path"),
        (client.delete(url("/v1/categories")), "an unknown method"),
    ] {
        let got = answer(request).await;
        assert_error(&got, StatusCode::NOT_IMPLEMENTED, "unsupported", what);
    }

    // Paging: a per_page over the maximum is brought down to it, a page past the end is empty.
    let (status, first) = answer(client.get(url("/v1/products?per_page=1000"))).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["per_page"], 100, "{first}");
    let (_, past) = answer(client.get(url("/v1/products?page=9999&per_page=10"))).await;
    assert_eq!(past["items"], json!([]), "{past}");
    assert_eq!(past["total"], first["total"], "{past}");
    let search = "/v1/customers?q=er&page=100&per_page=500";
    let (status, hits) = answer(client.get(url(search))).await;
    assert_eq!(status, StatusCode::OK, "{hits}");
    assert_eq!(hits, json!({"items": [], "more": false}));

    let listed = || async {
        let (_, list) = answer(client.get(&orders_path)).await;
        list["items"].as_array().unwrap().len()
    };
    let before = listed().await;
    let order = |lines: Value| json!({"customer": customer, "po_number": "PO-ANSWERS", "ship_to": null, "lines": lines});
    let one_line = order(json!([{"sku": server.sku, "quantity": 2}]));
    let mut mismatch = one_line.clone();
    mismatch["customer"] = json!("SOMEONE-ELSE");
    let refused = answer(
        client
            .post(&orders_path)
            .header("Idempotency-Key", "answers-mismatch")
            .json(&mismatch),
    )
    .await;
    assert_error(
        &refused,
        StatusCode::BAD_REQUEST,
        "invalid_data",
        "customer",
    );
    let refused = answer(client.post(&orders_path).json(&one_line)).await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "invalid_data", "no key");
    let too_many = order(json!([
        {"sku": server.sku, "quantity": 99_999},
        {"sku": server.sku, "quantity": 1},
    ]));
    let refused = answer(
        client
            .post(&orders_path)
            .header("Idempotency-Key", "answers-too-many")
            .json(&too_many),
    )
    .await;
    assert_error(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rejected",
        "total",
    );
    assert_eq!(
        listed().await,
        before,
        "refused orders leave nothing behind"
    );

    // Lines of one SKU are merged and priced at the tier of their total.
    let (_, prices) = answer(
        client
            .post(url(&format!("/v1/customers/{customer}/prices")))
            .json(&json!({"skus": [server.sku]})),
    )
    .await;
    let tier_price = prices["items"][0]["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|tier| tier["min_quantity"].as_u64().unwrap() <= 12)
        .unwrap()["unit_price"]
        .clone();
    let split = order(json!([
        {"sku": server.sku, "quantity": 6},
        {"sku": server.sku, "quantity": 6},
    ]));
    let (status, created) = answer(
        client
            .post(&orders_path)
            .header("Idempotency-Key", "answers-split")
            .json(&split),
    )
    .await;
    assert!(status.is_success(), "{created}");
    let lines = created["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{created}");
    assert_eq!(lines[0]["quantity"], 12, "{created}");
    assert_eq!(
        lines[0]["unit_price"]["amount"], tier_price,
        "{created} {prices}"
    );

    // No ship-to: the customer's default, the first of its ship-tos.
    let (_, record) = answer(client.get(url(&format!("/v1/customers/{customer}")))).await;
    assert_eq!(created["ship_to"], record["ship_tos"][0], "{created}");

    // The same key again, even with another body: the first order, nothing new.
    let (status, again) = answer(
        client
            .post(&orders_path)
            .header("Idempotency-Key", "answers-split")
            .json(&one_line),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again, created);
    assert_eq!(listed().await, before + 1);
}
