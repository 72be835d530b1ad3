//! The HTTP adapter's counterparts: the sandbox around a demo ERP, the Python and Node.js
//! reference adapters as child processes, and an `HttpErp` pointed at any of them with
//! test-sized timeouts.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use erpfront::erp::demo::DemoErp;
use erpfront::erp::http::{HttpErp, HttpErpSettings};
use erpfront::erp::{ErpError, ErpResult};
use erpfront::sim::{SimHandle, spawn_sim};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::processes::debian_program;

/// The request timeout of fault tests: short, so the suite stays fast.
pub const SHORT_TIMEOUT: Duration = Duration::from_millis(300);

/// What a call may take beyond its deadline before the test calls it late (scheduling on a busy
/// two-core machine, not the adapter).
pub const DEADLINE_MARGIN: Duration = Duration::from_millis(250);

/// An `HttpErp` for `url` with this request timeout.
pub fn http_erp(url: &str, request_timeout: Duration) -> HttpErp {
    let settings = HttpErpSettings::new(url)
        .unwrap()
        .with_timeouts(Duration::from_millis(200), request_timeout)
        .unwrap();
    HttpErp::new(settings).unwrap()
}

/// A fresh demo ERP, the sandbox serving it, and an `HttpErp` (5 s timeout) in front of that.
pub async fn demo_over_http() -> (Arc<DemoErp>, SimHandle, HttpErp) {
    let demo = Arc::new(DemoErp::embedded().expect("demo data loads"));
    let (_, sim) = spawn_sim(demo.clone()).await;
    let http = http_erp(&sim.url(), Duration::from_secs(5));
    (demo, sim, http)
}

/// Runs `call` and returns its error and how long it took; panics if it succeeded or took
/// longer than `deadline` plus the margin.
pub async fn fails_within<T: std::fmt::Debug>(
    deadline: Duration,
    call: impl Future<Output = ErpResult<T>>,
) -> ErpError {
    let started = Instant::now();
    let result = call.await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < deadline + DEADLINE_MARGIN,
        "took {elapsed:?}, the deadline is {deadline:?}: {result:?}"
    );
    match result {
        Ok(answer) => panic!("expected an error, got {answer:?}"),
        Err(error) => error,
    }
}

/// One of the reference adapters (`tests/reference_adapter/adapter.py`, or
/// `tests/reference_adapter_node/adapter.js`, which serves the same data files) on a free port,
/// killed when dropped.
pub struct ReferenceAdapter {
    pub url: String,
    _child: Child,
}

impl ReferenceAdapter {
    /// The Python one (Python 3.11 or later).
    pub async fn python() -> Self {
        Self::python_with(&[]).await
    }

    /// The Python one with these arguments (`--token T`).
    pub async fn python_with(args: &[&str]) -> Self {
        let mut command = Command::new("python3");
        command
            .arg(manifest_path("tests/reference_adapter/adapter.py"))
            .args(args);
        Self::start(
            command,
            "python3 runs (the reference adapter needs Python 3.11 or later)",
        )
        .await
    }

    /// The Node.js one, with Node installed from Debian first when the machine has none.
    pub async fn node() -> Self {
        Self::node_with(&[]).await
    }

    /// The Node.js one with these arguments (`--token T`).
    pub async fn node_with(args: &[&str]) -> Self {
        let node = debian_program(
            "node",
            "nodejs",
            "the Node.js reference adapter runs on it (Node 18 or later)",
        );
        let mut command = Command::new(node);
        command
            .arg(manifest_path("tests/reference_adapter_node/adapter.js"))
            .args(args);
        Self::start(command, "node runs the reference adapter").await
    }

    async fn start(mut command: Command, runs: &str) -> Self {
        let mut child = command
            .arg("0")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect(runs);
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("the reference adapter starts within 10 s")
            .expect("its stdout is readable")
            .expect("it prints its address");
        let url = first
            .strip_prefix("reference adapter listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_string();
        Self { url, _child: child }
    }
}

fn manifest_path(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}
