//! What a checkout submission comes to, decided before anything is shown: the order placed (now
//! or by an earlier sending of the same form), or why not. Nothing is placed unless the cart and
//! prices are the ones the buyer reviewed, and a PO number used before is confirmed first.

use chrono::NaiveDate;

use super::super::Buyer;
use super::super::catalog::PricedLine;
use super::{CheckoutForm, reviewed_digest};
use crate::domain::{AddressId, IdempotencyKey, NewOrder, NewOrderLine, OrderNumber, OrderSummary};
use crate::ordering::Unplaced;
use crate::web::{AppError, AppState};

/// How a checkout submission ended.
pub(super) enum Submitted {
    /// The order exists: placed by this submission, or by an earlier one of the same form.
    Placed(OrderNumber),
    /// The cart is empty and this form placed nothing: another tab emptied it, or placed it
    /// under its own key.
    NothingToOrder,
    /// The cart or its prices changed since the form was shown; nothing was ordered.
    CartChanged,
    /// The customer already has this order under the same PO number; nothing is ordered until
    /// the buyer confirms.
    PoNumberUsed(OrderSummary),
    /// No order was placed, or none is known to be.
    Unplaced(Unplaced),
}

/// Places the order `form` describes under `key`, unless the buyer must look again first.
pub(super) async fn submit(
    state: &AppState,
    buyer: &Buyer,
    key: &IdempotencyKey,
    form: &CheckoutForm,
) -> Result<Submitted, AppError> {
    let placed_earlier = || async {
        let found = state.erp.find_order_by_key(&buyer.customer, key).await?;
        Ok::<_, AppError>(found.map(|order| Submitted::Placed(order.number)))
    };
    if buyer.cart.lines.is_empty() {
        // A resubmission after the order went through (the cart is emptied on success).
        return Ok(placed_earlier().await?.unwrap_or(Submitted::NothingToOrder));
    }
    let (lines, total) = match PricedLine::for_cart(state, &buyer.customer, &buyer.cart).await {
        Ok(priced) => priced,
        Err(
            err @ (AppError::ErpUnavailable
            | AppError::ErpTimeout
            | AppError::Busy
            | AppError::Internal(_)),
        ) => {
            tracing::warn!(error = %err, "cart could not be priced again at checkout");
            return Ok(Submitted::Unplaced(Unplaced::NotSent));
        }
        Err(other) => return Err(other),
    };
    if reviewed_digest(&lines, total.as_deref()) != form.reviewed.trim() {
        // A retry of an order that did go through (its answer was lost) is not a change.
        return Ok(placed_earlier().await?.unwrap_or(Submitted::CartChanged));
    }
    if form.same_po_ok != "1"
        && let Some(earlier) = earlier_order_with_po(state, buyer, key, &form.po_number).await
    {
        return Ok(Submitted::PoNumberUsed(earlier));
    }
    let order = match new_order(buyer, form) {
        Ok(order) => order,
        Err(message) => return Ok(Submitted::Unplaced(Unplaced::Refused(message))),
    };
    match state.ordering.place(key, order).await {
        Ok(placed) => {
            let number = placed.order().number.clone();
            tracing::info!(order.number = %number, customer.id = %buyer.customer, "order placed");
            if let Some(rep) = &buyer.acting_rep {
                crate::web::audit::record(
                    &rep.login,
                    &buyer.customer,
                    "order_placed",
                    Some(number.as_str()),
                );
            }
            Ok(Submitted::Placed(number))
        }
        Err(err) => {
            let unplaced = err.unplaced();
            match unplaced {
                Unplaced::Unknown => {
                    tracing::warn!(error = %err, customer.id = %buyer.customer, "order outcome unknown");
                }
                Unplaced::Impossible => {
                    tracing::error!(error = %err, customer.id = %buyer.customer, "order cannot be placed");
                }
                _ => {}
            }
            Ok(Submitted::Unplaced(unplaced))
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
) -> Option<OrderSummary> {
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

/// The order the form and the cart describe, or what in the form is wrong (buyer-safe).
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
