//! The cart follows the customer: it is saved in the ERP after every change and merged back into
//! the browser at login and when a rep starts acting, so logging out, a second device or a rep
//! who stops acting loses nothing; an order clears it; an ERP that is down never stops an edit;
//! and one customer never gets another's.

use std::time::Duration;

use erpfront::domain::{CustomerId, Quantity, SavedCart, SavedCartLine, Sku};
use erpfront::erp::{Erp, ErpError};
use reqwest::StatusCode;

use crate::support::{ANNA, Browser, LI, SAM, TestApp, some_skus, spawn_app};

/// Every test here finishes within this, or fails.
const LIMIT: Duration = Duration::from_secs(60);

async fn within<F: Future<Output = ()>>(test: F) {
    tokio::time::timeout(LIMIT, test)
        .await
        .expect("the test finishes in time");
}

fn northwind() -> CustomerId {
    CustomerId::parse("C-1000").unwrap()
}

async fn add(browser: &mut Browser, sku: &str, quantity: &str) {
    let (status, location, body) = browser
        .post("/cart/add", &[("sku", sku), ("quantity", quantity)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with("/cart"), "{location}");
}

async fn logged_in(app: &TestApp, login: &str) -> Browser {
    let mut browser = app.browser();
    let (status, _) = browser.login(login, "demo").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    browser.get("/catalog").await;
    browser
}

fn lines(pairs: &[(&String, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(sku, q)| ((*sku).clone(), (*q).to_string()))
        .collect()
}

#[tokio::test]
async fn the_cart_is_there_again_after_logging_out_and_in() {
    within(async {
        let app = spawn_app().await;
        let skus = some_skus(&app, 2).await;
        let mut anna = logged_in(&app, ANNA).await;
        add(&mut anna, &skus[0], "3").await;
        add(&mut anna, &skus[1], "1").await;
        anna.post("/logout", &[]).await;
        assert!(
            !anna
                .cookies()
                .iter()
                .any(|c| c.starts_with("erpfront_cart=")),
            "logging out drops the cart from the browser"
        );

        anna.login(ANNA, "demo").await;
        assert_eq!(
            anna.cart_lines().await,
            lines(&[(&skus[0], "3"), (&skus[1], "1")])
        );
    })
    .await;
}

#[tokio::test]
async fn a_second_device_sees_the_cart_and_a_login_merges_without_losing_lines() {
    within(async {
        let app = spawn_app().await;
        let skus = some_skus(&app, 3).await;
        let mut laptop = logged_in(&app, ANNA).await;
        add(&mut laptop, &skus[0], "2").await;
        add(&mut laptop, &skus[1], "5").await;

        let mut phone = logged_in(&app, ANNA).await;
        assert_eq!(
            phone.cart_lines().await,
            lines(&[(&skus[0], "2"), (&skus[1], "5")]),
            "a fresh browser finds the cart after login"
        );
        // The phone changes the cart; the laptop still holds its own copy in its cookie.
        let (q0, q1) = (format!("qty_{}", skus[0]), format!("qty_{}", skus[1]));
        phone
            .post("/cart/update", &[(q0.as_str(), "4"), (q1.as_str(), "1")])
            .await;
        add(&mut phone, &skus[2], "7").await;

        // Logging in again on the laptop merges both: the larger quantity of each line, and
        // the phone's new line.
        laptop.login(ANNA, "demo").await;
        let merged = lines(&[(&skus[0], "4"), (&skus[1], "5"), (&skus[2], "7")]);
        assert_eq!(laptop.cart_lines().await, merged);
        let saved = app.erp.saved_cart(&northwind()).await.unwrap();
        assert_eq!(saved.lines().len(), 3, "the merge is saved back: {saved:?}");
    })
    .await;
}

#[tokio::test]
async fn a_cart_a_rep_built_waits_for_the_customer_after_the_rep_stops_acting() {
    within(async {
        let app = spawn_app().await;
        let skus = some_skus(&app, 2).await;
        let mut sam = app.browser();
        sam.login(SAM, "demo").await;
        sam.get("/service-desk/customers/C-1000").await;
        sam.post("/service-desk/act", &[("customer", "C-1000")])
            .await;
        sam.get("/catalog").await;
        add(&mut sam, &skus[0], "6").await;
        add(&mut sam, &skus[1], "2").await;
        let (_, location, _) = sam.post("/service-desk/stop", &[]).await;
        assert!(location.starts_with("/service-desk"), "{location}");

        let mut anna = logged_in(&app, ANNA).await;
        assert_eq!(
            anna.cart_lines().await,
            lines(&[(&skus[0], "6"), (&skus[1], "2")])
        );

        // And the other way: a rep who starts acting finds the customer's cart.
        add(&mut anna, &skus[1], "1").await;
        sam.get("/service-desk/customers/C-1000").await;
        sam.post("/service-desk/act", &[("customer", "C-1000")])
            .await;
        assert_eq!(
            sam.cart_lines().await,
            lines(&[(&skus[0], "6"), (&skus[1], "3")])
        );
    })
    .await;
}

#[tokio::test]
async fn placing_the_order_clears_the_saved_cart() {
    within(async {
        let app = spawn_app().await;
        let sku = crate::support::sku_in_stock(&app).await;
        let mut anna = logged_in(&app, ANNA).await;
        let key = anna.open_checkout_with(&sku, "2").await;
        assert!(
            !app.erp.saved_cart(&northwind()).await.unwrap().is_empty(),
            "the cart is saved before the order"
        );
        let (status, location, body) = anna
            .post(
                "/checkout",
                &[
                    ("idempotency_key", &key),
                    ("po_number", "PO-SAVED-1"),
                    ("ship_to", ""),
                    ("requested_date", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.contains("placed=1"), "{location}");
        assert!(app.erp.saved_cart(&northwind()).await.unwrap().is_empty());

        // Another device logging in afterwards does not bring the ordered lines back.
        let mut phone = logged_in(&app, ANNA).await;
        assert!(phone.cart_lines().await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn emptying_the_cart_clears_the_saved_cart() {
    within(async {
        let app = spawn_app().await;
        let skus = some_skus(&app, 1).await;
        let mut anna = logged_in(&app, ANNA).await;
        add(&mut anna, &skus[0], "2").await;
        anna.post("/cart/update", &[("clear", "confirmed")]).await;
        assert!(app.erp.saved_cart(&northwind()).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn cart_edits_work_from_the_cookie_when_the_saved_cart_cannot_be_reached() {
    within(async {
        let app = spawn_app().await;
        let skus = some_skus(&app, 2).await;
        let mut anna = logged_in(&app, ANNA).await;
        add(&mut anna, &skus[0], "2").await;
        for operation in ["saved_cart", "save_cart"] {
            app.erp
                .break_operation(operation, Some(ErpError::unavailable("the ERP is down")));
        }
        add(&mut anna, &skus[1], "3").await;
        let q0 = format!("qty_{}", skus[0]);
        let (status, _, body) = anna.post("/cart/update", &[(q0.as_str(), "5")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(
            anna.cart_lines().await,
            lines(&[(&skus[0], "5"), (&skus[1], "3")])
        );
        assert!(app.erp.calls("save_cart") >= 2, "a save was tried");

        // A login while the saved cart is out of reach keeps the browser's cart.
        let (status, _) = anna.login(ANNA, "demo").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(anna.cart_lines().await.len(), 2);

        // The whole ERP down: the quantities still change in the cookie.
        app.erp.set_down(true);
        let (status, _, body) = anna.post("/cart/update", &[(q0.as_str(), "1")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        app.erp.set_down(false);
        assert_eq!(
            anna.cart_lines().await,
            lines(&[(&skus[0], "1"), (&skus[1], "3")])
        );
    })
    .await;
}

#[tokio::test]
async fn a_customer_never_gets_another_customers_saved_cart() {
    within(async {
        let app = spawn_app().await;
        let skus = some_skus(&app, 1).await;
        let mut anna = logged_in(&app, ANNA).await;
        add(&mut anna, &skus[0], "4").await;

        let mut li = logged_in(&app, LI).await;
        assert!(li.cart_lines().await.is_empty());
        // Nor in the same browser, after Anna logs out.
        anna.post("/logout", &[]).await;
        anna.login(LI, "demo").await;
        assert!(anna.cart_lines().await.is_empty());
        let globex = CustomerId::parse("C-2000").unwrap();
        assert!(app.erp.saved_cart(&globex).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_saved_cart_too_big_for_the_cookie_leaves_the_browsers_cart_alone() {
    within(async {
        let app = spawn_app().await;
        let lines: Vec<SavedCartLine> = (0..SavedCart::MAX_LINES)
            .map(|i| SavedCartLine {
                sku: Sku::parse(format!("LONG-SKU-NUMBER-{i:06}")).unwrap(),
                quantity: Quantity::new(99_999).unwrap(),
            })
            .collect();
        app.erp
            .save_cart(&northwind(), &SavedCart::new(lines).unwrap())
            .await
            .unwrap();
        let mut anna = app.browser();
        let (status, location) = anna.login(ANNA, "demo").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(!location.contains("login"), "{location}");
    })
    .await;
}
