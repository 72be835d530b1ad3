//! The reference adapters speak the protocol: the Python one (`tests/reference_adapter/`) and the
//! Node.js one (`tests/reference_adapter_node/`, same data files). erpfront's `http` adapter reads
//! their catalog and per-customer prices, and each creates an order once per key; their answers
//! conform to the OpenAPI document.

use std::time::Duration;

use erpfront::domain::*;
use erpfront::erp::{Erp, ErpError};
use serde_json::Value;

use crate::support::SendForJson;
use crate::support::adapters::{ReferenceAdapter, http_erp};
use crate::support::openapi::{answer_schema, assert_conforms, document};

fn id<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap()
}

fn order(customer: &str, sku: &str) -> NewOrder {
    NewOrder {
        customer: id(customer),
        po_number: "PO-PY-1".into(),
        ship_to: None,
        requested_date: None,
        note: None,
        placed_by: None,
        lines: vec![NewOrderLine {
            sku: id(sku),
            quantity: Quantity::new(12).unwrap(),
        }],
    }
}

#[tokio::test]
async fn the_python_reference_adapter_serves_erpfront() {
    serves_erpfront(ReferenceAdapter::python().await).await;
}

#[tokio::test]
async fn the_node_reference_adapter_serves_erpfront() {
    serves_erpfront(ReferenceAdapter::node().await).await;
}

#[tokio::test]
async fn the_python_reference_adapter_answers_as_the_document_says() {
    answers_as_the_document_says(ReferenceAdapter::python().await).await;
}

#[tokio::test]
async fn the_node_reference_adapter_answers_as_the_document_says() {
    answers_as_the_document_says(ReferenceAdapter::node().await).await;
}

async fn serves_erpfront(adapter: ReferenceAdapter) {
    let http = http_erp(&adapter.url, Duration::from_secs(5));
    http.health().await.unwrap();
    assert!(http.categories().await.unwrap().len() >= 4);
    let page = http
        .search_products(&CatalogQuery::new(None, None, 1, 100))
        .await
        .unwrap();
    assert!(page.total >= 20 && page.items.len() as u64 == page.total);
    let bolts = http
        .search_products(&CatalogQuery::new(Some("bolt"), Some("fasteners"), 1, 10))
        .await
        .unwrap();
    assert_eq!(bolts.total, 2, "{bolts:?}");
    let sku: Sku = id("BLT-100");
    assert_eq!(http.product(&sku).await.unwrap().sku, sku);
    assert_eq!(http.product(&id("NOPE-1")).await, Err(ErpError::NotFound));

    let riverside: CustomerId = id("R-100");
    let hilltop: CustomerId = id("H-200");
    let price_of = |prices: Vec<Price>| prices[0].base().amount;
    let riverside_price = price_of(
        http.prices(&riverside, std::slice::from_ref(&sku))
            .await
            .unwrap(),
    );
    let hilltop_price = price_of(
        http.prices(&hilltop, std::slice::from_ref(&sku))
            .await
            .unwrap(),
    );
    assert_ne!(
        riverside_price, hilltop_price,
        "each customer has its own price"
    );
    assert_eq!(riverside_price, rust_decimal::Decimal::new(1420, 2));
    let stock = http
        .availability(&[sku.clone(), id("NOPE-1")])
        .await
        .unwrap();
    assert_eq!(stock.len(), 1);
    assert_eq!(http.customer(&hilltop).await.unwrap().ship_tos.len(), 1);

    let key = IdempotencyKey::generate();
    let first = http
        .create_order(&key, &order("R-100", "BLT-100"))
        .await
        .unwrap();
    let again = http
        .create_order(&key, &order("R-100", "BLT-100"))
        .await
        .unwrap();
    assert_eq!(again.number, first.number, "the same key makes one order");
    assert_eq!(
        first.lines[0].unit_price.amount,
        rust_decimal::Decimal::new(1349, 2)
    );
    let listed = http.orders(&riverside).await.unwrap();
    assert_eq!(
        listed.iter().filter(|o| o.number == first.number).count(),
        1
    );
    assert_eq!(listed.len(), 1);
    assert_eq!(
        http.find_order_by_key(&riverside, &key).await.unwrap(),
        Some(first.clone())
    );
    let other = http
        .create_order(&key, &order("H-200", "BLT-100"))
        .await
        .unwrap();
    assert_ne!(other.number, first.number, "keys are per customer");
    assert_eq!(
        http.order(&hilltop, &first.number).await,
        Err(ErpError::NotFound)
    );
    // The service desk's searches, across customers, with case and accents ignored.
    let today = first.placed_on;
    let riverside_orders = OrderSearch {
        customer: Some("RIVERSIDE wörkshop".into()),
        po_number: Some("po-py".into()),
        placed_from: Some(today),
        placed_to: Some(today),
        ..OrderSearch::default()
    };
    let hits = http.search_orders(&riverside_orders).await.unwrap();
    assert_eq!(hits.items.len(), 1, "{hits:?}");
    assert_eq!(hits.items[0].order.number, first.number);
    assert_eq!(hits.items[0].customer_name, "Riverside Workshop");
    let both = OrderSearch {
        po_number: Some("PO-PY-1".into()),
        paging: Paging::new(1, 1),
        ..OrderSearch::default()
    };
    let page_one = http.search_orders(&both).await.unwrap();
    assert!(page_one.more && page_one.items[0].order.number == other.number);
    let yesterday = OrderSearch {
        placed_to: today.pred_opt(),
        ..riverside_orders.clone()
    };
    assert_eq!(
        http.search_orders(&yesterday).await.unwrap(),
        Hits::default()
    );
    let found = http
        .search_customers(&CustomerSearch {
            text: "hílltop LOGIST".into(),
            paging: Paging::default(),
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1, "{found:?}");
    assert_eq!(
        (found.items[0].id.as_str(), found.items[0].city.as_str()),
        ("H-200", "Stuttgart")
    );

    let refused = http
        .create_order(&IdempotencyKey::generate(), &order("R-100", "NOPE-1"))
        .await;
    assert_eq!(
        refused,
        Err(ErpError::rejected("Product NOPE-1 is not in the catalog."))
    );

    let invoice = &http.invoices(&hilltop).await.unwrap()[0];
    assert_eq!(
        invoice.number.as_str(),
        "RI/2026/0011",
        "a number with slashes"
    );
    let full = http.invoice(&hilltop, &invoice.number).await.unwrap();
    assert_eq!(full.gross, invoice.gross);
    let document = http
        .invoice_document(&hilltop, &invoice.number)
        .await
        .unwrap();
    assert_eq!(document.content_type, "application/pdf");
    assert!(document.bytes.starts_with(b"%PDF"));
    assert_eq!(
        http.invoice(&riverside, &invoice.number).await,
        Err(ErpError::NotFound)
    );
}

async fn answers_as_the_document_says(adapter: ReferenceAdapter) {
    let doc = document();
    let client = reqwest::Client::new();
    let get = |path: &'static str| {
        let client = client.clone();
        let url = format!("{}{path}", adapter.url);
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let created = client
        .post(format!("{}/v1/customers/R-100/orders", adapter.url))
        .header("Idempotency-Key", "doc-order-1")
        .json(&serde_json::to_value(order("R-100", "BLT-100")).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let cases = [
        ("/v1/categories", "/v1/categories"),
        ("/v1/products?per_page=100", "/v1/products"),
        ("/v1/products/BLT-103", "/v1/products/{sku}"),
        ("/v1/customers/R-100", "/v1/customers/{customer}"),
        (
            "/v1/customers/H-200/invoices",
            "/v1/customers/{customer}/invoices",
        ),
        (
            "/v1/customers/H-200/invoices/RI%2F2026%2F0011",
            "/v1/customers/{customer}/invoices/{number}",
        ),
        (
            "/v1/customers/R-100/orders/by-key/none",
            "/v1/customers/{customer}/orders/by-key/{key}",
        ),
        ("/v1/customers?q=-&per_page=1", "/v1/customers"),
        ("/v1/orders?customer=riverside&po_number=py", "/v1/orders"),
    ];
    for (path, template) in cases {
        let answer = get(path).await;
        assert_conforms(&doc, &answer_schema(&doc, "get", template), &answer, path);
    }
    let prices: Value = client
        .post(format!("{}/v1/customers/R-100/prices", adapter.url))
        .json(&serde_json::json!({"skus": ["BLT-100", "BLT-103"]}))
        .json_answer()
        .await;
    let schema = answer_schema(&doc, "post", "/v1/customers/{customer}/prices");
    assert_conforms(&doc, &schema, &prices, "prices");
}
