//! Filling in a sale as the Tryton client would. `create` over RPC runs none of the form's
//! on_change methods, so the adapter asks for them: `on_change_party` for the header
//! (addresses, payment term, price list, currency), `on_change_product` per line (unit, unit
//! price, taxes), and turns their answers into create values. Refusals become buyer-safe
//! reasons here.

use std::collections::HashMap;

use futures_util::{StreamExt, TryStreamExt, stream};
use serde_json::{Map, Value, json};

use super::TrytonErp;
use super::customers::Party;
use super::errors::RpcError;
use super::wire::{Record, records};
use crate::domain::{NewOrderLine, Sku};
use crate::erp::{ErpError, ErpResult};

/// The header fields `on_change_party` fills that the sale is created with.
const HEADER_FIELDS: [&str; 8] = [
    "invoice_address",
    "shipment_address",
    "payment_term",
    "price_list",
    "currency",
    "warehouse",
    "invoice_method",
    "shipment_method",
];

/// Lines priced concurrently: enough to hide latency, few enough not to crowd the server.
const LINE_CONCURRENCY: usize = 4;

/// Words a buyer may see for a refusal whose Tryton message may name internal records.
fn buyer_reason(message: &str) -> String {
    let message = message.to_lowercase();
    if message.contains("quantity") {
        "A quantity on the order cannot be accepted.".into()
    } else if message.contains("product") || message.contains("salable") {
        "A product on the order cannot be sold to you.".into()
    } else if message.contains("address") {
        "The order's address cannot be used; please contact us.".into()
    } else {
        "The order cannot be accepted as entered; please contact us.".into()
    }
}

pub(super) fn rejected(call: &str, error: RpcError) -> ErpError {
    match error {
        RpcError::User { message } => {
            tracing::warn!(tryton.call = call, tryton.message = %message, "Tryton refused the order");
            ErpError::rejected(buyer_reason(&message))
        }
        RpcError::Failed(error) => error,
    }
}

/// The tax ids of an on_change answer, which speaks the client's x2many language
/// (`{"add": [[0, {"id": 1}]]}`).
fn tax_ids(value: Option<&Value>) -> ErpResult<Vec<i64>> {
    let bad = || ErpError::invalid_data("sale.line.on_change_product: taxes");
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(added) = value.get("add") else {
        return Ok(Vec::new());
    };
    added
        .as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|entry| match entry {
            Value::Array(pair) => pair
                .get(1)
                .and_then(|v| v.get("id"))
                .and_then(Value::as_i64),
            other => other.as_i64(),
        })
        .map(|id| id.ok_or_else(bad))
        .collect()
}

/// A product as placing and saved carts need it.
pub(super) struct ProductRef {
    pub(super) code: String,
    pub(super) id: i64,
    pub(super) salable: bool,
}

impl TrytonErp {
    /// Tryton's products among the lines' SKUs: each one's code, id and whether it is for sale.
    pub(super) async fn products_of(&self, lines: &[NewOrderLine]) -> ErpResult<Vec<ProductRef>> {
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        let codes: Vec<&str> = lines.iter().map(|l| l.sku.as_str()).collect();
        let reply = self
            .rpc
            .read(
                "model.product.product.search_read",
                vec![
                    json!([["code", "in", codes]]),
                    json!(0),
                    Value::Null,
                    Value::Null,
                    json!(["code", "salable"]),
                ],
                &[],
            )
            .await?;
        records("product.product", &reply)?
            .iter()
            .map(|r| {
                Ok(ProductRef {
                    code: r.str("code")?.to_string(),
                    id: r.id()?,
                    salable: r.bool("salable")?,
                })
            })
            .collect()
    }

    /// The product ids of the lines' SKUs; a `Rejected` naming the first SKU that is unknown
    /// or not for sale.
    pub(super) async fn orderable(&self, lines: &[NewOrderLine]) -> ErpResult<HashMap<Sku, i64>> {
        let found = self.products_of(lines).await?;
        let mut ids = HashMap::new();
        for line in lines {
            let product = found
                .iter()
                .find(|p| p.code == line.sku.as_str())
                .ok_or_else(|| {
                    ErpError::rejected(format!("Product {} is not in the catalog.", line.sku))
                })?;
            if !product.salable {
                return Err(ErpError::rejected(format!(
                    "Product {} cannot be ordered.",
                    line.sku
                )));
            }
            ids.insert(line.sku.clone(), product.id);
        }
        Ok(ids)
    }

    /// The header values the Tryton client would fill in for the party.
    pub(super) async fn header(
        &self,
        party: &Party,
        company: i64,
    ) -> ErpResult<Map<String, Value>> {
        let form = json!({
            "party": party.id, "company": company, "currency": null, "invoice_party": null,
            "invoice_address": null, "shipment_party": null, "shipment_address": null,
            "payment_term": null, "price_list": null, "lines": [],
        });
        let changes = self
            .rpc
            .call("model.sale.sale.on_change_party", vec![form], &[])
            .await
            .map_err(|e| rejected("on_change_party", e))?;
        let changes = Record::new("sale.sale.on_change_party", &changes)?;
        let mut values = Map::new();
        for field in HEADER_FIELDS {
            if let Some(value) = changes.raw(field).filter(|v| !v.is_null()) {
                values.insert(field.into(), value.clone());
            }
        }
        Ok(values)
    }

    /// The lines to create, each with what `on_change_product` gives for it.
    pub(super) async fn lines(
        &self,
        party: &Party,
        company: i64,
        header: &Map<String, Value>,
        products: &HashMap<Sku, i64>,
        lines: &[NewOrderLine],
    ) -> ErpResult<Vec<Value>> {
        let parent = |field: &str| header.get(field).cloned().unwrap_or(Value::Null);
        let (currency, price_list) = (parent("currency"), parent("price_list"));
        let forms: Vec<(Sku, Value)> = lines
            .iter()
            .map(|line| {
                let form = json!({
                    "type": "line", "product": products.get(&line.sku).copied(),
                    "quantity": line.quantity.get(), "unit": null, "unit_price": null,
                    "taxes": [], "company": company, "sale": -1, "_parent_sale.id": -1,
                    "_parent_sale.party": party.id, "_parent_sale.invoice_party": null,
                    "_parent_sale.currency": currency, "_parent_sale.sale_date": null,
                    "_parent_sale.price_list": price_list, "_parent_sale.company": company,
                });
                (line.sku.clone(), form)
            })
            .collect();
        stream::iter(forms.into_iter().map(|(sku, form)| self.line(sku, form)))
            .buffered(LINE_CONCURRENCY)
            .try_collect()
            .await
    }

    /// One line to create, from `on_change_product` on the line's form.
    async fn line(&self, sku: Sku, form: Value) -> ErpResult<Value> {
        let (product, quantity) = (form["product"].clone(), form["quantity"].clone());
        let changes = self
            .rpc
            .call("model.sale.line.on_change_product", vec![form], &[])
            .await
            .map_err(|e| rejected("on_change_product", e))?;
        let record = Record::new("sale.line.on_change_product", &changes)?;
        let unit_price = record.raw("unit_price").filter(|v| !v.is_null());
        let (Some(unit), Some(unit_price)) = (record.opt_int("unit")?, unit_price) else {
            return Err(ErpError::rejected(format!(
                "Product {sku} has no price for you; please contact us."
            )));
        };
        record.decimal("unit_price")?; // a price Tryton cannot take back is caught here
        let taxes = tax_ids(record.raw("taxes"))?;
        Ok(json!({
            "type": "line", "product": product, "quantity": quantity,
            "unit": unit, "unit_price": unit_price, "taxes": [["add", taxes]],
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_reworded_for_the_buyer() {
        let tryton = "The value \"-1\" for field \"Quantity\" in \"Internal\" is not valid.";
        assert_eq!(
            buyer_reason(tryton),
            "A quantity on the order cannot be accepted."
        );
        assert!(!buyer_reason("Secret").contains("Secret"));
        let rejected = rejected(
            "create",
            RpcError::User {
                message: tryton.into(),
            },
        );
        assert!(matches!(rejected, ErpError::Rejected { .. }));
    }

    #[test]
    fn taxes_come_in_the_clients_x2many_language() {
        let taxes = json!({"add": [[0, {"id": 1}], [1, {"id": 4, "rec_name": "VAT"}]]});
        assert_eq!(tax_ids(Some(&taxes)).unwrap(), vec![1, 4]);
        assert_eq!(tax_ids(None).unwrap(), Vec::<i64>::new());
        assert_eq!(
            tax_ids(Some(&json!({"remove": [1]}))).unwrap(),
            Vec::<i64>::new()
        );
        assert!(tax_ids(Some(&json!({"add": [[0, {}]]}))).is_err());
    }
}
