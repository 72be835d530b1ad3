//! Placing an order as a Tryton sale, exactly once per idempotency key.
//!
//! The sale is filled in as the Tryton client would (see `forms`). The key goes into the sale's
//! `description` and is looked up, for the party, before anything is created; a second look
//! after creating catches a concurrent submission on another instance (the older sale stays,
//! the newer draft is removed). Tryton has no unique constraint to lean on, so two creates
//! that both finish before either looks again can still leave two sales; the gateway's own
//! single flight per key makes that a matter of two instances within milliseconds.
//!
//! The sale is then quoted and confirmed: a refused quote removes the draft and rejects the
//! order; a refused confirm leaves the quotation for the seller to handle.

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

impl TrytonErp {
    pub(super) async fn place(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        let customer = &order.customer;
        let (party, keyed, company) = tokio::try_join!(
            self.party(customer, true),
            self.keyed_sales(customer, key),
            self.rpc.company()
        )?;
        if let Some(sale) = keyed.into_iter().next() {
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

        // Another instance may have created a sale with this key meanwhile: the older one stays.
        let keyed = self.keyed_sales(customer, key).await?;
        if let Some(first) = keyed.into_iter().next().filter(|s| s.id != id) {
            tracing::warn!(order.key = %key, "a concurrent submission created the order first");
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
