//! Password guessing is slowed per login and per client address with 429 and `Retry-After`,
//! and every attempt is an audit event naming the login and the client address (the one a
//! trusted proxy names, never one a client makes up).

use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::demo::DemoErp;
use reqwest::StatusCode;

use crate::support::audit_log;
use crate::support::{ANNA, Browser, CountingErp, attr_of, html, spawn_app, spawn_app_configured};

async fn try_login(browser: &mut Browser, login: &str, password: &str) -> (StatusCode, String) {
    browser.get("/login").await;
    let (status, location, _) = browser
        .post("/login", &[("login", login), ("password", password)])
        .await;
    (status, location)
}

#[tokio::test]
async fn wrong_passwords_for_one_login_make_it_wait_longer_each_time() {
    let app = spawn_app().await;
    let mut guesser = app.browser();
    for _ in 0..5 {
        let (status, _) = try_login(&mut guesser, ANNA, "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password must wait, so guessing gains nothing by being fast.
    guesser.get("/login").await;
    let response = guesser
        .client()
        .post(app.url("/login"))
        .form(&[("login", ANNA), ("password", "demo"), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    // (A forged CSRF token is refused before anything else.)
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, body) = guesser.get("/login").await;
    let csrf = attr_of(&html(&body), "input[name=csrf]", "value").unwrap();
    let response = guesser
        .client()
        .post(app.url("/login"))
        .form(&[("login", ANNA), ("password", "demo"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "retry after {wait}");
    // Another client (another address would be the same) gets no way around the login's wait.
    let (status, _) = try_login(&mut app.browser(), ANNA, "demo").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    tokio::time::sleep(Duration::from_secs(wait)).await;
    let (status, location) = try_login(&mut app.browser(), ANNA, "demo").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "after the wait the owner gets in"
    );
    assert_eq!(location, "/catalog");
}

#[tokio::test]
async fn one_address_guessing_many_logins_is_slowed_too() {
    let app = spawn_app().await;
    let mut guesser = app.browser();
    for n in 0..20 {
        let (status, _) = try_login(&mut guesser, &format!("spray-{n}@example.com"), "x").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let (status, _) = try_login(&mut guesser, "spray-new@example.com", "x").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn login_audit_events_name_the_login_and_the_client_address() {
    audit_log::capture();
    let erp = || Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
    let behind_proxy = spawn_app_configured(erp(), |c| {
        c.server.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    let direct = spawn_app_configured(erp(), |_| {}).await;
    for (app, login, expected) in [
        (&behind_proxy, "audit-proxied@example.com", "203.0.113.77"),
        (&direct, "audit-direct@example.com", "127.0.0.1"),
    ] {
        let mut browser = app.browser();
        let (_, body) = browser.get("/login").await;
        let csrf = attr_of(&html(&body), "input[name=csrf]", "value").unwrap();
        let response = browser
            .client()
            .post(app.url("/login"))
            .header("x-forwarded-for", "198.51.100.1, 203.0.113.77")
            .form(&[("login", login), ("password", "wrong"), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let lines = audit_log::lines_with(login);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("login_failed") && l.contains(expected)),
            "{login}: {lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l.contains("198.51.100.1")),
            "the client-made entry is never believed: {lines:?}"
        );
    }
    let mut anna = behind_proxy.browser();
    anna.login(ANNA, "demo").await;
    assert!(
        audit_log::lines_with(ANNA)
            .iter()
            .any(|l| l.contains("action=\"login\"") || l.contains("login: ")),
        "a successful login is recorded"
    );
}
