//! Document numbers of any shape (`INV/2026/0101`, `VK 00001/Ü`, `AB 2026/0248 #2?`) work in
//! every link erpfront makes, on every adapter: the demo ERP and the sandbox ERP behind the HTTP
//! adapter hold such numbers (the Tryton and SAP ones are in `tryton_documents` and
//! `sap::documents`).

use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::demo::DemoErp;
use erpfront::sim::spawn_sim;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::adapters::http_erp;
use crate::support::documents::{follow_buyer_links, follow_desk_links};
use crate::support::{ANNA, CountingErp, NORTHWIND_TOKEN, SAM, TestApp, spawn_app, spawn_app_with};

/// Northwind's documents in the demo data whose numbers need encoding in a URL.
const ORDERS: [&str; 2] = ["VK 00001/Ü", "AB 2026/0248 #2?"];
const INVOICES: [&str; 2] = ["INV/2026/0101", "RE 2026/0428 ü%#?"];

fn segment(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// The buyer's and the rep's links, and the API's paths, for the odd numbers.
async fn every_link_reaches_its_document(app: &TestApp) {
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    follow_buyer_links(&mut anna, &app.address, &ORDERS, &INVOICES).await;

    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    for (order, invoice) in ORDERS.iter().zip(INVOICES) {
        follow_desk_links(
            &mut sam,
            &app.address,
            "/service-desk/customers/C-1000",
            order,
            invoice,
        )
        .await;
    }

    for order in ORDERS {
        let path = format!("/api/v1/orders/{}", segment(order));
        let body: Value = app.api_json(&path, NORTHWIND_TOKEN).await;
        assert_eq!(body["number"], order, "{path}: {body}");
    }
    for invoice in INVOICES {
        let path = format!("/api/v1/invoices/{}", segment(invoice));
        let body: Value = app.api_json(&path, NORTHWIND_TOKEN).await;
        assert_eq!(body["number"], invoice, "{path}: {body}");
        let pdf = app
            .api()
            .get(app.url(&format!("{path}/pdf")))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), StatusCode::OK, "{path}/pdf");
    }
}

#[tokio::test]
async fn numbers_with_slashes_spaces_and_umlauts_work_on_the_demo_erp() {
    let app = spawn_app().await;
    tokio::time::timeout(
        Duration::from_secs(60),
        every_link_reaches_its_document(&app),
    )
    .await
    .expect("the links answer in time");
    app.stop().await;
}

#[tokio::test]
async fn numbers_with_slashes_spaces_and_umlauts_work_over_the_http_adapter() {
    let (_, sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
    let http = http_erp(&sim.url(), Duration::from_secs(5));
    let app = spawn_app_with(Arc::new(CountingErp::new(Arc::new(http)))).await;
    tokio::time::timeout(
        Duration::from_secs(60),
        every_link_reaches_its_document(&app),
    )
    .await
    .expect("the links answer in time");
    assert!(sim.calls_of("invoice_document") > 0, "{:?}", sim.calls());
    app.stop().await;
}
