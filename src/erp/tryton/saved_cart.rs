//! The customer's saved cart, kept in Tryton as a draft sale of the customer's party whose
//! `description` is [`SAVED_CART`].
//!
//! Such a draft can never be taken for an order: orders are the sales with a number (a draft
//! has none), and placing finds its sales by an `erpfront-key:` description, which the marker
//! is not. Sellers see it in Tryton for what it is, priced as an order of it would be.
//!
//! Saving creates a new draft and then deletes the party's older ones, so that gateway
//! instances saving at once leave the newest cart behind; reading takes the newest draft.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::TrytonErp;
use super::forms::rejected;
use super::wire::{records, whole_quantity};
use crate::domain::{CustomerId, NewOrderLine, Quantity, SavedCart, SavedCartLine, Sku};
use crate::erp::{ErpError, ErpResult};

/// What the `description` of a saved-cart draft holds.
pub(super) const SAVED_CART: &str = "erpfront saved cart";

impl TrytonErp {
    pub(super) async fn saved_cart_of(&self, customer: &CustomerId) -> ErpResult<SavedCart> {
        let (_, reply) = tokio::try_join!(
            self.party(customer, false),
            self.rpc.read(
                "model.sale.sale.search_read",
                vec![
                    saved_cart_domain(customer),
                    json!(0),
                    json!(1),
                    json!([["id", "DESC"]]),
                    json!(["lines.type", "lines.product.code", "lines.quantity"]),
                ],
                &[],
            )
        )?;
        let found = records("sale.sale", &reply)?;
        let Some(draft) = found.first() else {
            return Ok(SavedCart::default());
        };
        let mut lines = Vec::new();
        for line in draft.related_list("lines")? {
            let Some(product) = line.related("product")? else {
                continue;
            };
            if line.opt_str("type")? != Some("line") {
                continue;
            }
            let code = product.str("code")?;
            let quantity = whole_quantity(code, line.float("quantity")?)?;
            // A quantity a seller set to zero in Tryton is no line of a cart.
            let Ok(quantity) = Quantity::new(i64::from(quantity)) else {
                continue;
            };
            lines.push(SavedCartLine {
                sku: Sku::parse(code)
                    .map_err(|e| ErpError::invalid_data(format!("product code {code:?}: {e}")))?,
                quantity,
            });
        }
        // Someone editing the draft in Tryton may have entered a product twice.
        Ok(SavedCart::gathered(lines))
    }

    pub(super) async fn replace_saved_cart(
        &self,
        customer: &CustomerId,
        cart: &SavedCart,
    ) -> ErpResult<()> {
        let (party, previous, company) = tokio::try_join!(
            self.party(customer, false),
            self.saved_cart_drafts(customer),
            self.rpc.company()
        )?;
        let lines: Vec<NewOrderLine> = cart
            .lines()
            .iter()
            .map(|l| NewOrderLine {
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect();
        let products = self.for_sale(&lines).await?;
        // Products Tryton no longer sells are left out: they could not be ordered anyway.
        let lines: Vec<NewOrderLine> = lines
            .into_iter()
            .filter(|l| products.contains_key(&l.sku))
            .collect();
        if !lines.is_empty() {
            let mut values = self.header(&party, company.id).await?;
            let lines = self
                .lines(&party, company.id, &values, &products, &lines)
                .await?;
            values.insert("party".into(), json!(party.id));
            values.insert("description".into(), json!(SAVED_CART));
            values.insert("lines".into(), json!([["create", lines]]));
            self.rpc
                .call("model.sale.sale.create", vec![json!([values])], &[])
                .await
                .map_err(|e| rejected("create", e))?;
        }
        // Only the drafts found before this one was created go: a draft another instance
        // saved meanwhile is newer, stays for that instance to clear, and the newest is read.
        if !previous.is_empty() {
            self.rpc
                .call("model.sale.sale.delete", vec![json!(previous)], &[])
                .await
                .map_err(|e| rejected("delete", e))?;
        }
        Ok(())
    }

    /// The ids of the party's saved-cart drafts.
    async fn saved_cart_drafts(&self, customer: &CustomerId) -> ErpResult<Vec<i64>> {
        let reply = self
            .rpc
            .read(
                "model.sale.sale.search",
                vec![
                    saved_cart_domain(customer),
                    json!(0),
                    Value::Null,
                    Value::Null,
                ],
                &[],
            )
            .await?;
        reply
            .as_array()
            .ok_or_else(|| ErpError::invalid_data("sale.sale.search: not a list"))?
            .iter()
            .map(|id| {
                id.as_i64()
                    .ok_or_else(|| ErpError::invalid_data("sale.sale.search: not an id"))
            })
            .collect()
    }

    /// The product ids of those of the lines' SKUs that Tryton knows and sells.
    async fn for_sale(&self, lines: &[NewOrderLine]) -> ErpResult<HashMap<Sku, i64>> {
        let found = self.products_of(lines).await?;
        Ok(found
            .into_iter()
            .filter(|p| p.salable)
            .filter_map(|p| Some((Sku::parse(p.code).ok()?, p.id)))
            .collect())
    }
}

/// The party's saved-cart drafts, and nothing else: not an order, not a draft being placed.
fn saved_cart_domain(customer: &CustomerId) -> Value {
    json!([
        ["party.code", "=", customer.as_str()],
        ["state", "=", "draft"],
        ["description", "=", SAVED_CART]
    ])
}
