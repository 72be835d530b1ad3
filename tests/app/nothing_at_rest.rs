//! "No business data at rest", checked rather than promised. The built binary runs under strace
//! while a buyer logs in, browses, fills a cart, places an order, opens an invoice and its PDF,
//! uses the JSON API and logs out, while the users file is reloaded and the process drains on
//! SIGTERM; any file erpfront opens for writing, creates, renames, links, truncates or removes
//! fails the test. The ERP is the sandbox over HTTP, so the HTTP client's paths are watched too.
//! `chaos/at_rest.rs` holds the instances of a chaos run to the same; `no_storage_drivers.rs`
//! checks the dependency tree.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::demo::DemoErp;
use erpfront::sim::spawn_sim;
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::support::processes::{
    Scratch, debian_program, free_port, instance_config, session_key, wait_ready,
};
use crate::support::{Browser, NORTHWIND_TOKEN};

/// System calls that put something on a file system. `open`/`openat`/`openat2` count only with a
/// writing flag; every other one counts whatever its arguments.
pub const WATCHED: &str = "open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,\
                       rmdir,mkdir,mkdirat,link,linkat,symlink,symlinkat,truncate,mknod,mknodat";

/// The flags that make an `open` a write.
const WRITING_FLAGS: [&str; 5] = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_TMPFILE"];

/// Paths a writing open may name because nothing is kept there. Empty today: erpfront opens
/// nothing for writing at all (its logs go to the standard output it inherits). Should a
/// library ever open `/dev/null` or `/dev/tty` for writing, list it here with the reason.
const NOT_DATA: [&str; 0] = [];

/// The lines of an strace log that show a write to a file system.
pub fn writes(trace: &str) -> Vec<&str> {
    trace
        .lines()
        .filter(|line| {
            let call = line
                .split_once(' ')
                .map_or(*line, |(_, rest)| rest.trim_start());
            let Some((name, args)) = call.split_once('(') else {
                return false; // "<... resumed>", "+++ exited" and the like
            };
            if name.starts_with("open") {
                WRITING_FLAGS.iter().any(|flag| args.contains(flag))
                    && !NOT_DATA
                        .iter()
                        .any(|path| args.contains(&format!("\"{path}\"")))
            } else {
                true
            }
        })
        .collect()
}

#[test]
fn the_trace_reader_sees_writes_and_only_writes() {
    let trace = "\
101 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3
101 openat(AT_FDCWD, \"/tmp/x\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 9
102 openat(AT_FDCWD, \"/tmp/y\", O_RDWR <unfinished ...>
102 <... openat resumed>) = 4
103 renameat2(AT_FDCWD, \"a\", AT_FDCWD, \"b\", 0) = 0
103 unlink(\"/tmp/z\") = -1 ENOENT (No such file or directory)
104 +++ exited with 0 +++
";
    let found = writes(trace);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].contains("/tmp/x") && found[3].contains("unlink"));
}

#[tokio::test]
async fn erpfront_writes_no_file_while_serving_buyers() {
    let strace = debian_program(
        "strace",
        "strace",
        "it watches erpfront's file system calls",
    );
    let (sim_addr, _sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
    let scratch = Scratch::new("at-rest");
    let users = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/users.toml");
    let port = free_port();
    let config = scratch.path("erpfront.toml");
    std::fs::write(
        &config,
        instance_config(
            port,
            &session_key(),
            &users,
            &format!("[erp]\nkind = \"http\"\nbase_url = \"http://{sim_addr}/\"\n"),
        ),
    )
    .unwrap();
    let trace_file = scratch.path("strace.log");
    let mut traced = tokio::process::Command::new(strace)
        .args(["-f", "-qq", "-e"])
        .arg(format!("trace={WATCHED}"))
        .arg("-o")
        .arg(&trace_file)
        .arg(env!("CARGO_BIN_EXE_erpfront"))
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .env("RUST_LOG", "warn,erpfront=info")
        .stdin(Stdio::null())
        .stdout(scratch.log("erpfront.log"))
        .stderr(scratch.log("erpfront.log"))
        .kill_on_drop(true)
        .spawn()
        .expect("strace starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = Client::new();
    wait_ready(&client, &format!("{base}/readyz"), "erpfront under strace").await;
    let erpfront = traced_child(&traced);

    buy_and_read_documents(&base).await;
    use_the_api(&client, &base).await;
    // A reload reads the users file again; it must not write anything either.
    signal(erpfront, libc::SIGHUP);
    tokio::time::sleep(Duration::from_millis(300)).await;

    signal(erpfront, libc::SIGTERM);
    let status = tokio::time::timeout(Duration::from_secs(30), traced.wait())
        .await
        .expect("erpfront exits on SIGTERM")
        .unwrap();
    assert!(status.success(), "erpfront under strace: {status:?}");

    let trace = std::fs::read_to_string(&trace_file).unwrap();
    assert!(
        trace.matches("users.toml").count() >= 2,
        "the trace should show the users file read at start and on SIGHUP; is strace tracing \
         every thread? {trace}"
    );
    let found = writes(&trace);
    assert!(
        found.is_empty(),
        "erpfront wrote to the file system:\n{}",
        found.join("\n")
    );
}

/// erpfront's pid: strace's child. Signals go to it directly, as strace keeps those sent to
/// itself.
fn traced_child(strace: &tokio::process::Child) -> libc::pid_t {
    let pid = strace.id().expect("strace is running");
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    children
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("strace {pid} has no child: {children:?}"))
}

fn signal(pid: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill(2) with the pid of erpfront, which this test started through strace and
    // which cannot have been reaped while strace still waits for it.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

async fn buy_and_read_documents(base: &str) {
    let mut anna = Browser::new(base);
    let (status, _) = anna.login("anna@northwind.example", "demo").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for path in ["/catalog", "/orders", "/invoices"] {
        let (status, _) = anna.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let key = anna.open_checkout_with("FAS-1001", "3").await;
    let (status, body) = anna.get("/checkout").await;
    assert_eq!(status, StatusCode::OK);
    let ship_to = crate::support::attr_of(
        &crate::support::html(&body),
        "select[name=ship_to] option",
        "value",
    )
    .unwrap();
    let (status, location, _) = anna
        .post(
            "/checkout",
            &[
                ("idempotency_key", &key),
                ("po_number", "PO-AT-REST-1"),
                ("ship_to", &ship_to),
                ("requested_date", ""),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the order is placed");
    let (status, _) = anna.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    let invoice = first_invoice(base).await;
    for path in [
        format!("/invoices/{invoice}"),
        format!("/invoices/{invoice}/pdf"),
    ] {
        let (status, body) = anna.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        if path.ends_with("/pdf") {
            assert!(body.starts_with("%PDF"), "a PDF at {path}");
        }
    }
    let (status, _, _) = anna.post("/logout", &[]).await;
    assert!(status.is_redirection(), "log-out: {status}");
}

async fn first_invoice(base: &str) -> String {
    let body: Value = Client::new()
        .get(format!("{base}/api/v1/invoices"))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = body["items"][0]["number"].as_str().expect("an invoice");
    percent_encode(number)
}

fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn use_the_api(client: &Client, base: &str) {
    let invoice = first_invoice(base).await;
    for path in [
        "/api/v1/products".to_string(),
        "/api/v1/orders".to_string(),
        format!("/api/v1/invoices/{invoice}/pdf"),
    ] {
        let response = client
            .get(format!("{base}{path}"))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}
