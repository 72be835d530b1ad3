//! Sessions end for good: a copied cookie is refused after log-out (a buyer's, a rep's, and one
//! acting for a customer after acting stops), after the idle timeout and after the absolute
//! lifetime.

use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::{Cookie, Key};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{ANNA, Browser, SAM, TestApp, spawn_app};

/// `GET path` with exactly this session cookie: status and Location.
async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let response = app
        .api()
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (response.status(), location)
}

/// The session cookie the browser holds for `app`.
fn session_cookie(browser: &Browser, app: &TestApp) -> String {
    let _ = app;
    browser
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("erpfront_session="))
        .expect("a session cookie")
}

#[tokio::test]
async fn a_copied_cookie_is_refused_after_log_out() {
    let app = spawn_app().await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/orders").await;
    let stolen = session_cookie(&anna, &app);
    assert_eq!(
        get_with_cookie(&app, "/orders", &stolen).await.0,
        StatusCode::OK
    );
    anna.post("/logout", &[]).await;
    let (status, location) = get_with_cookie(&app, "/orders", &stolen).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the stolen cookie is dead");
    assert!(location.starts_with("/login"), "{location}");
}

#[tokio::test]
async fn a_reps_acting_cookie_dies_when_acting_stops_and_the_desk_cookie_at_log_out() {
    let app = spawn_app().await;
    let mut sam = app.browser();
    sam.login(SAM, "demo").await;
    sam.get("/service-desk").await;
    let desk_before = session_cookie(&sam, &app);
    let (status, _, _) = sam
        .post("/service-desk/act", &[("customer", "C-1000")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let acting = session_cookie(&sam, &app);
    assert_eq!(
        get_with_cookie(&app, "/orders", &acting).await.0,
        StatusCode::OK
    );
    assert_ne!(
        get_with_cookie(&app, "/service-desk", &desk_before).await.0,
        StatusCode::OK,
        "the desk cookie from before acting is revoked"
    );
    sam.get("/catalog").await;
    sam.post("/service-desk/stop", &[]).await;
    let (status, location) = get_with_cookie(&app, "/orders", &acting).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "acting ended for copies too");
    assert!(location.starts_with("/login"), "{location}");
    let desk = session_cookie(&sam, &app);
    assert_eq!(
        get_with_cookie(&app, "/service-desk", &desk).await.0,
        StatusCode::OK
    );
    sam.get("/service-desk").await;
    sam.post("/logout", &[]).await;
    let (status, _) = get_with_cookie(&app, "/service-desk", &desk).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the rep's cookie is dead after log-out"
    );
}

/// A session cookie sealed with the demo key, as erpfront would have written it.
fn forged_session(login: &str, issued_ago_secs: i64, renewed_ago_secs: i64) -> String {
    let config = erpfront::demo::config(([127, 0, 0, 1], 0).into());
    let key = Key::from(&config.session.key_bytes().unwrap());
    let now = chrono::Utc::now().timestamp();
    let session = json!({
        "login": login, "csrf": "c", "acting_for": null, "id": uuid::Uuid::new_v4().to_string(),
        "issued_at": now - issued_ago_secs, "renewed_at": now - renewed_ago_secs,
    });
    let jar = PrivateCookieJar::new(key).add(Cookie::new("erpfront_session", session.to_string()));
    let response = axum::response::IntoResponse::into_response((jar, ()));
    let set = response.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn a_session_ends_after_the_idle_timeout_and_after_its_absolute_lifetime() {
    let app = spawn_app().await;
    let minutes = 60;
    let hours = 3600;
    let active = forged_session(ANNA, 2 * hours, 29 * minutes);
    let response = app
        .api()
        .get(app.url("/orders"))
        .header("cookie", &active)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "active within 30 minutes"
    );
    assert!(
        response.headers().contains_key("set-cookie"),
        "using the session renews it"
    );
    let idle = forged_session(ANNA, 2 * hours, 31 * minutes);
    assert_eq!(
        get_with_cookie(&app, "/orders", &idle).await.0,
        StatusCode::SEE_OTHER,
        "idle for more than 30 minutes"
    );
    let old = forged_session(ANNA, 12 * hours + 60, 10);
    assert_eq!(
        get_with_cookie(&app, "/orders", &old).await.0,
        StatusCode::SEE_OTHER,
        "older than 12 hours however active"
    );
}

/// The demo cookie key.
fn demo_key() -> Key {
    let config = erpfront::demo::config(([127, 0, 0, 1], 0).into());
    Key::from(&config.session.key_bytes().unwrap())
}

/// `cookie` (`name=value`) opened, changed by `change`, and sealed again.
fn resealed(cookie: &str, change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    let jar = PrivateCookieJar::from_headers(&headers, demo_key());
    let mut session: serde_json::Value =
        serde_json::from_str(jar.get("erpfront_session").unwrap().value()).unwrap();
    change(&mut session);
    let jar =
        PrivateCookieJar::new(demo_key()).add(Cookie::new("erpfront_session", session.to_string()));
    let response = axum::response::IntoResponse::into_response((jar, ()));
    let set = response.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

/// A Valkey/Redis server on a free loopback port, installed from Debian's packages if missing.
fn revocation_store() -> (tokio::process::Child, String) {
    let binary = std::path::Path::new("/usr/bin/redis-server");
    if !binary.exists() {
        let _ = std::process::Command::new("bash")
            .arg("-c")
            .arg(
                "apt-get -o DPkg::Lock::Timeout=600 update -q && \
                 apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends redis-server",
            )
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdout(std::process::Stdio::null())
            .status();
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server starts (Debian's redis-server package)");
    (child, format!("redis://127.0.0.1:{port}/0"))
}

#[tokio::test]
async fn with_a_shared_store_a_log_out_reaches_every_instance_within_a_renewal() {
    use std::sync::Arc;

    use erpfront::erp::demo::DemoErp;

    use crate::support::{CountingErp, spawn_app_configured};

    let (_store, url) = revocation_store();
    let mut instances = Vec::new();
    for _ in 0..2 {
        let erp = Arc::new(CountingErp::new(Arc::new(DemoErp::embedded().unwrap())));
        let url = url.clone();
        let mut started = None;
        for _ in 0..50 {
            // The store may take a moment to listen.
            let url = url.clone();
            let attempt = tokio::spawn(spawn_app_configured(erp.clone(), move |c| {
                c.session.revocation_store = Some(url.into());
            }))
            .await;
            if let Ok(app) = attempt {
                started = Some(app);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        instances.push(started.expect("erpfront starts with the store"));
    }
    let (a, b) = (&instances[0], &instances[1]);
    let mut anna = a.browser();
    anna.login(ANNA, "demo").await;
    anna.get("/orders").await;
    // A copy as the other instance will see it once a minute: due for renewal.
    let stolen = resealed(&session_cookie(&anna, a), |s| {
        s["renewed_at"] = json!(chrono::Utc::now().timestamp() - 61);
    });
    assert_eq!(
        get_with_cookie(b, "/orders", &stolen).await.0,
        StatusCode::OK
    );
    anna.post("/logout", &[]).await;
    // The renewal asks the store; the request after it is refused.
    get_with_cookie(b, "/orders", &stolen).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (status, location) = get_with_cookie(b, "/orders", &stolen).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "instance B learned of the log-out"
    );
    assert!(location.starts_with("/login"), "{location}");
}
