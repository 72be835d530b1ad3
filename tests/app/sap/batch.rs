//! Tier prices in one round trip: the simulations of every break quantity of a page of SKUs go
//! to SAP in one OData `$batch`, each in a changeset of its own, and one that fails leaves its
//! break quantity unknown rather than the page.

use erpfront::domain::*;
use erpfront::erp::{Erp, ErpError};
use reqwest::StatusCode;
use rust_decimal::dec;

use super::{adapter, customer};
use crate::support::s4_sim::S4Sim;

fn skus(codes: &[&str]) -> Vec<Sku> {
    codes.iter().map(|c| Sku::parse(*c).unwrap()).collect()
}

fn ladder(price: &Price) -> Vec<(u32, rust_decimal::Decimal)> {
    price
        .tiers
        .iter()
        .map(|t| (t.min_quantity, t.unit_price))
        .collect()
}

#[tokio::test]
async fn a_page_of_tier_prices_takes_one_http_request() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    // Three break quantities (1, 10, 50) for two SKUs.
    let prices = erp
        .prices(&customer("17100001"), &skus(&["BLT-M10-50", "BLT-M8-40"]))
        .await
        .unwrap();
    assert_eq!(prices.len(), 2);
    assert_eq!(
        ladder(&prices[0]),
        [(1, dec!(0.39)), (10, dec!(0.35)), (50, dec!(0.31))]
    );
    assert_eq!(
        sim.requests("POST $batch"),
        1,
        "one round trip for the page"
    );
    assert_eq!(sim.requests("POST A_SalesOrderSimulation"), 0);
    assert_eq!(sim.requests("$batch POST A_SalesOrderSimulation"), 3);
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_product_sap_refuses_costs_one_more_round_trip_for_the_page() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let prices = erp
        .prices(&customer("17100001"), &skus(&["SPC-NOSALE", "BLT-M10-50"]))
        .await
        .unwrap();
    let priced: Vec<&str> = prices.iter().map(|p| p.sku.as_str()).collect();
    assert_eq!(priced, ["BLT-M10-50"]);
    assert_eq!(
        ladder(&prices[0]),
        [(1, dec!(0.39)), (10, dec!(0.35)), (50, dec!(0.31))]
    );
    assert_eq!(sim.requests("POST $batch"), 2);
    assert_eq!(sim.requests("$batch POST A_SalesOrderSimulation"), 3 + 3);
}

#[tokio::test]
async fn a_failing_simulation_leaves_its_break_quantity_unknown_not_the_page() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    sim.fail_simulations_at(10);
    let prices = erp
        .prices(&customer("17100001"), &skus(&["BLT-M10-50"]))
        .await
        .unwrap();
    assert_eq!(ladder(&prices[0]), [(1, dec!(0.39)), (50, dec!(0.31))]);
    assert_eq!(
        sim.requests("POST $batch"),
        1,
        "a failed part is not retried"
    );

    // Without a price for one piece there is no ladder at all, but the call still answers.
    sim.fail_simulations_at(1);
    let prices = erp
        .prices(&customer("17100001"), &skus(&["BLT-M10-50"]))
        .await
        .unwrap();
    assert_eq!(prices, []);
}

#[tokio::test]
async fn when_no_simulation_of_a_page_succeeds_the_prices_are_unavailable() {
    let sim = S4Sim::start().await;
    let mut config = sim.config();
    config.price_tier_quantities = vec![];
    let erp = erpfront::erp::sap::SapErp::new(config).unwrap();
    sim.fail_simulations_at(1);
    let error = erp
        .prices(&customer("17100001"), &skus(&["BLT-M10-50"]))
        .await
        .unwrap_err();
    assert!(matches!(error, ErpError::Unavailable { .. }), "{error:?}");
}

#[tokio::test]
async fn the_simulator_refuses_batches_that_depart_from_odata() {
    let sim = S4Sim::start().await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let root = format!(
        "{}/sap/opu/odata/sap/API_SALES_ORDER_SIMULATION_SRV",
        sim.base_url()
    );
    let token = client
        .get(&root)
        .basic_auth("ERPFRONT_COMM", Some("comm-secret"))
        .header("x-csrf-token", "Fetch")
        .send()
        .await
        .unwrap()
        .headers()["x-csrf-token"]
        .to_str()
        .unwrap()
        .to_owned();
    let send = |content_type: &'static str, body: &'static str| {
        client
            .post(format!("{root}/$batch"))
            .basic_auth("ERPFRONT_COMM", Some("comm-secret"))
            .header("x-csrf-token", &token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    // A change outside a changeset.
    let loose = "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPOST A_SalesOrderSimulation HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--\r\n";
    let answer = send("multipart/mixed; boundary=b", loose).await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    // Not multipart at all.
    let answer = send("application/json", "{}").await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    // A property the simulation does not have, inside a changeset: refused like a lone POST.
    let bad = "--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPOST A_SalesOrderSimulation HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"TotalNetAmount\":\"1.00\"}\r\n--c--\r\n--b--\r\n";
    let answer = send("multipart/mixed; boundary=b", bad).await.unwrap();
    assert_eq!(answer.status(), StatusCode::ACCEPTED);
    let text = answer.text().await.unwrap();
    assert!(text.contains("HTTP/1.1 400 Bad Request"), "{text}");
    assert!(
        sim.violations()
            .iter()
            .any(|v| v.contains("TotalNetAmount")),
        "{:?}",
        sim.violations()
    );
}
