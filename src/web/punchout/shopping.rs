//! The buyer's browser in a punchout session: the start link logs it in for the organisation's
//! customer, and the transfer page posts the cart back to the procurement system.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use base64::Engine as _;
use chrono::Utc;
use serde::Deserialize;

use super::hand_back::HandBack;
use crate::domain::{Quantity, Sku};
use crate::punchout::cart::{self, CartError};
use crate::punchout::identity::CartField;
use crate::punchout::read::Operation;
use crate::punchout::write::{self, OrderMessage};
use crate::punchout::{ReturnTo, StartTicket, oci};
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
    super::allow_framing(&mut response, &identity);
    Ok(response)
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
    let cart = &buyer.cart.lines;
    let unpriced = |e| match e {
        CartError::Unpriced(message) => AppError::BadRequest(message),
        CartError::Erp(erp) => erp.into(),
    };
    let (fields, target) = match &punchout.returns {
        ReturnTo::Cxml(cxml) => {
            let (items, total) =
                cart::items(&state.erp, &identity, &punchout, &buyer.customer, cart)
                    .await
                    .map_err(unpriced)?;
            let document = write::order_message(&OrderMessage {
                host: "erpfront",
                supplier: &cxml.supplier,
                buyer: &cxml.buyer,
                buyer_cookie: &cxml.buyer_cookie,
                operation_allowed: "edit",
                total,
                items: &items,
            });
            let value = match identity.cart_field {
                CartField::Base64 => {
                    base64::engine::general_purpose::STANDARD.encode(document.as_bytes())
                }
                CartField::UrlEncoded => write::ascii_only(&document),
            };
            (vec![(identity.cart_field.name().to_string(), value)], None)
        }
        ReturnTo::Oci(returns) => {
            let lines = oci::lines(&state.erp, &identity, &buyer.customer, cart)
                .await
                .map_err(unpriced)?;
            (
                oci::form_fields(returns, &lines),
                Some(returns.target.as_str()),
            )
        }
    };
    let page = HandBack {
        identity: &identity,
        action: punchout.returns.url(),
        target,
        fields: &fields,
        lines: cart.len(),
        company: &state.site.support.company,
    }
    .page()?;
    let mut response = (Cart::clear(buyer.jar(&state)), page).into_response();
    response
        .extensions_mut()
        .insert(SetSession(Session::anonymous()));
    Ok(response)
}
