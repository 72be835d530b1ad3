//! The buyer's browser in a punchout session: the start link logs it in for the organisation's
//! customer, and the transfer page posts the cart back to the procurement system.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use base64::Engine as _;
use chrono::Utc;
use serde::Deserialize;

use crate::domain::{Quantity, Sku};
use crate::punchout::StartTicket;
use crate::punchout::cart::{self, CartError};
use crate::punchout::identity::CartField;
use crate::punchout::read::Operation;
use crate::punchout::write::{self, OrderMessage};
use crate::web::session::{Session, SetSession};
use crate::web::storefront::{Buyer, Cart};
use crate::web::{AppError, AppState};

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    t: String,
}

const LINK_REFUSED: &str = "This shopping link has expired or was already used. Please start again from your procurement system.";

/// Opens the punchout session a start link carries, replacing any session of this browser.
pub async fn start(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Query(query): Query<StartQuery>,
) -> Result<Response, AppError> {
    let ticket = StartTicket::open(&state.cookie_key, &query.t, Utc::now().timestamp())
        .ok_or_else(|| AppError::BadRequest(LINK_REFUSED.into()))?;
    if !state.punchout_starts.first_opening(&ticket.nonce).await {
        return Err(AppError::BadRequest(LINK_REFUSED.into()));
    }
    let identity = state
        .users
        .current()
        .punchout()
        .get(&ticket.session.identity)
        .ok_or_else(|| AppError::BadRequest(LINK_REFUSED.into()))?;
    let lines = ticket
        .lines
        .iter()
        .filter_map(|(sku, q)| {
            Some((
                Sku::parse(sku.clone()).ok()?,
                Quantity::new(i64::from(*q)).ok()?,
            ))
        })
        .collect::<Vec<_>>();
    let landing = if lines.is_empty() {
        "/catalog"
    } else {
        "/cart"
    };
    let jar = PrivateCookieJar::from_headers(&headers, state.cookie_key.clone());
    let jar = Cart { lines }.save(Cart::clear(jar), &state.site, &identity.customer)?;
    let session = Session {
        login: Some(identity.login()),
        punchout: Some(ticket.session),
        ..Session::anonymous()
    };
    let mut response = (jar, Redirect::to(landing)).into_response();
    response.extensions_mut().insert(SetSession(session));
    Ok(response)
}

#[derive(Template)]
#[template(path = "punchout/transfer.html")]
struct TransferPage {
    system: String,
    action: String,
    field: &'static str,
    value: String,
    nonce: String,
    lines: usize,
    company: String,
}

/// The page that posts the cart back: it submits itself, and shows a button when scripts are
/// off. The punchout session ends here; the cart now belongs to the requisition.
pub async fn transfer(State(state): State<AppState>, buyer: Buyer) -> Result<Response, AppError> {
    let punchout = buyer.session.punchout.clone().ok_or_else(|| {
        AppError::BadRequest("There is no procurement system to transfer this cart to.".into())
    })?;
    if punchout.operation == Operation::Inspect {
        return Err(AppError::BadRequest(
            "This cart was opened to look at only; it cannot be changed here.".into(),
        ));
    }
    let identity = state
        .users
        .current()
        .punchout()
        .get(&punchout.identity)
        .ok_or(AppError::Unauthorized)?;
    let (items, total) = cart::items(
        &state.erp,
        &identity,
        &punchout,
        &buyer.customer,
        &buyer.cart.lines,
    )
    .await
    .map_err(|e| match e {
        CartError::Unpriced(message) => AppError::BadRequest(message),
        CartError::Erp(erp) => erp.into(),
    })?;
    let host = "erpfront";
    let document = write::order_message(&OrderMessage {
        host,
        supplier: &punchout.supplier,
        buyer: &punchout.buyer,
        buyer_cookie: &punchout.buyer_cookie,
        operation_allowed: "edit",
        total,
        items: &items,
    });
    let value = match identity.cart_field {
        CartField::Base64 => base64::engine::general_purpose::STANDARD.encode(document.as_bytes()),
        CartField::UrlEncoded => write::ascii_only(&document),
    };
    let origin = url::Url::parse(&punchout.return_url)
        .map(|u| u.origin().ascii_serialization())
        .map_err(|_| {
            AppError::BadRequest("The procurement system's return address is not valid.".into())
        })?;
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let page = TransferPage {
        system: identity.system.clone(),
        action: punchout.return_url.clone(),
        field: identity.cart_field.name(),
        value,
        nonce: nonce.clone(),
        lines: items.len(),
        company: state.site.support.company.clone(),
    };
    let html = page
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}")))?;
    let csp = format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'nonce-{nonce}'; form-action {origin}; frame-ancestors 'none'"
    );
    let mut response = (Cart::clear(buyer.jar(&state)), axum::response::Html(html)).into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
        .extensions_mut()
        .insert(SetSession(Session::anonymous()));
    Ok(response)
}
