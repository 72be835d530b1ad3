//! The outcome of a conformance run, and its rendering as a table a person reads.

use std::fmt;
use std::time::Duration;

/// How one rule ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The adapter behaves as the rule asks.
    Pass,
    /// It does not; the reason names what was asked and what came back.
    Fail(String),
    /// The rule could not be checked (no data for it, no broken ERPs); the reason says why.
    Skip(String),
}

impl Outcome {
    /// `PASS`, `FAIL` or `SKIP`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail(_) => "FAIL",
            Self::Skip(_) => "SKIP",
        }
    }

    /// Why it failed or was skipped.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Pass => None,
            Self::Fail(reason) | Self::Skip(reason) => Some(reason),
        }
    }
}

/// One rule's result.
#[derive(Debug, Clone)]
pub struct RuleResult {
    /// The rule's id, such as `catalog.paging`.
    pub id: &'static str,
    /// What the rule asks of an adapter, in one sentence.
    pub description: &'static str,
    /// How it ended.
    pub outcome: Outcome,
    /// How long it took.
    pub elapsed: Duration,
}

/// Every rule's result, in the order the rules ran.
#[derive(Debug, Clone)]
pub struct Report {
    /// The results.
    pub results: Vec<RuleResult>,
    /// The test orders the run left in the ERP, when it created any.
    pub left_behind: Option<LeftBehind>,
}

/// The test orders a run left in the ERP, for the integrator to cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftBehind {
    /// The customer they were created for.
    pub customer: String,
    /// The PO number every one of them starts with.
    pub po_number: String,
    /// Number and PO number of each, as the ERP lists them.
    pub orders: Vec<(String, String)>,
    /// Why they could not be listed, when they could not.
    pub unlisted: Option<String>,
}

impl fmt::Display for LeftBehind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.unlisted {
            return write!(
                f,
                "Test orders with PO numbers starting {} may be in the ERP for {}; they could not be listed ({why}).",
                self.po_number, self.customer
            );
        }
        if self.orders.is_empty() {
            return write!(f, "No test order is in the ERP for {}.", self.customer);
        }
        let orders: Vec<String> = self
            .orders
            .iter()
            .map(|(number, po)| format!("{number} (PO {po})"))
            .collect();
        write!(
            f,
            "Test orders left in the ERP for {}, to cancel there: {}",
            self.customer,
            orders.join(", ")
        )
    }
}

impl Report {
    /// Whether no rule failed (skipped rules do not count against the adapter).
    pub fn passed(&self) -> bool {
        self.failed_count() == 0
    }

    /// How many rules failed.
    pub fn failed_count(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Fail(_)))
    }

    /// How many rules were skipped.
    pub fn skipped_count(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skip(_)))
    }

    /// The result of the rule with this id.
    pub fn result(&self, id: &str) -> Option<&RuleResult> {
        self.results.iter().find(|r| r.id == id)
    }

    fn count(&self, which: impl Fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| which(&r.outcome)).count()
    }
}

/// What an adapter call answered, without the call: `prices(C-1, …) failed: the ERP sent
/// invalid data: …` has the cause `the ERP sent invalid data: …`.
fn cause_of(reason: &str) -> Option<&str> {
    reason
        .split_once(" failed: ")
        .map(|(_, cause)| cause)
        .filter(|cause| !cause.is_empty())
}

impl fmt::Display for Report {
    /// One line per rule (`PASS  catalog.paging  description`), the reason of a failure or
    /// skip indented below it, and a count at the end.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id_width = self.results.iter().map(|r| r.id.len()).max().unwrap_or(0);
        // One cause (a float price, a refused token) often fails many rules: it is said in full
        // under the first, and the others point to it.
        let mut causes: Vec<(&str, &str)> = Vec::new();
        for result in &self.results {
            writeln!(
                f,
                "{}  {:<id_width$}  {}",
                result.outcome.label(),
                result.id,
                result.description
            )?;
            let Some(reason) = result.outcome.reason() else {
                continue;
            };
            let shown = match (&result.outcome, cause_of(reason)) {
                (Outcome::Fail(_), Some(cause)) => {
                    match causes.iter().find(|(_, seen)| *seen == cause) {
                        Some((first, _)) => format!("the same cause as {first}: {cause}"),
                        None => {
                            causes.push((result.id, cause));
                            reason.to_owned()
                        }
                    }
                }
                _ => reason.to_owned(),
            };
            if shown.starts_with("the same cause as ") {
                let short: String = shown.chars().take(160).collect();
                writeln!(f, "{:indent$}{short}", "", indent = id_width + 8)?;
                continue;
            }
            for line in shown.lines() {
                writeln!(f, "{:indent$}{line}", "", indent = id_width + 8)?;
            }
        }
        let failed = self.failed_count();
        let skipped = self.skipped_count();
        write!(
            f,
            "{} rules: {} passed, {failed} failed, {skipped} skipped",
            self.results.len(),
            self.results.len() - failed - skipped
        )?;
        if let Some(left_behind) = &self.left_behind {
            write!(f, "\n{left_behind}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &'static str, outcome: Outcome) -> RuleResult {
        RuleResult {
            id,
            description: "Does the thing.",
            outcome,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn skips_do_not_fail_a_report_and_reasons_are_shown() {
        let report = Report {
            results: vec![
                result("a.pass", Outcome::Pass),
                result("b.longer_id", Outcome::Skip("no invoices".into())),
            ],
            left_behind: None,
        };
        assert!(report.passed());
        let text = report.to_string();
        assert!(
            text.contains("PASS  a.pass       Does the thing."),
            "{text}"
        );
        assert!(
            text.contains("SKIP  b.longer_id  Does the thing."),
            "{text}"
        );
        assert!(
            text.contains("\n                   no invoices\n"),
            "{text}"
        );
        assert!(
            text.ends_with("2 rules: 1 passed, 0 failed, 1 skipped"),
            "{text}"
        );

        let same = |id| {
            result(
                id,
                Outcome::Fail("prices(C-1, …) failed: the ERP sent invalid data: float".into()),
            )
        };
        let grouped = Report {
            results: vec![same("p.one"), same("p.two")],
            left_behind: None,
        }
        .to_string();
        assert_eq!(
            grouped.matches("prices(C-1, …) failed").count(),
            1,
            "{grouped}"
        );
        assert!(
            grouped.contains("the same cause as p.one: the ERP sent invalid data: float"),
            "{grouped}"
        );

        let failing = Report {
            results: vec![result("c.fail", Outcome::Fail("wrong".into()))],
            left_behind: Some(LeftBehind {
                customer: "C-1".into(),
                po_number: "TEST-AB".into(),
                orders: vec![("SO-7".into(), "TEST-AB".into())],
                unlisted: None,
            }),
        };
        assert!(
            failing.to_string().ends_with(
                "Test orders left in the ERP for C-1, to cancel there: SO-7 (PO TEST-AB)"
            ),
            "{failing}"
        );
        assert!(!failing.passed());
        assert_eq!(failing.failed_count(), 1);
    }
}
