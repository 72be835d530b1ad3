//! What has left the warehouse for an order: outbound deliveries (`API_OUTBOUND_DELIVERY_SRV`,
//! version 0002) whose goods issue is posted, with the carrier (the forwarding agent partner)
//! and the bill of lading as tracking number.
//!
//! The delivery service marks every property, `ReferenceSDDocument` included, as not
//! filterable, so deliveries cannot be looked up by order. They are reached the other way: the
//! order's document flow (`A_SalesOrder` → `to_SubsequentProcFlowDoc`, category `J`) names
//! them, and each is read by key. Releases before 2021 have no document flow in the sales
//! order API (their orders link no `to_SubsequentProcFlowDoc`, so it is not asked for); their
//! orders show their delivery status without deliveries.

use chrono::NaiveDate;
use futures_util::future::join_all;
use serde::Deserialize;

use super::SapErp;
use super::client::Failure;
use super::odata::{Expanded, Query, from_d, key_path, opt_date};
use super::orders::ORDER_SRV;
use crate::domain::{Delivery, OrderNumber};

/// The outbound delivery service, version 0002 (its path on Cloud and on-premise alike).
pub const DELIVERY_SRV: &str = "API_OUTBOUND_DELIVERY_SRV;v=0002";
/// Deliveries read for one order; an order split into more shows the first ones.
const MAX_DELIVERIES: usize = 20;
/// The document flow category of an outbound delivery.
const DELIVERY_CATEGORY: &str = "J";
/// The forwarding agent's partner function in English (`SP` internally).
const CARRIER_FUNCTION: &str = "CR";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FlowDocument {
    subsequent_document: String,
    #[serde(default)]
    subsequent_document_category: String,
}

#[derive(Deserialize)]
struct Flow {
    #[serde(rename = "to_SubsequentProcFlowDoc", default)]
    documents: Expanded<FlowDocument>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct PartnerAddress {
    #[serde(default)]
    business_partner_name1: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Partner {
    partner_function: String,
    #[serde(default)]
    supplier: String,
    #[serde(rename = "to_Address", default)]
    address: Option<PartnerAddress>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Header {
    delivery_document: String,
    #[serde(default)]
    overall_goods_movement_status: String,
    #[serde(default, deserialize_with = "opt_date")]
    actual_goods_movement_date: Option<NaiveDate>,
    #[serde(default)]
    bill_of_lading: String,
    #[serde(rename = "to_DeliveryDocumentPartner", default)]
    partners: Expanded<Partner>,
}

impl Header {
    /// The delivery, once its goods issue is posted: before that nothing has left.
    fn shipped(self) -> Option<Delivery> {
        let shipped_on = self
            .actual_goods_movement_date
            .filter(|_| self.overall_goods_movement_status == "C")?;
        let carrier = self
            .partners
            .results
            .into_iter()
            .find(|p| p.partner_function == CARRIER_FUNCTION)
            .map(|p| {
                let name = p.address.unwrap_or_default().business_partner_name1;
                if name.is_empty() { p.supplier } else { name }
            })
            .unwrap_or_default();
        let tracking = self.bill_of_lading.trim();
        Some(Delivery {
            number: self.delivery_document,
            shipped_on,
            carrier,
            tracking_number: (!tracking.is_empty()).then(|| tracking.to_owned()),
            tracking_url: None,
        })
    }
}

impl SapErp {
    /// The order's deliveries that have left, oldest first. Deliveries add to an order but
    /// never keep it from being shown: what cannot be read is logged and left out.
    pub(super) async fn read_deliveries(&self, order: &OrderNumber) -> Vec<Delivery> {
        let query = Query::new()
            .set(
                "$select",
                "SalesOrder,to_SubsequentProcFlowDoc/SubsequentDocument,to_SubsequentProcFlowDoc/SubsequentDocumentCategory",
            )
            .set("$expand", "to_SubsequentProcFlowDoc");
        let path = key_path("A_SalesOrder", order.as_str());
        let flow = match self.client.get(ORDER_SRV, &path, &query.encoded()).await {
            Ok(answer) => from_d::<Flow>(answer.json, "document flow"),
            Err(Failure::Refused { .. }) => {
                tracing::info!(order.number = %order, "SAP has no document flow in its sales order API; deliveries not shown");
                return Vec::new();
            }
            Err(failure) => Err(failure.into_read_error("document flow")),
        };
        let flow = match flow {
            Ok(flow) => flow,
            Err(error) => {
                tracing::warn!(order.number = %order, %error, "deliveries not read");
                return Vec::new();
            }
        };
        let mut numbers: Vec<String> = flow
            .documents
            .results
            .into_iter()
            .filter(|d| d.subsequent_document_category == DELIVERY_CATEGORY)
            .map(|d| d.subsequent_document)
            .collect();
        numbers.sort();
        numbers.dedup();
        numbers.truncate(MAX_DELIVERIES);
        let reads = numbers.iter().map(|number| self.read_delivery(number));
        let mut deliveries: Vec<Delivery> = join_all(reads).await.into_iter().flatten().collect();
        deliveries.sort_by(|a, b| (a.shipped_on, &a.number).cmp(&(b.shipped_on, &b.number)));
        deliveries
    }

    async fn read_delivery(&self, number: &str) -> Option<Delivery> {
        let query = Query::new()
            .set(
                "$select",
                "DeliveryDocument,OverallGoodsMovementStatus,ActualGoodsMovementDate,BillOfLading,to_DeliveryDocumentPartner/PartnerFunction,to_DeliveryDocumentPartner/Supplier,to_DeliveryDocumentPartner/to_Address/BusinessPartnerName1",
            )
            .set("$expand", "to_DeliveryDocumentPartner/to_Address");
        let path = key_path("A_OutbDeliveryHeader", number);
        let header = match self.client.get(DELIVERY_SRV, &path, &query.encoded()).await {
            Ok(answer) => from_d::<Header>(answer.json, "outbound delivery"),
            Err(failure) => Err(failure.into_read_error("outbound delivery")),
        };
        match header {
            Ok(header) => header.shipped(),
            Err(error) => {
                tracing::warn!(delivery.number = number, %error, "outbound delivery not read");
                None
            }
        }
    }
}
