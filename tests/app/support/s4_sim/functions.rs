//! Function imports: `CalculateAvailabilityTimeseries` (availability per material and plant)
//! and `GetPDF` (a billing document as base64 PDF). Their parameters must be quoted literals.

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use serde_json::json;

use super::changes;
use super::handler::{error, json_response};
use super::query::{Query, unquote};
use super::state::State;

pub fn availability(state: &State, query: &Query) -> Response {
    let param = |name| query.get(name).and_then(unquote);
    let (Some(material), Some(_plant), Some(_rule)) = (
        param("Material"),
        param("SupplyingPlant"),
        param("ATPCheckingRule"),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "/IWBEP/CM_MGW_RT/020",
            "Function import parameters must be quoted literals",
            vec![],
        );
    };
    let data = state.data.lock().unwrap();
    match data.availability.get(&material) {
        Some(records) => json_response(json!({"d": {"results": records}})),
        None => error(
            StatusCode::BAD_REQUEST,
            "AVAILY/001",
            &format!("Material {material} not found in plant"),
            vec![],
        ),
    }
}

pub fn get_pdf(state: &State, query: &Query) -> Response {
    let Some(number) = query.get("BillingDocument").and_then(unquote) else {
        return error(
            StatusCode::BAD_REQUEST,
            "/IWBEP/CM_MGW_RT/020",
            "BillingDocument must be a quoted literal",
            vec![],
        );
    };
    let exists = state
        .data
        .lock()
        .unwrap()
        .billing
        .iter()
        .any(|b| b["BillingDocument"] == number);
    if !exists {
        return error(
            StatusCode::NOT_FOUND,
            "/IWBEP/CM_MGW_RT/021",
            "Resource not found",
            vec![],
        );
    }
    // MIME base64 in lines of 76 characters, as SAP hands PDFs out.
    let encoded = base64::engine::general_purpose::STANDARD.encode(changes::pdf());
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pdf = lines.join("\r\n");
    json_response(
        json!({"d": {"GetPDF": {"__metadata": {"type": "API_BILLING_DOCUMENT_SRV.GetPDFResult"}, "BillingDocumentBinary": pdf}}}),
    )
}
