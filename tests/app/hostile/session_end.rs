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
