//! Placing an order as a Tryton sale, exactly once per idempotency key, with gateway instances
//! racing.
//!
//! The sale is filled in as the Tryton client would (see `forms`). The key goes into the sale's
//! `description`. Tryton has no unique constraint to lean on and no call that creates only if
//! absent, so the sale itself is the claim:
//!
//! 1. Look for sales carrying the key. If there are any, the first of them by the rule below is
//!    the order: finish it (quote and confirm it if it is still a draft) and stop.
//! 2. Otherwise create a draft carrying the key: a draft has no number and is no order yet.
//! 3. Read every sale carrying the key again. The order is the first sale that is no longer a
//!    draft, or, when all are drafts, the oldest draft (the lowest id).
//! 4. If that is this submission's draft, quote and confirm it. Otherwise delete this draft and
//!    finish that sale instead: a submission that died after step 2 leaves a draft that the
//!    next submission of the key finishes.
//!
//! Every racing submission therefore quotes and confirms the same sale, and Tryton makes a
//! repeated quote or confirm of a sale a no-op. This holds as long as a draft with a lower id
//! is visible to everyone who reads after a draft with a higher id was created, which is true
//! on SQLite (one writer at a time, ids in commit order). On PostgreSQL ids come from a sequence
//! taken at insert time, so one window remains: a submission whose create took the lower id but
//! committed after another submission had already re-read (step 3) and before that one's quote
//! committed would quote its own draft too. That needs two creates of one key overlapping within
//! one create call's duration on two instances; the gateway's single flight rules it out within
//! one instance. A submission that dies between steps 2 and 4 can leave a draft behind that is
//! never quoted (an older sale always wins over it); drafts are not orders and buyers never see
//! them.
//!
//! A refused quote removes the draft and rejects the order; a refused confirm leaves the
//! quotation for the seller to handle.

use serde_json::{Value, json};

use super::TrytonErp;
use super::errors::RpcError;
use super::forms::rejected;
use super::sales::{comment, key_tag};
use super::wire::{self, records};
use crate::domain::{CustomerId, IdempotencyKey, NewOrder, Order};
use crate::erp::{ErpError, ErpResult};

/// A sale found by its key: its id and state.
struct KeyedSale {
    id: i64,
    state: String,
}

/// Which of the sales carrying one key is the order (`keyed` oldest first): the first that is
/// past draft, else the oldest draft. Every racing submission picks the same one.
fn the_order(keyed: Vec<KeyedSale>) -> Option<KeyedSale> {
    let first_past_draft = keyed.iter().position(|s| s.state != "draft").unwrap_or(0);
    keyed.into_iter().nth(first_past_draft)
}

impl TrytonErp {
    pub(super) async fn place(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        let customer = &order.customer;
        let (party, keyed, company) = tokio::try_join!(
            self.party(customer, true),
            self.keyed_sales(customer, key),
            self.rpc.company()
        )?;
        if let Some(sale) = the_order(keyed) {
            return self.finish(customer, sale).await;
        }
        let products = self.orderable(&order.lines).await?;
        let ship_to = match &order.ship_to {
            None => None,
            Some(id) => Some(
                id.as_str()
                    .parse::<i64>()
                    .ok()
                    .filter(|id| party.ship_tos().iter().any(|a| a.id == *id))
                    .ok_or_else(|| {
                        ErpError::rejected("The chosen ship-to address is not one of yours.")
                    })?,
            ),
        };
        let mut values = self.header(&party, company.id).await?;
        let lines = self
            .lines(&party, company.id, &values, &products, &order.lines)
            .await?;
        values.insert("party".into(), json!(party.id));
        values.insert("reference".into(), json!(order.po_number));
        values.insert("description".into(), json!(key_tag(key)));
        values.insert(
            "comment".into(),
            json!(comment(order.note.as_deref(), order.placed_by.as_deref())),
        );
        if let Some(date) = order.requested_date {
            values.insert("shipping_date".into(), wire::date(date));
        }
        if let Some(address) = ship_to {
            values.insert("shipment_address".into(), json!(address));
        }
        values.insert("lines".into(), json!([["create", lines]]));

        let created = self
            .rpc
            .call("model.sale.sale.create", vec![json!([values])], &[])
            .await
            .map_err(|e| rejected("create", e))?;
        let id = created
            .as_array()
            .and_then(|ids| ids.first())
            .and_then(Value::as_i64)
            .ok_or_else(|| ErpError::invalid_data("sale.sale.create: no id"))?;

        // Another instance may have created a sale with this key meanwhile: only one stays.
        let keyed = self.keyed_sales(customer, key).await?;
        if let Some(first) = the_order(keyed).filter(|s| s.id != id) {
            tracing::warn!(order.key = %key, tryton.sale = first.id, tryton.draft = id,
                "a concurrent submission of the key holds the order; dropping this draft");
            self.discard(id).await;
            return self.finish(customer, first).await;
        }
        let sale = KeyedSale {
            id,
            state: "draft".into(),
        };
        self.finish(customer, sale).await
    }

    /// The customer's sales carrying `key`, oldest first.
    async fn keyed_sales(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Vec<KeyedSale>> {
        let domain = json!([
            ["party.code", "=", customer.as_str()],
            ["description", "=", key_tag(key)]
        ]);
        let reply = self
            .rpc
            .read(
                "model.sale.sale.search_read",
                vec![
                    domain,
                    json!(0),
                    Value::Null,
                    json!([["id", "ASC"]]),
                    json!(["state"]),
                ],
                &[],
            )
            .await?;
        records("sale.sale", &reply)?
            .iter()
            .map(|r| {
                Ok(KeyedSale {
                    id: r.id()?,
                    state: r.str("state")?.to_owned(),
                })
            })
            .collect()
    }

    /// Quotes and confirms a sale still in draft, then reads it back as an order.
    async fn finish(&self, customer: &CustomerId, sale: KeyedSale) -> ErpResult<Order> {
        if sale.state == "draft" {
            let ids = json!([sale.id]);
            if let Err(error) = self
                .rpc
                .call("model.sale.sale.quote", vec![ids.clone()], &[])
                .await
            {
                // A concurrent submission of the same key may have quoted it already: then the
                // sale has its number and is the order.
                if let Ok(order) = self.order_by_id(customer, sale.id).await {
                    return Ok(order);
                }
                let error = rejected("quote", error);
                if matches!(error, ErpError::Rejected { .. }) {
                    self.discard(sale.id).await;
                }
                return Err(error);
            }
            match self
                .rpc
                .call("model.sale.sale.confirm", vec![ids], &[])
                .await
            {
                Ok(_) => {}
                Err(RpcError::User { message }) => {
                    tracing::warn!(tryton.sale = sale.id, tryton.message = %message,
                        "Tryton did not confirm the order; it stays a quotation");
                }
                Err(RpcError::Failed(error)) => return Err(error),
            }
        }
        self.order_by_id(customer, sale.id).await
    }

    /// Removes a draft sale that must not stay (a refused quote, a duplicate).
    async fn discard(&self, id: i64) {
        if let Err(error) = self
            .rpc
            .call("model.sale.sale.delete", vec![json!([id])], &[])
            .await
        {
            tracing::warn!(tryton.sale = id, error = ?error, "could not remove a draft sale");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyedSale, the_order};

    fn sales(states: &[(i64, &str)]) -> Vec<KeyedSale> {
        states
            .iter()
            .map(|&(id, state)| KeyedSale {
                id,
                state: state.into(),
            })
            .collect()
    }

    fn winner(states: &[(i64, &str)]) -> Option<i64> {
        the_order(sales(states)).map(|s| s.id)
    }

    #[test]
    fn the_order_is_the_first_sale_past_draft_else_the_oldest_draft() {
        assert_eq!(winner(&[]), None);
        assert_eq!(winner(&[(7, "draft"), (9, "draft")]), Some(7));
        // A later sale already quoted wins over an older draft that appeared after it was.
        assert_eq!(winner(&[(7, "draft"), (9, "quotation")]), Some(9));
        assert_eq!(
            winner(&[(7, "draft"), (8, "processing"), (9, "confirmed")]),
            Some(8)
        );
    }
}
