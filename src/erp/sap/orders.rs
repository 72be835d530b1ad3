//! Sales orders in `API_SALES_ORDER_SRV`: created exactly once by deep insert (`POST A_SalesOrder`
//! with `to_Item`, `to_Partner` and `to_Text`), found again by the idempotency key held in a
//! header text, listed and read for their customer only.
//!
//! SAP has no "create unless this key exists": the key lives in a header text, which nothing in
//! SAP keeps unique. Submissions of one key racing on several gateway instances can each look,
//! find nothing, and create. So after creating, the adapter reads every order of the PO number
//! carrying the key again: the lowest order number is the order. A submission whose own order is
//! not the lowest deletes it again (`DELETE A_SalesOrder`) and answers with the lowest; looking
//! an order up by its key also picks the lowest. Every racing submission thus names the same
//! order, and at most one stays, provided SAP hands out order numbers in the order the creates
//! commit and a committed order is visible to the next read: then whoever reads after creating
//! sees every lower number already. With a number range buffered per application server, two
//! creates in the same instant on two servers can get numbers out of that order, and both can
//! keep theirs; switch off number-range buffering for the order type (or accept that window of
//! one create's duration). A submission that dies between its create and its delete, or whose
//! create's answer is lost while another submission of the key races it, leaves its order behind
//! as a second one: it never learns its number, so it answers with the lowest and cannot delete
//! its own. Both need a race and a failure in the same instant.

use chrono::{Days, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::SapErp;
use super::client::Failure;
use super::odata::{
    Collection, Expanded, Query, date_json, datetime_literal, eq, from_d, key_path,
};
use super::{convert, wire};
use crate::domain::{
    Address, AddressId, CustomerId, IdempotencyKey, NewOrder, Order, OrderNumber, OrderSummary,
};
use crate::erp::{ErpError, ErpResult};

pub const ORDER_SRV: &str = "API_SALES_ORDER_SRV";
/// Orders per page when listing, and the most a list holds.
const LIST_PAGE: usize = 100;
const LIST_MAX: usize = 1000;
/// The most recent orders searched for a key.
const KEY_SCAN_MAX: usize = 1000;
/// The ship-to partner function as the API takes it in English.
const SHIP_TO_FUNCTION: &str = "SH";

#[derive(Deserialize)]
struct KeyProbe {
    #[serde(rename = "SalesOrder")]
    sales_order: String,
    #[serde(rename = "to_Text", default)]
    texts: Expanded<wire::SalesOrderText>,
}

impl SapErp {
    fn holds_key(&self, texts: &[wire::SalesOrderText], key: &IdempotencyKey) -> bool {
        texts.iter().any(|t| {
            t.long_text_id == self.config.key_text_id && t.long_text.trim() == key.as_str()
        })
    }

    pub(super) async fn place_order(
        &self,
        key: &IdempotencyKey,
        order: &NewOrder,
    ) -> ErpResult<Order> {
        if let Some(existing) = self.find_by_po_and_key(order, key).await? {
            return Ok(existing);
        }
        let body = self.order_body(key, order);
        match self
            .client
            .write(Method::POST, ORDER_SRV, "A_SalesOrder", &body, None)
            .await
        {
            Ok(answer) => {
                #[derive(Deserialize)]
                struct Created {
                    #[serde(rename = "SalesOrder")]
                    sales_order: String,
                }
                let created: Created = from_d(answer.json, "created sales order")?;
                let number = OrderNumber::parse(created.sales_order)
                    .map_err(|e| ErpError::invalid_data(format!("order number: {e}")))?;
                tracing::info!(order.number = %number, order.key = %key, "SAP created the order");
                let kept = self.keep_lowest(order, key, number).await?;
                self.read_order(&order.customer, &kept).await
            }
            Err(Failure::Refused { status, body }) => {
                tracing::warn!(%status, sap.error = %body.describe(), order.key = %key, "SAP refused the order");
                Err(ErpError::rejected(convert::rejection_reason(&body, order)))
            }
            Err(Failure::Erp(error @ (ErpError::Timeout | ErpError::Unavailable { .. }))) => {
                // The order may exist although the answer was lost: look before answering.
                tracing::warn!(order.key = %key, %error, "order create outcome unknown, looking it up");
                match self.find_by_po_and_key(order, key).await {
                    Ok(Some(found)) => Ok(found),
                    _ => Err(error),
                }
            }
            Err(failure @ (Failure::Erp(_) | Failure::Stale)) => {
                Err(failure.into_read_error("order"))
            }
        }
    }

    /// Of the orders carrying `key`, the lowest number stays: `mine` is deleted again when a
    /// racing submission's order is lower.
    async fn keep_lowest(
        &self,
        order: &NewOrder,
        key: &IdempotencyKey,
        mine: OrderNumber,
    ) -> ErpResult<OrderNumber> {
        let lowest = self
            .keyed_numbers(&self.po_and_key_query(order), key)
            .await?
            .into_iter()
            .next();
        let Some(lowest) = lowest.filter(|lowest| *lowest != mine) else {
            return Ok(mine);
        };
        tracing::warn!(order.key = %key, order.number = %lowest, order.duplicate = %mine,
            "a concurrent submission of the key created the order first; deleting this one");
        let path = key_path("A_SalesOrder", mine.as_str());
        if let Err(failure) = self
            .client
            .write(Method::DELETE, ORDER_SRV, &path, &Value::Null, Some("*"))
            .await
        {
            tracing::error!(order.key = %key, order.duplicate = %mine, error = ?failure,
                "could not delete the second order of a key; remove it in SAP");
        }
        Ok(lowest)
    }

    fn order_body(&self, key: &IdempotencyKey, order: &NewOrder) -> Value {
        let config = &self.config;
        let text = |id: &str, text: &str| json!({ "Language": config.language, "LongTextID": id, "LongText": text });
        let mut texts = vec![text(&config.key_text_id, key.as_str())];
        if let Some(note) = &order.note {
            texts.push(text(&config.note_text_id, note));
        }
        if let Some(placed_by) = &order.placed_by {
            texts.push(text(&config.placed_by_text_id, placed_by));
        }
        let items: Vec<Value> = order
            .lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                json!({
                    "SalesOrderItem": ((i + 1) * 10).to_string(),
                    "Material": line.sku.as_str(),
                    "RequestedQuantity": line.quantity.get().to_string(),
                })
            })
            .collect();
        let mut body = json!({
            "SalesOrderType": config.order_type,
            "SalesOrganization": config.sales_organization,
            "DistributionChannel": config.distribution_channel,
            "OrganizationDivision": config.division,
            "SoldToParty": order.customer.as_str(),
            "PurchaseOrderByCustomer": order.po_number,
            "to_Item": items,
            "to_Text": texts,
        });
        if let Some(date) = order.requested_date {
            body["RequestedDeliveryDate"] = Value::String(date_json(date));
        }
        if let Some(ship_to) = &order.ship_to {
            body["to_Partner"] =
                json!([{ "PartnerFunction": SHIP_TO_FUNCTION, "Customer": ship_to.as_str() }]);
        }
        body
    }

    /// The customer's orders with this PO number, for finding the ones that carry a key.
    fn po_and_key_query(&self, order: &NewOrder) -> Query {
        let filter = format!(
            "{} and {}",
            eq("SoldToParty", order.customer.as_str()),
            eq("PurchaseOrderByCustomer", &order.po_number)
        );
        Query::new()
            .set("$filter", filter)
            .set("$select", "SalesOrder,to_Text/LongTextID,to_Text/LongText")
            .set("$expand", "to_Text")
            .set("$top", "50")
    }

    /// The order with this PO number for this customer that carries `key`.
    async fn find_by_po_and_key(
        &self,
        order: &NewOrder,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        let query = self.po_and_key_query(order);
        self.first_with_key(&order.customer, &query, key).await
    }

    /// The numbers of the orders `query` finds that carry `key`, lowest first.
    async fn keyed_numbers(
        &self,
        query: &Query,
        key: &IdempotencyKey,
    ) -> ErpResult<Vec<OrderNumber>> {
        let answer = self
            .client
            .get(ORDER_SRV, "A_SalesOrder", &query.encoded())
            .await
            .map_err(|f| f.into_read_error("order lookup"))?;
        let probes: Collection<KeyProbe> = from_d(answer.json, "order lookup")?;
        let mut numbers = probes
            .results
            .into_iter()
            .filter(|p| self.holds_key(&p.texts.results, key))
            .map(|p| {
                OrderNumber::parse(p.sales_order)
                    .map_err(|e| ErpError::invalid_data(format!("order number: {e}")))
            })
            .collect::<ErpResult<Vec<_>>>()?;
        // SAP's numbers are digits; a shorter one is the lower.
        numbers.sort_by(|a, b| (a.as_str().len(), a.as_str()).cmp(&(b.as_str().len(), b.as_str())));
        Ok(numbers)
    }

    /// The lowest-numbered order `query` finds that carries `key`: the one every racing
    /// submission of the key keeps.
    async fn first_with_key(
        &self,
        customer: &CustomerId,
        query: &Query,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        let Some(number) = self.keyed_numbers(query, key).await?.into_iter().next() else {
            return Ok(None);
        };
        self.read_order(customer, &number).await.map(Some)
    }

    pub(super) async fn find_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        // Header texts cannot be filtered on, so the customer's recent orders are searched.
        let since = Utc::now().date_naive() - Days::new(u64::from(self.config.key_lookup_days));
        let filter = format!(
            "{} and CreationDate ge {}",
            eq("SoldToParty", customer.as_str()),
            datetime_literal(since)
        );
        let query = Query::new()
            .set("$filter", filter)
            .set("$select", "SalesOrder,to_Text/LongTextID,to_Text/LongText")
            .set("$expand", "to_Text")
            .set("$orderby", "SalesOrder desc")
            .set("$top", KEY_SCAN_MAX.to_string());
        self.first_with_key(customer, &query, key).await
    }

    pub(super) async fn list_orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        let mut summaries = Vec::new();
        loop {
            let query = Query::new()
                .set("$filter", eq("SoldToParty", customer.as_str()))
                .set("$expand", "to_Item")
                .set("$orderby", "CreationDate desc,SalesOrder desc")
                .set("$top", LIST_PAGE.to_string())
                .set("$skip", summaries.len().to_string())
                .set("$inlinecount", "allpages");
            let answer = self
                .client
                .get(ORDER_SRV, "A_SalesOrder", &query.encoded())
                .await
                .map_err(|f| f.into_read_error("order list"))?;
            let page: Collection<wire::SalesOrder> = from_d(answer.json, "order list")?;
            let total = page.count.unwrap_or(0) as usize;
            let received = page.results.len();
            for order in page.results {
                summaries.push(convert::order_summary(order)?);
            }
            if received < LIST_PAGE || summaries.len() >= total.min(LIST_MAX) {
                break;
            }
        }
        summaries.sort_by(|a, b| {
            (b.placed_on, b.number.as_str()).cmp(&(a.placed_on, a.number.as_str()))
        });
        Ok(summaries)
    }

    pub(super) async fn read_order(
        &self,
        customer: &CustomerId,
        number: &OrderNumber,
    ) -> ErpResult<Order> {
        let query = Query::new().set("$expand", "to_Item,to_Partner,to_Text");
        let answer = self
            .client
            .get(
                ORDER_SRV,
                &key_path("A_SalesOrder", number.as_str()),
                &query.encoded(),
            )
            .await
            .map_err(|f| f.into_read_error("order"))?;
        // Releases that have the document flow link it (deferred) from every order; older
        // ones have no such navigation and are not asked for it.
        let has_flow = answer.json["d"].get("to_SubsequentProcFlowDoc").is_some();
        let order: wire::SalesOrder = from_d(answer.json, "order")?;
        if order.sold_to_party != customer.as_str() {
            return Err(ErpError::NotFound);
        }
        // Only an order with something delivered has deliveries to read.
        let delivered =
            has_flow && matches!(order.overall_total_delivery_status.as_str(), "B" | "C");
        let ship_to_id = order
            .partners
            .results
            .iter()
            .find(|p| matches!(p.partner_function.as_str(), "SH" | "WE"))
            .map_or(order.sold_to_party.clone(), |p| p.customer.clone());
        let ship_to = match self.read_customer(customer).await {
            Ok(buyer) => buyer.ship_to_or_bill_to(&ship_to_id),
            Err(error) => {
                tracing::warn!(%error, "order ship-to address not resolved");
                None
            }
        };
        let ship_to = match ship_to {
            Some(address) => address,
            None => Address {
                id: AddressId::parse(&ship_to_id)
                    .map_err(|e| ErpError::invalid_data(format!("ship-to: {e}")))?,
                name: ship_to_id.clone(),
                street: String::new(),
                postal_code: String::new(),
                city: String::new(),
                country: String::new(),
            },
        };
        let mut order = convert::order(order, &self.config, ship_to)?;
        if delivered {
            order.deliveries = self.read_deliveries(&order.number).await;
        }
        Ok(order)
    }
}

trait ShipToLookup {
    fn ship_to_or_bill_to(&self, id: &str) -> Option<Address>;
}

impl ShipToLookup for crate::domain::Customer {
    fn ship_to_or_bill_to(&self, id: &str) -> Option<Address> {
        self.ship_tos
            .iter()
            .chain(std::iter::once(&self.bill_to))
            .find(|a| a.id.as_str() == id)
            .cloned()
    }
}
