//! What each OCI item carries: `FUNCTION=VALIDATE` (one item straight back to the `HOOK_URL`,
//! with its tier price and lead time) and units from Rec 20 or an identity's own list.

use reqwest::StatusCode;

use super::oci::*;
use super::receiver::{field, receiver};
use crate::support::{spawn_app, spawn_app_with_users};

#[tokio::test]
async fn validate_answers_one_item_to_the_hook_without_the_shop() {
    let app = spawn_app().await;
    let back = receiver().await;
    // Ten boxes in stock and more expected: twenty have a lead time.
    let sku = "FAS-1005";
    let mut browser = app.browser();
    let query = oci_query(
        OCI_PASSWORD,
        &back.url,
        &[
            ("FUNCTION", "VALIDATE"),
            ("PRODUCTID", sku),
            ("QUANTITY", "20"),
        ],
    );
    let (status, _, page) = enter_get(&browser, &app, &query).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (action, target, fields) = posted_form(&page);
    assert_eq!(
        (action.as_str(), target.as_str()),
        (back.url.as_str(), "_top")
    );
    assert_eq!(field(&fields, "NEW_ITEM-VENDORMAT[1]"), Some(sku));
    assert_eq!(field(&fields, "NEW_ITEM-QUANTITY[1]"), Some("20"));
    assert_eq!(
        field(&fields, "NEW_ITEM-PRICE[1]").map(str::to_string),
        Some(price(&app, sku, 20).await),
        "the tier price for twenty"
    );
    let stock = {
        use erpfront::erp::Erp as _;
        app.erp
            .availability(&[erpfront::domain::Sku::parse(sku).unwrap()])
            .await
            .unwrap()
            .remove(0)
    };
    assert!(stock.available < 20, "{stock:?}");
    let days = (stock.next_date.unwrap() - chrono::Utc::now().date_naive())
        .num_days()
        .max(0);
    assert_eq!(
        field(&fields, "NEW_ITEM-LEADTIME[1]"),
        Some(days.to_string().as_str())
    );
    assert_eq!(field(&fields, "NEW_ITEM-VENDORMAT[2]"), None, "one item");
    let (status, _) = browser.get("/catalog").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "VALIDATE opens no shop");
    post_as_browser(&action, &fields).await;
    assert_eq!(back.first_post().await.0, "session=42&x=1");

    // The product as a NEW_ITEM field, by POST; one of ours only; the password still counts.
    let by_post = |extra: Vec<(&'static str, String)>| {
        let mut form = vec![
            ("USERNAME", OCI_USER.to_string()),
            ("PASSWORD", OCI_PASSWORD.to_string()),
            ("HOOK_URL", back.url.clone()),
            ("FUNCTION", "VALIDATE".to_string()),
        ];
        form.extend(extra);
        let client = app.api();
        let url = app.url("/punchout/oci");
        async move { answer(client.post(url).form(&form).send().await.unwrap()).await }
    };
    let (status, _, page) = by_post(vec![
        ("NEW_ITEM-VENDORMAT[1]", "FAS-1001".into()),
        ("NEW_ITEM-QUANTITY[1]", "2".into()),
    ])
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, _, fields) = posted_form(&page);
    assert_eq!(field(&fields, "NEW_ITEM-QUANTITY[1]"), Some("2"));
    let (status, _, page) = by_post(vec![("PRODUCTID", "NOPE-0000".into())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(
        page.contains("NOPE-0000 is not a product of ours"),
        "{page}"
    );
    let form = [
        ("USERNAME", OCI_USER),
        ("PASSWORD", "wrong"),
        ("HOOK_URL", back.url.as_str()),
        ("FUNCTION", "VALIDATE"),
        ("PRODUCTID", "FAS-1001"),
    ];
    let response = app
        .api()
        .post(app.url("/punchout/oci"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.erp.calls("create_order"), 0);
}

/// The demo's users, and an SAP system on an older unit list.
fn users_with_older_units(hash: &str) -> String {
    format!(
        r#"{}
[[punchout]]
id = "globex-srm"
system = "Globex SRM"
customer = "C-2000"

[punchout.oci]
username = "globex-srm"
password_hash = "{hash}"

[punchout.oci.matgroup]
fasteners = "FAST-01"

[punchout.units]
BOX = "PAK"
"#,
        erpfront::demo::DEMO_USERS
    )
}

#[tokio::test]
async fn units_follow_rec20_or_the_identitys_list() {
    let hash = erpfront::users::hash_password("globex-oci");
    let app = spawn_app_with_users(&users_with_older_units(&hash)).await;
    let back = receiver().await;
    let mut browser = app.browser();
    let query = serde_urlencoded::to_string([
        ("USERNAME", "globex-srm"),
        ("PASSWORD", "globex-oci"),
        ("HOOK_URL", back.url.as_str()),
    ])
    .unwrap();
    let (status, _, _) = enter_get(&browser, &app, &query).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    browser.get("/catalog").await;
    // A ring of installation cable, sold by the roll.
    let rolls = "ELE-1001";
    assert_eq!(product(&app, rolls).await.unit, "ROLL");
    browser
        .post("/cart/add", &[("sku", "FAS-1001"), ("quantity", "1")])
        .await;
    browser
        .post("/cart/add", &[("sku", rolls), ("quantity", "1")])
        .await;
    let (_, _, fields) = transfer(&mut browser).await;
    assert_eq!(
        field(&fields, "NEW_ITEM-UNIT[1]"),
        Some("PAK"),
        "configured"
    );
    assert_eq!(field(&fields, "NEW_ITEM-MATGROUP[1]"), Some("FAST-01"));
    assert_eq!(
        field(&fields, "NEW_ITEM-UNIT[2]"),
        Some("RO"),
        "ROLL is RO in Rec 20"
    );
    assert!(
        fields
            .iter()
            .filter(|(n, _)| n.starts_with("NEW_ITEM-UNIT"))
            .all(|(_, u)| u.len() <= 3)
    );
}
