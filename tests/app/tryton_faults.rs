//! The Tryton adapter against a fake Tryton that answers what a sound one would not: wrong
//! types, errors, expired sessions, slowness. Every failure must come out as an `ErpError`,
//! never as a panic or a wrong answer.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use erpfront::domain::{
    CatalogQuery, CustomerId, IdempotencyKey, NewOrder, NewOrderLine, Quantity, Sku,
};
use erpfront::erp::tryton::{TrytonErp, TrytonSettings};
use erpfront::erp::{Erp, ErpError};
use serde_json::{Value, json};

/// What the fake answers to one call.
enum Reply {
    Result(Value),
    Error(Value),
    Status(StatusCode),
    Body(&'static str),
    Slow(Duration),
}

type Handler = Arc<dyn Fn(&str, &Value) -> Reply + Send + Sync>;

/// The answers of a sound Tryton to the login, so each test only says what differs.
fn login(method: &str) -> Option<Reply> {
    Some(Reply::Result(match method {
        "common.db.login" => json!([1, "session-key", null]),
        "model.res.user.get_preferences" => json!({"company": 1, "language": "en"}),
        "model.company.company.read" => json!([{"id": 1, "currency.": {"id": 1, "code": "EUR"}}]),
        _ => return None,
    }))
}

async fn answer(State(handler): State<Handler>, body: axum::body::Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let method = body["method"].as_str().unwrap_or_default().to_owned();
    match handler(&method, &body["params"]) {
        Reply::Result(result) => {
            axum::Json(json!({"id": body["id"], "result": result})).into_response()
        }
        Reply::Error(error) => {
            axum::Json(json!({"id": body["id"], "error": error})).into_response()
        }
        Reply::Status(status) => status.into_response(),
        Reply::Body(text) => text.into_response(),
        Reply::Slow(delay) => {
            tokio::time::sleep(delay).await;
            axum::Json(json!({"id": body["id"], "result": []})).into_response()
        }
    }
}

/// An adapter in front of a fake Tryton on a free loopback port.
async fn fake(handler: impl Fn(&str, &Value) -> Reply + Send + Sync + 'static) -> TrytonErp {
    let handler: Handler = Arc::new(handler);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new().fallback(answer).with_state(handler);
    tokio::spawn(async move { axum::serve(listener, router).await });
    adapter_at(&url)
}

fn adapter_at(url: &str) -> TrytonErp {
    TrytonErp::new(TrytonSettings {
        url: url.into(),
        database: "fake".into(),
        user: "gateway".into(),
        password: "secret".to_owned().into(),
        warehouse: None,
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(500),
    })
    .unwrap()
}

fn invalid(result: Result<impl std::fmt::Debug, ErpError>) -> bool {
    matches!(result, Err(ErpError::InvalidData { .. }))
}

fn unavailable(result: Result<impl std::fmt::Debug, ErpError>) -> bool {
    matches!(result, Err(ErpError::Unavailable { .. }))
}

#[tokio::test]
async fn replies_with_wrong_or_missing_types_are_invalid_data() {
    let product = |name: Value| {
        json!([{"id": 1, "code": "SKU-1", "name": name, "description": null,
        "categories": [], "categories.": [], "sale_uom.": {"id": 1, "symbol": "u"}}])
    };
    let erp = fake(move |method, _| {
        login(method).unwrap_or_else(|| {
            Reply::Result(match method {
                "model.product.product.search_read" => product(json!(42)),
                "model.product.product.search_count" => json!("many"),
                "model.party.party.search_read" => json!([{"id": 1, "code": "C-1", "name": "X"}]),
                _ => json!({"not": "a list"}),
            })
        })
    })
    .await;
    let sku = Sku::parse("SKU-1").unwrap();
    assert!(invalid(erp.product(&sku).await), "a name that is a number");
    assert!(invalid(
        erp.search_products(&CatalogQuery::new(None, None, 1, 10))
            .await
    ));
    assert!(invalid(erp.categories().await), "an object for a list");
    let customer = CustomerId::parse("C-1").unwrap();
    assert!(
        invalid(erp.customer(&customer).await),
        "a party without its fields"
    );

    let erp = fake(|method, _| {
        login(method).unwrap_or_else(|| {
            Reply::Result(match method {
                "model.party.party.search_read" => json!([{"id": 1, "code": "C-1", "name": "X",
                "sale_price_list": null, "customer_currency": null}]),
                // a float where Tryton sends a Decimal
                "model.product.product.search_read" => {
                    json!([{"id": 1, "code": "SKU-1", "sale_price_uom": 4.83}])
                }
                "model.stock.location.search_read" => json!([{"id": 5, "code": "WH"}]),
                _ => json!([]),
            })
        })
    })
    .await;
    assert!(invalid(
        erp.prices(&customer, std::slice::from_ref(&sku)).await
    ));
    assert!(
        invalid(erp.availability(&[sku]).await),
        "no quantity fields"
    );
}

#[tokio::test]
async fn an_expired_session_is_renewed_once() {
    let logins = Arc::new(AtomicUsize::new(0));
    let refusals = Arc::new(AtomicUsize::new(1));
    let (l, r) = (logins.clone(), refusals.clone());
    let erp = fake(move |method, _| {
        if method == "common.db.login" {
            l.fetch_add(1, Ordering::SeqCst);
        }
        if let Some(reply) = login(method) {
            return reply;
        }
        if r.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Reply::Status(StatusCode::UNAUTHORIZED);
        }
        Reply::Result(json!([{"id": 3, "code": "TEA", "name": "Tea"}]))
    })
    .await;
    let categories = erp.categories().await.unwrap();
    assert_eq!(categories[0].id, "TEA");
    assert_eq!(
        logins.load(Ordering::SeqCst),
        2,
        "logged in again after the 401"
    );
    erp.categories().await.unwrap();
    assert_eq!(logins.load(Ordering::SeqCst), 2, "the new session is kept");

    refusals.store(usize::MAX, Ordering::SeqCst);
    assert!(
        unavailable(erp.categories().await),
        "a session refused twice"
    );
    assert_eq!(
        logins.load(Ordering::SeqCst),
        3,
        "one new login per call, not a loop"
    );
}

#[tokio::test]
async fn tryton_errors_and_outages_are_erp_failures() {
    let reply_for = |error: &'static str| {
        move |method: &str, _: &Value| {
            login(method).unwrap_or_else(|| match error {
                "user" => Reply::Error(json!(["UserError", ["You are not allowed", "", null]])),
                "bug" => Reply::Error(json!(["'due_date'", "Traceback ..."])),
                "500" => Reply::Status(StatusCode::INTERNAL_SERVER_ERROR),
                "403" => Reply::Status(StatusCode::FORBIDDEN),
                "html" => Reply::Body("<html>proxy error</html>"),
                "empty" => Reply::Body("{\"id\": 1}"),
                _ => Reply::Slow(Duration::from_secs(3)),
            })
        }
    };
    for error in ["user", "bug", "500", "403"] {
        let erp = fake(reply_for(error)).await;
        assert!(unavailable(erp.categories().await), "{error}");
        assert!(erp.categories().await.unwrap_err().is_erp_failure());
    }
    for error in ["html", "empty"] {
        let erp = fake(reply_for(error)).await;
        assert!(invalid(erp.categories().await), "{error}");
    }
    let erp = fake(reply_for("slow")).await;
    assert_eq!(erp.categories().await, Err(ErpError::Timeout));

    let refused = fake(|method, _| match method {
        "common.db.login" => Reply::Status(StatusCode::UNAUTHORIZED),
        _ => Reply::Result(json!([])),
    })
    .await;
    assert!(unavailable(refused.categories().await), "a refused login");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    assert!(
        unavailable(adapter_at(&url).categories().await),
        "nothing listening"
    );
}

#[tokio::test]
async fn a_refused_create_is_rejected_in_words_safe_for_the_buyer() {
    let created = Arc::new(Mutex::new(Vec::new()));
    let seen = created.clone();
    let erp = fake(move |method, params| {
        if let Some(reply) = login(method) {
            return reply;
        }
        Reply::Result(match method {
            "model.party.party.search_read" => json!([{"id": 2, "code": "C-1", "name": "Buyer",
                "sale_price_list": null, "customer_currency": null, "addresses": [7],
                "addresses.": [{"id": 7, "party_name": null, "street": "Main St 1",
                    "postal_code": "1000", "city": "Town", "country": null, "country.": null,
                    "invoice": true, "delivery": true}]}]),
            "model.sale.sale.search_read" => json!([]),
            "model.product.product.search_read" => json!([{"id": 5, "code": "SKU-1", "salable": true}]),
            "model.sale.sale.on_change_party" => json!({"invoice_address": 7,
                "shipment_address": 7, "currency": 1, "price_list": null, "payment_term": 10}),
            "model.sale.line.on_change_product" => json!({"unit": 1,
                "unit_price": {"__class__": "Decimal", "decimal": "4.8330"},
                "taxes": {"add": [[0, {"id": 1}]]}}),
            "model.sale.sale.create" => {
                seen.lock().unwrap().push(params.clone());
                return Reply::Error(json!(["UserError", ["The value \"-1\" for field \"Quantity\" in \"Secret internal note\" of \"Sale Line\" is not valid.", "", null]]));
            }
            _ => json!(null),
        })
    })
    .await;
    let order = NewOrder {
        customer: CustomerId::parse("C-1").unwrap(),
        po_number: "PO-1".into(),
        ship_to: None,
        requested_date: None,
        note: None,
        lines: vec![NewOrderLine {
            sku: Sku::parse("SKU-1").unwrap(),
            quantity: Quantity::new(2).unwrap(),
        }],
        placed_by: Some("Sam".into()),
    };
    let err = erp
        .create_order(&IdempotencyKey::generate(), &order)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ErpError::rejected("A quantity on the order cannot be accepted.")
    );

    // The sale was sent as the Tryton client would fill it in.
    let created = created.lock().unwrap();
    let sale = &created[0][0][0];
    assert_eq!(sale["party"], 2);
    assert_eq!(sale["shipment_address"], 7);
    assert_eq!(sale["payment_term"], 10);
    assert_eq!(sale["reference"], "PO-1");
    assert_eq!(sale["comment"], "Placed for the customer by Sam");
    assert!(
        sale["description"]
            .as_str()
            .unwrap()
            .starts_with("erpfront-key:")
    );
    let line = &sale["lines"][0][1][0];
    assert_eq!(line["unit"], 1);
    assert_eq!(line["quantity"], 2);
    assert_eq!(
        line["unit_price"],
        json!({"__class__": "Decimal", "decimal": "4.8330"})
    );
    assert_eq!(line["taxes"], json!([["add", [1]]]));
}
