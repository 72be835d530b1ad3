//! The committed OpenAPI document (`src/erp/http/protocol.openapi.json`) is the contract the
//! sandbox serves: the same operations, and every answer matches its schema.

use erpfront::domain::{IdempotencyKey, NewOrder, NewOrderLine, Quantity};
use erpfront::erp::Erp;
use erpfront::sim::OPERATIONS;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Client;
use serde_json::{Value, json};

use crate::support::SendForJson;
use crate::support::adapters::demo_over_http;
use crate::support::openapi::{answer_schema, assert_conforms, document, named};

/// A document number as one path segment: the demo's hold spaces, slashes and `#`.
fn segment(number: &str) -> String {
    utf8_percent_encode(number, NON_ALPHANUMERIC).to_string()
}

#[tokio::test]
async fn the_document_names_the_operations_the_sandbox_serves() {
    let (_, sim, _) = demo_over_http().await;
    let served: Value = reqwest::get(format!("{}/v1/openapi.json", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let doc = document();
    assert_eq!(served, doc);
    let mut documented: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation["operationId"].as_str())
        .filter(|id| *id != "openapi")
        .collect();
    documented.sort_unstable();
    let mut operations = OPERATIONS.to_vec();
    operations.sort_unstable();
    assert_eq!(documented, operations);
}

#[tokio::test]
async fn every_answer_of_the_sandbox_matches_the_document() {
    let (demo, sim, _) = demo_over_http().await;
    let doc = document();
    let client = Client::new();
    let key = IdempotencyKey::generate();
    let new_order = NewOrder {
        customer: "C-1000".parse().unwrap(),
        po_number: "PO-DOC-1".into(),
        ship_to: Some("NW-SHIP-1".parse().unwrap()),
        requested_date: None,
        note: None,
        placed_by: None,
        lines: vec![NewOrderLine {
            sku: "FAS-1001".parse().unwrap(),
            quantity: Quantity::new(3).unwrap(),
        }],
    };
    let request = serde_json::to_value(&new_order).unwrap();
    assert_conforms(
        &doc,
        &named("NewOrder"),
        &request,
        "NewOrder as erpfront sends it",
    );
    let created = client
        .post(format!("{}/v1/customers/C-1000/orders", sim.url()))
        .header("Idempotency-Key", key.as_str())
        .json(&request)
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success());
    let created: Value = created.json().await.unwrap();
    let schema = answer_schema(&doc, "post", "/v1/customers/{customer}/orders");
    assert_conforms(&doc, &schema, &created, "create_order");

    let northwind = "C-1000".parse().unwrap();
    let mut shipped = None;
    for summary in demo.orders(&northwind).await.unwrap() {
        let order = demo.order(&northwind, &summary.number).await.unwrap();
        if order.deliveries.iter().any(|d| d.tracking_number.is_some()) {
            shipped = Some(order);
            break;
        }
    }
    let shipped = shipped.expect("the demo has an order with a tracked delivery");
    let invoice = &demo.invoices(&northwind).await.unwrap()[0];
    let gets = [
        ("/v1/health".to_string(), "/v1/health"),
        ("/v1/categories".into(), "/v1/categories"),
        (
            "/v1/products?text=bolt&page=1&per_page=5".into(),
            "/v1/products",
        ),
        ("/v1/products/FAS-1001".into(), "/v1/products/{sku}"),
        ("/v1/customers/C-1000".into(), "/v1/customers/{customer}"),
        (
            "/v1/customers/C-1000/orders".into(),
            "/v1/customers/{customer}/orders",
        ),
        (
            format!(
                "/v1/customers/C-1000/orders/{}",
                segment(shipped.number.as_str())
            ),
            "/v1/customers/{customer}/orders/{number}",
        ),
        (
            format!("/v1/customers/C-1000/orders/by-key/{key}"),
            "/v1/customers/{customer}/orders/by-key/{key}",
        ),
        (
            "/v1/customers/C-1000/invoices".into(),
            "/v1/customers/{customer}/invoices",
        ),
        (
            format!(
                "/v1/customers/C-1000/invoices/{}",
                segment(invoice.number.as_str())
            ),
            "/v1/customers/{customer}/invoices/{number}",
        ),
        (
            "/v1/orders?customer=GL%C3%96BEX&from=2026-01-01&to=2026-12-31&per_page=5".into(),
            "/v1/orders",
        ),
        ("/v1/customers?q=north&page=1".into(), "/v1/customers"),
    ];
    for (path, template) in gets {
        let answer: Value = client
            .get(format!("{}{path}", sim.url()))
            .json_answer()
            .await;
        assert_conforms(&doc, &answer_schema(&doc, "get", template), &answer, &path);
    }
    for (path, template) in [
        (
            "/v1/customers/C-1000/prices",
            "/v1/customers/{customer}/prices",
        ),
        ("/v1/availability", "/v1/availability"),
    ] {
        let answer: Value = client
            .post(format!("{}{path}", sim.url()))
            .json(&json!({"skus": ["FAS-1001", "FAS-1002", "NO-SUCH"]}))
            .json_answer()
            .await;
        assert_conforms(&doc, &answer_schema(&doc, "post", template), &answer, path);
    }
    let missing = client
        .get(format!("{}/v1/products/NO-SUCH", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    let body: Value = missing.json().await.unwrap();
    assert_conforms(&doc, &named("Error"), &body, "an error body");
}

#[tokio::test]
async fn the_documents_examples_match_their_schemas() {
    let doc = document();
    let mut checked = 0;
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        for example in schema["examples"].as_array().into_iter().flatten() {
            assert_conforms(
                &doc,
                &named(name),
                example,
                &format!("an example of {name}"),
            );
            checked += 1;
        }
    }
    checked += media_examples(&doc, &doc["components"]["responses"]["Error"], "errors");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let what = format!("{} {path}", method.to_uppercase());
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                // Path and query parameters make the example request; a header may go without.
                let Some(example) = parameter.get("example") else {
                    assert_eq!(
                        parameter["in"], "header",
                        "{what}: {} has no example",
                        parameter["name"]
                    );
                    continue;
                };
                let what = format!("{what} {}", parameter["name"]);
                assert_conforms(&doc, &parameter["schema"], example, &what);
                checked += 1;
            }
            if operation.get("requestBody").is_some() {
                let request = media_examples(&doc, &operation["requestBody"], &what);
                assert!(request > 0, "{what} has no example request body");
                checked += request;
            }
            let mut answers = 0;
            for (status, response) in operation["responses"].as_object().unwrap() {
                let found = media_examples(&doc, response, &format!("{what} {status}"));
                if status.starts_with('2') {
                    answers += found;
                }
                checked += found;
            }
            let binary = operation["responses"]["200"]["content"]["application/json"].is_null();
            assert!(
                answers > 0 || binary || operation["operationId"] == "openapi",
                "{what} has no example answer"
            );
        }
    }
    assert!(checked >= 60, "{checked} examples");
}

/// Checks the named examples of a request body or response (`content` -> `application/json` ->
/// `examples`) against its schema, and counts them.
fn media_examples(doc: &Value, holder: &Value, what: &str) -> usize {
    let media = &holder["content"]["application/json"];
    let mut count = 0;
    for (name, example) in media["examples"].as_object().into_iter().flatten() {
        let value = example
            .get("value")
            .unwrap_or_else(|| panic!("{what}: example {name} has no value"));
        let what = format!("{what}, example {name}");
        assert_conforms(doc, &media["schema"], value, &what);
        count += 1;
    }
    count
}
