//! An approved requisition comes back as a cXML `OrderRequest` and becomes one ERP order for
//! the organisation's customer, through the same exactly-once placing as every other order.
//!
//! The idempotency key is derived from the identity, `orderID` and `orderVersion`, so a re-sent
//! document (same or new `payloadID`), or two copies at once, find the order the first made.
//! Everything the buyer can fix is a cXML 4xx naming the line, before anything is created; only
//! an ERP that cannot be reached is a 5xx, which procurement systems retry.

use std::sync::Arc;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::identity::Identity;
use super::read::{OrderRequest, Refusal, whole_quantity};
use crate::domain::{IdempotencyKey, NewOrder, NewOrderLine, Quantity, Sku};
use crate::erp::{Erp, ErpError};
use crate::ordering::{Ordering, PlaceError, Placed};

/// The key under which an organisation's order (id and version) is placed.
pub fn order_key(identity: &Identity, order_id: &str, version: u32) -> IdempotencyKey {
    let digest = Sha256::digest(format!("punchout\n{}\n{order_id}\n{version}", identity.id));
    // 32 hex digits, like generated keys, so it fits ERP fields of 35.
    IdempotencyKey::parse(hex::encode(&digest[..16])).expect("hex digits are a valid key")
}

/// Places the order, or says why not.
pub async fn place(
    erp: &Arc<dyn Erp>,
    ordering: &Ordering,
    identity: &Identity,
    request: OrderRequest,
) -> Result<Placed, Refusal> {
    if request.kind != "new" || request.version > 1 {
        return Err(Refusal::new(
            400,
            "change orders are not accepted online: order changes and cancellations go to our customer service",
        ));
    }
    if request.items.is_empty() {
        return Err(Refusal::new(400, "the order has no ItemOut lines"));
    }
    let mut lines = Vec::with_capacity(request.items.len());
    for item in &request.items {
        let line = item.line;
        let sku = Sku::parse(item.part.clone()).map_err(|_| unknown_part(line, &item.part))?;
        let quantity = whole_quantity(&item.quantity)
            .and_then(|q| Quantity::new(q).ok())
            .ok_or_else(|| {
                Refusal::new(
                    400,
                    format!(
                        "line {line}: quantity \"{}\" must be a whole number from 1 to {}",
                        item.quantity,
                        Quantity::MAX
                    ),
                )
            })?;
        match erp.product(&sku).await {
            Ok(_) => {}
            Err(ErpError::NotFound) => return Err(unknown_part(line, &item.part)),
            Err(e) => return Err(temporary(&e)),
        }
        lines.push((line, sku, quantity, item.unit_price.clone()));
    }
    let skus: Vec<Sku> = lines.iter().map(|(_, s, _, _)| s.clone()).collect();
    let prices = erp
        .prices(&identity.customer, &skus)
        .await
        .map_err(|e| temporary(&e))?;
    for (line, sku, quantity, sent) in &lines {
        let ours = prices
            .iter()
            .find(|p| &p.sku == sku)
            .map(|p| p.unit_price(quantity.get()))
            .ok_or_else(|| {
                Refusal::new(
                    400,
                    format!("line {line}: {sku} has no price for this buyer"),
                )
            })?;
        let Some((amount, currency)) = sent else {
            continue;
        };
        let amount: Decimal = amount.parse().map_err(|_| {
            Refusal::new(
                400,
                format!("line {line}: unit price \"{amount}\" is not a number"),
            )
        })?;
        let tolerance = ours.amount.abs() * identity.price_tolerance_percent / Decimal::ONE_HUNDRED;
        if currency != ours.currency.as_str() || (amount - ours.amount).abs() > tolerance {
            return Err(Refusal::new(
                400,
                format!(
                    "line {line}: unit price {amount} {currency} for {sku} differs from the agreed price {ours}"
                ),
            ));
        }
    }
    let ship_to = ship_to(erp, identity, request.ship_to.as_deref()).await?;
    let order = NewOrder {
        customer: identity.customer.clone(),
        po_number: request.order_id.clone(),
        ship_to,
        requested_date: None,
        note: note(&request),
        lines: lines
            .into_iter()
            .map(|(_, sku, quantity, _)| NewOrderLine { sku, quantity })
            .collect(),
        placed_by: Some(format!("{} (cXML)", identity.system)),
    };
    let key = order_key(identity, &request.order_id, request.version);
    ordering.place(&key, order).await.map_err(|e| match e {
        PlaceError::Invalid(invalid) => Refusal::new(400, invalid.0),
        PlaceError::KeyReused => Refusal::new(
            409,
            format!(
                "order {} version {} was already received with different content",
                request.order_id, request.version
            ),
        ),
        PlaceError::Erp(ErpError::Rejected { reason }) => Refusal::new(400, reason),
        PlaceError::Erp(other) => temporary(&other),
    })
}

fn unknown_part(line: usize, part: &str) -> Refusal {
    Refusal::new(
        400,
        format!("line {line}: unknown SupplierPartID \"{part}\""),
    )
}

fn temporary(error: &ErpError) -> Refusal {
    tracing::warn!(%error, "punchout order not placed, the ERP is not answering");
    Refusal::new(
        500,
        "our order system is not answering right now; please send the order again later",
    )
}

/// The customer's ship-to the order names, else the identity's default, else the customer's.
async fn ship_to(
    erp: &Arc<dyn Erp>,
    identity: &Identity,
    named: Option<&str>,
) -> Result<Option<crate::domain::AddressId>, Refusal> {
    if let Some(named) = named {
        let customer = erp
            .customer(&identity.customer)
            .await
            .map_err(|e| temporary(&e))?;
        if let Some(address) = customer.ship_tos.iter().find(|a| a.id.as_str() == named) {
            return Ok(Some(address.id.clone()));
        }
    }
    Ok(identity.ship_to.clone())
}

/// Comments, then the header's extrinsics as `name: value` lines, within the note's length.
fn note(request: &OrderRequest) -> Option<String> {
    let mut parts: Vec<String> = request.comments.iter().cloned().collect();
    parts.extend(
        request
            .extrinsics
            .iter()
            .map(|(name, value)| format!("{name}: {value}")),
    );
    let note: String = parts
        .join("\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(NewOrder::MAX_NOTE_LEN)
        .collect();
    (!note.trim().is_empty()).then_some(note)
}
