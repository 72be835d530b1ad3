//! `/punchout/oci`: an SAP system (or any OCI buyer) opens the shop with its fields in the query
//! (GET) or a form (POST). The login is checked like a password; the shop opens as a punchout
//! session that sends the cart back to the `HOOK_URL`, or, for `FUNCTION=VALIDATE`, the one item
//! goes straight back without the shop. The fields are read and written in
//! [`crate::punchout::oci`].

use std::sync::Arc;

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;

use super::hand_back::HandBack;
use crate::erp::ErpError;
use crate::punchout::cart::CartError;
use crate::punchout::oci::{self, Entry, Function};
use crate::punchout::read::Operation;
use crate::punchout::{Identity, PunchoutSession, ReturnTo};
use crate::web::session::{Session, SetSession};
use crate::web::storefront::Cart;
use crate::web::{AppError, AppState, ClientAddr};

type Fields = Vec<(String, String)>;

/// An OCI call with its fields in the query.
pub async fn entry_get(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    jar: PrivateCookieJar,
    Query(fields): Query<Fields>,
) -> Result<Response, AppError> {
    enter(&state, client, jar, &fields).await
}

/// An OCI call with its fields in a form.
pub async fn entry_post(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    jar: PrivateCookieJar,
    Form(fields): Form<Fields>,
) -> Result<Response, AppError> {
    enter(&state, client, jar, &fields).await
}

async fn enter(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    jar: PrivateCookieJar,
    fields: &Fields,
) -> Result<Response, AppError> {
    let entry = oci::entry(fields).map_err(AppError::BadRequest)?;
    let Some(identity) = authenticate(state, client, &entry).await? else {
        return Ok(refused(state));
    };
    let mut response = match entry.function {
        Function::Shop => {
            let session = Session {
                login: Some(identity.login()),
                punchout: Some(PunchoutSession {
                    identity: identity.id.clone(),
                    operation: Operation::Create,
                    returns: ReturnTo::Oci(entry.returns),
                    aux: Vec::new(),
                }),
                ..Session::anonymous()
            };
            let mut response = (Cart::clear(jar), Redirect::to("/catalog")).into_response();
            response.extensions_mut().insert(SetSession(session));
            response
        }
        Function::Validate { sku, quantity } => {
            let lines = oci::lines(
                &state.erp,
                &identity,
                &identity.customer,
                &[(sku.clone(), quantity)],
            )
            .await
            .map_err(|e| match e {
                CartError::Unpriced(message) => AppError::BadRequest(message),
                CartError::Erp(ErpError::NotFound) => {
                    AppError::BadRequest(format!("{sku} is not a product of ours."))
                }
                CartError::Erp(erp) => erp.into(),
            })?;
            HandBack {
                identity: &identity,
                action: &entry.returns.hook_url,
                target: Some(&entry.returns.target),
                fields: &oci::form_fields(&entry.returns, &lines),
                lines: lines.len(),
                company: &state.site.support.company,
            }
            .page()?
        }
    };
    super::allow_framing(&mut response, &identity);
    Ok(response)
}

/// The identity whose OCI login this is, if the password is right: throttled and bounded like
/// a login, and as slow for unknown usernames as for known ones.
async fn authenticate(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    entry: &Entry,
) -> Result<Option<Arc<Identity>>, AppError> {
    let identity = state
        .users
        .current()
        .punchout()
        .by_oci_username(&entry.username);
    let password = entry.password.clone();
    let subject = format!("oci:{}", entry.username.to_lowercase());
    let found = identity.clone();
    let verified = state
        .logins
        .check(&subject, client, move || match found {
            Some(identity) => identity.oci_password_ok(&password).then_some(identity),
            None => {
                crate::users::verify_password(&password, crate::users::DUMMY_HASH);
                None
            }
        })
        .await?;
    if let Some(identity) = &verified {
        let client = client.map(|a| a.to_string()).unwrap_or_default();
        crate::web::audit::login(&identity.login(), &client, "punchout_oci");
    }
    Ok(verified)
}

#[derive(Template)]
#[template(path = "punchout/refused.html")]
struct RefusedPage<'a> {
    company: &'a str,
    phone: &'a str,
    email: &'a str,
}

/// The answer to a wrong OCI username or password: a page for the buyer, and no session.
fn refused(state: &AppState) -> Response {
    let support = &state.site.support;
    let page = RefusedPage {
        company: &support.company,
        phone: &support.phone,
        email: &support.email,
    };
    match page.render() {
        Ok(html) => (StatusCode::UNAUTHORIZED, Html(html)).into_response(),
        Err(_) => AppError::Unauthorized.into_response(),
    }
}
