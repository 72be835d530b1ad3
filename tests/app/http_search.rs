//! The service desk's searches over the HTTP adapter protocol: the `http` adapter finds what the
//! ERP behind the sandbox finds, a service without the search paths is `Unsupported`, answers
//! that break the page are invalid data, and a rep searches the desk of the real server over the
//! network hop.

use std::sync::Arc;
use std::time::Duration;

use erpfront::domain::*;
use erpfront::erp::demo::DemoErp;
use erpfront::erp::{Erp, ErpError};
use erpfront::sim::spawn_sim;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::adapters::{SHORT_TIMEOUT, demo_over_http, fails_within, http_erp};
use crate::support::raw_server::RawServer;
use crate::support::{CountingErp, SAM, html, spawn_app_with, text_of};

fn by_customer(text: &str, paging: Paging) -> OrderSearch {
    OrderSearch {
        customer: Some(text.into()),
        paging,
        ..OrderSearch::default()
    }
}

#[tokio::test]
async fn the_http_adapter_finds_what_the_erp_behind_the_sandbox_finds() {
    let (demo, sim, http) = demo_over_http().await;
    let date = |text: &str| Some(text.parse().unwrap());
    let searches = [
        by_customer("GLÖBEX indus", Paging::new(1, 10)),
        by_customer("GLÖBEX indus", Paging::new(2, 10)),
        by_customer("c-1000", Paging::new(1, 50)),
        OrderSearch {
            po_number: Some("po-gx-88133".into()),
            ..OrderSearch::default()
        },
        OrderSearch {
            order_number: Some("SO-1002".into()),
            placed_from: date("2026-01-01"),
            placed_to: date("2026-06-30"),
            status: Some(OrderStatus::Completed),
            ..OrderSearch::default()
        },
        by_customer("globex", Paging::new(100, 50)),
    ];
    for search in searches {
        let over_http = http.search_orders(&search).await.unwrap();
        assert_eq!(
            over_http,
            demo.search_orders(&search).await.unwrap(),
            "{search:?}"
        );
    }
    let found = http
        .search_orders(&OrderSearch {
            po_number: Some("po-gx-88133".into()),
            ..OrderSearch::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1, "{found:?}");
    assert_eq!(found.items[0].order.number.as_str(), "SO-100233");

    for text in ["NORTHW", "ínitech gmbh", "c-", "no such customer"] {
        let search = CustomerSearch {
            text: text.into(),
            paging: Paging::new(1, 2),
        };
        let over_http = http.search_customers(&search).await.unwrap();
        assert_eq!(
            over_http,
            demo.search_customers(&search).await.unwrap(),
            "{text}"
        );
    }
    let initech = http
        .search_customers(&CustomerSearch {
            text: "ínitech GMBH".into(),
            paging: Paging::default(),
        })
        .await
        .unwrap();
    assert_eq!(initech.items[0].id.as_str(), "C-3000", "{initech:?}");
    assert!(sim.calls_of("search_orders") >= 7, "{:?}", sim.calls());
}

#[tokio::test]
async fn the_sandbox_refuses_a_search_without_criteria_and_clamps_pages() {
    let (demo, sim, _) = demo_over_http().await;
    let client = reqwest::Client::new();
    for path in ["/v1/orders", "/v1/orders?page=2", "/v1/customers?q=%20"] {
        let answer = client
            .get(format!("{}{path}", sim.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{path}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["outcome"], "invalid_data", "{path}: {body}");
    }
    let bad_status = client
        .get(format!("{}/v1/orders?status=lost", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_status.status(), StatusCode::BAD_REQUEST);
    // per_page is brought within 1..=50 rather than refused (the upper bound is checked where
    // the query is read, `wire::search`: the demo has fewer than 50 orders).
    let get = |path: &'static str| {
        let request = client.get(format!("{}{path}", sim.url()));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let one = get("/v1/orders?customer=c-&per_page=0").await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1, "{one}");
    assert_eq!(one["more"], true);
    let all = demo
        .search_orders(&by_customer("c-", Paging::new(1, MAX_PAGE_SIZE)))
        .await
        .unwrap();
    let clamped = get("/v1/orders?customer=c-&per_page=1000").await;
    assert_eq!(clamped["items"].as_array().unwrap().len(), all.items.len());
    assert_eq!(clamped["more"], all.more);
}

#[tokio::test]
async fn a_service_without_the_search_is_unsupported_and_a_bad_page_is_invalid_data() {
    let search = by_customer("globex", Paging::new(1, 2));
    let customers = CustomerSearch {
        text: "globex".into(),
        paging: Paging::new(1, 2),
    };
    for (status, body) in [
        ("404 Not Found", "Not Found"),
        ("501 Not Implemented", ""),
        (
            "501 Not Implemented",
            r#"{"error": {"outcome": "unsupported", "message": "no search here"}}"#,
        ),
    ] {
        let server = RawServer::answer(status, "text/plain", body.as_bytes()).await;
        let http = http_erp(&server.url(), SHORT_TIMEOUT);
        let error = fails_within(SHORT_TIMEOUT, http.search_orders(&search)).await;
        assert!(
            matches!(error, ErpError::Unsupported { .. }),
            "{status}: {error:?}"
        );
        let error = fails_within(SHORT_TIMEOUT, http.search_customers(&customers)).await;
        assert!(
            matches!(error, ErpError::Unsupported { .. }),
            "{status}: {error:?}"
        );
    }

    let hit = r#"{"customer": "C-2000", "customer_name": "Globex Industrial", "order": {"number": "SO-1",
        "po_number": "PO-1", "status": "shipped", "placed_on": "2026-02-01",
        "gross": {"amount": "10.00", "currency": "EUR"}}}"#;
    let three = format!(r#"{{"items": [{hit}, {hit}, {hit}], "more": true}}"#);
    let no_more = format!(r#"{{"items": [{hit}]}}"#);
    let float = r#"{"items": [{"customer": "C-2000", "customer_name": "Globex", "order": {"number": "SO-1",
        "po_number": "PO-1", "status": "shipped", "placed_on": "2026-02-01",
        "gross": {"amount": 10.0, "currency": "EUR"}}}], "more": false}"#;
    let bad_status = three.replace("shipped", "lost");
    for (what, body) in [
        ("more hits than asked for", three.as_str()),
        ("no more flag", no_more.as_str()),
        ("money as a float", float),
        ("an unknown status", bad_status.as_str()),
    ] {
        let server = RawServer::json(body).await;
        let http = http_erp(&server.url(), SHORT_TIMEOUT);
        let error = fails_within(SHORT_TIMEOUT, http.search_orders(&search)).await;
        assert!(
            matches!(error, ErpError::InvalidData { .. }),
            "{what}: {error:?}"
        );
    }
    let server = RawServer::json(r#"{"items": [{"id": "C-1", "name": "A"}], "more": false}"#).await;
    let http = http_erp(&server.url(), SHORT_TIMEOUT);
    let error = fails_within(SHORT_TIMEOUT, http.search_customers(&customers)).await;
    assert!(
        matches!(error, ErpError::InvalidData { .. }),
        "no city: {error:?}"
    );
}

#[tokio::test]
async fn a_rep_searches_the_desk_over_the_network_hop() {
    let (_, sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
    let http = http_erp(&sim.url(), Duration::from_secs(5));
    let app = spawn_app_with(Arc::new(CountingErp::new(Arc::new(http)))).await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;

    let (status, body) = sam.get("/service-desk?po_number=po-gx-88133").await;
    assert_eq!(status, StatusCode::OK);
    let rows = text_of(&html(&body), "#order-hits tbody tr");
    assert!(
        rows.contains("SO-100233") && rows.contains("Globex") && !rows.contains(" | "),
        "{rows}"
    );

    let (status, body) = sam.get("/service-desk?customer=GL%C3%96BEX%20indus").await;
    assert_eq!(status, StatusCode::OK);
    let rows = text_of(&html(&body), "#order-hits tbody tr");
    assert!(
        rows.split(" | ").count() >= 10 && rows.split(" | ").all(|r| r.contains("Globex")),
        "{rows}"
    );

    let (status, body) = sam.get("/service-desk/customers?q=%C3%ADnitech").await;
    assert_eq!(status, StatusCode::OK);
    let hits = text_of(&html(&body), "#customer-hits li");
    assert!(hits.contains("Initech") && !hits.contains(" | "), "{hits}");
    assert!(sim.calls_of("search_orders") >= 2, "{:?}", sim.calls());
    assert!(sim.calls_of("search_customers") >= 1, "{:?}", sim.calls());
}

#[tokio::test]
async fn a_search_answer_the_desk_cannot_read_is_a_notice_not_an_error_page() {
    let float = r#"{"items": [{"customer": "C-2000", "customer_name": "Globex", "order": {"number": "SO-1",
        "po_number": "PO-1", "status": "shipped", "placed_on": "2026-02-01",
        "gross": {"amount": 10.0, "currency": "EUR"}}}], "more": false}"#;
    let server = RawServer::json(float).await;
    let http = http_erp(&server.url(), Duration::from_secs(2));
    let app = spawn_app_with(Arc::new(CountingErp::new(Arc::new(http)))).await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    for (path, kept) in [
        ("/service-desk?po_number=PO-1", "PO-1"),
        ("/service-desk/customers?q=globex", "globex"),
    ] {
        let (status, body) = sam.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let page = html(&body);
        let notice = text_of(&page, ".notice-warning");
        assert!(notice.contains("could not be read"), "{path}: {notice}");
        assert!(body.contains(kept), "{path} keeps what was typed");
    }
}
