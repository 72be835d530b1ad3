//! The OpenAPI document's examples are what a service really answers: each reference adapter,
//! asked the document's example requests, gives the document's example answers (up to the
//! moment of the call, the order number it assigns, and lists the document shortens).

use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::support::adapters::ReferenceAdapter;
use crate::support::openapi::document;

#[tokio::test]
async fn the_python_reference_adapter_answers_the_documents_examples() {
    answers_the_examples(ReferenceAdapter::python().await).await;
}

#[tokio::test]
async fn the_node_reference_adapter_answers_the_documents_examples() {
    answers_the_examples(ReferenceAdapter::node().await).await;
}

/// The example named `name` of a request body or response of `method path`.
fn example<'a>(doc: &'a Value, path: &str, method: &str, at: &str, name: &str) -> &'a Value {
    let pointer = format!(
        "/paths/{}/{method}/{at}/content/application~1json/examples/{name}",
        path.replace('~', "~0").replace('/', "~1")
    );
    doc.pointer(&pointer)
        .unwrap_or_else(|| panic!("no example at {pointer}"))
}

/// `value` with what differs between runs made alike: times and days of the call, and the
/// order number `number` (which depends on the adapter) spelled `example_number`.
fn comparable(value: &Value, number: &str, example_number: &str) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| match k.as_str() {
                    "as_of" | "placed_on" => (k.clone(), Value::from("(the day of the call)")),
                    _ => (k.clone(), comparable(v, number, example_number)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| comparable(v, number, example_number))
                .collect(),
        ),
        Value::String(s) if s == number => Value::from(example_number),
        other => other.clone(),
    }
}

/// `answer` with its `items` cut to as many as the example shows.
fn shortened_like(mut answer: Value, example: &Value) -> Value {
    let items = answer.get_mut("items").and_then(Value::as_array_mut);
    if let (Some(items), Some(shown)) = (items, example["items"].as_array()) {
        items.truncate(shown.len());
    }
    answer
}

async fn answers_the_examples(adapter: ReferenceAdapter) {
    let doc = document();
    let client = Client::new();
    let orders = "/v1/customers/{customer}/orders";
    let request = &example(&doc, orders, "post", "requestBody", "request")["value"];
    let key = doc["paths"][orders]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|parameter| parameter["name"] == "Idempotency-Key")
        .and_then(|parameter| parameter["example"].as_str())
        .expect("the key has an example");
    let create = || {
        client
            .post(format!("{}/v1/customers/R-100/orders", adapter.url))
            .header("Idempotency-Key", key)
            .json(request)
            .send()
    };
    let first = create().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let created: Value = first.json().await.unwrap();
    let expected = &example(&doc, orders, "post", "responses/201", "created")["value"];
    let number = created["number"].as_str().unwrap().to_string();
    let example_number = expected["number"].as_str().unwrap().to_string();
    let same = |answer: &Value, example: &Value, what: &str| {
        let answer = comparable(
            &shortened_like(answer.clone(), example),
            &number,
            &example_number,
        );
        assert_eq!(answer, comparable(example, "", ""), "{what}");
    };
    same(&created, expected, "the created order");
    let again: Value = create().await.unwrap().json().await.unwrap();
    let expected = &example(&doc, orders, "post", "responses/200", "existing")["value"];
    same(&again, expected, "the order again");

    for (path, body) in [
        ("/v1/customers/{customer}/prices", "R-100/prices"),
        ("/v1/availability", ""),
    ] {
        let url = if body.is_empty() {
            format!("{}{path}", adapter.url)
        } else {
            format!("{}/v1/customers/{body}", adapter.url)
        };
        let asked = &example(&doc, path, "post", "requestBody", "request")["value"];
        let answer: Value = client
            .post(url)
            .json(asked)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let expected = &example(&doc, path, "post", "responses/200", "answer")["value"];
        same(&answer, expected, path);
    }

    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(shown) =
            item["get"]["responses"]["200"]["content"]["application/json"]["examples"]["answer"]
                .as_object()
        else {
            continue;
        };
        let summary = shown["summary"].as_str().unwrap();
        let Some(asked) = summary.strip_prefix("GET ") else {
            continue;
        };
        if asked.ends_with("/cart") {
            continue; // the reference adapters keep no saved carts
        }
        let asked = asked.replace(&example_number, &number);
        let answer: Value = client
            .get(format!("{}{asked}", adapter.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        same(&answer, &shown["value"], path);
        checked += 1;
    }
    assert!(checked >= 12, "{checked} example answers");
}
