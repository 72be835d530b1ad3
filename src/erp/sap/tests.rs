//! Parser tests, one per fixture scenario in `fixtures/sap/`.

use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::dec;
use serde_json::json;

use super::atom;
use super::convert;
use super::errors::{ErrorBody, SapMessage};
use super::odata::{self, Collection, from_d};
use super::response::decode;
use super::wire;
use crate::domain::{IdempotencyKey, NewOrder, NewOrderLine, Quantity, Sku};
use crate::erp::ErpError;

const PRODUCTS: &str = include_str!("../../../fixtures/sap/products.json");
const PRODUCT_LIST_ATOM: &str = include_str!("../../../fixtures/sap/product_list.atom.xml");
const PRODUCT_ATOM: &str = include_str!("../../../fixtures/sap/product.atom.xml");
const ORDERS: &str = include_str!("../../../fixtures/sap/sales_orders.json");
const BILLING: &str = include_str!("../../../fixtures/sap/billing_documents.json");
const DUPLICATE_PO: &str = include_str!("../../../fixtures/sap/error_duplicate_po.json");
const WITH_DETAILS: &str = include_str!("../../../fixtures/sap/error_with_details.json");
const SAP_MESSAGE: &str = include_str!("../../../fixtures/sap/sap_message_warning.json");

fn config() -> super::SapConfig {
    super::SapConfig::example("http://127.0.0.1:1", "U", "P")
}

#[test]
fn product_list_json() {
    let value: serde_json::Value = serde_json::from_str(PRODUCTS).unwrap();
    let list: Collection<wire::Product> = from_d(value, "products").unwrap();
    assert_eq!(list.results.len(), 18);
    let first = convert::product(list.results.into_iter().next().unwrap(), "EN").unwrap();
    assert_eq!(first.sku.as_str(), "BLT-M8-40");
    assert_eq!(first.name, "Hex bolt M8 x 40, zinc plated");
    assert_eq!(first.category, "L001");
    assert_eq!(first.attributes[0].value, "0.021 KG");
}

#[test]
fn product_list_atom() {
    let value = atom::to_json(PRODUCT_LIST_ATOM).unwrap();
    let list: Collection<wire::Product> = from_d(value, "products").unwrap();
    assert_eq!(list.count, Some(12));
    assert_eq!(list.results.len(), 2);
    let first = convert::product(list.results.into_iter().next().unwrap(), "EN").unwrap();
    assert_eq!(
        first.name,
        "Hex bolt M8 x 40, zinc & chrome \u{2013} plated"
    );
    assert_eq!(first.unit, "PC");
}

#[test]
fn product_entry_atom() {
    let value = atom::to_json(PRODUCT_ATOM).unwrap();
    let product: wire::Product = from_d(value, "product").unwrap();
    assert_eq!(product.gross_weight, Some(dec!(0.720)));
    let product = convert::product(product, "EN").unwrap();
    assert_eq!(product.name, "Claw hammer 500 g <fibreglass>");
    assert_eq!(product.category, "L002");
}

#[test]
fn atom_is_chosen_by_content_type() {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "content-type",
        "application/atom+xml;type=entry".parse().unwrap(),
    );
    let value = decode(&headers, PRODUCT_ATOM.as_bytes()).unwrap();
    assert_eq!(value["d"]["Product"], "HMR-500");
    headers.insert("content-type", "text/html".parse().unwrap());
    assert!(matches!(
        decode(&headers, b"<html/>"),
        Err(ErpError::InvalidData { .. })
    ));
}

#[test]
fn malformed_xml() {
    for broken in [
        "<feed><entry><content><m:properties><d:Product>X</d:Produc></m:properties></content></entry></feed>",
        "<feed><entry>",
        "",
        "not xml at all",
    ] {
        assert!(atom::to_json(broken).is_err(), "{broken:?}");
    }
}

#[test]
fn xml_with_dtd_refused() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<entry xmlns:m="m" xmlns:d="d"><content><m:properties><d:Product>&lol2;</d:Product></m:properties></content></entry>"#;
    let error = atom::to_json(billion_laughs).unwrap_err();
    assert!(error.0.contains("document type"), "{error}");
    let external = r#"<!doctype entry SYSTEM "file:///etc/passwd"><entry/>"#;
    assert!(atom::to_json(external).is_err());
    // An entity used without a declaration is refused, not expanded to nothing.
    let undeclared = r#"<entry xmlns:m="m" xmlns:d="d"><m:properties><d:Product>&xxe;</d:Product></m:properties></entry>"#;
    assert!(
        atom::to_json(undeclared)
            .unwrap_err()
            .0
            .contains("unknown entity")
    );
}

#[test]
fn decimal_as_number_is_invalid() {
    let mut value: serde_json::Value = serde_json::from_str(ORDERS).unwrap();
    value["d"]["results"][0]["to_Item"]["results"][0]["NetAmount"] = json!(95.0);
    let result: Result<Collection<wire::SalesOrder>, _> = from_d(value, "orders");
    let Err(ErpError::InvalidData { detail }) = result else {
        panic!("a number for a decimal must be refused");
    };
    assert!(detail.contains("decimal as a string"), "{detail}");
}

#[test]
fn missing_key_is_invalid() {
    let mut value: serde_json::Value = serde_json::from_str(ORDERS).unwrap();
    value["d"]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("SalesOrder");
    let result: Result<Collection<wire::SalesOrder>, _> = from_d(value, "orders");
    assert!(matches!(result, Err(ErpError::InvalidData { .. })));
}

#[test]
fn sales_order_list_json() {
    let value: serde_json::Value = serde_json::from_str(ORDERS).unwrap();
    let list: Collection<wire::SalesOrder> = from_d(value, "orders").unwrap();
    let order = list.results.into_iter().next().unwrap();
    let ship_to = crate::domain::Address {
        id: crate::domain::AddressId::parse("17100001").unwrap(),
        name: "x".into(),
        street: String::new(),
        postal_code: String::new(),
        city: String::new(),
        country: "DE".into(),
    };
    let order = convert::order(order, &config(), ship_to).unwrap();
    assert_eq!(order.number.as_str(), "5000001");
    assert_eq!(
        order.placed_on,
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    );
    assert_eq!(order.note.as_deref(), Some("Gate 2, mornings only"));
    assert_eq!(order.totals.net.amount, dec!(120.00));
    assert_eq!(
        order.totals.gross.amount,
        order.totals.net.amount + order.totals.tax.amount
    );
    assert_eq!(order.lines[0].unit_price.amount, dec!(0.19));
    assert_eq!(order.status, crate::domain::OrderStatus::Completed);
}

#[test]
fn billing_documents_json() {
    let value: serde_json::Value = serde_json::from_str(BILLING).unwrap();
    let list: Collection<wire::BillingDocument> = from_d(value, "billing").unwrap();
    let invoices: Vec<_> = list
        .results
        .into_iter()
        .map(|d| convert::invoice(d, 30).unwrap())
        .collect();
    assert_eq!(invoices[0].status, crate::domain::InvoiceStatus::Paid);
    assert!(invoices[0].open_amount.amount.is_zero());
    assert_eq!(invoices[1].open_amount, invoices[1].gross);
    assert_eq!(
        invoices[1].due_on,
        invoices[1].issued_on + chrono::Days::new(30)
    );
    assert_eq!(
        invoices[0].order_number.as_ref().unwrap().as_str(),
        "5000001"
    );
}

fn new_order(skus: &[&str]) -> NewOrder {
    NewOrder {
        customer: crate::domain::CustomerId::parse("17100001").unwrap(),
        po_number: "BW-2026-0114".into(),
        ship_to: None,
        requested_date: None,
        note: None,
        lines: skus
            .iter()
            .map(|s| NewOrderLine {
                sku: Sku::parse(*s).unwrap(),
                quantity: Quantity::new(1).unwrap(),
            })
            .collect(),
        placed_by: None,
    }
}

#[test]
fn sales_order_error_duplicate_po() {
    let body = ErrorBody::parse(DUPLICATE_PO.as_bytes()).unwrap();
    assert_eq!(body.code, "V4/115");
    let reason = convert::rejection_reason(&body, &new_order(&["BLT-M8-40"]));
    assert_eq!(
        reason,
        "An order with this PO number already exists. Please use another PO number."
    );
    assert!(
        !reason.contains("5000001"),
        "SAP's text must not reach the buyer"
    );
}

#[test]
fn error_body_with_details() {
    let body = ErrorBody::parse(WITH_DETAILS.as_bytes()).unwrap();
    assert_eq!(body.innererror.errordetails.len(), 2);
    assert!(body.describe().contains("V1/390"));
    let reason = convert::rejection_reason(&body, &new_order(&["BLT-M8-40", "ZZ-UNKNOWN"]));
    assert!(
        reason.starts_with("ZZ-UNKNOWN cannot be ordered"),
        "{reason}"
    );
    assert!(!reason.contains("activated"), "{reason}");
    // Unknown messages get a general sentence, never SAP's text.
    let mut other = body.clone();
    other.innererror.errordetails.clear();
    let reason = convert::rejection_reason(&other, &new_order(&["BLT-M8-40"]));
    assert_eq!(
        reason,
        "The order could not be accepted. Please check it or contact us."
    );
    assert!(ErrorBody::parse(b"<html>502</html>").is_none());
}

#[test]
fn sap_message_header() {
    let message = SapMessage::parse(SAP_MESSAGE).unwrap();
    assert_eq!(message.severity, "warning");
    assert_eq!(message.details[0].code, "V1/801");
    assert!(SapMessage::parse("plain text").is_none());
}

#[test]
fn dates_in_both_formats() {
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
    let ms = at.timestamp_millis();
    assert_eq!(odata::parse_datetime(&format!("/Date({ms})/")), Some(at));
    assert_eq!(
        odata::parse_datetime(&format!("/Date({ms}+0000)/")),
        Some(at)
    );
    assert_eq!(odata::parse_datetime("2026-03-02T00:00:00"), Some(at));
    assert_eq!(odata::parse_datetime("2026-03-02T00:00:00Z"), Some(at));
    assert_eq!(odata::parse_datetime("/Date(abc)/"), None);
    assert_eq!(odata::date_json(at.date_naive()), format!("/Date({ms})/"));
}

#[test]
fn literals_are_quoted_and_encoded() {
    assert_eq!(odata::quote("O'Brien"), "'O''Brien'");
    let query = odata::Query::new()
        .set("$filter", odata::eq("Material", "A' or 1 eq 1&$top=1#"))
        .encoded();
    assert_eq!(
        query,
        "%24filter=Material%20eq%20%27A%27%27%20or%201%20eq%201%26%24top%3D1%23%27"
    );
    assert_eq!(
        odata::key_path("A_Product", "INV/1"),
        "A_Product(%27INV%2F1%27)"
    );
}

#[test]
fn availability_now_and_next_receipt() {
    let records: Vec<wire::AvailabilityRecord> = serde_json::from_value(json!([
        {"PeriodStartUTCDateTime": "/Date(1704067200000+0000)/", "AvailableQuantityInBaseUnit": "45.000"},
        {"PeriodStartUTCDateTime": "/Date(4070908800000+0000)/", "AvailableQuantityInBaseUnit": "545.000"}
    ]))
    .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 0, 0, 0).unwrap();
    let a = convert::availability(Sku::parse("WRN-13").unwrap(), records, now).unwrap();
    assert_eq!(a.available, 45);
    assert_eq!(a.next_date, NaiveDate::from_ymd_opt(2099, 1, 1));
}

#[test]
fn idempotency_keys_fit_a_text() {
    assert!(IdempotencyKey::generate().as_str().len() <= 35);
}

#[test]
fn config_values_longer_than_sap_fields_are_refused_at_start() {
    assert!(config().validate().is_ok());
    type Break = fn(&mut super::SapConfig);
    let cases: [(&str, Break); 4] = [
        ("erp.plant must be 1 to 4", |c| c.plant = "10100".into()),
        ("erp.distribution_channel must be 1 to 2", |c| {
            c.distribution_channel = "100".into()
        }),
        ("erp.key_text_id must be 1 to 4", |c| {
            c.key_text_id = "ZEFKEY".into()
        }),
        ("erp.atp_checking_rule must be 1 to 2", |c| {
            c.atp_checking_rule = "A01".into()
        }),
    ];
    for (message, break_it) in cases {
        let mut wrong = config();
        break_it(&mut wrong);
        let error = wrong.validate().unwrap_err();
        assert!(error.starts_with(message), "{error}");
    }
}
