//! "No business data at rest" through failure: the sandbox chaos at half length, with each of the
//! three instances (and each restart of one) under `strace -f`, watching the same system calls as
//! `nothing_at_rest.rs`. Orders go through while the ERP slows past the deadlines, cuts answers
//! short, fails and garbles them, the breaker opens, calls are shed and instances are killed and
//! started again; at the end every instance drains on SIGTERM. Any file an instance opened for
//! writing, created, renamed, linked, truncated or removed fails the test: a failure path that
//! spilled an order to disk (a retry queue, a crash dump, a journal) would show here.

use super::sandbox::{Scenario, run};
use crate::nothing_at_rest::{WATCHED, writes};
use crate::support::processes::debian_program;

/// Half of the sandbox chaos: every fault and restart, in twenty seconds of load.
const SCALE: f64 = 0.5;

/// The sum over the instances' scrapes of every sample of `metric` whose labels contain
/// `labels` (empty: all of them).
fn total(scrapes: &[String], metric: &str, labels: &str) -> f64 {
    scrapes
        .iter()
        .flat_map(|scrape| scrape.lines())
        .filter(|line| {
            line.strip_prefix(metric)
                .is_some_and(|rest| rest.starts_with(['{', ' ']) && rest.contains(labels))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .fold(0.0, |sum, value| sum + value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::print_stdout, reason = "the counts are the test's report")]
async fn instances_write_no_file_through_chaos() {
    let strace = debian_program(
        "strace",
        "strace",
        "it watches erpfront's file system calls",
    );
    let ran = run(Scenario {
        name: "sandbox under strace",
        scale: SCALE,
        buyers: 20,
        strace: Some((strace, WATCHED)),
    })
    .await;

    // The failure paths were taken (figures of the three instances' last lives).
    let m = &ran.metrics;
    let opened = total(m, "erpfront_erp_breaker_transitions_total", "to=\"open\"");
    let failed: f64 = ["timeout", "unavailable", "invalid_data"]
        .iter()
        .map(|outcome| {
            total(
                m,
                "erpfront_erp_calls_total",
                &format!("outcome=\"{outcome}\""),
            )
        })
        .sum();
    let shed = total(m, "erpfront_erp_calls_shed_total", "");
    let refused = total(m, "erpfront_erp_calls_breaker_refused_total", "");
    println!(
        "chaos under strace: ERP calls failed {failed}, breaker opened {opened} time(s), \
         {refused} call(s) refused by it, {shed} shed"
    );
    assert!(failed > 0.0, "the ERP failed calls");
    assert!(opened > 0.0, "the breaker opened");
    assert!(
        shed + refused > 0.0,
        "calls were shed or refused by the open breaker"
    );

    // Three instances started, two of them killed and started again: five traces.
    let mut traces: Vec<_> = std::fs::read_dir(&ran.scratch.dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("strace-"))
        })
        .collect();
    traces.sort();
    assert_eq!(traces.len(), 5, "{traces:?}");
    for path in &traces {
        let trace = std::fs::read_to_string(path).unwrap();
        assert!(
            trace.contains("users.toml"),
            "{}: the trace should show the users file read at start; is strace tracing every \
             thread?",
            path.display()
        );
        let found = writes(&trace);
        assert!(
            found.is_empty(),
            "{}: erpfront wrote to the file system:\n{}",
            path.display(),
            found.join("\n")
        );
    }
}
