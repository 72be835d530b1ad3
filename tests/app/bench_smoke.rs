//! The benchmark (`bash tests/bench/run`, README "Performance") must not rot: this runs it in its smoke
//! mode against the debug binary, which exercises the sim, erpfront and every measurement that
//! needs neither nginx nor wrk, and checks that the table has their rows. Smoke figures are
//! meaningless and nothing here judges them; only the full run's figures are worth reading.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_benchmark_runs_in_smoke_mode() {
    let out =
        std::env::temp_dir().join(format!("erpfront-bench-smoke-{}.md", uuid::Uuid::new_v4()));
    let mut child = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bench/run"))
        .args(["--smoke", "--bin", env!("CARGO_BIN_EXE_erpfront"), "--out"])
        .arg(&out)
        .stdin(Stdio::null())
        .spawn()
        .expect("bash runs tests/bench/run");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            // SIGTERM lets the script end the processes it started.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
            panic!("tests/bench/run --smoke did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "tests/bench/run --smoke failed: {status}");
    let table = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert!(table.contains("SMOKE MODE"), "{table}");
    for row in [
        "| Start-up to first ready",
        "| Miss overhead",
        "| Cold product (product + price + availability)",
        "| Stampede",
        "| Cached API hit with metrics on vs off",
        "| ERP calls per request",
        "| Peak RSS",
    ] {
        let line = table
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no row {row:?} in\n{table}"));
        assert!(
            line.ends_with("| PASS |") || line.ends_with("| MISS |"),
            "{line}"
        );
    }
    let zipf_phases = table
        .lines()
        .filter(|l| l.starts_with("| ERP calls per request"))
        .count();
    assert_eq!(zipf_phases, 2, "default cache and sized cache\n{table}");
}
