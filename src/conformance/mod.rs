//! The adapter conformance suite: the behaviour every [`Erp`] adapter must show, written once as
//! rules and run against any adapter, by the test suite and by `erpfront check-adapter`.
//!
//! Each rule has a short id (`orders.idempotent_create`), a one-sentence description, and checks
//! that name exactly what went wrong. Together they are the executable form of the contract
//! documented on [`Erp`]: reading the rules is the quickest way to learn what an adapter owes
//! the gateway.
//!
//! The suite reads whatever data the ERP holds and writes two test orders (PO numbers `TEST-…`
//! and `TEST-…-RACE`, note [`TEST_ORDER_NOTE`]) for [`Subject::customer`], never for anyone
//! else: the one the order rules share, and the one `orders.concurrent_create` races for; the
//! search rules look for them. The saved-cart rules change that customer's saved cart and put
//! back what they found.
#![warn(missing_docs)]

pub mod broken_erps;
mod catalog;
mod command;
mod context;
mod faults;
mod invoices;
mod order_access;
mod order_details;
mod order_race;
mod orders;
mod output;
mod preflight;
mod pricing;
mod report;
mod saved_cart;
mod search_customers;
mod search_orders;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

pub use command::{demo_subject, fault_subjects, http_target, subject_for, subject_from_config};
pub use output::Format;
pub use preflight::preflight;
pub use report::{LeftBehind, Outcome, Report, RuleResult};

use crate::domain::CustomerId;
use crate::erp::Erp;
use context::Context;

/// The note every order the suite creates carries, so nobody ships it.
pub const TEST_ORDER_NOTE: &str = "erpfront conformance test order, not a real order";

/// How long one rule may take before it counts as failed, so that one hanging adapter call
/// cannot hang the whole run.
pub const RULE_TIMEOUT: Duration = Duration::from_secs(30);

/// The adapter under test and what the suite may do with it.
pub struct Subject {
    /// The adapter, pointed at the ERP to check.
    pub erp: Arc<dyn Erp>,
    /// The customer the suite may create test orders for.
    pub customer: CustomerId,
    /// A second customer, for isolation and customer-specific prices.
    pub other_customer: CustomerId,
    /// The same adapter pointed at broken ERPs, when the harness can build them; the fault
    /// rules are reported as skipped (with the reason) when absent.
    pub faults: Option<FaultSubjects>,
}

/// Instances of the adapter under test, each pointed at an ERP that fails in one way (see
/// [`broken_erps`] for servers to point them at).
pub struct FaultSubjects {
    /// Pointed at an address where nothing listens.
    pub unreachable: Arc<dyn Erp>,
    /// Pointed at a server that accepts connections and never answers.
    pub slow: Arc<dyn Erp>,
    /// The deadline `slow` was configured with: it must give up with `Timeout` about then.
    pub slow_deadline: Duration,
    /// Pointed at a server that answers every request with garbage.
    pub nonsense: Arc<dyn Erp>,
}

/// What a check concluded; `Err` is a failure with its reason, so `?` fails the rule.
type Checked = Result<Outcome, String>;

/// One behavioural rule of the contract.
struct Rule {
    id: &'static str,
    description: &'static str,
    check: for<'a> fn(&'a Context<'a>) -> BoxFuture<'a, Checked>,
}

/// Every rule, in the order they run and are reported: reads first, then the writes (the test
/// orders, the test customer's saved cart), then the broken ERPs.
fn rules() -> impl Iterator<Item = &'static Rule> {
    [
        catalog::RULES,
        pricing::RULES,
        orders::RULES,
        order_access::RULES,
        order_race::RULES,
        order_details::RULES,
        invoices::RULES,
        search_orders::RULES,
        search_customers::RULES,
        saved_cart::RULES,
        faults::RULES,
    ]
    .into_iter()
    .flatten()
}

/// The ids of every rule, in report order.
pub fn rule_ids() -> Vec<&'static str> {
    rules().map(|rule| rule.id).collect()
}

/// Every rule's id and description, in report order.
pub fn rule_list() -> Vec<(&'static str, &'static str)> {
    rules().map(|rule| (rule.id, rule.description)).collect()
}

/// Which rules a run checks: all, or those `--only` names.
#[derive(Debug, Clone, Default)]
pub struct Selection(Vec<String>);

impl Selection {
    /// Every rule.
    pub fn all() -> Self {
        Self::default()
    }

    /// The rules named by id (`orders.create`) or by group (`orders`, `orders.`); a name that
    /// is neither is refused, so a typo does not pass as an empty run.
    pub fn only(names: &[String]) -> Result<Self, String> {
        let unknown: Vec<&str> = names
            .iter()
            .filter(|name| !rules().any(|rule| selects(name, rule.id)))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            Ok(Self(names.to_vec()))
        } else {
            Err(format!(
                "no conformance rule is called {} (erpfront check-adapter --list names them)",
                unknown.join(", ")
            ))
        }
    }

    fn includes(&self, id: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|name| selects(name, id))
    }
}

fn selects(name: &str, id: &str) -> bool {
    let group = name.trim_end_matches('.');
    id == name
        || id
            .strip_prefix(group)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Runs every rule against `subject`, each within [`RULE_TIMEOUT`].
pub async fn run(subject: &Subject) -> Report {
    run_with_rule_timeout(subject, RULE_TIMEOUT).await
}

/// Runs every rule against `subject`, each within `rule_timeout`.
pub async fn run_with_rule_timeout(subject: &Subject, rule_timeout: Duration) -> Report {
    run_selected(subject, &Selection::all(), rule_timeout).await
}

/// Runs the selected rules against `subject`, each within `rule_timeout`, then lists the test
/// orders the run left in the ERP.
pub async fn run_selected(
    subject: &Subject,
    selection: &Selection,
    rule_timeout: Duration,
) -> Report {
    let context = Context::new(subject);
    let mut results = Vec::new();
    // One rule at a time: the ERP under test may be a production system, and the order rules
    // build on one shared test order.
    for rule in rules().filter(|rule| selection.includes(rule.id)) {
        let started = Instant::now();
        let outcome = match tokio::time::timeout(rule_timeout, (rule.check)(&context)).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(reason)) => Outcome::Fail(reason),
            Err(_) => Outcome::Fail(format!(
                "did not finish within {} s; an adapter call hangs",
                rule_timeout.as_secs_f32()
            )),
        };
        results.push(RuleResult {
            id: rule.id,
            description: rule.description,
            outcome,
            elapsed: started.elapsed(),
        });
    }
    let left_behind = if context.created_orders() {
        Some(left_behind(&context, rule_timeout).await)
    } else {
        None
    };
    Report {
        results,
        left_behind,
    }
}

/// The test orders the ERP lists for the test customer, found by the run's PO number: also
/// those whose creation timed out and which no rule saw.
async fn left_behind(context: &Context<'_>, deadline: Duration) -> LeftBehind {
    let customer = &context.subject.customer;
    let prefix = context.po_number();
    let listed = tokio::time::timeout(deadline, context.subject.erp.orders(customer)).await;
    let (orders, unlisted) = match listed {
        Ok(Ok(orders)) => (
            orders
                .into_iter()
                .filter(|o| o.po_number.starts_with(prefix))
                .map(|o| (o.number.as_str().to_owned(), o.po_number))
                .collect(),
            None,
        ),
        Ok(Err(error)) => (
            Vec::new(),
            Some(format!("orders({customer}) failed: {error}")),
        ),
        Err(_) => (
            Vec::new(),
            Some(format!(
                "orders({customer}) did not answer within {deadline:?}"
            )),
        ),
    };
    LeftBehind {
        customer: customer.as_str().to_owned(),
        po_number: prefix.to_owned(),
        orders,
        unlisted,
    }
}

/// `Err(reason())` unless `condition` holds.
fn ensure(condition: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if condition { Ok(()) } else { Err(reason()) }
}

/// Names the adapter call in an error, so a failure says which call went wrong.
trait During<T> {
    fn during(self, call: impl std::fmt::Display) -> Result<T, String>;
}

impl<T> During<T> for crate::erp::ErpResult<T> {
    fn during(self, call: impl std::fmt::Display) -> Result<T, String> {
        self.map_err(|error| format!("{call} failed: {error}"))
    }
}

/// `Ok` when `answer` is `NotFound`, otherwise a reason saying what came back instead;
/// `describe` names a record that should not have been returned.
fn expect_not_found<T>(
    call: &str,
    answer: crate::erp::ErpResult<T>,
    describe: impl FnOnce(&T) -> String,
) -> Result<(), String> {
    match answer {
        Err(crate::erp::ErpError::NotFound) => Ok(()),
        Ok(found) => Err(format!(
            "{call} returned {}; expected NotFound",
            describe(&found)
        )),
        Err(other) => Err(format!("{call} failed with \"{other}\"; expected NotFound")),
    }
}
