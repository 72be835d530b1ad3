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

/// The SKUs in the cart, in order, with their quantities.
async fn cart_lines(anna: &mut Browser) -> Vec<(String, String)> {
    let (_, body) = anna.get("/cart").await;
    let page = html(&body);
    let inputs = Selector::parse("#cart-form input[name^=qty_]").unwrap();
    page.select(&inputs)
        .map(|i| {
            let name = i.value().attr("name").unwrap();
            (
                name.trim_start_matches("qty_").to_string(),
                i.value().attr("value").unwrap_or_default().to_string(),
            )
        })
        .collect()
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
    let lines = cart_lines(&mut anna).await;
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
    let lines = cart_lines(&mut anna).await;
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
    let (status, _, body) = anna.post("/cart/quick-order", &[("lines", &pasted)]).await;
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
    assert!(!back.contains(" 3"), "the good ones are not: {back}");
    let lines = cart_lines(&mut anna).await;
    assert_eq!(
        lines,
        vec![(skus[0].clone(), "3".into()), (skus[1].clone(), "4".into())]
    );
}
