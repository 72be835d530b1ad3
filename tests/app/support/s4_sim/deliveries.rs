//! Outbound deliveries in the simulator: the sales order's document flow names the deliveries
//! whose items refer to it, and delivery partners speak the request's language.

use serde_json::{Value, json};

use super::sales::partner_code;

/// `to_SubsequentProcFlowDoc` of `order`: one entry per delivery with an item referring to it.
pub fn flow_of(deliveries: &[Value], order: &Value) -> Vec<Value> {
    let number = order["SalesOrder"].as_str().unwrap_or("");
    deliveries
        .iter()
        .filter(|d| {
            d["to_DeliveryDocumentItem"]["results"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["ReferenceSDDocument"] == number))
        })
        .enumerate()
        .map(|(i, d)| {
            json!({
                "SalesOrder": number,
                "DocRelationshipUUID": format!("fa163e2a-0000-1eeb-0000-{:012}", i + 1),
                "SubsequentDocument": d["DeliveryDocument"],
                "SubsequentDocumentCategory": "J",
                "ProcessFlowLevel": "00",
                "CreationDate": d["CreationDate"],
            })
        })
        .collect()
}

/// A delivery with its partner function codes in `language`.
pub fn in_language(delivery: &Value, language: &str) -> Value {
    let mut delivery = delivery.clone();
    if let Some(partners) = delivery["to_DeliveryDocumentPartner"]["results"].as_array_mut() {
        for partner in partners {
            let english = partner["PartnerFunction"].as_str().unwrap_or("").to_owned();
            partner["PartnerFunction"] = json!(partner_code(&english, language));
        }
    }
    delivery
}
