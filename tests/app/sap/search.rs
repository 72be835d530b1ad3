//! The service desk's searches against the simulated S/4HANA: orders and customers are found
//! within the configured sales area only, in any case of what the rep types, a page at a time,
//! with every `$filter` held to the published definitions (filterable fields only).

use chrono::NaiveDate;
use erpfront::domain::*;
use erpfront::erp::Erp;

use super::adapter;
use crate::support::s4_sim::S4Sim;

fn numbers(hits: &Hits<OrderHit>) -> Vec<&str> {
    hits.items.iter().map(|h| h.order.number.as_str()).collect()
}

fn ids(hits: &Hits<CustomerSummary>) -> Vec<&str> {
    hits.items.iter().map(|c| c.id.as_str()).collect()
}

fn date(text: &str) -> Option<NaiveDate> {
    Some(text.parse().unwrap())
}

fn orders(f: impl FnOnce(&mut OrderSearch)) -> OrderSearch {
    let mut search = OrderSearch {
        paging: Paging::new(1, 50),
        ..OrderSearch::default()
    };
    f(&mut search);
    search
}

#[tokio::test]
async fn orders_are_found_by_each_field_within_the_sales_area_only() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let by_po = erp
        .search_orders(&orders(|s| s.po_number = Some("ks-77120".into())))
        .await
        .unwrap();
    assert_eq!(numbers(&by_po), ["5000003"]);
    assert_eq!(by_po.items[0].customer_name, "Kestrel Supply Ltd");
    assert_eq!(by_po.items[0].customer.as_str(), "17100002");
    // 5000005 belongs to another sales organization.
    let elsewhere = erp
        .search_orders(&orders(|s| s.po_number = Some("OT-55001".into())))
        .await
        .unwrap();
    assert_eq!(numbers(&elsewhere), Vec::<&str>::new());
    let by_number = erp
        .search_orders(&orders(|s| s.order_number = Some("5000004".into())))
        .await
        .unwrap();
    assert_eq!(numbers(&by_number), ["5000004"]);
    // Words of the name in a case SAP does not store them in.
    let by_name = erp
        .search_orders(&orders(|s| s.customer = Some("BLUEWATER gmbh".into())))
        .await
        .unwrap();
    assert_eq!(numbers(&by_name), ["5000004", "5000002", "5000001"]);
    assert!(
        by_name
            .items
            .iter()
            .all(|h| h.customer_name == "Bluewater Tools GmbH")
    );
    let nobody = erp
        .search_orders(&orders(|s| s.customer = Some("otherarea".into())))
        .await
        .unwrap();
    assert_eq!(numbers(&nobody), Vec::<&str>::new());
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn orders_are_found_by_dates_and_status_a_page_at_a_time() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let in_june = erp
        .search_orders(&orders(|s| {
            s.placed_from = date("2026-06-01");
            s.placed_to = date("2026-06-10");
        }))
        .await
        .unwrap();
    assert_eq!(numbers(&in_june), ["5000004", "5000002"]);
    let partly = erp
        .search_orders(&orders(|s| {
            s.customer = Some("17100001".into());
            s.status = Some(OrderStatus::PartiallyShipped);
        }))
        .await
        .unwrap();
    assert_eq!(numbers(&partly), ["5000004", "5000002"]);
    let completed = erp
        .search_orders(&orders(|s| s.status = Some(OrderStatus::Completed)))
        .await
        .unwrap();
    assert_eq!(numbers(&completed), ["5000001"]);
    let confirmed = erp
        .search_orders(&orders(|s| s.status = Some(OrderStatus::Confirmed)))
        .await
        .unwrap();
    assert_eq!(numbers(&confirmed), ["5000003"]);
    assert_eq!(confirmed.items[0].order.status, OrderStatus::Confirmed);

    let page = |number| {
        orders(move |s| {
            s.customer = Some("17100001".into());
            s.paging = Paging::new(number, 2);
        })
    };
    let first = erp.search_orders(&page(1)).await.unwrap();
    assert_eq!(
        (numbers(&first), first.more),
        (vec!["5000004", "5000002"], true)
    );
    let second = erp.search_orders(&page(2)).await.unwrap();
    assert_eq!((numbers(&second), second.more), (vec!["5000001"], false));
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_release_without_block_status_still_searches_by_status() {
    let sim = S4Sim::start().await;
    sim.answer_as_release_2020();
    let erp = adapter(&sim);
    let confirmed = erp
        .search_orders(&orders(|s| s.status = Some(OrderStatus::Confirmed)))
        .await
        .unwrap();
    assert_eq!(numbers(&confirmed), ["5000003"]);
    let received = erp
        .search_orders(&orders(|s| s.status = Some(OrderStatus::Received)))
        .await
        .unwrap();
    assert_eq!(numbers(&received), Vec::<&str>::new());
}

#[tokio::test]
async fn customers_are_found_by_number_and_name_in_any_case_within_the_sales_area() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let search = |text: &str, number, size| CustomerSearch {
        text: text.into(),
        paging: Paging::new(number, size),
    };
    let by_name = erp
        .search_customers(&search("GMBH bluewater", 1, 50))
        .await
        .unwrap();
    assert_eq!(ids(&by_name), ["17100001", "17100011"]);
    assert_eq!(by_name.items[0].name, "Bluewater Tools GmbH");
    assert_eq!(by_name.items[0].city, "Hamburg");
    let by_number = erp
        .search_customers(&search("17100002", 1, 50))
        .await
        .unwrap();
    assert_eq!(ids(&by_number), ["17100002"]);
    // 17100003 is a customer of another sales organization only.
    for text in ["Otherarea", "17100003"] {
        let elsewhere = erp.search_customers(&search(text, 1, 50)).await.unwrap();
        assert_eq!(ids(&elsewhere), Vec::<&str>::new(), "{text}");
    }
    // Every word must match: "tools" and "kestrel" are in no one name.
    let both = erp
        .search_customers(&search("tools kestrel", 1, 50))
        .await
        .unwrap();
    assert_eq!(ids(&both), Vec::<&str>::new());
    let first = erp.search_customers(&search("171000", 1, 2)).await.unwrap();
    assert_eq!(
        (ids(&first), first.more),
        (vec!["17100001", "17100011"], true)
    );
    let second = erp.search_customers(&search("171000", 2, 2)).await.unwrap();
    assert_eq!((ids(&second), second.more), (vec!["17100002"], false));
    assert_eq!(sim.violations(), Vec::<String>::new());
}
