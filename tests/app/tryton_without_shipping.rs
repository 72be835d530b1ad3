//! The Tryton adapter on a Tryton without the `carrier` and `stock_package_shipping` modules.
//! A proxy in front of the test Tryton answers as such a server does: `fields_get` of
//! shipments leaves those modules' fields out, and a read naming one of them fails the way Tryton
//! fails on an unknown field. Everything else is the real Tryton's answer. Orders must still
//! read, with their deliveries but no carrier or package tracking.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use erpfront::erp::Erp;
use erpfront::erp::tryton::{TrytonErp, TrytonSettings};
use serde_json::{Value, json};

use crate::support::tryton::{VOLUME_CUSTOMER, customer, server};

/// The fields the two modules add to shipments and packages.
const MODULE_FIELDS: [&str; 4] = [
    "carrier",
    "shipping_reference",
    "root_packages",
    "shipping_tracking_url",
];

#[derive(Default)]
struct Seen {
    fields_get: AtomicU64,
    refused: AtomicU64,
}

/// Whether any text in `value` is a field path through one of [`MODULE_FIELDS`].
fn names_module_field(value: &Value) -> bool {
    match value {
        Value::String(s) => s.split('.').any(|part| MODULE_FIELDS.contains(&part)),
        Value::Array(items) => items.iter().any(names_module_field),
        Value::Object(map) => map.values().any(names_module_field),
        _ => false,
    }
}

/// A loopback proxy to the test Tryton that hides the modules; its URL and what it saw.
async fn tryton_without_the_modules() -> (String, Arc<Seen>) {
    let upstream = server().url.clone();
    let seen = Arc::new(Seen::default());
    let client = reqwest::Client::new();
    let state = seen.clone();
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let (client, upstream, seen) = (client.clone(), upstream.clone(), state.clone());
        async move {
            let call: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let id = call["id"].clone();
            if call["method"] == "model.stock.shipment.out.fields_get" {
                seen.fields_get.fetch_add(1, Ordering::Relaxed);
                return (StatusCode::OK, json!({"id": id, "result": {}}).to_string());
            }
            if names_module_field(&call["params"]) {
                seen.refused.fetch_add(1, Ordering::Relaxed);
                // how Tryton answers a read of a field it does not know
                let error = json!({"id": id, "error": ["'carrier'", ""]});
                return (StatusCode::OK, error.to_string());
            }
            let mut request = client.post(format!("{upstream}{uri}")).body(body);
            for name in ["authorization", "content-type"] {
                if let Some(value) = headers.get(name) {
                    request = request.header(name, value);
                }
            }
            let answer = request.send().await.unwrap();
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
            (status, answer.text().await.unwrap())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn without_the_shipping_modules_orders_read_with_deliveries_but_no_tracking() {
    let (url, seen) = tryton_without_the_modules().await;
    let real = server();
    let erp = TrytonErp::new(TrytonSettings {
        url,
        database: real.database.clone(),
        user: real.user.clone(),
        password: real.password.clone().into(),
        warehouse: Some("WH".into()),
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(30),
    })
    .unwrap();
    let orders = erp.orders(&customer(VOLUME_CUSTOMER)).await.unwrap();
    let shipped = orders.iter().find(|o| o.po_number == "PO-S-1").unwrap();
    for _ in 0..2 {
        let order = erp
            .order(&customer(VOLUME_CUSTOMER), &shipped.number)
            .await
            .expect("the order reads without the modules");
        let deliveries: Vec<(&str, Option<&str>)> = order
            .deliveries
            .iter()
            .map(|d| (d.carrier.as_str(), d.tracking_number.as_deref()))
            .collect();
        assert_eq!(deliveries, [("", None)], "one shipment, nothing to track");
        let shipped: Vec<Option<u32>> = order
            .lines
            .iter()
            .map(|l| l.shipped.and_then(|q| q.whole()))
            .collect();
        assert_eq!(shipped, [Some(4), Some(60)], "moves are in Tryton's base");
    }
    assert_eq!(
        seen.refused.load(Ordering::Relaxed),
        0,
        "no field of the missing modules was asked for"
    );
    assert_eq!(
        seen.fields_get.load(Ordering::Relaxed),
        1,
        "which fields exist is asked once"
    );
}
