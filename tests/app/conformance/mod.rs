//! The conformance suite: the demo ERP passes it, deliberately flawed adapters fail it with a
//! report that names the rule and what happened, the broken ERPs for the fault rules behave,
//! and `erpfront check-adapter` runs it from the command line.

mod adapters;
mod check_adapter;
mod faults;
pub mod flawed_erp;

use std::sync::Arc;
use std::time::Duration;

use erpfront::conformance::{self, Outcome, Report, Subject, TEST_ORDER_NOTE};
use erpfront::domain::CustomerId;
use erpfront::erp::Erp;
use erpfront::erp::demo::DemoErp;

use flawed_erp::{Flaw, FlawedErp};

pub fn northwind() -> CustomerId {
    CustomerId::parse("C-1000").unwrap()
}

pub fn globex() -> CustomerId {
    CustomerId::parse("C-2000").unwrap()
}

pub fn subject(erp: Arc<dyn Erp>) -> Subject {
    Subject {
        erp,
        customer: northwind(),
        other_customer: globex(),
        faults: None,
    }
}

/// The failure reason of rule `id`, failing the test if the rule did not fail.
fn failure<'r>(report: &'r Report, id: &str) -> &'r str {
    let result = report.result(id).unwrap_or_else(|| panic!("no rule {id}"));
    match &result.outcome {
        Outcome::Fail(reason) => reason,
        other => panic!("{id} should fail, it is {other:?}:\n{report}"),
    }
}

#[tokio::test]
async fn the_demo_erp_passes_every_rule_and_skips_only_the_fault_rules() {
    let demo = Arc::new(DemoErp::embedded().unwrap());
    let report = conformance::run(&subject(demo.clone())).await;

    assert_eq!(report.results.len(), conformance::rule_ids().len());
    for result in &report.results {
        if result.id.starts_with("faults.") {
            assert!(
                matches!(result.outcome, Outcome::Skip(_)),
                "{}:\n{report}",
                result.id
            );
        } else {
            assert_eq!(result.outcome, Outcome::Pass, "{}:\n{report}", result.id);
        }
    }
    assert!(report.passed());
    assert_eq!(report.failed_count(), 0);

    // Exactly one order was created, marked as a test, and only for the test customer.
    let tests_of = |customer: CustomerId| {
        let demo = demo.clone();
        async move {
            let orders = demo.orders(&customer).await.unwrap();
            orders
                .into_iter()
                .filter(|o| o.po_number.starts_with("TEST-"))
                .collect::<Vec<_>>()
        }
    };
    let created = tests_of(northwind()).await;
    assert_eq!(
        created.len(),
        3,
        "the test order, the raced one and the one with every detail: {created:?}"
    );
    for summary in &created {
        let order = demo.order(&northwind(), &summary.number).await.unwrap();
        assert_eq!(order.note.as_deref(), Some(TEST_ORDER_NOTE));
    }
    assert!(tests_of(globex()).await.is_empty());
    assert!(
        tests_of(CustomerId::parse("C-3000").unwrap())
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn an_adapter_that_ignores_the_idempotency_key_fails_with_both_order_numbers() {
    let report = conformance::run(&subject(FlawedErp::new(Flaw::DuplicatesOnRetry))).await;
    assert!(!report.passed());
    let reason = failure(&report, "orders.idempotent_create");
    assert!(
        reason.starts_with("second create with the same key returned order SO-")
            && reason.contains(", first returned SO-"),
        "{reason}"
    );
    assert!(
        report
            .to_string()
            .contains("FAIL  orders.idempotent_create")
    );
    assert_eq!(
        report.result("catalog.paging").unwrap().outcome,
        Outcome::Pass
    );
}

#[tokio::test]
async fn an_adapter_that_looks_up_then_inserts_fails_the_race_with_every_order_number() {
    let report = conformance::run(&subject(FlawedErp::new(Flaw::LooksThenInserts))).await;
    let reason = failure(&report, "orders.concurrent_create");
    assert!(
        reason.starts_with("4 racing creates with one key answered with different orders: [\"SO-"),
        "{reason}"
    );
    assert_eq!(
        report.result("orders.idempotent_create").unwrap().outcome,
        Outcome::Pass,
        "one after the other it makes one order"
    );
    assert_eq!(report.failed_count(), 1, "{report}");
}

#[tokio::test]
async fn an_adapter_that_leaks_another_customers_order_fails_isolation() {
    let report = conformance::run(&subject(FlawedErp::new(Flaw::LeaksOrders))).await;
    let reason = failure(&report, "orders.isolation");
    assert!(
        reason.starts_with("order(C-2000, SO-") && reason.contains("of C-1000; expected NotFound"),
        "{reason}"
    );
    assert_eq!(report.failed_count(), 1, "{report}");
}

#[tokio::test]
async fn an_adapter_that_adds_up_totals_as_floats_fails_order_creation() {
    let report = conformance::run(&subject(FlawedErp::new(Flaw::FloatTotals))).await;
    let reason = failure(&report, "orders.create");
    assert!(reason.contains("is not the sum of its lines"), "{reason}");
}

#[tokio::test]
async fn a_hanging_call_fails_its_rules_on_time_and_the_run_goes_on() {
    let subject = subject(FlawedErp::new(Flaw::HangsListingOrders));
    let report = conformance::run_with_rule_timeout(&subject, Duration::from_millis(300)).await;
    let reason = failure(&report, "orders.create");
    assert!(
        reason.starts_with("did not finish within 0.3 s"),
        "{reason}"
    );
    assert_eq!(
        report.result("invoices.document").unwrap().outcome,
        Outcome::Pass
    );
}

#[tokio::test]
async fn adapters_that_drop_details_reorder_lists_or_answer_for_nobody_fail_their_rule() {
    let cases = [
        (Flaw::DropsDetails, "orders.details_kept", "shipping to"),
        (
            Flaw::SkipsUnknownSkus,
            "orders.unknown_sku_rejected",
            "created order SO-",
        ),
        (Flaw::OldestFirst, "lists.newest_first", "newest first"),
        (Flaw::AnyCustomer, "customer.unknown", "expected NotFound"),
        (
            Flaw::FloatPrices,
            "money.scale",
            "more than 4 decimal places",
        ),
    ];
    for (flaw, rule, words) in cases {
        let report = conformance::run(&subject(FlawedErp::new(flaw))).await;
        let reason = failure(&report, rule);
        assert!(reason.contains(words), "{rule}: {reason}");
    }
}
