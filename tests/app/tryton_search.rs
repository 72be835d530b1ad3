//! The service desk's searches against the real Tryton: the adapter's answers, and the desk's
//! search box in front of it, umlauts included.

use std::sync::Arc;

use erpfront::domain::{CustomerSearch, OrderSearch, OrderStatus, Paging};
use erpfront::erp::Erp;
use erpfront::users::Users;
use reqwest::StatusCode;

use crate::support::tryton::{
    GOLD_CUSTOMER, STANDARD_CUSTOMER, VOLUME_CUSTOMER, adapter, users_toml,
};
use crate::support::{CountingErp, html, spawn_app_for, text_of};

fn customers(text: &str) -> CustomerSearch {
    CustomerSearch {
        text: text.into(),
        paging: Paging::new(1, 10),
    }
}

async fn found_customers(erp: &dyn Erp, text: &str) -> Vec<String> {
    let hits = erp.search_customers(&customers(text)).await.unwrap();
    hits.items.into_iter().map(|c| c.id.to_string()).collect()
}

#[tokio::test]
async fn parties_are_found_by_code_and_by_name_whatever_the_case_and_umlauts() {
    let erp = adapter();
    for text in ["müller", "MÜLLER", "Bäckerei kg", "c-100", "BÄCK"] {
        assert_eq!(found_customers(&erp, text).await, [GOLD_CUSTOMER], "{text}");
    }
    assert!(found_customers(&erp, "nobody-at-all").await.is_empty());
    let all = erp
        .search_customers(&CustomerSearch {
            text: "C-".into(),
            paging: Paging::new(1, 2),
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 2);
    assert!(all.more, "three customers, two a page");
    let hit = &all.items[0];
    assert_eq!(
        (hit.id.as_str(), hit.name.as_str(), hit.city.as_str()),
        (GOLD_CUSTOMER, "Bäckerei Müller KG", "München"),
        "ordered by name"
    );
}

#[tokio::test]
async fn sales_are_found_by_number_reference_party_date_and_state() {
    let erp = adapter();
    let search = |f: fn(&mut OrderSearch)| {
        let mut s = OrderSearch {
            paging: Paging::new(1, 50),
            ..OrderSearch::default()
        };
        f(&mut s);
        s
    };
    let refs = |hits: erpfront::domain::Hits<erpfront::domain::OrderHit>| {
        let mut refs: Vec<String> = hits.items.into_iter().map(|h| h.order.po_number).collect();
        refs.sort();
        refs
    };
    let by_po = erp
        .search_orders(&search(|s| s.po_number = Some("po-s-1".into())))
        .await
        .unwrap();
    assert_eq!(by_po.items.len(), 1);
    let shipped = &by_po.items[0];
    assert_eq!(
        (shipped.customer.as_str(), shipped.customer_name.as_str()),
        (VOLUME_CUSTOMER, "Nordsee Gastro GmbH")
    );
    assert_eq!(shipped.order.status, OrderStatus::Shipped);
    let number = shipped.order.number.to_string();
    let by_number = erp
        .search_orders(&OrderSearch {
            order_number: Some(number.clone()),
            ..search(|_| {})
        })
        .await
        .unwrap();
    assert!(
        by_number
            .items
            .iter()
            .any(|h| h.order.number.as_str() == number)
    );

    let of_muller = erp
        .search_orders(&search(|s| {
            s.customer = Some("müller".into());
            s.po_number = Some("PO-".into());
        }))
        .await
        .unwrap();
    // Other tests on this server place orders for the same party, all with `PO-T-` numbers.
    let seeded: Vec<String> = refs(of_muller)
        .into_iter()
        .filter(|r| !r.starts_with("PO-T-"))
        .collect();
    assert_eq!(seeded, ["PO-P-1"], "the draft has no number yet");
    let of_schmidt = erp
        .search_orders(&search(|s| {
            s.customer = Some(STANDARD_CUSTOMER.into());
            s.status = Some(OrderStatus::Completed);
        }))
        .await
        .unwrap();
    assert_eq!(refs(of_schmidt), ["PO-X-1"]);

    let day = shipped.order.placed_on;
    let on_the_day = erp
        .search_orders(&search(|s| s.po_number = Some("PO-".into())))
        .await
        .unwrap();
    assert!(
        on_the_day
            .items
            .iter()
            .all(|h| h.order.placed_on >= day - chrono::Days::new(1))
    );
    let before = erp
        .search_orders(&OrderSearch {
            po_number: Some("PO-S".into()),
            placed_to: day.pred_opt(),
            ..search(|_| {})
        })
        .await
        .unwrap();
    assert!(before.items.is_empty(), "{before:?}");

    let paged = |number| OrderSearch {
        po_number: Some("PO-".into()),
        paging: Paging::new(number, 2),
        ..OrderSearch::default()
    };
    let first = erp.search_orders(&paged(1)).await.unwrap();
    let second = erp.search_orders(&paged(2)).await.unwrap();
    assert_eq!((first.items.len(), first.more), (2, true));
    assert!(second.items.iter().all(|h| !first.items.contains(h)));
}

#[tokio::test]
async fn the_desk_box_finds_a_tryton_customer_by_an_umlaut_name_and_a_sale_by_reference() {
    let rep = format!(
        "{}[[users]]\nlogin = \"rep@service.test\"\nname = \"Rep\"\npassword_hash = \"{}\"\nrole = \"service\"\n",
        users_toml(),
        erpfront::users::hash_password("test-pass")
    );
    let erp: Arc<dyn Erp> = Arc::new(adapter());
    let app = spawn_app_for(Arc::new(CountingErp::new(erp)), Users::parse(&rep).unwrap()).await;
    let mut browser = app.browser();
    browser.login("rep@service.test", "test-pass").await;
    let client = browser.client();
    let goes = |q: &'static str| {
        let client = client.clone();
        let mut url = url::Url::parse(&app.url("/service-desk")).unwrap();
        url.query_pairs_mut().append_pair("q", q);
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{q}");
            response.headers()["location"].to_str().unwrap().to_string()
        }
    };
    assert_eq!(
        goes("MÜLLER").await,
        format!("/service-desk/customers/{GOLD_CUSTOMER}")
    );
    assert!(goes("PO-S-1").await.starts_with(&format!(
        "/service-desk/customers/{VOLUME_CUSTOMER}/orders/"
    )));

    let (status, body) = browser.get("/service-desk?q=PO-").await;
    assert_eq!(status, StatusCode::OK);
    let rows = text_of(&html(&body), "#order-hits tbody tr");
    assert!(rows.contains("PO-S-1") && rows.contains("PO-X-1"), "{rows}");
}
