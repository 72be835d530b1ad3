//! Deliveries on SAP orders: outbound deliveries reached through the order's document flow and
//! read by key (the published delivery service filters on nothing), shown once their goods
//! issue is posted, with the forwarding agent as carrier and the bill of lading as tracking.

use chrono::NaiveDate;
use erpfront::domain::*;
use erpfront::erp::Erp;

use super::{adapter, customer};
use crate::support::s4_sim::S4Sim;

fn number(text: &str) -> OrderNumber {
    OrderNumber::parse(text).unwrap()
}

#[tokio::test]
async fn a_delivered_order_shows_its_deliveries_with_carrier_and_tracking() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let order = erp
        .order(&customer("17100001"), &number("5000001"))
        .await
        .unwrap();
    assert_eq!(
        order.deliveries,
        [Delivery {
            number: "80000001".into(),
            shipped_on: NaiveDate::from_ymd_opt(2026, 3, 4).unwrap(),
            carrier: "Nordfracht Spedition GmbH".into(),
            tracking_number: Some("00340434161094042557".into()),
            tracking_url: None,
        }]
    );
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn only_deliveries_whose_goods_have_left_are_shown() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let order = erp
        .order(&customer("17100001"), &number("5000002"))
        .await
        .unwrap();
    let numbers: Vec<&str> = order.deliveries.iter().map(|d| d.number.as_str()).collect();
    // 80000003 is picked but its goods issue is not posted.
    assert_eq!(numbers, ["80000002"]);
    assert_eq!(order.deliveries[0].carrier, "");
    assert_eq!(order.deliveries[0].tracking_number, None);
    assert_eq!(sim.requests("GET A_OutbDeliveryHeader"), 2);
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn an_undelivered_order_reads_no_deliveries() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let order = erp
        .order(&customer("17100002"), &number("5000003"))
        .await
        .unwrap();
    assert!(order.deliveries.is_empty());
    assert_eq!(sim.requests("GET A_SalesOrder"), 1);
    assert_eq!(sim.requests("GET A_OutbDeliveryHeader"), 0);
}

#[tokio::test]
async fn a_release_without_document_flow_shows_orders_without_deliveries() {
    let sim = S4Sim::start().await;
    sim.answer_as_release_2020();
    let erp = adapter(&sim);
    let order = erp
        .order(&customer("17100001"), &number("5000001"))
        .await
        .unwrap();
    assert_eq!(order.status, OrderStatus::Completed);
    assert!(order.deliveries.is_empty());
    assert_eq!(sim.requests("GET A_OutbDeliveryHeader"), 0);
    assert_eq!(sim.violations(), Vec::<String>::new());
}
