//! Reading orders: the customer's numbered sales (`sale.sale`) with their lines and shipments,
//! each list or order in one call that filters on the party in Tryton itself.

use serde_json::{Value, json};

use super::TrytonErp;
use super::sales::{ORDER_FIELDS, SUMMARY_FIELDS, key_tag, order, summary};
use super::wire::records;
use crate::domain::{CustomerId, IdempotencyKey, Order, OrderNumber, OrderSummary};
use crate::erp::{ErpError, ErpResult};

impl TrytonErp {
    /// The customer's numbered sales matching `domain`, with everything an [`Order`] needs.
    async fn sales(
        &self,
        customer: &CustomerId,
        domain: Vec<Value>,
        limit: Option<u32>,
    ) -> ErpResult<Vec<Order>> {
        let mut full = vec![
            json!(["party.code", "=", customer.as_str()]),
            json!(["number", "!=", null]),
        ];
        full.extend(domain);
        let shipping = self.shipment_fields().await?;
        let fields: Vec<&str> = SUMMARY_FIELDS
            .iter()
            .chain(&ORDER_FIELDS)
            .copied()
            .chain(shipping.sale_fields())
            .collect();
        let reply = self
            .rpc
            .read(
                "model.sale.sale.search_read",
                vec![
                    Value::Array(full),
                    json!(0),
                    json!(limit),
                    json!([["id", "DESC"]]),
                    json!(fields),
                ],
                &[],
            )
            .await?;
        records("sale.sale", &reply)?
            .iter()
            .map(|r| order(r, customer))
            .collect()
    }

    pub(super) async fn order_list(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        let domain = json!([
            ["party.code", "=", customer.as_str()],
            ["number", "!=", null]
        ]);
        let list = self.rpc.read(
            "model.sale.sale.search_read",
            vec![
                domain,
                json!(0),
                Value::Null,
                json!([["id", "DESC"]]),
                json!(SUMMARY_FIELDS),
            ],
            &[],
        );
        let (_, reply) = tokio::try_join!(self.party(customer, false), list)?;
        records("sale.sale", &reply)?.iter().map(summary).collect()
    }

    pub(super) async fn order_by_number(
        &self,
        customer: &CustomerId,
        number: &OrderNumber,
    ) -> ErpResult<Order> {
        let found = self
            .sales(
                customer,
                vec![json!(["number", "=", number.as_str()])],
                Some(1),
            )
            .await?;
        found.into_iter().next().ok_or(ErpError::NotFound)
    }

    pub(super) async fn order_by_id(&self, customer: &CustomerId, id: i64) -> ErpResult<Order> {
        let found = self
            .sales(customer, vec![json!(["id", "=", id])], Some(1))
            .await?;
        found
            .into_iter()
            .next()
            .ok_or_else(|| ErpError::invalid_data(format!("sale {id} cannot be read back")))
    }

    /// The customer's order placed with `key`. A sale with the key that has no number yet (its
    /// placing stopped before the quote) is not an order yet: placing it again finishes it.
    pub(super) async fn order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        let found = self
            .sales(
                customer,
                vec![json!(["description", "=", key_tag(key)])],
                Some(1),
            )
            .await?;
        match found.into_iter().next() {
            Some(order) => Ok(Some(order)),
            None => self.party(customer, false).await.map(|_| None),
        }
    }
}
