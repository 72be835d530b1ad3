//! Checkout: the form carries an idempotency key made when it is rendered, so a double click,
//! a retry after a timeout or a resubmission on another instance never makes a second order.
//!
//! It also carries a digest of the lines and prices it showed. The cart lives in a cookie that
//! another tab may change meanwhile; a submission whose cart or prices no longer match what was
//! reviewed is not placed: the buyer sees the order as it now is and confirms again.

mod submission;

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::catalog::PricedLine;
use super::{Buyer, Cart, saved_cart};
use crate::domain::{Address, IdempotencyKey};
use crate::ordering::Unplaced;
use crate::web::filters::path_segment;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState};
use submission::Submitted;

/// What the buyer typed, echoed back when the form must be shown again.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    po_number: String,
    #[serde(default)]
    ship_to: String,
    #[serde(default)]
    requested_date: String,
    #[serde(default)]
    note: String,
    /// The digest of what the form showed ([`reviewed_digest`]).
    #[serde(default)]
    reviewed: String,
    /// "1" once the buyer confirmed ordering again under a PO number already used.
    #[serde(default)]
    same_po_ok: String,
}

/// A digest of the lines, quantities and prices a checkout page shows.
fn reviewed_digest(lines: &[PricedLine], total: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for l in lines {
        let price = l.unit_price.as_ref().map(ToString::to_string);
        hash.update(format!(
            "{}*{}@{};",
            l.sku,
            l.quantity,
            price.unwrap_or_default()
        ));
    }
    hash.update(total.unwrap_or_default());
    hex::encode(&hash.finalize()[..16])
}

#[derive(Template)]
#[template(path = "storefront/checkout.html")]
struct CheckoutPage {
    layout: Layout,
    lines: Vec<PricedLine>,
    total: Option<String>,
    ship_tos: Vec<Address>,
    form: CheckoutForm,
    error: Option<String>,
    /// The earliest date the date picker offers: today.
    earliest_date: String,
}

#[derive(Template)]
#[template(path = "storefront/confirming.html")]
struct ConfirmingPage {
    layout: Layout,
    form: CheckoutForm,
    /// The order was known not to be sent (the ERP is down or overloaded), rather than sent
    /// without an answer.
    not_sent: bool,
}

#[derive(Template)]
#[template(path = "storefront/not_placed.html")]
struct NotPlacedPage {
    layout: Layout,
    form: CheckoutForm,
}

/// The checkout form with a fresh idempotency key.
pub async fn show_checkout(
    State(state): State<AppState>,
    buyer: Buyer,
) -> Result<Response, AppError> {
    if buyer.cart.lines.is_empty() {
        return Ok(Redirect::to("/cart").into_response());
    }
    let form = CheckoutForm {
        idempotency_key: IdempotencyKey::generate().to_string(),
        ..CheckoutForm::default()
    };
    render(&state, &buyer, form, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    buyer: &Buyer,
    mut form: CheckoutForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (customer, priced) = tokio::join!(
        state.erp.customer(&buyer.customer),
        PricedLine::for_cart(state, &buyer.customer, &buyer.cart)
    );
    let (lines, total) = priced?;
    form.reviewed = reviewed_digest(&lines, total.as_deref());
    let page = CheckoutPage {
        layout: buyer.layout(state, "Checkout", "cart"),
        lines,
        total,
        ship_tos: customer?.ship_tos,
        form,
        error,
        earliest_date: chrono::Utc::now().date_naive().to_string(),
    };
    Ok((status, HtmlPage(page)).into_response())
}

/// Places the order in the ERP, or says honestly why not, keeping the cart.
pub async fn submit_order(
    State(state): State<AppState>,
    buyer: Buyer,
    Form(form): Form<CheckoutForm>,
) -> Result<Response, AppError> {
    let key = IdempotencyKey::parse(form.idempotency_key.trim()).map_err(|_| {
        AppError::BadRequest(
            "The checkout form is incomplete. Please open the checkout again.".into(),
        )
    })?;
    let submitted = submission::submit(&state, &buyer, &key, &form).await?;
    answer(&state, &buyer, form, submitted).await
}

/// The page for how a submission ended. Unless the order exists, the cart and everything the
/// buyer entered are kept.
async fn answer(
    state: &AppState,
    buyer: &Buyer,
    form: CheckoutForm,
    submitted: Submitted,
) -> Result<Response, AppError> {
    let (status, message, form) = match submitted {
        Submitted::Placed(number) => {
            // The order holds what the cart held. A resubmission with an empty cart leaves the
            // saved cart alone: it may be one being built elsewhere since.
            if !buyer.cart.lines.is_empty() {
                saved_cart::forget(state, buyer).await;
            }
            let target = format!("/orders/{}?placed=1", path_segment(number.as_str()));
            return Ok((Cart::clear(buyer.jar(state)), Redirect::to(&target)).into_response());
        }
        Submitted::NothingToOrder => {
            return Ok(Redirect::to("/cart?nothing_ordered=1").into_response());
        }
        Submitted::CartChanged => {
            let message = "Your cart or its prices changed since this checkout page was opened (perhaps in another tab). Nothing was ordered yet: please review the order below and place it again.";
            (StatusCode::CONFLICT, message.to_string(), form)
        }
        Submitted::PoNumberUsed(earlier) => {
            let message = format!(
                "You already have order {} with PO number {}, placed on {}. Nothing was ordered yet: to place this order as well, tick the box and place it again.",
                earlier.number, earlier.po_number, earlier.placed_on
            );
            let form = CheckoutForm {
                same_po_ok: "ask".into(),
                ..form
            };
            (StatusCode::CONFLICT, message, form)
        }
        Submitted::Unplaced(Unplaced::Refused(reason)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, reason, form)
        }
        Submitted::Unplaced(Unplaced::KeyReused) => {
            let message = "This checkout form was already used for a different order. Please check the order and submit it again.";
            let form = CheckoutForm {
                idempotency_key: IdempotencyKey::generate().to_string(),
                ..form
            };
            (StatusCode::UNPROCESSABLE_ENTITY, message.to_string(), form)
        }
        Submitted::Unplaced(Unplaced::NotSent) => return Ok(not_sent(state, buyer, form)),
        Submitted::Unplaced(Unplaced::Unknown) => return Ok(confirming(state, buyer, form)),
        Submitted::Unplaced(Unplaced::Impossible) => return Ok(not_placed(state, buyer, form)),
    };
    render(state, buyer, form, Some(message), status).await
}

/// The order was known not to be sent: everything entered comes back in a "try again" form.
fn not_sent(state: &AppState, buyer: &Buyer, form: CheckoutForm) -> Response {
    let page = ConfirmingPage {
        layout: buyer.layout(state, "Your order could not be placed yet", "cart"),
        form,
        not_sent: true,
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("retry-after", "30")],
        HtmlPage(page),
    )
        .into_response()
}

/// The order may have been created: sending the same form again is safe and finds it.
fn confirming(state: &AppState, buyer: &Buyer, form: CheckoutForm) -> Response {
    let page = ConfirmingPage {
        layout: buyer.layout(state, "We are confirming your order", "cart"),
        form,
        not_sent: false,
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("retry-after", "10")],
        HtmlPage(page),
    )
        .into_response()
}

/// The ERP cannot take this order: it was not placed, and only a person can help. A failure on
/// our side that no retry mends, so a 500 without `Retry-After`.
fn not_placed(state: &AppState, buyer: &Buyer, form: CheckoutForm) -> Response {
    let page = NotPlacedPage {
        layout: buyer.layout(state, "Your order was not placed", "cart"),
        form,
    };
    (StatusCode::INTERNAL_SERVER_ERROR, HtmlPage(page)).into_response()
}
