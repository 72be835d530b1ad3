//! The simulator and the adapter held to SAP's published service definitions
//! (`fixtures/sap/metadata/`): every fixture, every answer of the simulator and every request
//! the adapter sends.

use erpfront::domain::*;
use erpfront::erp::Erp;
use serde_json::{Value, json};

use super::{adapter, customer, new_order};
use crate::support::s4_sim::S4Sim;
use crate::support::s4_sim::check::{self, Mode};
use crate::support::s4_sim::edmx::{self, Service};

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/sap/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn results(value: &Value) -> Vec<Value> {
    value["d"]["results"].as_array().unwrap().clone()
}

fn model(service: &str) -> &'static Service {
    edmx::service(service).unwrap()
}

#[test]
fn every_sap_fixture_matches_the_published_definitions() {
    let cases = [
        ("API_PRODUCT_SRV", "A_ProductType", "products.json"),
        ("API_BUSINESS_PARTNER", "A_CustomerType", "customers.json"),
        (
            "API_BUSINESS_PARTNER",
            "A_CustSalesPartnerFuncType",
            "partner_functions.json",
        ),
        (
            "API_BUSINESS_PARTNER",
            "A_BusinessPartnerType",
            "business_partners.json",
        ),
        (
            "API_SALES_ORDER_SRV",
            "A_SalesOrderType",
            "sales_orders.json",
        ),
        (
            "API_BILLING_DOCUMENT_SRV",
            "A_BillingDocumentType",
            "billing_documents.json",
        ),
        (
            "API_OUTBOUND_DELIVERY_SRV;v=0002",
            "A_OutbDeliveryHeaderType",
            "outbound_deliveries.json",
        ),
    ];
    let mut problems = Vec::new();
    for (service, type_name, file) in cases {
        let entities = results(&fixture(file));
        assert!(!entities.is_empty(), "{file}");
        for entity in entities {
            for problem in check::entity(model(service), type_name, &entity, Mode::Answer) {
                problems.push(format!("{file}: {problem}"));
            }
        }
    }
    let availability = fixture("availability.json");
    for (material, records) in availability.as_object().unwrap() {
        for record in records.as_array().unwrap() {
            let model = model("API_PRODUCT_AVAILY_INFO_BASIC");
            for problem in check::entity(model, "AvailabilityRecord", record, Mode::Answer) {
                problems.push(format!("availability.json {material}: {problem}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_checks_catch_misspelt_non_creatable_and_non_filterable_fields() {
    let orders = model("API_SALES_ORDER_SRV");
    let body = json!({"SalesOrderType": "OR", "TotalNetAmount": "1.00",
        "to_Item": [{"Materiel": "X", "RequestedQuantity": 2}]});
    let problems = check::entity(orders, "A_SalesOrderType", &body, Mode::Create);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("TotalNetAmount is not creatable"));
    assert!(problems.iter().any(|p| p.contains("\"Materiel\"")));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("RequestedQuantity is Edm.Decimal"))
    );
    let products = model("API_PRODUCT_SRV");
    let options = [(
        "$filter".to_owned(),
        "ProductType eq 'HAWA' and Prodcut eq 'A'".to_owned(),
    )];
    assert_eq!(check::query(products, "A_Product", &options).len(), 1);
    let partners = model("API_BUSINESS_PARTNER");
    let options = [(
        "$filter".to_owned(),
        "BusinessPartnerFullName eq 'A'".to_owned(),
    )];
    assert!(check::query(partners, "A_BusinessPartner", &options).is_empty());
    let options = [("$expand".to_owned(), "to_Adress".to_owned())];
    assert_eq!(
        check::query(partners, "A_BusinessPartner", &options).len(),
        1
    );
    let billing = model("API_BILLING_DOCUMENT_SRV");
    let call = [("BillingDocument".to_owned(), "90000001".to_owned())];
    assert_eq!(check::function_call(billing, "GetPDF", &call).len(), 1);
    let simulation = model("API_SALES_ORDER_SIMULATION_SRV");
    let body = json!({"SoldToParty": "1", "to_Pricing": {"TotalNetAmount": "1.00"}});
    let problems = check::entity(simulation, "A_SalesOrderSimulation", &body, Mode::Create);
    assert!(problems.is_empty(), "{problems:#?}");
    let answer = json!({"SoldToParty": "1", "TotalNetAmount": "1.00"});
    let problems = check::entity(simulation, "A_SalesOrderSimulation", &answer, Mode::Answer);
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[tokio::test]
async fn the_simulator_serves_the_published_metadata() {
    let sim = S4Sim::start().await;
    let response = reqwest::Client::new()
        .get(format!(
            "{}/sap/opu/odata/sap/API_SALES_ORDER_SRV/$metadata",
            sim.base_url()
        ))
        .basic_auth("ERPFRONT_COMM", Some("comm-secret"))
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let text = response.text().await.unwrap();
    assert_eq!(
        text,
        edmx::edmx_text("API_SALES_ORDER_SRV").unwrap(),
        "the file SAP published"
    );
    assert!(Service::from_edmx(&text).sets.contains_key("A_SalesOrder"));
}

/// Every operation of the adapter once, then nothing either side sent departs from SAP's
/// definitions.
#[tokio::test]
async fn everything_the_adapter_sends_and_the_simulator_answers_matches_the_definitions() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let buyer = customer("17100001");
    erp.categories().await.unwrap();
    let page = erp
        .search_products(&CatalogQuery::new(None, Some("L001"), 1, 10))
        .await
        .unwrap();
    let skus: Vec<Sku> = page.items.iter().map(|p| p.sku.clone()).collect();
    erp.product(&skus[0]).await.unwrap();
    erp.prices(&buyer, &skus).await.unwrap();
    erp.availability(&skus).await.unwrap();
    erp.customer(&buyer).await.unwrap();
    let key = IdempotencyKey::parse("metadata-check-0001").unwrap();
    let placed = erp
        .create_order(&key, &new_order("META-1", &[("BLT-M10-50", 5)]))
        .await
        .unwrap();
    erp.find_order_by_key(&buyer, &key).await.unwrap().unwrap();
    erp.order(&buyer, &placed.number).await.unwrap();
    erp.orders(&buyer).await.unwrap();
    let invoices = erp.invoices(&buyer).await.unwrap();
    erp.invoice(&buyer, &invoices[0].number).await.unwrap();
    erp.invoice_document(&buyer, &invoices[0].number)
        .await
        .unwrap();
    assert_eq!(sim.violations(), Vec::<String>::new());
}
