//! Sales in the simulator: pricing by simulation (the customer's scales, 19 % tax, calculated
//! only when the deep insert asks for `to_Pricing`), orders by deep insert with SAP's checks
//! (partner functions in the request's language, a requested delivery date proposed when none
//! is sent), changes guarded by ETags, and billing document PDFs.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

use super::handler::{error, json_response};
use super::state::{Data, State};

fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn items_of(body: &Value) -> Vec<Value> {
    match &body["to_Item"] {
        Value::Array(items) => items.clone(),
        other => other["results"].as_array().cloned().unwrap_or_default(),
    }
}

fn detail(code: &str, message: &str, target: String) -> Value {
    json!({"code": code, "message": message, "propertyref": "", "severity": "error", "target": target})
}

/// Prices every item of `body` for its sold-to party; an error response for what SAP refuses.
fn price(data: &Data, body: &Value, entity: &str) -> Result<(Vec<Value>, Decimal), Box<Response>> {
    let customer = body["SoldToParty"].as_str().unwrap_or("");
    let area_ok = body["SalesOrganization"] == "1010"
        && body["DistributionChannel"] == "10"
        && body["OrganizationDivision"] == "00";
    let Some(conditions) = data.prices["customers"].get(customer).filter(|_| area_ok) else {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "V1/302",
            &format!("Sold-to party {customer} not maintained for sales area"),
            vec![detail(
                "V1/302",
                "Sold-to party not maintained for sales area",
                "/SoldToParty".into(),
            )],
        )));
    };
    let tax_rate: Decimal = data.prices["tax_rate"]
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap();
    let mut items = Vec::new();
    let mut details = Vec::new();
    for item in items_of(body) {
        let number = item["SalesOrderItem"].as_str().unwrap_or("").to_owned();
        let material = item["Material"].as_str().unwrap_or("").to_owned();
        let quantity: Option<Decimal> = item["RequestedQuantity"]
            .as_str()
            .and_then(|q| q.parse().ok());
        let ladder = conditions.get(&material).and_then(Value::as_array);
        let known = data
            .products
            .iter()
            .any(|p| p["Product"] == material.as_str());
        let (Some(quantity), Some(ladder), true) = (quantity, ladder, known) else {
            details.push(detail(
                "V1/390",
                &format!("Material {material} does not exist or is not activated"),
                format!("/{entity}(SalesOrder='',SalesOrderItem='{number}')/Material"),
            ));
            continue;
        };
        let unit: Decimal = ladder
            .iter()
            .rfind(|step| {
                step[0]
                    .as_u64()
                    .is_some_and(|from| Decimal::from(from) <= quantity)
            })
            .and_then(|step| step[1].as_str())
            .and_then(|p| p.parse().ok())
            .unwrap_or_default();
        let net = cents(unit * quantity);
        let product = data
            .products
            .iter()
            .find(|p| p["Product"] == material.as_str())
            .unwrap();
        let text = product["to_Description"]["results"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["Language"] == "EN"))
            .map_or("", |d| d["ProductDescription"].as_str().unwrap_or(""));
        items.push(json!({
            "SalesOrderItem": number, "Material": material, "SalesOrderItemText": text,
            "RequestedQuantity": format!("{quantity:.3}"), "RequestedQuantityUnit": product["BaseUnit"],
            "NetAmount": net.to_string(), "TaxAmount": cents(net * tax_rate).to_string(), "TransactionCurrency": "EUR",
        }));
    }
    if !details.is_empty() {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "V1/390",
            "Material does not exist or is not activated",
            details,
        )));
    }
    Ok((items, tax_rate))
}

/// Partner function codes as the sales order API speaks them: English codes with
/// `sap-language=EN`, the internal (German) ones otherwise, as for a user logged on in German.
pub fn partner_code(english: &str, language: &str) -> String {
    if language == "EN" {
        return english.to_owned();
    }
    match english {
        "SH" => "WE",
        "SP" => "AG",
        "BP" => "RE",
        "PY" => "RG",
        // The forwarding agent (carrier).
        "CR" => "SP",
        other => other,
    }
    .to_owned()
}

/// The logon language of the simulator's communication user.
pub fn language_of(query: &super::query::Query) -> String {
    query.get("sap-language").unwrap_or("DE").to_owned()
}

pub fn simulate(state: &State, body: &Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "/IWBEP/CM_MGW_RT/004",
            "Malformed request body",
            vec![],
        );
    };
    let failing = state.fail_simulations_at.load(Ordering::SeqCst);
    let quantity = items_of(&body)
        .first()
        .and_then(|i| i["RequestedQuantity"].as_str()?.parse::<u64>().ok());
    if failing != 0 && quantity == Some(failing) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "/IWBEP/CM_MGW_RT/000",
            "Pricing procedure could not be determined",
            vec![],
        );
    }
    let data = state.data.lock().unwrap();
    match price(&data, &body, "A_SalesOrderItemSimulation") {
        Ok((mut items, _)) => {
            let net: Decimal = items
                .iter()
                .map(|i| i["NetAmount"].as_str().unwrap().parse::<Decimal>().unwrap())
                .sum();
            // Without `to_Pricing` in the deep insert SAP calculates no prices at all.
            let pricing = body.get("to_Pricing").is_some_and(Value::is_object);
            for item in &mut items {
                if !pricing {
                    item["NetAmount"] = json!("0.000");
                    item["TaxAmount"] = json!("0.000");
                }
                if let Some(item) = item.as_object_mut() {
                    item.remove("SalesOrderItemText");
                }
            }
            let mut d = json!({
                "SalesOrderType": body["SalesOrderType"], "SoldToParty": body["SoldToParty"],
                "TransactionCurrency": "EUR", "to_Item": {"results": items},
            });
            if pricing {
                d["to_Pricing"] =
                    json!({"TotalNetAmount": net.to_string(), "TransactionCurrency": "EUR"});
            }
            let mut response = json_response(json!({ "d": d }));
            *response.status_mut() = StatusCode::CREATED;
            response
        }
        Err(response) => *response,
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn etag_of(ms: i64) -> String {
    format!("W/\"datetimeoffset'{}'\"", ms)
}

pub async fn create(state: &State, body: &Bytes, language: &str) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "/IWBEP/CM_MGW_RT/004",
            "Malformed request body",
            vec![],
        );
    };
    // Checked and priced first, then saved after the time a real save takes, with nothing held
    // in between: creates run side by side as they do in SAP, and the number comes at save.
    let (items, customer, ship_to) = {
        let data = state.data.lock().unwrap();
        if body["SalesOrderType"] != "OR" {
            return error(
                StatusCode::BAD_REQUEST,
                "V1/011",
                "Sales document type not allowed",
                vec![],
            );
        }
        let po = body["PurchaseOrderByCustomer"].as_str().unwrap_or("");
        if po.chars().count() > 35 {
            return error(
                StatusCode::BAD_REQUEST,
                "/IWBEP/CM_MGW_RT/004",
                "PurchaseOrderByCustomer too long",
                vec![],
            );
        }
        let (items, _) = match price(&data, &body, "A_SalesOrderItem") {
            Ok(priced) => priced,
            Err(response) => return *response,
        };
        let customer = body["SoldToParty"].as_str().unwrap_or("").to_owned();
        let ship_tos: Vec<String> = data
            .partner_functions
            .iter()
            .filter(|f| f["Customer"] == customer.as_str() && f["PartnerFunction"] == "WE")
            .filter_map(|f| f["BPCustomerNumber"].as_str().map(str::to_owned))
            .collect();
        let partners = body["to_Partner"].as_array().cloned().unwrap_or_default();
        let known: Vec<String> = ["SH", "SP", "BP", "PY"]
            .iter()
            .map(|c| partner_code(c, language))
            .collect();
        if let Some(unknown) = partners
            .iter()
            .filter_map(|p| p["PartnerFunction"].as_str())
            .find(|f| !known.iter().any(|k| k == f))
        {
            return error(
                StatusCode::BAD_REQUEST,
                "V1/109",
                &format!("Partner function {unknown} does not exist"),
                vec![detail(
                    "V1/109",
                    "Partner function does not exist",
                    "/to_Partner".into(),
                )],
            );
        }
        let ship_to = partners
            .iter()
            .find(|p| p["PartnerFunction"] == partner_code("SH", language).as_str())
            .map_or(customer.clone(), |p| {
                p["Customer"].as_str().unwrap_or("").to_owned()
            });
        if !ship_tos.contains(&ship_to) {
            return error(
                StatusCode::BAD_REQUEST,
                "V1/112",
                "Ship-to party is not assigned to the sold-to party",
                vec![detail(
                    "V1/112",
                    "Ship-to party not assigned",
                    "/to_Partner".into(),
                )],
            );
        }
        (items, customer, ship_to)
    };
    let save_takes = state.create_latency_ms.load(Ordering::SeqCst);
    if save_takes > 0 {
        tokio::time::sleep(Duration::from_millis(save_takes)).await;
    }
    let po = body["PurchaseOrderByCustomer"].as_str().unwrap_or("");
    let (order, warning) = {
        let mut data = state.data.lock().unwrap();
        let duplicate = data
            .orders
            .iter()
            .any(|o| o["SoldToParty"] == customer.as_str() && o["PurchaseOrderByCustomer"] == po);
        let number = data.next_order.to_string();
        data.next_order += 1;
        let stamp = now_ms();
        let today = stamp - stamp.rem_euclid(86_400_000);
        let net: Decimal = items
            .iter()
            .map(|i| i["NetAmount"].as_str().unwrap().parse::<Decimal>().unwrap())
            .sum();
        let with_number = |mut v: Value| {
            v["SalesOrder"] = json!(number);
            v
        };
        let texts: Vec<Value> = body["to_Text"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(with_number)
            .collect();
        let order = json!({
            "__metadata": {"id": format!("A_SalesOrder('{number}')"), "uri": format!("A_SalesOrder('{number}')"),
                "type": "API_SALES_ORDER_SRV.A_SalesOrderType", "etag": etag_of(stamp)},
            "SalesOrder": number, "SalesOrderType": "OR", "SalesOrganization": "1010", "DistributionChannel": "10",
            "OrganizationDivision": "00", "SoldToParty": customer, "PurchaseOrderByCustomer": po,
            "CreationDate": format!("/Date({today})/"), "SalesOrderDate": format!("/Date({today})/"),
            "LastChangeDateTime": format!("/Date({stamp}+0000)/"),
            // S/4 proposes a delivery date when none is asked for.
            "RequestedDeliveryDate": body.get("RequestedDeliveryDate").cloned()
                .unwrap_or_else(|| json!(format!("/Date({})/", today + 2 * 86_400_000))),
            "TransactionCurrency": "EUR", "TotalNetAmount": net.to_string(), "OverallSDProcessStatus": "A",
            "OverallTotalDeliveryStatus": "A", "OverallSDDocumentRejectionSts": "A", "TotalBlockStatus": "",
            "to_Item": {"results": items.into_iter().map(with_number).collect::<Vec<_>>()},
            "to_Partner": {"results": [
                {"SalesOrder": number, "PartnerFunction": "SP", "Customer": customer},
                {"SalesOrder": number, "PartnerFunction": "SH", "Customer": ship_to}]},
            "to_Text": {"results": texts},
        });
        data.orders.push(order.clone());
        (order, duplicate)
    };
    if state.lose_next_create_answer.swap(false, Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let mut response = json_response(json!({"d": in_language(&order, language)}));
    *response.status_mut() = StatusCode::CREATED;
    if warning {
        let message = json!({"code": "V4/115", "message": "Purchase order number already exists", "severity": "warning", "target": "", "details": []});
        response.headers_mut().insert(
            "sap-message",
            HeaderValue::from_str(&message.to_string()).unwrap(),
        );
    }
    response
}

/// An order as the sales order API shows it in `language`: its partner function codes.
pub fn in_language(order: &Value, language: &str) -> Value {
    let mut order = order.clone();
    if let Some(partners) = order["to_Partner"]["results"].as_array_mut() {
        for partner in partners {
            let english = partner["PartnerFunction"].as_str().unwrap_or("").to_owned();
            partner["PartnerFunction"] = json!(partner_code(&english, language));
        }
    }
    order
}
