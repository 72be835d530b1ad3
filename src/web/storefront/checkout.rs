//! Checkout: the form carries an idempotency key made when it is rendered, so a double click,
//! a retry after a timeout or a resubmission on another instance never makes a second order.
//!
//! It also carries a digest of the lines and prices it showed. The cart lives in a cookie that
//! another tab may change meanwhile; a submission whose cart or prices no longer match what was
//! reviewed is not placed: the buyer sees the order as it now is and confirms again.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::catalog::PricedLine;
use super::{Buyer, Cart, saved_cart};
use crate::domain::{Address, AddressId, IdempotencyKey, NewOrder, NewOrderLine};
use crate::erp::ErpError;
use crate::ordering::PlaceError;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState};

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
    if buyer.cart.lines.is_empty() {
        // A resubmission after the order went through (the cart is emptied on success).
        return match state.erp.find_order_by_key(&buyer.customer, &key).await? {
            Some(order) => {
                Ok(Redirect::to(&format!("/orders/{}?placed=1", order.number)).into_response())
            }
            // Another tab emptied the cart (or placed it under its own key): say so.
            None => Ok(Redirect::to("/cart?nothing_ordered=1").into_response()),
        };
    }
    let (lines, total) = match PricedLine::for_cart(&state, &buyer.customer, &buyer.cart).await {
        Ok(priced) => priced,
        // The order was not sent: keep everything the buyer entered.
        Err(
            err @ (AppError::ErpUnavailable
            | AppError::ErpTimeout
            | AppError::Busy
            | AppError::Internal(_)),
        ) => {
            tracing::warn!(error = %err, "cart could not be priced again at checkout");
            return Ok(not_sent(&state, &buyer, form));
        }
        Err(other) => return Err(other),
    };
    if reviewed_digest(&lines, total.as_deref()) != form.reviewed.trim() {
        // A retry of an order that did go through (its answer was lost) is not a change.
        if let Some(order) = state.erp.find_order_by_key(&buyer.customer, &key).await? {
            let target = format!("/orders/{}?placed=1", order.number);
            saved_cart::forget(&state, &buyer.customer).await;
            return Ok((Cart::clear(buyer.jar(&state)), Redirect::to(&target)).into_response());
        }
        let message = "Your cart or its prices changed since this checkout page was opened (perhaps in another tab). Nothing was ordered yet: please review the order below and place it again.";
        return render(
            &state,
            &buyer,
            form,
            Some(message.into()),
            StatusCode::CONFLICT,
        )
        .await;
    }
    if form.same_po_ok != "1"
        && let Some(earlier) = earlier_order_with_po(&state, &buyer, &key, &form.po_number).await
    {
        let message = format!(
            "You already have order {} with PO number {}, placed on {}. Nothing was ordered yet: to place this order as well, tick the box and place it again.",
            earlier.number, earlier.po_number, earlier.placed_on
        );
        let form = CheckoutForm {
            same_po_ok: "ask".into(),
            ..form
        };
        return render(&state, &buyer, form, Some(message), StatusCode::CONFLICT).await;
    }
    let order = match new_order(&buyer, &form) {
        Ok(order) => order,
        Err(message) => {
            return render(
                &state,
                &buyer,
                form,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state.ordering.place(&key, order).await {
        Ok(placed) => {
            let number = &placed.order().number;
            tracing::info!(order.number = %number, customer.id = %buyer.customer, "order placed");
            if let Some(rep) = &buyer.acting_rep {
                crate::web::audit::record(
                    &rep.login,
                    &buyer.customer,
                    "order_placed",
                    Some(number.as_str()),
                );
            }
            let target = format!("/orders/{number}?placed=1");
            saved_cart::forget(&state, &buyer.customer).await;
            Ok((Cart::clear(buyer.jar(&state)), Redirect::to(&target)).into_response())
        }
        Err(PlaceError::Invalid(e)) => {
            render(
                &state,
                &buyer,
                form,
                Some(e.0),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(PlaceError::Erp(ErpError::Rejected { reason })) => {
            render(
                &state,
                &buyer,
                form,
                Some(reason),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(PlaceError::KeyReused) => {
            let form = CheckoutForm {
                idempotency_key: IdempotencyKey::generate().to_string(),
                ..form
            };
            let message = "This checkout form was already used for a different order. Please check the order and submit it again.";
            render(
                &state,
                &buyer,
                form,
                Some(message.into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(PlaceError::Erp(ErpError::CircuitOpen | ErpError::Overloaded)) => {
            Ok(not_sent(&state, &buyer, form))
        }
        Err(PlaceError::Erp(err)) => {
            tracing::warn!(error = %err, customer.id = %buyer.customer, "order outcome unknown");
            let page = ConfirmingPage {
                layout: buyer.layout(&state, "We are confirming your order", "cart"),
                form,
                not_sent: false,
            };
            Ok((
                StatusCode::SERVICE_UNAVAILABLE,
                [("retry-after", "10")],
                HtmlPage(page),
            )
                .into_response())
        }
    }
}

/// An order the customer already placed under this PO number, unless it is the one this very
/// submission made (a retry after a lost answer). Only a warning: if the ERP cannot list the
/// orders right now, nothing is asked.
async fn earlier_order_with_po(
    state: &AppState,
    buyer: &Buyer,
    key: &IdempotencyKey,
    po_number: &str,
) -> Option<crate::domain::OrderSummary> {
    let po_number = po_number.trim();
    if po_number.is_empty() {
        return None;
    }
    let orders = state.erp.orders(&buyer.customer).await.ok()?;
    let earlier = orders
        .into_iter()
        .find(|o| o.po_number.trim().eq_ignore_ascii_case(po_number))?;
    match state.erp.find_order_by_key(&buyer.customer, key).await {
        Ok(None) => Some(earlier),
        _ => None,
    }
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

fn new_order(buyer: &Buyer, form: &CheckoutForm) -> Result<NewOrder, String> {
    let ship_to = match form.ship_to.trim() {
        "" => None,
        id => Some(
            AddressId::parse(id)
                .map_err(|_| "Please choose a ship-to address from the list.".to_string())?,
        ),
    };
    let requested_date = match form.requested_date.trim() {
        "" => None,
        date => Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
            "The requested delivery date must be a date like 2026-12-24.".to_string()
        })?),
    };
    Ok(NewOrder {
        customer: buyer.customer.clone(),
        po_number: form.po_number.clone(),
        ship_to,
        requested_date,
        note: Some(form.note.clone()),
        lines: buyer
            .cart
            .lines
            .iter()
            .map(|(sku, quantity)| NewOrderLine {
                sku: sku.clone(),
                quantity: *quantity,
            })
            .collect(),
        placed_by: buyer.placed_by(),
    })
}
