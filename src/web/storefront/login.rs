//! Logging in and out. A login starts a new session (and a new CSRF token); logging out drops
//! the session and the cart from the browser.

use askama::Template;
use axum::extract::{Extension, Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use serde::Deserialize;

use super::Cart;
use crate::users::Role;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::session::{Session, SetSession};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    login: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginParams {
    next: Option<String>,
}

fn login_page(
    state: &AppState,
    session: &Session,
    next: String,
    login: String,
    error: Option<String>,
) -> LoginPage {
    LoginPage {
        layout: Layout::anonymous(state, "Log in", session.csrf.clone()),
        next,
        login,
        error,
    }
}

/// The login form.
pub async fn show_login(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<LoginParams>,
) -> impl IntoResponse {
    let next = safe_next(params.next.as_deref());
    HtmlPage(login_page(&state, &session, next, String::new(), None))
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

/// Checks the password (argon2, off the async threads) and starts a session.
pub async fn login(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    jar: PrivateCookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let users = state.users.clone();
    let (login, password) = (form.login.trim().to_string(), form.password);
    let checked = login.clone();
    let user = tokio::task::spawn_blocking(move || users.authenticate(&checked, &password))
        .await
        .map_err(|e| AppError::Internal(format!("password check: {e}")))?;
    let Some(user) = user else {
        tracing::info!(target: "erpfront::audit", action = "login_failed", "login refused");
        let page = login_page(
            &state,
            &session,
            next,
            login,
            Some("The login or password is not right.".into()),
        );
        return Ok((StatusCode::UNAUTHORIZED, HtmlPage(page)).into_response());
    };
    tracing::info!(target: "erpfront::audit", action = "login", user = %user.login, "user logged in");
    let target = match user.role {
        Role::Buyer => next,
        Role::Service => "/service-desk".to_string(),
    };
    let mut response = (Cart::clear(jar), Redirect::to(&target)).into_response();
    response
        .extensions_mut()
        .insert(SetSession(Session::logged_in(&user.login)));
    Ok(response)
}

/// Ends the session and forgets the cart in this browser.
pub async fn logout(jar: PrivateCookieJar) -> Response {
    let mut response = (Cart::clear(jar), Redirect::to("/login")).into_response();
    response
        .extensions_mut()
        .insert(SetSession(Session::anonymous()));
    response
}

/// Only local paths are followed after login, so a crafted link cannot send a buyer elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => "/catalog".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/orders")), "/orders");
        assert_eq!(safe_next(Some("//evil.example")), "/catalog");
        assert_eq!(safe_next(Some("https://evil.example")), "/catalog");
        assert_eq!(safe_next(Some("/\\evil.example")), "/catalog");
        assert_eq!(safe_next(None), "/catalog");
    }
}
