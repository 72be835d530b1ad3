//! Protocol details: logins, Atom answers, unknown records, oversized answers, and what the
//! simulator refuses as S/4HANA would.

use erpfront::domain::*;
use erpfront::erp::{Erp, ErpError};
use reqwest::StatusCode;

use erpfront::erp::sap::SapErp;

use super::{adapter, customer};
use crate::support::s4_sim::S4Sim;

#[tokio::test]
async fn wrong_credentials_are_unavailable_and_oauth_tokens_are_cached_and_renewed() {
    let sim = S4Sim::start().await;
    let mut wrong = sim.config();
    wrong.auth = erpfront::erp::sap::SapAuth::Basic {
        user: "ERPFRONT_COMM".into(),
        password: "nope".to_string().into(),
    };
    let error = SapErp::new(wrong).unwrap().categories().await.unwrap_err();
    assert!(matches!(error, ErpError::Unavailable { .. }), "{error:?}");

    let erp = SapErp::new(sim.oauth_config()).unwrap();
    assert_eq!(erp.categories().await.unwrap().len(), 3);
    erp.product(&Sku::parse("HMR-500").unwrap()).await.unwrap();
    assert_eq!(sim.token_grants(), 1);
    sim.revoke_oauth_tokens();
    erp.categories().await.unwrap();
    assert_eq!(sim.token_grants(), 2);
}

#[tokio::test]
async fn products_answered_in_atom_read_the_same_as_json() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let query = CatalogQuery::new(None, Some("L001"), 1, 3);
    let json_page = erp.search_products(&query).await.unwrap();
    let hammer = erp.product(&Sku::parse("HMR-500").unwrap()).await.unwrap();
    sim.answer_products_in_atom();
    let atom_page = erp.search_products(&query).await.unwrap();
    assert_eq!(atom_page, json_page);
    assert_eq!(
        atom_page.total, 5,
        "the product marked for deletion is left out"
    );
    assert_eq!(
        erp.product(&Sku::parse("HMR-500").unwrap()).await.unwrap(),
        hammer
    );
}

#[tokio::test]
async fn unknown_customers_are_not_found_and_unknown_skus_left_out() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    for unknown in ["99999999", "17100003"] {
        let error = erp.customer(&customer(unknown)).await.unwrap_err();
        assert_eq!(error, ErpError::NotFound, "{unknown}");
    }
    let skus = [
        Sku::parse("ZZ-NONE").unwrap(),
        Sku::parse("HMR-500").unwrap(),
    ];
    let error = erp.prices(&customer("99999999"), &skus).await.unwrap_err();
    assert_eq!(error, ErpError::NotFound);
    let prices = erp.prices(&customer("17100002"), &skus).await.unwrap();
    assert_eq!(prices.len(), 1);
    assert_eq!(prices[0].base().amount, rust_decimal::dec!(13.90));
    let availability = erp.availability(&skus).await.unwrap();
    assert_eq!(availability.len(), 1);
    assert_eq!(availability[0].available, 0);
    let invoice = InvoiceNumber::parse("90000004").unwrap();
    let cancelled = erp
        .invoice(&customer("17100001"), &invoice)
        .await
        .unwrap_err();
    assert_eq!(
        cancelled,
        ErpError::NotFound,
        "cancelled billing documents are not shown"
    );
}

#[tokio::test]
async fn an_oversized_answer_is_cut_off_as_invalid_data() {
    let app = axum::Router::new()
        .fallback(|| async { ([("content-type", "application/json")], vec![b' '; 9 << 20]) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut config = S4Sim::start().await.config();
    config.base_url = format!("http://{addr}");
    let error = SapErp::new(config).unwrap().categories().await.unwrap_err();
    let ErpError::InvalidData { detail } = error else {
        panic!("expected InvalidData, got {error:?}");
    };
    assert!(detail.contains("larger than"), "{detail}");
}

#[tokio::test]
async fn the_simulator_refuses_filters_on_fields_sap_does_not_filter() {
    let sim = S4Sim::start().await;
    let get = |query: &str| {
        reqwest::Client::new()
            .get(format!(
                "{}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder?{query}",
                sim.base_url()
            ))
            .basic_auth("ERPFRONT_COMM", Some("comm-secret"))
            .send()
    };
    let response = get("$filter=TotalNetAmount%20eq%20'1'").await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]["value"]
            .as_str()
            .unwrap()
            .contains("not filterable")
    );
    let response = get("$filter=SoldToParty%20eq%20'17100002'").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn deletes_need_the_current_etag() {
    let sim = S4Sim::start().await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let url = format!(
        "{}/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder('5000001')",
        sim.base_url()
    );
    let read = client
        .get(&url)
        .basic_auth("ERPFRONT_COMM", Some("comm-secret"))
        .header("x-csrf-token", "Fetch")
        .send()
        .await
        .unwrap();
    let token = read.headers()["x-csrf-token"].to_str().unwrap().to_owned();
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let delete = |if_match: Option<&str>| {
        let mut request = client
            .delete(&url)
            .basic_auth("ERPFRONT_COMM", Some("comm-secret"))
            .header("x-csrf-token", &token);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send()
    };
    assert_eq!(
        delete(None).await.unwrap().status(),
        StatusCode::PRECONDITION_REQUIRED
    );
    assert_eq!(
        delete(Some("W/\"datetimeoffset'1'\""))
            .await
            .unwrap()
            .status(),
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        delete(Some(&etag)).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(Some("*")).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn quotes_in_input_stay_inside_the_literal() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let sneaky = CatalogQuery::new(Some("ZZ') or Product eq ('HMR-500"), None, 1, 20);
    let page = erp.search_products(&sneaky).await.unwrap();
    assert_eq!(page.total, 0, "{:?}", page.items);
    let page = erp
        .search_products(&CatalogQuery::new(Some("hmr"), None, 1, 20))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].sku.as_str(), "HMR-500");
}
