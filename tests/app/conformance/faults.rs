//! The broken ERPs on loopback, and the fault rules run against a small HTTP adapter pointed at
//! them: one that maps failures the way the contract asks, and one that calls everything
//! `Unavailable`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use erpfront::conformance::broken_erps::{
    NONSENSE_BODY, hanging_server, nonsense_server, unused_port_addr,
};
use erpfront::conformance::{self, FaultSubjects, Outcome};
use erpfront::domain::*;
use erpfront::erp::demo::DemoErp;
use erpfront::erp::{Erp, ErpError, ErpResult};
use serde::de::DeserializeOwned;

use super::subject;

const DEADLINE: Duration = Duration::from_millis(300);

#[tokio::test]
async fn the_hanging_server_never_answers_and_the_nonsense_server_answers_garbage() {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .get(format!("http://{}/", hanging_server().await))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() >= Duration::from_millis(200));

    let nonsense = format!("http://{}/rpc", nonsense_server().await);
    for _ in 0..2 {
        let response = client
            .post(&nonsense)
            .body("{\"method\": \"x\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = response.text().await.unwrap();
        assert_eq!(body, NONSENSE_BODY);
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_err());
    }

    let error = client
        .get(format!("http://{}/", unused_port_addr()))
        .send()
        .await
        .unwrap_err();
    assert!(error.is_connect(), "{error:?}");
}

#[tokio::test]
async fn the_fault_rules_pass_an_adapter_that_maps_failures_as_the_contract_asks() {
    let faults = fault_subjects(Mapping::AsTheContractAsks).await;
    let mut subject = subject(Arc::new(DemoErp::embedded().unwrap()));
    subject.faults = Some(faults);
    let report = conformance::run(&subject).await;
    for id in [
        "faults.unreachable",
        "faults.timeout",
        "faults.invalid_data",
    ] {
        assert_eq!(
            report.result(id).unwrap().outcome,
            Outcome::Pass,
            "{report}"
        );
    }
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn the_fault_rules_fail_an_adapter_that_calls_every_failure_unavailable() {
    let faults = fault_subjects(Mapping::EverythingUnavailable).await;
    let mut subject = subject(Arc::new(DemoErp::embedded().unwrap()));
    subject.faults = Some(faults);
    let report = conformance::run(&subject).await;
    assert_eq!(
        report.result("faults.unreachable").unwrap().outcome,
        Outcome::Pass
    );
    for (id, expected) in [
        ("faults.timeout", "Timeout"),
        ("faults.invalid_data", "InvalidData"),
    ] {
        let Outcome::Fail(reason) = &report.result(id).unwrap().outcome else {
            panic!("{id} should fail:\n{report}");
        };
        assert!(
            reason.starts_with("categories() failed with \"the ERP is unavailable")
                && reason.contains(&format!("expected {expected}")),
            "{reason}"
        );
    }
}

async fn fault_subjects(mapping: Mapping) -> FaultSubjects {
    let at = |addr| Arc::new(HttpProbeErp::new(format!("http://{addr}"), mapping)) as Arc<dyn Erp>;
    FaultSubjects {
        unreachable: at(unused_port_addr()),
        slow: at(hanging_server().await),
        slow_deadline: DEADLINE,
        nonsense: at(nonsense_server().await),
    }
}

#[derive(Clone, Copy)]
enum Mapping {
    AsTheContractAsks,
    EverythingUnavailable,
}

/// Just enough of an HTTP adapter to meet broken ERPs: every call is a GET of JSON.
struct HttpProbeErp {
    base: String,
    client: reqwest::Client,
    mapping: Mapping,
}

impl HttpProbeErp {
    fn new(base: String, mapping: Mapping) -> Self {
        let client = reqwest::Client::builder()
            .timeout(DEADLINE)
            .build()
            .unwrap();
        Self {
            base,
            client,
            mapping,
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> ErpResult<T> {
        let contract = matches!(self.mapping, Mapping::AsTheContractAsks);
        let transport = |e: reqwest::Error| match e.is_timeout() && contract {
            true => ErpError::Timeout,
            false => ErpError::unavailable(e.to_string()),
        };
        let response = self.client.get(format!("{}{path}", self.base)).send().await;
        let text = response
            .map_err(transport)?
            .text()
            .await
            .map_err(transport)?;
        serde_json::from_str(&text).map_err(|e| match contract {
            true => ErpError::invalid_data(e.to_string()),
            false => ErpError::unavailable(e.to_string()),
        })
    }
}

#[async_trait]
impl Erp for HttpProbeErp {
    fn name(&self) -> &str {
        "http-probe"
    }
    async fn categories(&self) -> ErpResult<Vec<Category>> {
        self.get("/categories").await
    }
    async fn search_products(&self, _: &CatalogQuery) -> ErpResult<ProductPage> {
        self.get("/products").await
    }
    async fn product(&self, sku: &Sku) -> ErpResult<Product> {
        self.get(&format!("/products/{sku}")).await
    }
    async fn prices(&self, customer: &CustomerId, _: &[Sku]) -> ErpResult<Vec<Price>> {
        self.get(&format!("/customers/{customer}/prices")).await
    }
    async fn availability(&self, _: &[Sku]) -> ErpResult<Vec<Availability>> {
        self.get("/availability").await
    }
    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        self.get(&format!("/customers/{customer}")).await
    }
    async fn create_order(&self, _: &IdempotencyKey, _: &NewOrder) -> ErpResult<Order> {
        self.get("/orders/new").await
    }
    async fn find_order_by_key(
        &self,
        customer: &CustomerId,
        key: &IdempotencyKey,
    ) -> ErpResult<Option<Order>> {
        self.get(&format!("/customers/{customer}/orders?key={key}"))
            .await
    }
    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        self.get(&format!("/customers/{customer}/orders")).await
    }
    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        self.get(&format!("/customers/{customer}/orders/{number}"))
            .await
    }
    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> {
        self.get(&format!("/customers/{customer}/invoices")).await
    }
    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        self.get(&format!("/customers/{customer}/invoices/{number}"))
            .await
    }
    async fn invoice_document(&self, _: &CustomerId, _: &InvoiceNumber) -> ErpResult<Document> {
        Err(ErpError::Unsupported {
            operation: "invoice_document",
        })
    }
}
