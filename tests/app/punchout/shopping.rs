//! The buyer's browser in a punchout session: the start link, the confined shop, and the cart
//! going back to a loopback receiver standing in for the procurement system.

use base64::Engine as _;
use reqwest::StatusCode;

use super::documents::*;
use super::receiver::receiver;
use super::{post_cxml, start_url};
use crate::support::{Browser, TestApp, attr_of, html, spawn_app};

/// Sets up on `app` and returns the start link.
pub async fn set_up(app: &TestApp, operation: &str, return_url: &str, items: &str) -> String {
    let escaped = return_url.replace('&', "&amp;");
    let document = ariba_setup(operation, "ariba-cookie-7", &escaped, ARIBA_SECRET, items);
    let (status, body) = post_cxml(app, "/punchout/cxml/setup", document).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    start_url(&body)
}

/// Opens a start link in `browser` (whose base is the link's instance).
async fn open(browser: &mut Browser, link: &str) -> (StatusCode, String) {
    let path = &link[link.find("/punchout/start").unwrap()..];
    let (status, location) = {
        let response = browser
            .client()
            .get(format!("{}{}", base_of(link), path))
            .send()
            .await
            .unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (response.status(), location)
    };
    (status, location)
}

fn base_of(link: &str) -> String {
    link[..link.find("/punchout/start").unwrap()].to_string()
}

#[tokio::test]
async fn a_start_link_from_one_instance_opens_on_another_once() {
    let (first, second) = (spawn_app().await, spawn_app().await);
    let back = receiver().await;
    let link = set_up(&first, "create", &back.url, "").await;
    let on_second = link.replace(&first.address, &second.address);
    let mut browser = second.browser();
    let (status, location) = open(&mut browser, &on_second).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/catalog")
    );
    let (status, page) = browser.get("/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Transfer cart to SAP Ariba"), "{page}");
    // The same link again, on the same instance: refused.
    let mut other = second.browser();
    let (status, _) = open(&mut other, &on_second).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A forged link.
    let (status, _) = open(
        &mut other,
        &format!("{}/punchout/start?t=forged", second.address),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_cart_goes_back_as_a_valid_order_message_and_nothing_is_ordered() {
    let app = spawn_app().await;
    let back = receiver().await;
    let link = set_up(&app, "create", &back.url, "").await;
    let mut browser = app.browser();
    open(&mut browser, &link).await;
    let (_, catalog) = browser.get("/catalog").await;
    assert!(
        !catalog.contains("href=\"/orders\""),
        "no orders inside punchout"
    );
    for path in ["/checkout", "/orders", "/invoices"] {
        let (status, page) = browser.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(page.contains("procurement system"), "{page}");
    }
    // A box of fasteners, and something else.
    let fastener = "FAS-1001";
    let (status, _, _) = browser
        .post("/cart/add", &[("sku", fastener), ("quantity", "3")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, cart) = browser.get("/cart").await;
    assert!(cart.contains("Transfer cart to SAP Ariba") && !cart.contains("href=\"/checkout\""));
    let (status, _, page) = browser.post("/punchout/transfer", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let form = html(&page);
    let action = attr_of(&form, "form#transfer", "action").unwrap();
    assert_eq!(action, back.url, "the query string is kept");
    let value = attr_of(&form, "input[name=cxml-base64]", "value").unwrap();
    let document = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&value)
            .unwrap(),
    )
    .unwrap();
    assert_valid_cxml(&document);
    assert!(
        document.contains("<BuyerCookie>ariba-cookie-7</BuyerCookie>"),
        "{document}"
    );
    assert!(document.contains("operationAllowed=\"edit\""));
    assert!(document.contains(&format!("<SupplierPartID>{fastener}</SupplierPartID>")));
    assert!(
        document.contains("<UnitOfMeasure>BX</UnitOfMeasure>"),
        "BOX is BX in Rec 20"
    );
    assert!(document.contains("<Classification domain=\"UNSPSC\">31161500</Classification>"));
    assert!(!document.contains("SharedSecret") && !document.contains(ARIBA_SECRET));
    let unit = northwind_price(&app, fastener, 3).await;
    assert!(
        document.contains(&format!(
            "<Money currency=\"{}\">{}</Money>",
            unit.currency,
            unit.amount.round_dp(2)
        )),
        "{document}"
    );
    let (status, _) = browser.get("/cart").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the punchout session ended with the transfer"
    );
    // The browser posts the form to the procurement system.
    let posted = reqwest::Client::new()
        .post(&action)
        .form(&[("cxml-base64", value.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::OK);
    let received = back.posted.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].0, "session=42&x=1");
    assert_eq!(
        app.erp.calls("create_order"),
        0,
        "a transfer orders nothing"
    );
    assert_eq!(
        app.erp.calls("save_cart"),
        0,
        "a punchout cart is not the customer's saved cart"
    );
}

#[tokio::test]
async fn the_transfer_page_carries_its_own_csp() {
    let app = spawn_app().await;
    let back = receiver().await;
    let link = set_up(&app, "create", &back.url, "").await;
    let mut browser = app.browser();
    open(&mut browser, &link).await;
    browser.get("/catalog").await;
    browser
        .post("/cart/add", &[("sku", "FAS-1001"), ("quantity", "1")])
        .await;
    browser.get("/cart").await;
    let csrf = attr_of(
        &html(&browser.get("/cart").await.1),
        "input[name=csrf]",
        "value",
    )
    .unwrap();
    let response = browser
        .client()
        .post(app.url("/punchout/transfer"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let page = response.text().await.unwrap();
    let nonce = attr_of(&html(&page), "script", "nonce").unwrap();
    assert!(
        csp.contains(&format!("script-src 'nonce-{nonce}'")),
        "{csp}"
    );
    let origin = back.url.split("/punchout").next().unwrap();
    assert!(csp.contains(&format!("form-action {origin}")), "{csp}");
}

#[tokio::test]
async fn edit_reopens_the_lines_with_their_auxiliary_ids_and_inspect_changes_nothing() {
    let app = spawn_app().await;
    let back = receiver().await;
    let items = item_out(1, "FAS-1001", "contract-7/line-1", "4", "1.00");
    let link = set_up(&app, "edit", &back.url, &items).await;
    let mut browser = app.browser();
    let (_, location) = open(&mut browser, &link).await;
    assert_eq!(location, "/cart");
    assert_eq!(
        browser.cart_lines().await,
        vec![("FAS-1001".to_string(), "4".to_string())]
    );
    let (status, _, page) = browser.post("/punchout/transfer", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let value = attr_of(&html(&page), "input[name=cxml-base64]", "value").unwrap();
    let document = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&value)
            .unwrap(),
    )
    .unwrap();
    assert!(
        document.contains("<SupplierPartAuxiliaryID>contract-7/line-1</SupplierPartAuxiliaryID>"),
        "{document}"
    );
    assert!(
        !document.contains("<Money currency=\"EUR\">1.00</Money></UnitPrice>"),
        "prices are fresh"
    );
    assert_valid_cxml(&document);

    let link = set_up(&app, "inspect", &back.url, &items).await;
    let mut looking = app.browser();
    open(&mut looking, &link).await;
    let (_, cart) = looking.get("/cart").await;
    assert!(!cart.contains("Transfer cart to"), "{cart}");
    let (status, _, _) = looking
        .post("/cart/add", &[("sku", "FAS-1002"), ("quantity", "1")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = looking.post("/punchout/transfer", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Northwind's unit price for `quantity` of `sku`, from the ERP.
async fn northwind_price(app: &TestApp, sku: &str, quantity: u32) -> erpfront::domain::Money {
    use erpfront::erp::Erp as _;
    let customer = erpfront::domain::CustomerId::parse("C-1000").unwrap();
    let sku = erpfront::domain::Sku::parse(sku).unwrap();
    app.erp.prices(&customer, &[sku]).await.unwrap()[0].unit_price(quantity)
}
