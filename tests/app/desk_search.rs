//! The desk's one search box, paging, refused searches and the overdue flag, through the real
//! server in front of the demo ERP.

use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{SAM, TestApp, html, spawn_app, text_of};

/// Where the desk sends the rep for `q`, or `None` when it shows a page.
async fn box_goes_to(app: &TestApp, client: &reqwest::Client, q: &str) -> Option<String> {
    let mut url = url::Url::parse(&app.url("/service-desk")).unwrap();
    url.query_pairs_mut().append_pair("q", q);
    let response = client
        .get(url)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    (response.status() == StatusCode::SEE_OTHER)
        .then(|| response.headers()["location"].to_str().unwrap().to_string())
}

#[tokio::test]
async fn the_box_goes_straight_to_an_order_a_po_number_or_a_customer() {
    let app = spawn_app().await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    let client = sam.client();
    let goes = |q| box_goes_to(&app, &client, q);

    let to_order = "/service-desk/customers/C-2000/orders/SO-100233";
    assert_eq!(goes("SO-100233").await.as_deref(), Some(to_order));
    assert_eq!(goes(" so-100233 ").await.as_deref(), Some(to_order));
    assert_eq!(goes("PO-GX-88133").await.as_deref(), Some(to_order));
    assert_eq!(
        goes("C-3000").await.as_deref(),
        Some("/service-desk/customers/C-3000")
    );
    assert_eq!(
        goes("initech").await.as_deref(),
        Some("/service-desk/customers/C-3000")
    );
    // Accents and case do not matter: "Glöbex" is Globex.
    assert_eq!(
        goes("GLÖBEX indus").await.as_deref(),
        Some("/service-desk/customers/C-2000")
    );

    // Many hits: a list of orders and customers to choose from.
    let (status, body) = sam.get("/service-desk?q=PO-GX").await;
    assert_eq!(status, StatusCode::OK);
    let page = html(&body);
    let rows = text_of(&page, "#order-hits tbody tr");
    assert!(
        rows.split(" | ").count() >= 10 && rows.split(" | ").all(|r| r.contains("Globex")),
        "{rows}"
    );
    assert_eq!(
        crate::support::attr_of(&page, "input[name=q]", "value").as_deref(),
        Some("PO-GX"),
        "what was typed stays in the box"
    );
}

#[tokio::test]
async fn searches_that_would_list_the_erp_are_refused_on_the_page_and_never_reach_it() {
    let app = spawn_app().await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    let before = (
        app.erp.calls("search_orders"),
        app.erp.calls("search_customers"),
    );
    for (path, message, kept) in [
        (
            "/service-desk?q=x",
            "at least 2 characters",
            ("input[name=q]", "x"),
        ),
        (
            "/service-desk?from=2026-01-01",
            "both dates",
            ("input[name=from]", "2026-01-01"),
        ),
        (
            "/service-desk?from=2020-01-01&to=2026-12-31",
            "366 days",
            ("input[name=to]", "2026-12-31"),
        ),
        (
            "/service-desk?customer=n",
            "at least 2 characters",
            ("input[name=customer]", "n"),
        ),
        (
            "/service-desk?from=2026-12-01&to=2026-11-01&status=shipped",
            "is after",
            ("input[name=from]", "2026-12-01"),
        ),
        (
            "/service-desk/customers?q=%20k%20",
            "at least 2 characters",
            ("input[name=q]", "k"),
        ),
    ] {
        let (status, body) = sam.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let page = html(&body);
        let notice = text_of(&page, ".notice-warning");
        assert!(notice.contains(message), "{path}: {notice}");
        assert_eq!(
            crate::support::attr_of(&page, kept.0, "value").as_deref(),
            Some(kept.1),
            "{path} keeps what was typed"
        );
    }
    assert_eq!(
        (
            app.erp.calls("search_orders"),
            app.erp.calls("search_customers")
        ),
        before,
        "no refused search reached the ERP"
    );
}

#[tokio::test]
async fn order_hits_come_a_page_at_a_time_with_links_between_pages() {
    let app = spawn_app().await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    let (_, body) = sam.get("/service-desk?order_number=SO-1002").await;
    let page = html(&body);
    let first = text_of(&page, "#order-hits tbody tr td:first-child");
    assert_eq!(first.split(" | ").count(), 25, "{first}");
    let next = crate::support::attr_of(&page, ".pager a[rel=next]", "href").expect("a next page");
    let (_, body) = sam.get(&next).await;
    let page = html(&body);
    let second = text_of(&page, "#order-hits tbody tr td:first-child");
    assert_eq!(second.split(" | ").count(), 26 - 25, "{second}");
    assert!(
        second.split(" | ").all(|n| !first.contains(n)),
        "{first} / {second}"
    );
    assert!(crate::support::attr_of(&page, ".pager a[rel=next]", "href").is_none());
    assert!(crate::support::attr_of(&page, ".pager a[rel=prev]", "href").is_some());
}

#[tokio::test]
async fn the_customer_page_flags_overdue_invoices() {
    let app = spawn_app().await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    let (_, body) = sam.get("/service-desk/customers/C-1000").await;
    let page = html(&body);
    let today = chrono::Utc::now().date_naive().to_string();
    let rows = text_of(&page, ".lines.compact tbody td:nth-child(2)");
    let overdue: Vec<&str> = rows
        .split(" | ")
        .filter(|r| r.contains("Overdue"))
        .collect();
    assert!(!overdue.is_empty(), "{rows}");
    for row in rows.split(" | ") {
        let due = row.split_whitespace().next().unwrap();
        assert_eq!(row.contains("Overdue"), due < today.as_str(), "{row}");
    }
    assert!(
        text_of(&page, ".overdue-notice").contains(&format!("{} open invoice", overdue.len())),
        "{}",
        text_of(&page, ".overdue-notice")
    );
}
