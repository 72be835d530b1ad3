//! Odd requests get the right answer: 413 for bodies too large, 408 for bodies too slow, 405 for
//! methods an address does not have; the bearer scheme in any case; redirects after login only
//! on this site; HSTS over HTTPS; no shared caching of anyone's data.

use std::sync::Arc;
use std::time::{Duration, Instant};

use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;

use super::{connect, raw_status, read_status};
use crate::support::{
    ANNA, CountingErp, NORTHWIND_TOKEN, some_skus, spawn_app, spawn_app_configured,
};

#[tokio::test]
async fn a_body_over_the_limit_is_413_without_being_read() {
    let app = spawn_app().await;
    for (path, extra) in [
        (
            "/api/v1/orders",
            "authorization: Bearer demo-northwind\r\nidempotency-key: k-1\r\ncontent-type: application/json\r\n",
        ),
        (
            "/cart/add",
            "content-type: application/x-www-form-urlencoded\r\n",
        ),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: erpfront\r\n{extra}content-length: 50000000\r\n\r\n"
        );
        let status = raw_status(&app.address, &head, &[b'x'; 4096], Duration::from_secs(3)).await;
        assert_eq!(status, Some(413), "{path}");
    }
    // Chunked, so the size is only known while reading.
    let head = "POST /api/v1/orders HTTP/1.1\r\nhost: erpfront\r\nauthorization: Bearer demo-northwind\r\nidempotency-key: k-2\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    let mut body = Vec::new();
    for _ in 0..100 {
        body.extend_from_slice(b"400\r\n");
        body.extend_from_slice(&[b' '; 1024]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let status = raw_status(&app.address, head, &body, Duration::from_secs(3)).await;
    assert_eq!(status, Some(413), "chunked");
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_408_not_an_erp_timeout() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let app = spawn_app_configured(erp, |c| {
        c.server.body_read_timeout_secs = 1;
        c.server.request_timeout_secs = 5;
    })
    .await;
    let mut stream = connect(&app.address).await;
    let head = "POST /api/v1/orders HTTP/1.1\r\nhost: erpfront\r\nauthorization: Bearer demo-northwind\r\nidempotency-key: slow-1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"po_";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let status = read_status(&mut stream, Duration::from_secs(4)).await;
    assert_eq!(status, Some(408));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_method_an_address_does_not_have_is_405_with_allow() {
    let app = spawn_app().await;
    let client = app.api();
    for (method, path) in [
        ("PUT", "/api/v1/orders"),
        ("DELETE", "/api/v1/orders"),
        ("TRACE", "/api/v1/products"),
        ("DELETE", "/api/v1/invoices"),
        ("TRACE", "/healthz"),
    ] {
        let response = client
            .request(method.parse().unwrap(), app.url(path))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert!(response.headers().contains_key("allow"), "{method} {path}");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = spawn_app().await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = app
            .api()
            .get(app.url("/api/v1/orders"))
            .header("authorization", format!("{scheme} {NORTHWIND_TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn no_customer_specific_answer_may_be_kept_by_a_shared_cache() {
    let app = spawn_app().await;
    let sku = some_skus(&app, 1).await.remove(0);
    for path in [
        "/api/v1/orders".to_string(),
        "/api/v1/products?per_page=5".to_string(),
        format!("/api/v1/products/{sku}"),
        "/api/v1/invoices".to_string(),
        "/api/v1/orders/NO-SUCH".to_string(),
    ] {
        let response = app
            .api()
            .get(app.url(&path))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
    }
}

#[tokio::test]
async fn hsts_is_sent_when_cookies_are_secure() {
    let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let secure = spawn_app_configured(erp, |c| c.server.secure_cookies = true).await;
    let response = reqwest::get(secure.url("/login")).await.unwrap();
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    let plain = spawn_app().await;
    let response = reqwest::get(plain.url("/login")).await.unwrap();
    assert!(!response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn after_login_next_never_leaves_the_site_and_never_fails() {
    let app = spawn_app().await;
    for (next, expected) in [
        ("/%09/evil.example", "/catalog"),
        ("%2F%2Fevil.example", "/catalog"),
        ("/%5Cevil.example", "/catalog"),
        ("/%0A/evil.example", "/catalog"),
        ("/x%0Ay", "/xy"),
        ("/orders", "/orders"),
    ] {
        let mut anna = app.browser();
        anna.get(&format!("/login?next={next}")).await;
        let (_, body) = anna.get(&format!("/login?next={next}")).await;
        let shown =
            crate::support::attr_of(&crate::support::html(&body), "input[name=next]", "value")
                .unwrap_or_default();
        let (status, location, _) = anna
            .post(
                "/login",
                &[("login", ANNA), ("password", "demo"), ("next", &shown)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "next={next}");
        assert_eq!(location, expected, "next={next}");
        // And straight from a crafted form, without the page's help.
        let mut direct = app.browser();
        direct.get("/login").await;
        let decoded = percent_decode(next);
        let (status, location, _) = direct
            .post(
                "/login",
                &[("login", ANNA), ("password", "demo"), ("next", &decoded)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "next={next} (form)");
        assert_eq!(location, expected, "next={next} (form)");
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("v={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
