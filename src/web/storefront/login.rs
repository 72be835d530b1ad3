//! Logging in and out. A login starts a new session (and a new CSRF token) and brings back the
//! customer's saved cart; logging out drops the session and the cart from the browser (the
//! customer's saved cart in the ERP stays for the next login).

use askama::Template;
use axum::extract::{Extension, Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use serde::Deserialize;

use super::{Cart, next_page, saved_cart};
use crate::domain::text::without_control_chars;
use crate::users::Role;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::session::{Session, SetSession};
use crate::web::{AppError, AppState, ClientAddr, audit};

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
    let next = next_page::local_path(params.next.as_deref());
    HtmlPage(login_page(&state, &session, next, String::new(), None))
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

/// Checks the password (throttled, bounded, audited; see `login_guard`) and starts a session.
pub async fn login(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    ClientAddr(client): ClientAddr,
    jar: PrivateCookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = next_page::local_path(form.next.as_deref());
    // No login has control characters; dropping them keeps the audit log one line per event.
    let login: String = without_control_chars(form.login.trim())
        .chars()
        .take(MAX_LOGIN_CHARS)
        .collect();
    let user = state
        .logins
        .attempt(&state.users.current(), &login, form.password, client)
        .await?;
    let Some(user) = user else {
        let page = login_page(
            &state,
            &session,
            next,
            login,
            Some("The login or password is not right.".into()),
        );
        return Ok((StatusCode::UNAUTHORIZED, HtmlPage(page)).into_response());
    };
    // A buyer finds the customer's saved cart merged into this browser's; a rep starts at the
    // desk with none (acting for a customer brings that customer's).
    let (target, jar) = match (user.role, &user.customer) {
        (Role::Buyer, Some(customer)) => (next, saved_cart::restore(&state, jar, customer).await),
        (Role::Buyer, None) => (next, Cart::clear(jar)),
        (Role::Service, _) => ("/service-desk".to_string(), Cart::clear(jar)),
    };
    let mut response = (jar, Redirect::to(&target)).into_response();
    response
        .extensions_mut()
        .insert(SetSession(Session::logged_in(&user.login)));
    Ok(response)
}

/// Longer logins are cut before they are checked or logged.
const MAX_LOGIN_CHARS: usize = 254;

/// Ends the session: revoked, so that a copy of the cookie is refused too, and the cart
/// forgotten in this browser.
pub async fn logout(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    ClientAddr(client): ClientAddr,
    jar: PrivateCookieJar,
) -> Response {
    if let Some(login) = &session.login {
        state.revocations.revoke(&session.id).await;
        let client = client.map(|a| a.to_string()).unwrap_or_default();
        audit::login(login, &client, "logout");
    }
    let mut response = (Cart::clear(jar), Redirect::to("/login")).into_response();
    response
        .extensions_mut()
        .insert(SetSession(Session::anonymous()));
    response
}
