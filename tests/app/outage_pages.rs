//! While the ERP is not answering, every page a buyer reaches is still the shop: its header
//! (cart, orders, log out), what cannot be shown and what still works, the support contact, and
//! links that lead somewhere other than the page that failed.

use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::ErpError;
use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;
use scraper::Html;

use crate::support::{ANNA, CountingErp, SAM, attr_of, html, spawn_app_configured, text_of};

const PHONE: &str = "+49 30 555 0100";
const EMAIL: &str = "orders@demo-supply.example";
const NOT_ANSWERING: &str = "Our order system is not answering right now";

/// Every test here is over in seconds; a hang is a failure, not a stuck suite.
async fn within_a_minute(test: impl Future<Output = ()>) {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("the test finished within a minute");
}

fn demo_erp() -> Arc<CountingErp> {
    Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())))
}

async fn app_for(erp: Arc<CountingErp>) -> crate::support::TestApp {
    spawn_app_configured(erp, |c| {
        c.resilience.breaker_failures = 3;
        c.resilience.breaker_open_ms = 1000;
        c.resilience.call_timeout_ms = 400;
    })
    .await
}

/// The page has the logged-in header of `name`, with the shop's navigation.
fn assert_shop_header(page: &Html, name: &str, path: &str) {
    let account = text_of(page, ".account");
    assert!(
        account.contains(name) && account.contains("Log out"),
        "{path}: {account}"
    );
    assert!(
        attr_of(page, "header a.cart-link", "href").as_deref() == Some("/cart"),
        "{path}: the cart is in the header"
    );
    assert!(
        attr_of(page, "header a[href='/orders']", "href").is_some(),
        "{path}: orders are in the header"
    );
}

/// The page says the order system is not answering, what still works, whom to call, and
/// offers the cart, the status page and another try, but no link back to itself.
fn assert_tells_the_truth(page: &Html, path: &str) {
    let main = text_of(page, "main");
    assert!(main.contains(NOT_ANSWERING), "{path}: {main}");
    assert!(main.contains("Your cart is kept"), "{path}: {main}");
    assert!(main.contains("already placed are safe"), "{path}: {main}");
    assert!(
        main.contains(PHONE) && main.contains(EMAIL),
        "{path}: {main}"
    );
    let selector = scraper::Selector::parse("main a.button").unwrap();
    let links: Vec<(String, String)> = page
        .select(&selector)
        .map(|a| {
            let text = a.text().collect::<String>().trim().to_string();
            (text, a.value().attr("href").unwrap_or("").to_string())
        })
        .collect();
    let to = |href: &str| links.iter().any(|(_, h)| h == href);
    assert!(to("/cart") && to("/status"), "{path}: {links:?}");
    assert!(
        links.iter().any(|(text, _)| text == "Try again"),
        "{path}: {links:?}"
    );
    assert!(
        links
            .iter()
            .all(|(text, href)| text == "Try again" || href != path),
        "{path}: no button leads back to the failing page: {links:?}"
    );
}

#[tokio::test]
async fn a_first_login_while_the_erp_is_down_gets_the_shop_and_a_way_forward() {
    within_a_minute(async {
        let erp = demo_erp();
        let app = app_for(erp.clone()).await;
        let mut anna = app.browser();
        anna.login(ANNA, "demo").await;
        // Into the cart while the ERP answers; nothing of the catalog is cached.
        anna.get("/cart").await;
        let (code, _, _) = anna
            .post("/cart/add", &[("sku", "FAS-1001"), ("quantity", "2")])
            .await;
        assert_eq!(code, StatusCode::SEE_OTHER);
        erp.set_down(true);

        for path in [
            "/catalog",
            "/catalog?q=bolt",
            "/catalog?category=fasteners",
            "/products/FAS-1002",
        ] {
            let (code, body) = anna.get(path).await;
            assert_eq!(
                code,
                StatusCode::SERVICE_UNAVAILABLE,
                "{path}: for monitoring"
            );
            let page = html(&body);
            assert_shop_header(&page, "Anna", path);
            assert_tells_the_truth(&page, path);
        }
        let (_, body) = anna.get("/catalog?q=bolt").await;
        assert_eq!(
            attr_of(&html(&body), "input[name=q]", "value").as_deref(),
            Some("bolt"),
            "the search is kept"
        );

        // The cart shows its lines without prices and can still be changed.
        let (code, body) = anna.get("/cart").await;
        assert_eq!(code, StatusCode::OK);
        let page = html(&body);
        assert!(text_of(&page, "main").contains(NOT_ANSWERING), "{body}");
        assert_eq!(
            attr_of(&page, "input[name=qty_FAS-1001]", "value").as_deref(),
            Some("2")
        );
        let (code, _, _) = anna.post("/cart/update", &[("qty_FAS-1001", "5")]).await;
        assert_eq!(code, StatusCode::SEE_OTHER, "the change is taken");
        let (_, body) = anna.get("/cart").await;
        assert_eq!(
            attr_of(&html(&body), "input[name=qty_FAS-1001]", "value").as_deref(),
            Some("5")
        );

        let (_, body) = anna.get("/status").await;
        assert_shop_header(&html(&body), "Anna", "/status");
    })
    .await;
}

#[tokio::test]
async fn what_the_erp_still_answers_is_shown_and_what_it_does_not_is_said() {
    within_a_minute(async {
        let erp = demo_erp();
        let app = app_for(erp.clone()).await;
        let mut anna = app.browser();
        anna.login(ANNA, "demo").await;

        erp.break_operation(
            "search_products",
            Some(ErpError::unavailable("test outage")),
        );
        let (code, body) = anna.get("/catalog?q=bolt").await;
        assert_eq!(code, StatusCode::SERVICE_UNAVAILABLE);
        let page = html(&body);
        assert!(
            text_of(&page, ".sidebar").contains("Fasteners"),
            "the categories are there: {body}"
        );
        assert!(text_of(&page, ".results").contains(NOT_ANSWERING));
        assert!(!text_of(&page, ".results").contains("No products match"));
        assert!(
            attr_of(&page, "form[action='/cart/quick-order'] textarea", "name").is_some(),
            "quick order is still offered"
        );

        erp.break_operation("search_products", None);
        erp.break_operation("prices", Some(ErpError::unavailable("test outage")));
        let (code, body) = anna.get("/catalog?q=bolt").await;
        assert_eq!(code, StatusCode::OK, "the products are there");
        let page = html(&body);
        assert!(!text_of(&page, ".product-card").is_empty());
        let results = text_of(&page, ".results");
        assert!(
            results.contains("prices and stock cannot be shown"),
            "{results}"
        );
        assert!(!results.contains("Price on request"), "{results}");
    })
    .await;
}

#[tokio::test]
async fn error_pages_and_the_status_page_keep_the_logged_in_header() {
    within_a_minute(async {
        let erp = demo_erp();
        let app = app_for(erp.clone()).await;
        let mut anna = app.browser();
        anna.login(ANNA, "demo").await;
        anna.get("/catalog").await;

        let (code, body) = anna.get("/no-such-page").await;
        assert_eq!(code, StatusCode::NOT_FOUND);
        assert_shop_header(&html(&body), "Anna", "404");

        let (code, _, body) = anna
            .post("/cart/add", &[("sku", "FAS-1001"), ("quantity", "lots")])
            .await;
        assert_eq!(code, StatusCode::BAD_REQUEST);
        assert_shop_header(&html(&body), "Anna", "400");

        let (code, _, body) = anna
            .post_raw("/cart/add", &[("sku", "FAS-1001"), ("quantity", "1")])
            .await;
        assert_eq!(code, StatusCode::FORBIDDEN);
        assert_shop_header(&html(&body), "Anna", "403");

        erp.break_operation("orders", Some(ErpError::Timeout));
        let (code, body) = anna.get("/orders").await;
        assert_eq!(code, StatusCode::GATEWAY_TIMEOUT);
        let page = html(&body);
        assert_shop_header(&page, "Anna", "504");
        assert_eq!(
            attr_of(&page, "main a.button", "href").as_deref(),
            Some("/orders"),
            "first: try again"
        );

        let (_, body) = anna.get("/status").await;
        assert_shop_header(&html(&body), "Anna", "/status");

        // A rep at the desk keeps the desk's header, and is sent back to the desk.
        let mut sam = app.browser();
        sam.login(SAM, "demo").await;
        let (code, body) = sam.get("/no-such-page").await;
        assert_eq!(code, StatusCode::NOT_FOUND);
        let page = html(&body);
        assert!(text_of(&page, ".account").contains("Log out"), "{body}");
        assert!(attr_of(&page, "main a[href='/service-desk']", "href").is_some());
    })
    .await;
}
