//! `POST /punchout/cxml/setup` and `POST /punchout/cxml/order`: documents in, documents out.
//! Every answer is a cXML document; nothing here answers 5xx except an order the ERP could not
//! take right now, which the procurement system should send again.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;

use super::{refused, request_host, xml};
use crate::domain::{Quantity, Sku};
use crate::punchout::read::{self, Parties, Refusal};
use crate::punchout::start::{CxmlReturn, PunchoutSession, ReturnTo, START_LINK_SECS, StartTicket};
use crate::punchout::{Identity, order, write};
use crate::web::{AppState, MAX_BODY_BYTES};

/// Opens a punchout session: answers the start link for the buyer's browser.
pub async fn setup(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let host = request_host(&headers);
    match start_link(&state, &headers, body).await {
        Ok(url) => xml(200, write::setup_response(&host, &url)),
        Err(refusal) => refused(&host, &refusal),
    }
}

async fn start_link(state: &AppState, headers: &HeaderMap, body: Body) -> Result<String, Refusal> {
    let bytes = read_body(body).await?;
    let request = read::setup_request(&bytes)?;
    let identity = authenticate(state, &request.parties).await?;
    let mut lines = Vec::new();
    let mut aux = Vec::new();
    for item in &request.items {
        let (Ok(sku), Some(quantity)) = (
            Sku::parse(item.part.clone()),
            read::whole_quantity(&item.quantity).and_then(|q| Quantity::new(q).ok()),
        ) else {
            return Err(Refusal::new(
                400,
                format!(
                    "line {}: \"{}\" × \"{}\" is not a product and quantity of ours",
                    item.line, item.part, item.quantity
                ),
            ));
        };
        if let Some(a) = &item.aux {
            aux.push((sku.to_string(), a.clone()));
        }
        lines.push((sku.to_string(), quantity.get()));
    }
    if lines.len() > crate::domain::SavedCart::MAX_LINES {
        return Err(Refusal::new(
            400,
            "the cart has more lines than the shop holds",
        ));
    }
    let ticket = StartTicket {
        session: PunchoutSession {
            identity: identity.id.clone(),
            operation: request.operation,
            returns: ReturnTo::Cxml(CxmlReturn {
                buyer_cookie: request.buyer_cookie,
                return_url: request.browser_form_post,
                buyer: request.parties.from,
                supplier: request.parties.to,
            }),
            aux,
        },
        lines,
        expires: Utc::now().timestamp() + START_LINK_SECS,
        nonce: uuid::Uuid::new_v4().simple().to_string(),
    };
    let scheme = if state.site.secure_cookies {
        "https"
    } else {
        "http"
    };
    let sealed = ticket.seal(&state.cookie_key);
    let query = serde_urlencoded::to_string([("t", sealed)]).unwrap_or_default();
    Ok(format!(
        "{scheme}://{}/punchout/start?{query}",
        request_host(headers)
    ))
}

/// Places the order an `OrderRequest` carries.
pub async fn order(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let host = request_host(&headers);
    let placed = async {
        let bytes = read_body(body).await?;
        let request = read::order_request(&bytes)?;
        let identity = authenticate(&state, &request.parties).await?;
        order::place(&state.erp, &state.ordering, &identity, request).await
    }
    .await;
    match placed {
        Ok(placed) => {
            tracing::info!(order = %placed.order().number, "punchout order placed");
            xml(200, write::status(&host, 200, "OK"))
        }
        Err(refusal) => refused(&host, &refusal),
    }
}

async fn read_body(body: Body) -> Result<bytes::Bytes, Refusal> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| Refusal::new(413, "the document is larger than 64 KiB"))
}

/// The identity the `From` credential names, if the `Sender` and its secret are its own.
async fn authenticate(state: &AppState, parties: &Parties) -> Result<Arc<Identity>, Refusal> {
    let identity = state.users.current().punchout().by_from(&parties.from);
    let (sender, secret) = (parties.sender.clone(), parties.secret.clone());
    let found = identity.clone();
    let ok = tokio::task::spawn_blocking(move || match found {
        Some(identity) => identity.cxml_sender_ok(&sender, &secret),
        None => {
            // Spend the same time for unknown organisations.
            crate::users::verify_password(&secret, crate::users::DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false);
    match identity {
        Some(identity) if ok => Ok(identity),
        _ => Err(Refusal::new(
            401,
            "unknown From credential, or wrong Sender credential or SharedSecret",
        )),
    }
}
