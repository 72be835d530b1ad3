//! Sessions and carts live in the browser, not the server: a restart keeps them, tampering is
//! refused, and bad form input changes nothing.

use std::sync::Arc;

use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;

use crate::support::{
    ANNA, Browser, CountingErp, attr_of, html, sku_in_stock, some_products, spawn_app,
    spawn_app_with, text_of,
};

fn cart_quantity(body: &str, sku: &str) -> Option<String> {
    attr_of(&html(body), &format!("input[name=qty_{sku}]"), "value")
}

#[tokio::test]
async fn a_restarted_server_still_accepts_the_old_session_and_cart() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let app = spawn_app_with(erp.clone()).await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/catalog").await;
    anna.post("/cart/add", &[("sku", &sku), ("quantity", "7")])
        .await;
    let client = anna.client();
    app.stop().await;

    let restarted = spawn_app_with(erp).await;
    let mut again = Browser::with_client(&restarted.address, client);
    let (status, body) = again.get("/cart").await;
    assert_eq!(status, StatusCode::OK, "still logged in after the restart");
    assert_eq!(
        cart_quantity(&body, &sku).as_deref(),
        Some("7"),
        "the cart survived"
    );
}

#[tokio::test]
async fn garbage_cookies_are_ignored_not_trusted() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for cookie in [
        "erpfront_session=garbage",
        "erpfront_session=%00%ff; erpfront_cart=also-garbage",
        "erpfront_session=",
    ] {
        let response = client
            .get(app.url("/orders"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{cookie}: treated as logged out"
        );
        assert!(
            response.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login")
        );
    }
    // A real session with a tampered cart cookie: an empty cart, not an error.
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (status, body) = anna.get("/cart").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&html(&body), ".notice").contains("empty"));
}

#[tokio::test]
async fn a_form_without_the_right_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    for form in [
        vec![("sku", sku.as_str()), ("quantity", "1")],
        vec![("csrf", "forged"), ("sku", sku.as_str()), ("quantity", "1")],
    ] {
        let (status, _, body) = anna.post_raw("/cart/add", &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(text_of(&html(&body), "h1").contains("expired"));
    }
    let (_, body) = anna.get("/cart").await;
    assert_eq!(cart_quantity(&body, &sku), None, "nothing was added");

    // Another browser's valid token is worth nothing in this session.
    let mut other = app.browser();
    other.get("/login").await;
    let (_, body) = other.get("/login").await;
    let foreign = attr_of(&html(&body), "input[name=csrf]", "value").unwrap();
    let (status, _, _) = anna
        .post_raw(
            "/cart/add",
            &[("csrf", &foreign), ("sku", &sku), ("quantity", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_quantities_and_unknown_skus_get_clear_errors_and_keep_the_cart() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/catalog").await;
    anna.post("/cart/add", &[("sku", &sku), ("quantity", "2")])
        .await;
    let cases = [
        ("-3", "at least 1"),
        ("0", "at least 1"),
        ("100000", "at most"),
        ("1e9", "whole number"),
        ("abc", "whole number"),
    ];
    for (quantity, words) in cases {
        let (status, _, body) = anna
            .post("/cart/add", &[("sku", &sku), ("quantity", quantity)])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "quantity {quantity}");
        assert!(
            text_of(&html(&body), "main").contains(words),
            "quantity {quantity}"
        );
        anna.get("/catalog").await;
    }
    let (status, _, body) = anna
        .post("/cart/add", &[("sku", "NO-SUCH-SKU"), ("quantity", "1")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text_of(&html(&body), "main").contains("NO-SUCH-SKU"));
    anna.get("/catalog").await;
    let (status, result, _) = anna
        .post(
            "/cart/quick-order",
            &[("lines", &format!("{sku} 1\nNO-SUCH-SKU 2"))],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = anna.get(&result).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text_of(&html(&body), ".notice-error").contains("NO-SUCH-SKU"));
    assert_eq!(
        text_of(&html(&body), "textarea[name=lines]"),
        "NO-SUCH-SKU 2",
        "the bad line is back in the box"
    );
    let (_, body) = anna.get("/cart").await;
    assert_eq!(
        cart_quantity(&body, &sku).as_deref(),
        Some("3"),
        "the good line was added to what the cart held"
    );
}

#[tokio::test]
async fn a_cart_of_fifty_lines_checks_out() {
    let app = spawn_app().await;
    let products = some_products(&app, 50).await;
    assert_eq!(products.len(), 50);
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/cart").await;
    let lines: String = products
        .iter()
        .map(|(sku, _)| format!("{sku} 1\n"))
        .collect();
    let (status, location, _) = anna.post("/cart/quick-order", &[("lines", &lines)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, body) = anna.get("/cart").await;
    assert_eq!(
        html(&body)
            .select(&scraper::Selector::parse("table.lines tbody tr").unwrap())
            .count(),
        50
    );

    let (_, body) = anna.get("/checkout").await;
    let key = attr_of(&html(&body), "input[name=idempotency_key]", "value").unwrap();
    let form = [
        ("idempotency_key", key.as_str()),
        ("po_number", "PO-FIFTY"),
        ("ship_to", ""),
        ("requested_date", ""),
        ("note", ""),
    ];
    let (status, location, body) = anna.post("/checkout", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, body) = anna.get(&location).await;
    assert_eq!(
        html(&body)
            .select(&scraper::Selector::parse("table.lines tbody tr").unwrap())
            .count(),
        50
    );

    // Submitting the same form again (a double click, a back button) finds the same order.
    anna.get("/cart").await;
    let (status, again, _) = anna.post("/checkout", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(again, location);
}

#[tokio::test]
async fn checkout_refuses_a_past_date_and_keeps_the_cart() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let key = anna.open_checkout_with(&sku, "1").await;
    let (status, _, body) = anna
        .post(
            "/checkout",
            &[
                ("idempotency_key", &key),
                ("po_number", "PO-PAST"),
                ("ship_to", ""),
                ("requested_date", "2001-01-01"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&body);
    assert!(text_of(&page, ".notice-error").contains("past"));
    assert_eq!(
        attr_of(&page, "input[name=po_number]", "value").as_deref(),
        Some("PO-PAST"),
        "what was typed is kept"
    );
    let (_, body) = anna.get("/cart").await;
    assert_eq!(cart_quantity(&body, &sku).as_deref(), Some("1"));
}

#[tokio::test]
async fn checkout_tells_the_truth_when_the_erp_does_not_answer() {
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let key = anna.open_checkout_with(&sku, "1").await;
    let form = [
        ("idempotency_key", key.as_str()),
        ("po_number", "PO-DOWN"),
        ("ship_to", ""),
        ("requested_date", ""),
        ("note", ""),
    ];
    // The order list (asked for PO numbers used before) is fresh: the failures hit placing.
    anna.get("/orders").await;
    app.erp.fail_next(3);
    let (status, _, body) = anna.post("/checkout", &form).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let page = html(&body);
    assert!(text_of(&page, "h1").contains("confirming your order"));
    assert!(text_of(&page, "main").contains("+49 30 555 0100"));
    assert!(!body.contains("switched off"), "no ERP message on the page");
    app.erp.fail_next(0);
    let (status, location, _) = anna.post("/checkout", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the retry goes through");
    assert!(location.starts_with("/orders/"));
}
