//! Editing the cart as a buyer does: Enter in a quantity field updates, a pasted list keeps
//! every good line and gives back the bad ones, and a wrong quantity comes back as typed.

use reqwest::StatusCode;
use scraper::Selector;

use crate::support::{ANNA, Browser, TestApp, html, some_skus, spawn_app, text_of};

async fn buyer_with_cart(app: &TestApp, skus: &[String]) -> Browser {
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/catalog").await;
    for sku in skus {
        anna.post("/cart/add", &[("sku", sku), ("quantity", "2")])
            .await;
    }
    anna
}

#[tokio::test]
async fn enter_in_a_quantity_field_updates_and_removes_nothing() {
    let app = spawn_app().await;
    let skus = some_skus(&app, 3).await;
    let mut anna = buyer_with_cart(&app, &skus).await;
    let (_, body) = anna.get("/cart").await;
    // A browser's Enter presses the form's first submit button and sends its name and value.
    let page = html(&body);
    let first = page
        .select(&Selector::parse("#cart-form button[type=submit]").unwrap())
        .next()
        .expect("a submit button");
    let (name, value) = (
        first.value().attr("name").unwrap_or_default(),
        first.value().attr("value").unwrap_or_default(),
    );
    assert_ne!(name, "remove", "Enter must not remove a line");
    let third = format!("qty_{}", skus[2]);
    let (a, b) = (format!("qty_{}", skus[0]), format!("qty_{}", skus[1]));
    let (status, _, _) = anna
        .post(
            "/cart/update",
            &[(name, value), (&a, "2"), (&b, "2"), (&third, "7")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let lines = anna.cart_lines().await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[2], (skus[2].clone(), "7".to_string()));
}

#[tokio::test]
async fn a_wrong_quantity_comes_back_as_typed_and_changes_nothing() {
    let app = spawn_app().await;
    let skus = some_skus(&app, 2).await;
    let mut anna = buyer_with_cart(&app, &skus).await;
    let (a, b) = (format!("qty_{}", skus[0]), format!("qty_{}", skus[1]));
    let (status, _, body) = anna.post("/cart/update", &[(&a, "5"), (&b, "3x")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = html(&body);
    assert!(
        text_of(&page, ".notice-error").contains("whole number"),
        "{body}"
    );
    assert!(
        text_of(&page, ".account").contains("Anna"),
        "the page keeps its header"
    );
    let typed = crate::support::attr_of(&page, &format!("input[name={b}]"), "value");
    assert_eq!(typed.as_deref(), Some("3x"), "what was typed is kept");
    let lines = anna.cart_lines().await;
    assert_eq!(
        lines,
        vec![(skus[0].clone(), "2".into()), (skus[1].clone(), "2".into())],
        "nothing changed"
    );
}

#[tokio::test]
async fn a_pasted_list_adds_every_good_line_and_gives_back_the_bad_ones() {
    let app = spawn_app().await;
    let skus = some_skus(&app, 2).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/cart").await;
    let pasted = format!(
        "{} 3\nNOPE-0000 1\n{} 4\n{} many\n",
        skus[0], skus[1], skus[0]
    );
    let (status, result, _) = anna.post("/cart/quick-order", &[("lines", &pasted)]).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "lines were added: the result is another page, so a reload cannot add them again"
    );
    assert!(result.starts_with("/cart?"), "{result}");
    let (status, body) = anna.get(&result).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "some lines need fixing"
    );
    let page = html(&body);
    let problems = text_of(&page, ".notice-error li");
    assert!(
        problems.contains("Line 2") && problems.contains("NOPE-0000"),
        "{problems}"
    );
    assert!(
        problems.contains("Line 4"),
        "every kind of error at once: {problems}"
    );
    assert!(text_of(&page, ".notice-success").contains("Added 2 lines"));
    let back = text_of(&page, "textarea[name=lines]");
    assert!(
        back.contains("NOPE-0000 1") && back.contains("many"),
        "the bad lines are back in the box: {back}"
    );
    assert!(
        back.starts_with("NOPE-0000 1"),
        "in the order pasted: {back}"
    );
    assert!(!back.contains(" 3"), "the good ones are not: {back}");
    let lines = anna.cart_lines().await;
    assert_eq!(
        lines,
        vec![(skus[0].clone(), "3".into()), (skus[1].clone(), "4".into())]
    );

    // Reloading the result page shows the same result and adds nothing.
    let (_, again) = anna.get(&result).await;
    let again = html(&again);
    assert_eq!(text_of(&again, ".notice-error li"), problems);
    assert_eq!(text_of(&again, "textarea[name=lines]"), back);
    assert_eq!(anna.cart_lines().await, lines, "nothing added twice");
    // The plain cart page is not about that quick order.
    let (_, plain) = anna.get("/cart").await;
    assert!(text_of(&html(&plain), ".notice-error").is_empty());
}

/// The checkout form as a browser submits it, with the given idempotency key and PO.
fn checkout<'a>(key: &'a str, po: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("idempotency_key", key),
        ("po_number", po),
        ("ship_to", ""),
        ("requested_date", ""),
        ("note", ""),
    ]
}

async fn order_count(app: &TestApp) -> usize {
    let list: serde_json::Value = app
        .api_json("/api/v1/orders", crate::support::NORTHWIND_TOKEN)
        .await;
    list["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_checkout_never_places_lines_it_did_not_show() {
    let app = spawn_app().await;
    let skus = some_skus(&app, 2).await;
    let mut tab_a = buyer_with_cart(&app, &skus[..1]).await;
    let (_, body) = tab_a.get("/checkout").await;
    let key =
        crate::support::attr_of(&html(&body), "input[name=idempotency_key]", "value").unwrap();
    // Another tab of the same browser adds a product meanwhile.
    let mut tab_b = Browser::with_client(&app.address, tab_a.client());
    tab_b.get("/catalog").await;
    tab_b
        .post("/cart/add", &[("sku", &skus[1]), ("quantity", "1")])
        .await;

    let before = order_count(&app).await;
    let (status, _, body) = tab_a.post("/checkout", &checkout(&key, "PO-TABS")).await;
    assert_eq!(status, StatusCode::CONFLICT, "not placed: {body}");
    assert_eq!(order_count(&app).await, before, "nothing ordered");
    let page = html(&body);
    assert!(text_of(&page, ".notice-error").contains("changed"));
    let shown = text_of(&page, "table.lines tbody");
    assert!(
        shown.contains(&skus[0]) && shown.contains(&skus[1]),
        "{shown}"
    );
    assert_eq!(
        crate::support::attr_of(&page, "input[name=po_number]", "value").as_deref(),
        Some("PO-TABS"),
        "what the buyer entered is kept"
    );

    // Confirmed again, as now shown: placed with both lines.
    let (status, location, _) = tab_a.post("/checkout", &checkout(&key, "PO-TABS")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = tab_a.get(&location).await;
    let lines = text_of(&html(&body), "table.lines tbody");
    assert!(lines.contains(&skus[1]), "{lines}");
    assert_eq!(order_count(&app).await, before + 1);
}

#[tokio::test]
async fn a_stale_tab_after_the_order_says_nothing_was_ordered() {
    let app = spawn_app().await;
    let skus = some_skus(&app, 1).await;
    let mut tab_a = buyer_with_cart(&app, &skus).await;
    let mut tab_b = Browser::with_client(&app.address, tab_a.client());
    let (_, body_b) = tab_b.get("/checkout").await;
    let key_b =
        crate::support::attr_of(&html(&body_b), "input[name=idempotency_key]", "value").unwrap();
    let (_, body_a) = tab_a.get("/checkout").await;
    let key_a =
        crate::support::attr_of(&html(&body_a), "input[name=idempotency_key]", "value").unwrap();
    let (status, placed, _) = tab_a.post("/checkout", &checkout(&key_a, "PO-ONCE")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let (status, location, _) = tab_b.post("/checkout", &checkout(&key_b, "PO-ONCE")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, body) = tab_b.get(&location).await;
    assert!(
        text_of(&html(&body), ".notice-warning").contains("Nothing was ordered"),
        "{body}"
    );
    // Tab A's own resubmission names the order it became.
    let (_, again, _) = tab_a.post("/checkout", &checkout(&key_a, "PO-ONCE")).await;
    assert_eq!(again, placed);
}

#[tokio::test]
async fn the_same_po_number_twice_is_asked_about_before_it_is_ordered() {
    let app = spawn_app().await;
    let skus = some_skus(&app, 2).await;
    let mut anna = buyer_with_cart(&app, &skus[..1]).await;
    let (_, body) = anna.get("/checkout").await;
    let key =
        crate::support::attr_of(&html(&body), "input[name=idempotency_key]", "value").unwrap();
    let (_, first, _) = anna.post("/checkout", &checkout(&key, "PO-TWICE")).await;
    let first = first
        .trim_start_matches("/orders/")
        .trim_end_matches("?placed=1")
        .to_string();

    anna.post("/cart/add", &[("sku", &skus[1]), ("quantity", "1")])
        .await;
    let (_, body) = anna.get("/checkout").await;
    let key =
        crate::support::attr_of(&html(&body), "input[name=idempotency_key]", "value").unwrap();
    let before = order_count(&app).await;
    let (status, _, body) = anna.post("/checkout", &checkout(&key, "po-twice")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        text_of(&html(&body), ".notice-error").contains(&first),
        "names the earlier order: {body}"
    );
    assert_eq!(order_count(&app).await, before, "nothing ordered yet");

    let mut form = checkout(&key, "po-twice").to_vec();
    form.push(("same_po_ok", "1"));
    let (status, _, _) = anna.post("/checkout", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "placed once confirmed");
    assert_eq!(order_count(&app).await, before + 1);
}

#[tokio::test]
async fn emptying_the_cart_is_asked_before_it_is_done() {
    let app = spawn_app().await;
    let skus = some_skus(&app, 2).await;
    let mut anna = buyer_with_cart(&app, &skus).await;
    anna.get("/cart").await;
    let (status, _, body) = anna.post("/cart/update", &[("clear", "1")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text_of(&html(&body), ".notice-warning").contains("Empty the cart?"));
    assert_eq!(anna.cart_lines().await.len(), 2, "nothing removed yet");
    let (status, _, _) = anna.post("/cart/update", &[("clear", "confirmed")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(anna.cart_lines().await.is_empty());
}
