//! erpfront in front of the real Tryton: a buyer orders through the JSON API and the sale is in
//! Tryton; a catalog page costs the same few Tryton requests whatever its size.

use std::sync::Arc;

use erpfront::erp::Erp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::tryton::{GOLD_CUSTOMER, VOLUME_CUSTOMER, adapter, rpc, users};
use crate::support::{CountingErp, TestApp, spawn_app_for};

async fn storefront(erp: Arc<dyn Erp>) -> TestApp {
    spawn_app_for(Arc::new(CountingErp::new(erp)), users()).await
}

#[tokio::test]
async fn a_buyer_orders_through_the_api_and_the_sale_is_in_tryton() {
    let app = storefront(Arc::new(adapter())).await;
    let token = format!("token-{GOLD_CUSTOMER}");
    let body = json!({
        "po_number": "PO-T-API",
        "note": "Please call before delivery.",
        "lines": [{"sku": "SKU-031", "quantity": 3}, {"sku": "SKU-032", "quantity": 1}]
    });
    let post = || {
        app.api()
            .post(app.url("/api/v1/orders"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "tryton-api-order-1")
            .json(&body)
            .send()
    };
    let created = post().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let number = created["number"].as_str().unwrap().to_owned();
    assert_eq!(created["po_number"], "PO-T-API");
    assert_eq!(created["status"], "processing");
    assert_eq!(created["lines"].as_array().unwrap().len(), 2);
    let again = post().await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "the same key returns the same order"
    );
    assert_eq!(
        again.json::<Value>().await.unwrap()["number"],
        number.as_str()
    );

    // In Tryton itself: one sale, for the buyer's party, confirmed, with the buyer's lines.
    let sales = rpc(
        "model.sale.sale.search_read",
        vec![
            json!([["reference", "=", "PO-T-API"]]),
            json!(0),
            json!(null),
            json!(null),
            json!([
                "number",
                "party.code",
                "state",
                "comment",
                "lines.product.code",
                "lines.quantity"
            ]),
        ],
    )
    .await;
    let sales = sales.as_array().unwrap();
    assert_eq!(sales.len(), 1, "{sales:?}");
    assert_eq!(sales[0]["number"], number.as_str());
    assert_eq!(sales[0]["party."]["code"], GOLD_CUSTOMER);
    assert_eq!(sales[0]["state"], "processing");
    assert_eq!(sales[0]["comment"], "Please call before delivery.");
    let lines: Vec<(String, f64)> = sales[0]["lines."]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["product."]["code"].as_str().unwrap().to_owned(),
                l["quantity"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [("SKU-031".into(), 3.0), ("SKU-032".into(), 1.0)]);

    let get = |path: String| app.api().get(app.url(&path)).bearer_auth(&token).send();
    let list: Value = get("/api/v1/orders".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed = list["items"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|o| o["number"] == number.as_str() && o["po_number"] == "PO-T-API"),
        "{list}"
    );
    let other = app
        .api()
        .get(app.url(&format!("/api/v1/orders/{number}")))
        .bearer_auth(format!("token-{VOLUME_CUSTOMER}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "another customer's order"
    );

    let invoices: Value = get("/api/v1/invoices".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invoice = invoices["items"][0]["number"].as_str().unwrap().to_owned();
    // Tryton's invoice numbers carry slashes (INV/2026/1): a path segment escapes them.
    let pdf = get(format!(
        "/api/v1/invoices/{}/pdf",
        invoice.replace('/', "%2F")
    ))
    .await
    .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    app.stop().await;
}

/// Tryton requests for one storefront catalog page, on a fresh storefront (nothing cached) in
/// front of an adapter that has already logged in and found its warehouse.
async fn requests_for_catalog_page(path: &str) -> (u64, String) {
    let erp = Arc::new(adapter());
    erp.health().await.unwrap();
    erp.availability(&[erpfront::domain::Sku::parse("SKU-001").unwrap()])
        .await
        .unwrap();
    let app = storefront(erp.clone()).await;
    let mut browser = app.browser();
    let (status, _) = browser
        .login(&format!("{VOLUME_CUSTOMER}@buyer.test"), "test-pass")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let before = erp.request_count();
    let (status, page) = browser.get(path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let cost = erp.request_count() - before;
    app.stop().await;
    (cost, page)
}

#[tokio::test]
async fn a_catalog_page_costs_the_same_few_tryton_requests_whatever_its_size() {
    let (full, page) = requests_for_catalog_page("/catalog").await;
    assert!(
        page.contains("SKU-024") && !page.contains("SKU-025"),
        "24 products on page 1"
    );
    assert!(page.contains("EUR 5.37"), "Nordsee's price for SKU-001");
    // Other tests order from the same Tryton in parallel, so only the presence of live stock
    // figures is certain here, not their value.
    assert!(
        page.contains(" in stock") && page.contains("Out of stock"),
        "stock figures shown"
    );
    let (small, page) = requests_for_catalog_page("/catalog?q=cups").await;
    assert!(page.contains("SKU-027") && !page.contains("SKU-001"));
    // the customer for the page's header 1, categories 1, search and count 2, the party with
    // its price list 1, prices at the 3 quantity breaks 3, availability 2 (stock and planned
    // receipts, asked together)
    assert_eq!(
        full, small,
        "the cost does not grow with the number of products"
    );
    assert!(full <= 10, "{full} requests for a page of 24 products");
}

#[tokio::test]
async fn an_out_of_stock_product_shows_when_more_arrives() {
    // SKU-007 has none in stock; the seed plans receipts for 15 January and 1 February of
    // next year.
    let expected = format!("{}-01-15", chrono::Datelike::year(&chrono::Utc::now()) + 1);
    let app = storefront(Arc::new(adapter())).await;
    let mut browser = app.browser();
    browser
        .login(&format!("{GOLD_CUSTOMER}@buyer.test"), "test-pass")
        .await;
    let (status, page) = browser.get("/products/SKU-007").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!("Out of stock, more expected {expected}")),
        "{page}"
    );
    let product: Value = app
        .api()
        .get(app.url("/api/v1/products/SKU-007"))
        .bearer_auth(format!("token-{GOLD_CUSTOMER}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(product["availability"]["available"], 0, "{product}");
    assert_eq!(product["availability"]["next_date"], expected.as_str());
    app.stop().await;
}
