//! Every adapter that ships passes the whole suite, fault rules included, against a real ERP or
//! a real server speaking its protocol: the http adapter against the sandbox ERP and against the
//! Python and Node.js reference adapters, and the Tryton adapter against the provisioned Tryton.

use std::sync::Arc;

use erpfront::config::ErpConfig;
use erpfront::conformance::{self, Outcome, Report, Subject};
use erpfront::domain::CustomerId;
use erpfront::erp::demo::DemoErp;
use erpfront::erp::http::HttpConfig;
use erpfront::erp::tryton::TrytonConfig;
use erpfront::sim::spawn_sim;

use crate::support::adapters::ReferenceAdapter;
use crate::support::tryton;

fn http_config(base_url: String) -> ErpConfig {
    ErpConfig::Http(HttpConfig {
        connect_timeout_ms: 1000,
        request_timeout_ms: 1500,
        strict_answers: true,
        ..HttpConfig::at(base_url)
    })
}

async fn check(config: ErpConfig, customer: &str, other: &str) -> Report {
    let subject = Subject {
        erp: erpfront::erp::connect(&config).expect("the adapter builds"),
        customer: CustomerId::parse(customer).unwrap(),
        other_customer: CustomerId::parse(other).unwrap(),
        faults: conformance::fault_subjects(&config).await,
    };
    conformance::run(&subject).await
}

fn assert_all_pass(report: &Report) {
    for result in &report.results {
        assert_eq!(result.outcome, Outcome::Pass, "{}:\n{report}", result.id);
    }
}

/// Every rule passes but those starting with one of `unsupported`, which are skipped: the
/// adapter does not offer those operations, and says so rather than failing.
fn assert_all_pass_but_unsupported(report: &Report, unsupported: &[&str]) {
    for result in &report.results {
        if unsupported
            .iter()
            .any(|prefix| result.id.starts_with(prefix))
        {
            assert!(
                matches!(&result.outcome, Outcome::Skip(reason) if reason.contains("Unsupported")),
                "{}:\n{report}",
                result.id
            );
        } else {
            assert_eq!(result.outcome, Outcome::Pass, "{}:\n{report}", result.id);
        }
    }
}

#[tokio::test]
async fn the_http_adapter_passes_every_rule_against_the_sandbox_erp() {
    let (_, sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
    let report = check(http_config(sim.url()), "C-1000", "C-2000").await;
    assert_all_pass(&report);
}

#[tokio::test]
async fn the_http_adapter_passes_every_rule_against_the_sandbox_erp_without_its_order_lock() {
    let demo = DemoErp::embedded().unwrap().without_order_lock();
    let (_, sim) = spawn_sim(Arc::new(demo)).await;
    let report = check(http_config(sim.url()), "C-1000", "C-2000").await;
    assert_all_pass(&report);
}

#[tokio::test]
async fn the_http_adapter_passes_every_rule_against_the_python_reference_adapter() {
    let python = ReferenceAdapter::python().await;
    let report = check(http_config(python.url.clone()), "R-100", "H-200").await;
    // The reference adapter keeps no saved carts: it answers those paths `unsupported`.
    assert_all_pass_but_unsupported(&report, &["saved_cart."]);
}

#[tokio::test]
async fn the_http_adapter_passes_every_rule_against_the_node_reference_adapter() {
    let node = ReferenceAdapter::node().await;
    let report = check(http_config(node.url.clone()), "R-100", "H-200").await;
    // Like the Python one, it keeps no saved carts and answers those paths `unsupported`.
    assert_all_pass_but_unsupported(&report, &["saved_cart."]);
}

#[tokio::test]
async fn the_tryton_adapter_passes_every_rule_against_a_real_tryton() {
    let server = tryton::conformance_server();
    let config = ErpConfig::Tryton(TrytonConfig {
        warehouse: Some("WH".into()),
        request_timeout_ms: 10_000,
        ..TrytonConfig::new(
            &server.url,
            &server.database,
            &server.user,
            &server.password,
        )
    });
    let report = check(config, tryton::GOLD_CUSTOMER, tryton::VOLUME_CUSTOMER).await;
    assert_all_pass(&report);
}
