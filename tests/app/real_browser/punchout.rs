//! The cart going back to the procurement system in a real browser: the transfer page's form
//! must submit itself under its own CSP (the nonce'd script runs, `form-action` lets the post
//! through to the return address) for cXML and for OCI, and with scripts off its button must be
//! there and work. A loopback receiver stands in for the procurement system.

use base64::Engine as _;
use fantoccini::{Client, Locator};

use super::page::{DESKTOP, Page};
use super::{Rig, within_limit};
use crate::punchout::oci::{OCI_PASSWORD, oci_query};
use crate::punchout::receiver::{Receiver, field, receiver};
use crate::punchout::shopping::set_up;

/// Puts three of a product in the cart from its page, as a buyer does.
async fn add_to_cart(page: &Page) {
    page.visit("/products/FAS-1001").await;
    page.fill(".buy-box input[name=quantity]", "3").await;
    page.click(".buy-box form[action='/cart/add'] button").await;
    assert!(page.path().await.starts_with("/cart"));
}

/// Clicks "Transfer cart to …" in the header. The page it leads to leaves for the receiver at
/// once, so it is not one of ours to check.
async fn transfer(page: &Page, system: &str) {
    let button = page
        .find(".account form[action='/punchout/transfer'] button")
        .await;
    assert_eq!(
        button.text().await.unwrap(),
        format!("Transfer cart to {system}")
    );
    button.click().await.expect("the transfer button works");
}

async fn goto(client: &Client, url: &str) {
    client
        .goto(url)
        .await
        .unwrap_or_else(|e| panic!("{url} did not load: {e}"));
}

#[tokio::test]
async fn the_transfer_form_posts_itself_to_the_procurement_system_for_cxml_and_oci() {
    within_limit(async {
        let rig = Rig::demo().await;

        // cXML: the start link from a setup request, then the cart back as a PunchOutOrderMessage.
        let back = receiver().await;
        let link = set_up(&rig.app, "create", &back.url, "").await;
        let page = rig.page(DESKTOP).await;
        goto(&page.client, &link).await;
        assert_eq!(page.path().await, "/catalog");
        page.check().await;
        add_to_cart(&page).await;
        transfer(&page, "SAP Ariba").await;
        let (query, fields) = back.first_post().await;
        assert_eq!(
            query, "session=42&x=1",
            "the return address's own query is kept"
        );
        let document = base64::engine::general_purpose::STANDARD
            .decode(field(&fields, "cxml-base64").expect("the cart in cxml-base64"))
            .unwrap();
        let document = String::from_utf8(document).unwrap();
        assert!(
            document.contains("<BuyerCookie>ariba-cookie-7</BuyerCookie>"),
            "{document}"
        );
        assert!(document.contains("<SupplierPartID>FAS-1001</SupplierPartID>"));

        // OCI: the SAP system's link, then NEW_ITEM fields to the HOOK_URL.
        let back = receiver().await;
        let page = rig.page(DESKTOP).await;
        let query = oci_query(OCI_PASSWORD, &back.url, &[("~OkCode", "ADDI")]);
        goto(
            &page.client,
            &format!("{}/punchout/oci?{query}", rig.app.address),
        )
        .await;
        assert_eq!(page.path().await, "/catalog");
        page.check().await;
        add_to_cart(&page).await;
        transfer(&page, "SAP SRM").await;
        assert_oci_cart(&back).await;
    })
    .await;
}

async fn assert_oci_cart(back: &Receiver) {
    let (query, fields) = back.first_post().await;
    assert_eq!(query, "session=42&x=1");
    assert_eq!(field(&fields, "~OkCode"), Some("ADDI"));
    assert_eq!(field(&fields, "NEW_ITEM-VENDORMAT[1]"), Some("FAS-1001"));
    assert_eq!(field(&fields, "NEW_ITEM-QUANTITY[1]"), Some("3"));
    assert_eq!(field(&fields, "NEW_ITEM-UNIT[1]"), Some("BX"));
}

#[tokio::test]
async fn with_scripts_off_the_transfer_button_is_shown_and_sends_the_cart() {
    within_limit(async {
        let rig = Rig::demo().await;
        let back = receiver().await;
        let client = rig
            .driver
            .browser_with(
                DESKTOP.0,
                DESKTOP.1,
                &["--blink-settings=scriptEnabled=false"],
            )
            .await;
        let query = oci_query(OCI_PASSWORD, &back.url, &[("~OkCode", "ADDI")]);
        goto(
            &client,
            &format!("{}/punchout/oci?{query}", rig.app.address),
        )
        .await;
        goto(&client, &format!("{}/products/FAS-1001", rig.app.address)).await;
        let quantity = find(&client, ".buy-box input[name=quantity]").await;
        quantity.clear().await.unwrap();
        quantity.send_keys("3").await.unwrap();
        find(&client, ".buy-box form[action='/cart/add'] button")
            .await
            .click()
            .await
            .unwrap();
        find(&client, ".account form[action='/punchout/transfer'] button")
            .await
            .click()
            .await
            .unwrap();
        // The transfer page stays: nothing submits it but the buyer.
        let button = find(&client, "form#transfer button").await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert!(
            back.received().is_empty(),
            "scripts are off: nothing was sent yet"
        );
        assert!(
            button.is_displayed().await.unwrap(),
            "the button is visible"
        );
        assert_eq!(button.text().await.unwrap(), "Transfer cart to SAP SRM");
        button.click().await.unwrap();
        assert_oci_cart(&back).await;
    })
    .await;
}

/// The first element `css` finds, waiting for it (a page without scripts gets no checks).
async fn find(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(std::time::Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
}

/// A procurement portal on another site (`localhost`, where the shop is `127.0.0.1`) that shows
/// the catalog in a frame, as SAP SRM and Jaggaer can: `/portal?src=…` frames `src`.
async fn portal() -> u16 {
    use axum::extract::Query;
    use axum::response::Html;
    let app = axum::Router::new().route(
        "/portal",
        axum::routing::get(|Query(q): Query<Vec<(String, String)>>| async move {
            let src = q.into_iter().find(|(k, _)| k == "src").map(|(_, v)| v);
            let src = src.unwrap_or_default().replace('&', "&amp;").replace('"', "&quot;");
            Html(format!(
                "<!doctype html><html lang=\"en\"><title>Portal</title>\
                 <iframe title=\"Catalog\" src=\"{src}\" width=\"1200\" height=\"700\"></iframe></html>"
            ))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

#[tokio::test]
async fn a_catalog_framed_by_another_site_keeps_its_session_and_cart_and_sends_the_cart_back() {
    within_limit(async {
        let port = portal().await;
        let users = format!(
            "{}\n[[punchout]]\nid = \"acme-srm\"\nsystem = \"Acme SRM\"\ncustomer = \"C-1000\"\n\
             frame_ancestors = [\"http://localhost:{port}\"]\n[punchout.oci]\nusername = \"acme-srm\"\n\
             password_hash = \"{}\"\n",
            erpfront::demo::DEMO_USERS,
            erpfront::users::hash_password("acme-oci")
        );
        let (app, driver) = tokio::join!(
            crate::support::spawn_app_with_users(&users),
            crate::support::chromium::Chromedriver::start()
        );
        let back = receiver().await;
        let client = driver.browser(DESKTOP.0, DESKTOP.1).await;
        let entry = serde_urlencoded::to_string([
            ("USERNAME", "acme-srm"),
            ("PASSWORD", "acme-oci"),
            ("HOOK_URL", back.url.as_str()),
            ("~TARGET", "_top"),
        ])
        .unwrap();
        let src = format!("{}/punchout/oci?{entry}", app.address);
        let portal_page = format!(
            "http://localhost:{port}/portal?{}",
            serde_urlencoded::to_string([("src", &src)]).unwrap()
        );
        goto(&client, &portal_page).await;
        client.enter_frame(0).await.expect("the portal has the catalog frame");
        // The punchout header shows only if the frame was allowed and its session cookie kept.
        find(&client, ".account form[action='/punchout/transfer'] button").await;
        find(&client, ".add-form button").await.click().await.unwrap();
        let started = std::time::Instant::now();
        loop {
            let badge = find(&client, ".cart-link .badge").await.text().await.ok();
            if badge.as_deref() == Some("1") {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "the cart in the frame keeps the line: {badge:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        find(&client, ".account form[action='/punchout/transfer'] button")
            .await
            .click()
            .await
            .unwrap();
        let (query, fields) = back.first_post().await;
        assert_eq!(query, "session=42&x=1");
        assert!(field(&fields, "NEW_ITEM-VENDORMAT[1]").is_some(), "{fields:?}");
        // `~TARGET=_top`: the portal's whole window went to the return address.
        let top = client.current_url().await.unwrap();
        assert_eq!(top.as_str(), back.url, "the whole window left for the hook");
    })
    .await;
}
