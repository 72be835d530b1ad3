//! A report in the forms its readers want: a table for a person, JSON for a script, JUnit XML for
//! a CI system's test view.

use std::str::FromStr;

use quick_xml::escape::escape;
use serde_json::json;

use super::{Outcome, Report};

/// How `check-adapter` prints its report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// One line per rule and the reasons, for a person.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// JUnit XML, one test case per rule.
    Junit,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "junit" => Ok(Self::Junit),
            other => Err(format!("{other:?} is not a format: text, json or junit")),
        }
    }
}

impl Format {
    /// The report of a run against the adapter called `adapter`.
    pub fn report(self, adapter: &str, report: &Report) -> String {
        match self {
            Self::Text => format!("Checking the {adapter} adapter\n{report}"),
            Self::Json => json_report(adapter, report),
            Self::Junit => junit_report(adapter, report),
        }
    }

    /// A run that stopped before any rule, because `reason`.
    pub fn preflight_failure(self, adapter: &str, reason: &str) -> String {
        let stopped = format!("the adapter failed the preflight, so no rule ran: {reason}");
        match self {
            Self::Text => format!("Checking the {adapter} adapter\nPREFLIGHT FAILED  {reason}"),
            Self::Json => json!({
                "adapter": adapter,
                "passed": false,
                "preflight": { "passed": false, "reason": reason },
                "rules": [],
            })
            .to_string(),
            Self::Junit => format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                 <testsuites name=\"erpfront check-adapter\" tests=\"1\" failures=\"0\" errors=\"1\">\n\
                 <testsuite name=\"{adapter}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n\
                 <testcase classname=\"preflight\" name=\"preflight\">\
                 <error message=\"{message}\">{message}</error></testcase>\n\
                 </testsuite>\n</testsuites>\n",
                adapter = escape(adapter),
                message = escape(stopped.as_str()),
            ),
        }
    }
}

fn json_report(adapter: &str, report: &Report) -> String {
    let rules: Vec<_> = report
        .results
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "description": r.description,
                "outcome": r.outcome.label().to_lowercase(),
                "reason": r.outcome.reason(),
                "elapsed_ms": r.elapsed.as_millis() as u64,
            })
        })
        .collect();
    let test_orders = report.left_behind.as_ref().map(|left| {
        json!({
            "customer": left.customer,
            "po_number_prefix": left.po_number,
            "orders": left.orders.iter().map(|(number, po)| json!({"number": number, "po_number": po})).collect::<Vec<_>>(),
            "unlisted": left.unlisted,
        })
    });
    let failed = report.failed_count();
    let skipped = report.skipped_count();
    json!({
        "adapter": adapter,
        "passed": report.passed(),
        "preflight": { "passed": true },
        "counts": {
            "rules": report.results.len(),
            "passed": report.results.len() - failed - skipped,
            "failed": failed,
            "skipped": skipped,
        },
        "rules": rules,
        "test_orders": test_orders,
    })
    .to_string()
}

fn junit_report(adapter: &str, report: &Report) -> String {
    let seconds: f64 = report.results.iter().map(|r| r.elapsed.as_secs_f64()).sum();
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"erpfront check-adapter\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{seconds:.3}\">\n\
         <testsuite name=\"{adapter}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{seconds:.3}\">\n",
        tests = report.results.len(),
        failures = report.failed_count(),
        skipped = report.skipped_count(),
        adapter = escape(adapter),
    );
    for result in &report.results {
        let group = result.id.split('.').next().unwrap_or(result.id);
        xml.push_str(&format!(
            "<testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
            escape(group),
            escape(result.id),
            result.elapsed.as_secs_f64()
        ));
        match &result.outcome {
            Outcome::Pass => {}
            Outcome::Fail(reason) => xml.push_str(&format!(
                "<failure message=\"{}\">{}</failure>",
                escape(result.description),
                escape(reason.as_str())
            )),
            Outcome::Skip(reason) => xml.push_str(&format!(
                "<skipped message=\"{}\"/>",
                escape(reason.as_str())
            )),
        }
        xml.push_str("</testcase>\n");
    }
    if let Some(left) = &report.left_behind {
        xml.push_str(&format!(
            "<system-out>{}</system-out>\n",
            escape(left.to_string().as_str())
        ));
    }
    xml.push_str("</testsuite>\n</testsuites>\n");
    xml
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::conformance::RuleResult;

    fn report() -> Report {
        let result = |id, outcome| RuleResult {
            id,
            description: "Does <the> thing.",
            outcome,
            elapsed: Duration::from_millis(12),
        };
        Report {
            results: vec![
                result("a.pass", Outcome::Pass),
                result("a.fail", Outcome::Fail("got \"x\" & <y>".into())),
                result("b.skip", Outcome::Skip("no data".into())),
            ],
            left_behind: None,
        }
    }

    #[test]
    fn json_names_every_rule_its_outcome_and_the_counts() {
        let value: serde_json::Value =
            serde_json::from_str(&Format::Json.report("http", &report())).unwrap();
        assert_eq!(value["passed"], false);
        assert_eq!(value["counts"]["failed"], 1);
        assert_eq!(value["counts"]["passed"], 1);
        assert_eq!(value["rules"][1]["outcome"], "fail");
        assert_eq!(value["rules"][1]["reason"], "got \"x\" & <y>");
        assert_eq!(value["rules"][0]["reason"], serde_json::Value::Null);
    }

    #[test]
    fn junit_is_well_formed_xml_with_one_case_per_rule() {
        let xml = Format::Junit.report("http", &report());
        let mut reader = quick_xml::Reader::from_str(&xml);
        let (mut cases, mut failures, mut skipped) = (0, 0, 0);
        loop {
            match reader.read_event().expect("well-formed") {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                    match e.name().as_ref() {
                        b"testcase" => cases += 1,
                        b"failure" => failures += 1,
                        b"skipped" => skipped += 1,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        assert_eq!((cases, failures, skipped), (3, 1, 1), "{xml}");
        assert!(xml.contains("got &quot;x&quot; &amp; &lt;y&gt;"), "{xml}");
        let stopped = Format::Junit.preflight_failure("http", "connection <refused>");
        assert!(stopped.contains("connection &lt;refused&gt;"), "{stopped}");
    }
}
