//! The service desk: reps find any order and act for a customer, audited; buyers never get in.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    ANNA, GLOBEX_TOKEN, LI, NORTHWIND_TOKEN, SAM, attr_of, audit_log, html, sku_in_stock,
    spawn_app, text_of,
};

#[tokio::test]
async fn a_rep_finds_an_order_by_po_number_across_customers() {
    let app = spawn_app().await;
    let globex: Value = app.api_json("/api/v1/orders", GLOBEX_TOKEN).await;
    let order = &globex["items"][0];
    let (number, po) = (
        order["number"].as_str().unwrap(),
        order["po_number"].as_str().unwrap(),
    );

    let mut sam = app.browser();
    let (_, location) = sam.login(SAM, "demo").await;
    assert_eq!(location, "/service-desk", "reps land at the desk");
    let (status, body) = sam.get(&format!("/service-desk?po_number={po}")).await;
    assert_eq!(status, StatusCode::OK);
    let hits = text_of(&html(&body), "#order-hits tbody");
    assert!(hits.contains(number) && hits.contains("Globex"), "{hits}");

    let (_, body) = sam
        .get("/service-desk?customer=northwind&status=completed")
        .await;
    let page = html(&body);
    let rows = text_of(&page, "#order-hits tbody tr");
    assert!(
        !rows.is_empty()
            && rows
                .split(" | ")
                .all(|r| r.contains("Northwind") && r.contains("Completed")),
        "{rows}"
    );

    let link = attr_of(
        &html(
            &sam.get(&format!("/service-desk?order_number={number}"))
                .await
                .1,
        ),
        "#order-hits a",
        "href",
    )
    .unwrap();
    let (status, body) = sam.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&html(&body), ".facts").contains(po));
}

#[tokio::test]
async fn acting_for_northwind_shows_northwinds_prices_and_places_an_audited_order() {
    audit_log::capture();
    let app = spawn_app().await;
    let sku = sku_in_stock(&app).await;
    let price_of = |token: &'static str| {
        let app = &app;
        let sku = sku.clone();
        async move {
            let p: Value = app
                .api_json(&format!("/api/v1/products/{sku}"), token)
                .await;
            p["price"]["unit_price"].as_str().unwrap().to_string()
        }
    };
    let (northwind_price, globex_price) = (
        price_of(NORTHWIND_TOKEN).await,
        price_of(GLOBEX_TOKEN).await,
    );

    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    sam.get("/service-desk/customers/C-1000").await;
    let (_, location, _) = sam
        .post("/service-desk/act", &[("customer", "C-1000")])
        .await;
    assert_eq!(location, "/catalog");
    let (status, body) = sam.get(&format!("/products/{sku}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = html(&body);
    assert!(
        text_of(&page, ".acting-banner").contains("Northwind Traders"),
        "the banner says for whom"
    );
    let shown = text_of(&page, ".buy-box .price.big");
    let amount = shown.split_whitespace().nth(1).unwrap().replace(',', "");
    assert_eq!(amount, northwind_price, "Northwind's price: {shown}");
    assert_ne!(amount, globex_price, "not Globex's price");

    sam.post("/cart/add", &[("sku", &sku), ("quantity", "2")])
        .await;
    let (_, body) = sam.get("/checkout").await;
    let key = attr_of(&html(&body), "input[name=idempotency_key]", "value").unwrap();
    let (status, location, _) = sam
        .post(
            "/checkout",
            &[
                ("idempotency_key", &key),
                ("po_number", "PO-PHONE-1"),
                ("ship_to", ""),
                ("requested_date", ""),
                ("note", "By phone"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let number = location
        .trim_start_matches("/orders/")
        .trim_end_matches("?placed=1")
        .to_string();
    let (_, body) = sam.get(&location).await;
    let confirmation = text_of(&html(&body), ".notice-success");
    assert!(
        confirmation.contains("placed by you") && !confirmation.contains("Thank you"),
        "the rep is not thanked as the customer: {confirmation}"
    );
    let (_, body) = sam.get("/service-desk").await;
    assert!(
        text_of(&html(&body), ".acting-banner").contains("C-1000"),
        "the desk shows that acting goes on"
    );

    // The customer sees who placed it, and so does the ERP.
    let order: Value = app
        .api_json(&format!("/api/v1/orders/{number}"), NORTHWIND_TOKEN)
        .await;
    assert!(
        order["placed_by"]
            .as_str()
            .unwrap()
            .contains("sam@service.example"),
        "{order}"
    );
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (_, body) = anna.get(&format!("/orders/{number}")).await;
    assert!(text_of(&html(&body), ".facts").contains("Sam Rivera"));

    let events = audit_log::lines_with("sam@service.example");
    assert!(
        events
            .iter()
            .any(|l| l.contains("start_acting") && l.contains("C-1000")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|l| l.contains("order_placed") && l.contains(&number)),
        "{events:?}"
    );
    assert!(events.iter().any(|l| l.contains("/cart/add")), "{events:?}");
}

#[tokio::test]
async fn stopping_the_act_returns_the_rep_to_the_desk() {
    audit_log::capture();
    let app = spawn_app().await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    sam.get("/service-desk").await;
    sam.post("/service-desk/act", &[("customer", "C-2000")])
        .await;
    let (_, body) = sam.get("/orders").await;
    assert!(text_of(&html(&body), ".acting-banner").contains("Globex"));
    let (_, location, _) = sam.post("/service-desk/stop", &[]).await;
    assert!(location.starts_with("/service-desk"), "{location}");
    let (status, _) = sam.get("/catalog").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the shop sends a rep who acts for nobody back to the desk"
    );
    let (status, body) = sam.get("/service-desk").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&html(&body), ".acting-banner").is_empty());
    assert!(
        audit_log::lines_with("stop_acting")
            .iter()
            .any(|l| l.contains("C-2000"))
    );
}

#[tokio::test]
async fn buyers_cannot_reach_the_desk_or_act_for_anyone() {
    let app = spawn_app().await;
    let mut li = app.browser();
    li.login(LI, "demo").await;
    for path in [
        "/service-desk",
        "/service-desk/customers/C-1000",
        "/service-desk/customers?q=north",
    ] {
        let (status, _) = li.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    li.get("/catalog").await;
    // A forged form post with Li's own valid CSRF token.
    let (status, _, _) = li
        .post("/service-desk/act", &[("customer", "C-1000")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, body) = li.get("/orders").await;
    let page = html(&body);
    assert!(
        text_of(&page, ".account").contains("Globex"),
        "still Globex"
    );
    assert!(text_of(&page, ".acting-banner").is_empty());

    let mut nobody = app.browser();
    let (status, _) = nobody.get("/service-desk").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "anonymous visitors are sent to log in"
    );
}

#[tokio::test]
async fn a_rep_limited_to_some_customers_gets_404_for_others() {
    let users = format!(
        "{}\n[[users]]\nlogin = \"kim@service.example\"\nname = \"Kim\"\npassword_hash = \"{}\"\nrole = \"service\"\ncustomers = [\"C-2000\"]\n",
        erpfront::demo::DEMO_USERS,
        erpfront::users::hash_password("demo")
    );
    let app = crate::support::spawn_app_with_users(&users).await;
    let mut kim = app.browser();
    kim.login("kim@service.example", "demo").await;
    let (status, _) = kim.get("/service-desk/customers/C-1000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = kim.get("/service-desk/customers/C-2000").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = kim
        .post("/service-desk/act", &[("customer", "C-1000")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, body) = kim.get("/service-desk?customer=C-").await;
    let rows = text_of(&html(&body), "#order-hits tbody tr");
    assert!(!rows.is_empty() && !rows.contains("Northwind"), "{rows}");
}

#[tokio::test]
async fn a_refused_form_sent_while_acting_is_audited_and_a_desk_change_only_by_its_handler() {
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        audit_log::capture();
        let app = spawn_app().await;
        let sku = sku_in_stock(&app).await;
        let mut sam = app.browser();
        sam.login(SAM, "demo").await;
        sam.get("/service-desk").await;
        sam.post("/service-desk/act", &[("customer", "C-2000")])
            .await;
        let (status, _, _) = sam
            .post_raw(
                "/cart/update",
                &[("csrf", "forged"), ("sku", &sku), ("quantity", "1")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let refused = audit_log::lines_with("POST /cart/update -> 403");
        assert!(
            refused
                .iter()
                .any(|l| l.contains("sam@service.example") && l.contains("C-2000")),
            "{refused:?}"
        );
        sam.post("/service-desk/stop", &[]).await;
        // The desk is nested: its handlers see `/stop`.
        assert!(
            audit_log::lines_with("POST /stop ->").is_empty(),
            "the desk's own changes are audited by their handlers, not twice"
        );
    })
    .await
    .expect("the desk answers in time");
}
