//! The `http` adapter against the sandbox serving the demo ERP: every operation answers what the
//! demo ERP answers directly, and the storefront works over the network hop.

use std::sync::Arc;
use std::time::Duration;

use erpfront::domain::*;
use erpfront::erp::demo::DemoErp;
use erpfront::erp::{Erp, ErpError};
use erpfront::sim::spawn_sim;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::SendForJson;
use crate::support::adapters::{demo_over_http, http_erp};
use crate::support::{CountingErp, NORTHWIND_TOKEN, sku_in_stock, spawn_app_with};

fn id<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().unwrap()
}

/// Prices without their `as_of`, which is the moment of each call.
fn ladders(prices: Vec<Price>) -> Vec<(Sku, Currency, Vec<PriceTier>)> {
    prices
        .into_iter()
        .map(|p| (p.sku, p.currency, p.tiers))
        .collect()
}

fn stock(figures: Vec<Availability>) -> Vec<(Sku, u32, Option<chrono::NaiveDate>)> {
    figures
        .into_iter()
        .map(|a| (a.sku, a.available, a.next_date))
        .collect()
}

#[tokio::test]
async fn every_read_answers_what_the_adapter_behind_the_sandbox_answers() {
    let (demo, sim, http) = demo_over_http().await;
    http.health().await.unwrap();
    assert_eq!(http.categories().await, demo.categories().await);
    for query in [
        CatalogQuery::new(Some("bolt stainless"), None, 1, 5),
        CatalogQuery::new(None, Some("fasteners"), 2, 7),
        CatalogQuery::new(Some("no such words anywhere"), None, 1, 10),
    ] {
        assert_eq!(
            http.search_products(&query).await,
            demo.search_products(&query).await
        );
    }
    let page = demo
        .search_products(&CatalogQuery::new(None, None, 1, 40))
        .await
        .unwrap();
    let mut skus: Vec<Sku> = page.items.iter().map(|p| p.sku.clone()).collect();
    assert_eq!(http.product(&skus[3]).await, demo.product(&skus[3]).await);
    assert_eq!(http.product(&id("NO-SUCH")).await, Err(ErpError::NotFound));

    skus.push(id("NO-SUCH"));
    skus.push(skus[0].clone());
    for customer in ["C-1000", "C-2000"] {
        let customer: CustomerId = id(customer);
        let over_http = ladders(http.prices(&customer, &skus).await.unwrap());
        assert_eq!(
            over_http,
            ladders(demo.prices(&customer, &skus).await.unwrap())
        );
        let answered: std::collections::HashSet<&Sku> =
            over_http.iter().map(|(sku, _, _)| sku).collect();
        assert_eq!(answered.len(), over_http.len(), "each SKU once");
        assert!(!answered.is_empty() && !answered.contains(&id::<Sku>("NO-SUCH")));
        assert_eq!(
            http.customer(&customer).await,
            demo.customer(&customer).await
        );
        assert_eq!(http.orders(&customer).await, demo.orders(&customer).await);
        assert_eq!(
            http.invoices(&customer).await,
            demo.invoices(&customer).await
        );
    }
    assert_eq!(
        stock(http.availability(&skus).await.unwrap()),
        stock(demo.availability(&skus).await.unwrap())
    );
    assert_eq!(http.customer(&id("C-NOPE")).await, Err(ErpError::NotFound));
    assert_eq!(
        http.prices(&id("C-NOPE"), &skus).await,
        Err(ErpError::NotFound)
    );

    let northwind: CustomerId = id("C-1000");
    let orders = demo.orders(&northwind).await.unwrap();
    for summary in orders.iter().take(3) {
        let order = http.order(&northwind, &summary.number).await;
        assert_eq!(order, demo.order(&northwind, &summary.number).await);
    }
    let globex_order = &demo.orders(&id("C-2000")).await.unwrap()[0];
    assert_eq!(
        http.order(&northwind, &globex_order.number).await,
        Err(ErpError::NotFound),
        "another customer's order stays hidden"
    );
    let invoice = &demo.invoices(&northwind).await.unwrap()[0];
    assert_eq!(
        http.invoice(&northwind, &invoice.number).await,
        demo.invoice(&northwind, &invoice.number).await
    );
    let document = http
        .invoice_document(&northwind, &invoice.number)
        .await
        .unwrap();
    assert_eq!(
        document,
        demo.invoice_document(&northwind, &invoice.number)
            .await
            .unwrap()
    );
    assert!(document.bytes.starts_with(b"%PDF"));
    assert_eq!(
        http.invoice(&id("C-2000"), &invoice.number).await,
        Err(ErpError::NotFound)
    );
    assert!(sim.calls_of("invoice") >= 2 && sim.calls_of("invoice_document") == 1);
}

fn new_order(customer: &str, sku: &Sku, quantity: i64) -> NewOrder {
    NewOrder {
        customer: id(customer),
        po_number: "PO-HTTP-1".into(),
        ship_to: None,
        requested_date: None,
        note: Some("over the protocol".into()),
        placed_by: None,
        lines: vec![NewOrderLine {
            sku: sku.clone(),
            quantity: Quantity::new(quantity).unwrap(),
        }],
    }
}

#[tokio::test]
async fn orders_are_created_once_per_key_and_refusals_keep_their_reason() {
    let (demo, sim, http) = demo_over_http().await;
    let northwind: CustomerId = id("C-1000");
    let sku: Sku = id("FAS-1001");
    let key = IdempotencyKey::generate();
    assert_eq!(http.find_order_by_key(&northwind, &key).await, Ok(None));

    let order = new_order("C-1000", &sku, 2);
    let created = http.create_order(&key, &order).await.unwrap();
    assert_eq!(created.idempotency_key.as_ref(), Some(&key));
    assert_eq!(created.note.as_deref(), Some("over the protocol"));
    let again = http.create_order(&key, &order).await.unwrap();
    assert_eq!(again, created, "the same key returns the same order");
    assert_eq!(
        demo.find_order_by_key(&northwind, &key).await,
        Ok(Some(created.clone()))
    );
    assert_eq!(
        http.find_order_by_key(&northwind, &key).await,
        Ok(Some(created.clone()))
    );
    assert_eq!(
        http.find_order_by_key(&id("C-2000"), &key).await,
        Ok(None),
        "keys belong to one customer"
    );
    assert_eq!(sim.calls_of("create_order"), 2);

    let refused = http
        .create_order(
            &IdempotencyKey::generate(),
            &new_order("C-1000", &id("NO-SUCH"), 1),
        )
        .await;
    assert_eq!(
        refused,
        Err(ErpError::rejected("Product NO-SUCH is not in the catalog."))
    );
}

#[tokio::test]
async fn the_storefront_works_over_the_network_hop() {
    let demo = Arc::new(DemoErp::embedded().unwrap());
    let (_, sim) = spawn_sim(demo).await;
    let http = http_erp(&sim.url(), Duration::from_secs(5));
    let app = spawn_app_with(Arc::new(CountingErp::new(Arc::new(http)))).await;

    let sku = sku_in_stock(&app).await;
    let body = json!({"po_number": "PO-NET-1", "lines": [{"sku": sku, "quantity": 2}]});
    let post = || {
        app.api()
            .post(app.url("/api/v1/orders"))
            .bearer_auth(NORTHWIND_TOKEN)
            .header("Idempotency-Key", "key-network-hop-1")
            .json(&body)
            .send()
    };
    let first = post().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = post().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(
        again.json::<Value>().await.unwrap()["number"],
        first["number"]
    );
    assert_eq!(sim.calls_of("create_order"), 1, "{:?}", sim.calls());

    let list: Value = app
        .api()
        .get(app.url("/api/v1/orders"))
        .bearer_auth(NORTHWIND_TOKEN)
        .json_answer()
        .await;
    assert_eq!(list["items"][0]["number"], first["number"], "{list}");
}
