//! SAP OCI through the real server: the entry by GET and by POST, the cart going back to a
//! loopback receiver standing in for the SAP system's `HOOK_URL`, `FUNCTION=VALIDATE`, the
//! field lengths SAP keeps, and what a wrong login or a bad `HOOK_URL` gets.

use reqwest::StatusCode;

use super::receiver::{field, receiver};
use crate::support::{Browser, TestApp, attr_of, html, spawn_app};

pub const OCI_USER: &str = "northwind-srm";
pub const OCI_PASSWORD: &str = "northwind-oci";

/// The OCI entry's query for the demo login, returning to `hook`.
pub fn oci_query(password: &str, hook: &str, more: &[(&str, &str)]) -> String {
    let mut fields = vec![
        ("USERNAME", OCI_USER),
        ("PASSWORD", password),
        ("HOOK_URL", hook),
    ];
    fields.extend_from_slice(more);
    serde_urlencoded::to_string(&fields).unwrap()
}

/// Opens the shop in `browser` with a GET; the status and where it leads.
pub async fn enter_get(
    browser: &Browser,
    app: &TestApp,
    query: &str,
) -> (StatusCode, String, String) {
    let response = browser
        .client()
        .get(app.url(&format!("/punchout/oci?{query}")))
        .send()
        .await
        .unwrap();
    answer(response).await
}

pub async fn answer(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// The form a transfer or VALIDATE page posts: its action, target and fields.
pub fn posted_form(page: &str) -> (String, String, Vec<(String, String)>) {
    let page = html(page);
    let action = attr_of(&page, "form#transfer", "action").expect("a transfer form");
    let target = attr_of(&page, "form#transfer", "target").unwrap_or_default();
    let selector = scraper::Selector::parse("form#transfer input[type=hidden]").unwrap();
    let fields = page
        .select(&selector)
        .map(|i| {
            let value = i.value();
            (
                value.attr("name").unwrap().to_string(),
                value.attr("value").unwrap_or_default().to_string(),
            )
        })
        .collect();
    (action, target, fields)
}

/// Posts the form as the buyer's browser would.
pub async fn post_as_browser(action: &str, fields: &[(String, String)]) {
    let posted = reqwest::Client::new()
        .post(action)
        .form(fields)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::OK);
}

/// Northwind's unit price for `quantity` of `sku`, two decimals.
pub async fn price(app: &TestApp, sku: &str, quantity: u32) -> String {
    use erpfront::erp::Erp as _;
    let customer = erpfront::domain::CustomerId::parse("C-1000").unwrap();
    let sku = erpfront::domain::Sku::parse(sku).unwrap();
    let unit = app.erp.prices(&customer, &[sku]).await.unwrap()[0].unit_price(quantity);
    format!("{:.2}", unit.amount.round_dp(2))
}

pub async fn product(app: &TestApp, sku: &str) -> erpfront::domain::Product {
    use erpfront::erp::Erp as _;
    app.erp
        .product(&erpfront::domain::Sku::parse(sku).unwrap())
        .await
        .unwrap()
}

/// Transfers the cart of `browser`: the page's form.
pub async fn transfer(browser: &mut Browser) -> (String, String, Vec<(String, String)>) {
    let (status, _, page) = browser.post("/punchout/transfer", &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    posted_form(&page)
}

#[tokio::test]
async fn a_get_entry_opens_the_shop_and_the_cart_goes_back_to_the_hook() {
    let app = spawn_app().await;
    let back = receiver().await;
    let mut browser = app.browser();
    let query = oci_query(
        OCI_PASSWORD,
        &back.url,
        &[("~OkCode", "ADDI"), ("~CALLER", "CTLG")],
    );
    let (status, location, _) = enter_get(&browser, &app, &query).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/catalog")
    );
    let (_, catalog) = browser.get("/catalog").await;
    assert!(catalog.contains("Transfer cart to SAP SRM"), "{catalog}");
    assert!(!catalog.contains("href=\"/orders\""));
    let (status, _) = browser.get("/checkout").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "no checkout inside punchout"
    );

    // A box of bolts, and a product whose name is longer than SAP keeps.
    let long = "FAS-1004";
    let long_name = product(&app, long).await.name;
    assert!(long_name.chars().count() > 40, "{long_name}");
    browser
        .post("/cart/add", &[("sku", "FAS-1001"), ("quantity", "3")])
        .await;
    browser
        .post("/cart/add", &[("sku", long), ("quantity", "2")])
        .await;
    let (action, target, fields) = transfer(&mut browser).await;
    assert_eq!(action, back.url, "the hook's own query is kept");
    assert_eq!(target, "_top", "the default target");
    let get = |name: &str| field(&fields, name).map(str::to_string);
    assert_eq!(get("~OkCode").as_deref(), Some("ADDI"));
    assert_eq!(get("~CALLER").as_deref(), Some("CTLG"));
    assert_eq!(get("NEW_ITEM-VENDORMAT[1]").as_deref(), Some("FAS-1001"));
    assert_eq!(
        get("NEW_ITEM-EXT_PRODUCT_ID[1]").as_deref(),
        Some("FAS-1001")
    );
    assert_eq!(get("NEW_ITEM-QUANTITY[1]").as_deref(), Some("3"));
    assert_eq!(get("NEW_ITEM-UNIT[1]").as_deref(), Some("BX"), "BOX is BX");
    assert_eq!(
        get("NEW_ITEM-PRICE[1]"),
        Some(price(&app, "FAS-1001", 3).await)
    );
    assert_eq!(get("NEW_ITEM-PRICEUNIT[1]").as_deref(), Some("1"));
    assert_eq!(get("NEW_ITEM-CURRENCY[1]").as_deref(), Some("EUR"));
    assert_eq!(
        get("NEW_ITEM-MATGROUP[1]").as_deref(),
        Some("31161500"),
        "UNSPSC"
    );
    assert_eq!(
        get("NEW_ITEM-LEADTIME[1]"),
        None,
        "in stock: no lead time known"
    );
    assert_eq!(get("NEW_ITEM-VENDORMAT[2]").as_deref(), Some(long));
    let description = get("NEW_ITEM-DESCRIPTION[2]").unwrap();
    assert_eq!(description, long_name.chars().take(40).collect::<String>());
    let longtext = get("NEW_ITEM-LONGTEXT_2:132[]").unwrap();
    assert!(
        longtext.starts_with(&long_name),
        "the whole name in the long text: {longtext}"
    );
    assert!(get("NEW_ITEM-LONGTEXT_1:132[]").is_some());
    assert_eq!(get("NEW_ITEM-DESCRIPTION[0]"), None, "indexed from 1");
    assert_eq!(get("NEW_ITEM-DESCRIPTION[3]"), None);
    assert!(fields.iter().all(|(n, _)| n != "cxml-base64"));

    let (status, _) = browser.get("/cart").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the punchout session ended");
    post_as_browser(&action, &fields).await;
    let (query, received) = back.first_post().await;
    assert_eq!(query, "session=42&x=1");
    assert_eq!(
        field(&received, "NEW_ITEM-DESCRIPTION[2]"),
        Some(description.as_str())
    );
    assert_eq!(
        app.erp.calls("create_order"),
        0,
        "a transfer orders nothing"
    );
}

#[tokio::test]
async fn a_post_entry_works_and_returntarget_names_the_frame() {
    let app = spawn_app().await;
    let back = receiver().await;
    let mut browser = app.browser();
    let form = [
        ("USERNAME", OCI_USER),
        ("PASSWORD", OCI_PASSWORD),
        ("HOOK_URL", back.url.as_str()),
        ("returntarget", "catalog_frame"),
        ("~OkCode", "ADDI"),
    ];
    let response = browser
        .client()
        .post(app.url("/punchout/oci"))
        // As the SAP system's page posts it: from another site.
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    let (status, location, _) = answer(response).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/catalog")
    );
    browser.get("/catalog").await;
    browser
        .post("/cart/add", &[("sku", "FAS-1002"), ("quantity", "1")])
        .await;
    let (action, target, fields) = transfer(&mut browser).await;
    assert_eq!(
        (action.as_str(), target.as_str()),
        (back.url.as_str(), "catalog_frame")
    );
    assert_eq!(field(&fields, "NEW_ITEM-QUANTITY[1]"), Some("1"));
}

#[tokio::test]
async fn a_wrong_password_or_username_gets_a_clear_401_and_no_session() {
    let app = spawn_app().await;
    let back = receiver().await;
    for (user, password) in [(OCI_USER, "wrong"), ("nobody", OCI_PASSWORD)] {
        let mut browser = app.browser();
        let query = serde_urlencoded::to_string([
            ("USERNAME", user),
            ("PASSWORD", password),
            ("HOOK_URL", back.url.as_str()),
        ])
        .unwrap();
        let (status, _, page) = enter_get(&browser, &app, &query).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{user}");
        assert!(page.contains("could not log in"), "{page}");
        assert!(!page.contains(password), "the password is not shown back");
        let (status, _) = browser.get("/catalog").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{user}: not logged in");
    }
}

#[tokio::test]
async fn a_missing_or_unusable_hook_url_is_refused_and_opens_nothing() {
    let app = spawn_app().await;
    let missing =
        serde_urlencoded::to_string([("USERNAME", OCI_USER), ("PASSWORD", OCI_PASSWORD)]).unwrap();
    let mut queries = vec![(missing, "HOOK_URL is missing")];
    for bad in [
        "javascript:alert(1)",
        "/sap/hook",
        "ftp://srm.example.com/hook",
    ] {
        queries.push((oci_query(OCI_PASSWORD, bad, &[]), "HOOK_URL is not"));
    }
    for (query, says) in queries {
        let mut browser = app.browser();
        let (status, _, page) = enter_get(&browser, &app, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.contains(says), "{query}: {page}");
        let (status, _) = browser.get("/catalog").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{query}: no session");
    }
}

#[tokio::test]
async fn an_oci_session_started_on_one_instance_transfers_on_another() {
    let (first, second) = (spawn_app().await, spawn_app().await);
    let back = receiver().await;
    let start = first.browser();
    let query = oci_query(OCI_PASSWORD, &back.url, &[("~OkCode", "ADDI")]);
    let (status, _, _) = enter_get(&start, &first, &query).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The same browser (cookies) goes on with the other instance.
    let mut browser = Browser::with_client(&second.address, start.client());
    let (status, catalog) = browser.get("/catalog").await;
    assert_eq!(status, StatusCode::OK);
    assert!(catalog.contains("Transfer cart to SAP SRM"));
    browser
        .post("/cart/add", &[("sku", "FAS-1001"), ("quantity", "2")])
        .await;
    let (action, _, fields) = transfer(&mut browser).await;
    assert_eq!(action, back.url);
    assert_eq!(field(&fields, "NEW_ITEM-QUANTITY[1]"), Some("2"));
    assert_eq!(field(&fields, "~OkCode"), Some("ADDI"));
}
