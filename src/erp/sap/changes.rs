//! Changes to existing orders, beyond what the [`crate::erp::Erp`] trait asks for: `PATCH` on
//! `A_SalesOrder` with the ETag SAP derives from `LastChangeDateTime`.

use chrono::NaiveDate;
use serde_json::json;

use super::SapErp;
use super::odata::{date_json, key_path};
use super::orders::ORDER_SRV;
use crate::domain::{CustomerId, Order, OrderNumber};
use crate::erp::ErpResult;

impl SapErp {
    /// Moves the requested delivery date of one of the customer's orders; `NotFound` for
    /// another customer's order. SAP's own checks (an order already delivered) may refuse it.
    pub async fn change_requested_date(
        &self,
        customer: &CustomerId,
        number: &OrderNumber,
        date: NaiveDate,
    ) -> ErpResult<Order> {
        // Reading it first also keeps one customer from changing another's order.
        self.read_order(customer, number).await?;
        let body = json!({ "RequestedDeliveryDate": date_json(date) });
        self.client
            .change(ORDER_SRV, &key_path("A_SalesOrder", number.as_str()), &body)
            .await
            .map_err(|f| f.into_read_error("order change"))?;
        self.read_order(customer, number).await
    }
}
