//! Framed catalogs (SAP SRM, Jaggaer): an identity's configured origins may frame its punchout
//! pages and nobody else's; punchout cookies reach us inside another site's frame
//! (`SameSite=None; Secure; Partitioned`) while every other session keeps `SameSite=Lax`.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::oci::{OCI_PASSWORD, oci_query};
use super::receiver::receiver;
use super::shopping::set_up;
use crate::support::{ANNA, Browser, TestApp, spawn_app, spawn_app_with_users};

const FRAMED_PASSWORD: &str = "acme-oci";

/// The demo's users, and an SAP SRM that shows the shop in a frame of its portal.
fn users_with_framed_srm() -> String {
    format!(
        r#"{}
[[punchout]]
id = "acme-srm"
system = "Acme SRM"
customer = "C-2000"
frame_ancestors = ["https://srm.acme.example", "https://portal.acme.example:8443/"]

[punchout.oci]
username = "acme-srm"
password_hash = "{}"
"#,
        erpfront::demo::DEMO_USERS,
        erpfront::users::hash_password(FRAMED_PASSWORD)
    )
}

const FRAMED: &str = "frame-ancestors https://srm.acme.example https://portal.acme.example:8443";

fn csp(headers: &HeaderMap) -> String {
    headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string()
}

/// Every `Set-Cookie` of an answer.
fn set_cookies(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

async fn get(browser: &Browser, app: &TestApp, path: &str) -> (StatusCode, HeaderMap) {
    let response = browser.client().get(app.url(path)).send().await.unwrap();
    (response.status(), response.headers().clone())
}

async fn enter_framed(app: &TestApp, browser: &Browser, hook: &str) -> HeaderMap {
    let query = serde_urlencoded::to_string([
        ("USERNAME", "acme-srm"),
        ("PASSWORD", FRAMED_PASSWORD),
        ("HOOK_URL", hook),
    ])
    .unwrap();
    let (status, headers) = get(browser, app, &format!("/punchout/oci?{query}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    headers
}

#[tokio::test]
async fn a_framed_identitys_pages_name_its_origins_and_every_other_page_none() {
    let app = spawn_app_with_users(&users_with_framed_srm()).await;
    let back = receiver().await;
    let mut browser = app.browser();
    let entry = enter_framed(&app, &browser, &back.url).await;
    assert!(csp(&entry).ends_with(FRAMED), "{}", csp(&entry));
    for path in ["/catalog", "/cart", "/products/FAS-1001", "/checkout"] {
        let (_, headers) = get(&browser, &app, path).await;
        assert!(csp(&headers).ends_with(FRAMED), "{path}: {}", csp(&headers));
        assert!(
            !headers.contains_key("x-frame-options"),
            "{path}: DENY would contradict the CSP"
        );
    }
    browser.get("/catalog").await;
    browser
        .post("/cart/add", &[("sku", "FAS-1001"), ("quantity", "1")])
        .await;
    let csrf = crate::support::attr_of(
        &crate::support::html(&browser.get("/cart").await.1),
        "input[name=csrf]",
        "value",
    )
    .unwrap();
    let transfer = browser
        .client()
        .post(app.url("/punchout/transfer"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.status(), StatusCode::OK);
    let policy = csp(transfer.headers());
    assert!(policy.ends_with(FRAMED), "{policy}");
    assert!(policy.contains("script-src 'nonce-"), "{policy}");

    // Other sessions, punchout or not, and anonymous pages: framed by nobody.
    let other = app.browser();
    let query = oci_query(OCI_PASSWORD, &back.url, &[]);
    let (_, entry) = get(&other, &app, &format!("/punchout/oci?{query}")).await;
    assert!(csp(&entry).ends_with("frame-ancestors 'none'"));
    let (_, catalog) = get(&other, &app, "/catalog").await;
    assert!(csp(&catalog).ends_with("frame-ancestors 'none'"));
    assert_eq!(catalog["x-frame-options"], "DENY");
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let (_, catalog) = get(&anna, &app, "/catalog").await;
    assert!(csp(&catalog).ends_with("frame-ancestors 'none'"));
    let (_, login) = get(&app.browser(), &app, "/login").await;
    assert_eq!(login["x-frame-options"], "DENY");
}

fn assert_cross_site(cookies: &[String], what: &str) {
    assert!(!cookies.is_empty(), "{what}: sets cookies");
    for cookie in cookies {
        assert!(
            cookie.contains("SameSite=None")
                && cookie.contains("Secure")
                && cookie.contains("Partitioned"),
            "{what}: {cookie}"
        );
    }
}

#[tokio::test]
async fn punchout_cookies_are_samesite_none_secure_partitioned_and_other_sessions_lax() {
    let app = spawn_app().await;
    let back = receiver().await;
    // OCI: the entry, a cart change inside, and the transfer that ends it.
    let mut browser = app.browser();
    let query = oci_query(OCI_PASSWORD, &back.url, &[]);
    let (_, entry) = get(&browser, &app, &format!("/punchout/oci?{query}")).await;
    assert_cross_site(&set_cookies(&entry), "the OCI entry");
    browser.get("/catalog").await;
    let csrf = browser.get("/catalog").await.1;
    let csrf =
        crate::support::attr_of(&crate::support::html(&csrf), "input[name=csrf]", "value").unwrap();
    let add = browser
        .client()
        .post(app.url("/cart/add"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("sku", "FAS-1001"),
            ("quantity", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(add.status(), StatusCode::SEE_OTHER);
    let cart_cookie = set_cookies(add.headers());
    assert!(cart_cookie.iter().any(|c| c.starts_with("erpfront_cart=")));
    assert_cross_site(&cart_cookie, "the cart inside punchout");
    let transfer = browser
        .client()
        .post(app.url("/punchout/transfer"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_cross_site(&set_cookies(transfer.headers()), "the transfer ending it");

    // cXML: the start link.
    let link = set_up(&app, "create", &back.url, "").await;
    let start = app.api().get(&link).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    assert_cross_site(&set_cookies(start.headers()), "the cXML start link");

    // A visitor, and a buyer who logs in: Lax, and not Secure on this plain-HTTP demo.
    let anna = app.browser();
    let login = anna.client().get(app.url("/login")).send().await.unwrap();
    let mut cookies = set_cookies(login.headers());
    let page = crate::support::html(&login.text().await.unwrap());
    let token = crate::support::attr_of(&page, "input[name=csrf]", "value").unwrap();
    let logged_in = anna
        .client()
        .post(app.url("/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("login", ANNA),
            ("password", "demo"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status(), StatusCode::SEE_OTHER);
    cookies.extend(set_cookies(logged_in.headers()));
    assert!(cookies.len() >= 2, "{cookies:?}");
    for cookie in cookies {
        assert!(
            cookie.contains("SameSite=Lax") && !cookie.contains("Secure"),
            "{cookie}"
        );
    }
}

#[test]
fn frame_ancestors_must_be_plain_origins_at_start() {
    let with = |origins: &str| {
        format!(
            "{}\n[[punchout]]\nid = \"x\"\nsystem = \"X\"\ncustomer = \"C-2000\"\nframe_ancestors = [{origins}]\n[punchout.oci]\nusername = \"x\"\npassword_hash = \"{}\"\n",
            erpfront::demo::DEMO_USERS,
            erpfront::users::hash_password("x")
        )
    };
    assert!(erpfront::users::Users::parse(&with("\"https://srm.example.com\"")).is_ok());
    for bad in [
        "\"*\"",
        "\"'self'\"",
        "\"srm.example.com\"",
        "\"https://srm.example.com/catalog\"",
        "\"https://srm.example.com; script-src *\"",
    ] {
        let Err(error) = erpfront::users::Users::parse(&with(bad)) else {
            panic!("{bad} was accepted");
        };
        assert!(
            error.to_string().contains("frame_ancestors"),
            "{bad}: {error}"
        );
    }
}
