//! `erpfront check-adapter`, run as the real binary.

use std::path::PathBuf;
use std::process::{Command, Output};

const CONFIG: &str = r#"
[session]
key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw=="
[support]
company = "Acme"
phone = "+49 30 1234"
email = "help@acme.example"
[users]
file = "users.toml"
[erp]
kind = "demo"
"#;

fn check_adapter(args: &[&str]) -> (Output, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_erpfront"))
        .arg("check-adapter")
        .args(args)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output, stdout, stderr)
}

fn config_file(text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("erpfront-check-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("erpfront.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn assert_passes(output: &Output, stdout: &str, stderr: &str) {
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Checking the demo adapter"), "{stdout}");
    assert!(stdout.contains("PASS  catalog.paging"), "{stdout}");
    assert!(
        stdout.contains("PASS  orders.idempotent_create"),
        "{stdout}"
    );
    assert!(stdout.contains("SKIP  faults.timeout"), "{stdout}");
    assert!(stdout.contains(" 0 failed, 3 skipped"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn checks_the_built_in_demo_erp() {
    let (output, stdout, stderr) = check_adapter(&["--demo"]);
    assert_passes(&output, &stdout, &stderr);
}

#[test]
fn checks_the_erp_a_configuration_names_with_its_customers() {
    let with_customers =
        format!("{CONFIG}\n[conformance]\ncustomer = \"C-2000\"\nother_customer = \"C-3000\"\n");
    let path = config_file(&with_customers);
    let (output, stdout, stderr) = check_adapter(&["--config", path.to_str().unwrap()]);
    assert_passes(&output, &stdout, &stderr);
}

#[test]
fn refuses_a_configuration_without_conformance_customers() {
    let path = config_file(CONFIG);
    let (output, stdout, stderr) = check_adapter(&["--config", path.to_str().unwrap()]);
    assert!(!output.status.success(), "{stdout}");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--customer and --other-customer"),
        "{stderr}"
    );
    assert!(stderr.contains("other_customer = "), "{stderr}");
    assert!(!stdout.contains("PASS"), "{stdout}");
}

#[test]
fn a_configuration_with_only_the_erp_and_the_customers_is_enough() {
    let path = config_file(
        "[erp]\nkind = \"demo\"\n[conformance]\ncustomer = \"C-1000\"\nother_customer = \"C-2000\"\n",
    );
    let (output, stdout, stderr) = check_adapter(&["--config", path.to_str().unwrap()]);
    assert_passes(&output, &stdout, &stderr);
    // The customers may come as flags instead.
    let path = config_file("[erp]\nkind = \"demo\"\n");
    let (output, stdout, stderr) = check_adapter(&[
        "--config",
        path.to_str().unwrap(),
        "--customer",
        "C-1000",
        "--other-customer",
        "C-2000",
    ]);
    assert_passes(&output, &stdout, &stderr);
}

/// A service speaking the HTTP adapter protocol on loopback, wanting `token`.
async fn sandbox(token: &str) -> erpfront::sim::SimHandle {
    use erpfront::sim::{SimAccess, SimControl, spawn_sim_with};
    let demo = std::sync::Arc::new(erpfront::erp::demo::DemoErp::embedded().unwrap());
    let control = SimControl::new(SimAccess {
        admin_token: None,
        protocol_token: Some(token.into()),
    });
    spawn_sim_with(demo, control).await.unwrap().1
}

async fn check_adapter_async(args: Vec<String>) -> (Output, String, String) {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        check_adapter(&args)
    })
    .await
    .unwrap()
}

fn http_args(url: &str, token: &str, customer: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "--http",
        url,
        "--token",
        token,
        "--customer",
        customer,
        "--other-customer",
        "C-2000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[tokio::test]
async fn the_preflight_says_once_why_nothing_can_be_checked_and_stops() {
    let sim = sandbox("right-token").await;
    let url = sim.url();
    let nowhere = format!(
        "http://127.0.0.1:{}",
        crate::support::processes::free_port()
    );
    let cases = [
        (
            nowhere.as_str(),
            "right-token",
            "C-1000",
            "Connection refused",
        ),
        (url.as_str(), "wrong-token", "C-1000", "wrong bearer token"),
        (
            url.as_str(),
            "right-token",
            "C-9999",
            "check conformance.customer",
        ),
    ];
    for (base, token, customer, why) in cases {
        let (output, stdout, stderr) =
            check_adapter_async(http_args(base, token, customer, &[])).await;
        assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
        assert_eq!(stdout.matches(why).count(), 1, "{why}: {stdout}");
        assert!(stdout.contains("PREFLIGHT FAILED"), "{stdout}");
        assert!(
            !stdout.contains("PASS") && !stdout.contains("FAIL "),
            "{stdout}"
        );
        assert!(!stderr.contains(why), "said twice: {stderr}");
    }
}

#[tokio::test]
async fn flags_alone_check_an_http_adapter_and_list_the_test_orders_left_behind() {
    let sim = sandbox("right-token").await;
    let (output, stdout, stderr) = check_adapter_async(http_args(
        &sim.url(),
        "right-token",
        "C-1000",
        &["--only", "orders", "catalog.paging", "--format", "json"],
    ))
    .await;
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let ids: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"catalog.paging") && ids.contains(&"orders.create"),
        "{ids:?}"
    );
    assert!(
        ids.iter()
            .all(|id| *id == "catalog.paging" || id.starts_with("orders.")),
        "{ids:?}"
    );
    let left: Vec<&str> = report["test_orders"]["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["po_number"].as_str().unwrap())
        .collect();
    let prefix = report["test_orders"]["po_number_prefix"].as_str().unwrap();
    assert!(prefix.starts_with("TEST-"), "{report}");
    let mut expected = vec![
        prefix.to_string(),
        format!("{prefix}-D"),
        format!("{prefix}-RACE"),
    ];
    let mut left: Vec<String> = left.iter().map(|s| s.to_string()).collect();
    expected.sort();
    left.sort();
    assert_eq!(left, expected, "{report}");
}

#[test]
fn a_rule_name_that_is_no_rule_is_refused_and_the_rules_can_be_listed() {
    let (output, _, stderr) = check_adapter(&["--demo", "--only", "orders.crate"]);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("orders.crate"), "{stderr}");
    let (output, stdout, _) = check_adapter(&["--list"]);
    assert!(output.status.success());
    for id in erpfront::conformance::rule_ids() {
        assert!(stdout.contains(id), "{id} missing from {stdout}");
    }
}

#[test]
fn junit_output_has_a_case_per_rule_for_ci_systems() {
    let (output, stdout, stderr) = check_adapter(&["--demo", "--format", "junit"]);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("<?xml"), "{stdout}");
    let cases = stdout.matches("<testcase ").count();
    assert_eq!(cases, erpfront::conformance::rule_ids().len(), "{stdout}");
    assert!(stdout.contains("<skipped message="), "{stdout}");
}

#[test]
fn a_deadline_longer_than_a_rule_may_take_is_refused_naming_both() {
    let path = config_file(
        "[erp]\nkind = \"http\"\nbase_url = \"http://127.0.0.1:9\"\nrequest_timeout_ms = 35000\n\
         [conformance]\ncustomer = \"C-1000\"\nother_customer = \"C-2000\"\n",
    );
    let (output, stdout, stderr) = check_adapter(&["--config", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("erp.request_timeout_ms = 35000"),
        "{stderr}"
    );
    assert!(stderr.contains("--rule-timeout-secs = 30"), "{stderr}");
    let (output, stdout, stderr) = check_adapter(&[
        "--config",
        path.to_str().unwrap(),
        "--rule-timeout-secs",
        "60",
    ]);
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
}

/// The sandbox behind a proxy that sends every price as a JSON number, as an adapter written with
/// floats would: the gateway's own types would read it, the protocol forbids it.
async fn float_prices_in_front_of(sandbox: String) -> String {
    use axum::body::Bytes;
    use axum::extract::Request;
    use axum::response::IntoResponse;
    let client = reqwest::Client::new();
    let forward = move |request: Request| {
        let client = client.clone();
        let sandbox = sandbox.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body: Bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let url = format!("{}{}", sandbox.trim_end_matches('/'), parts.uri);
            let mut outgoing = client.request(parts.method.clone(), url).body(body);
            for (name, value) in &parts.headers {
                if name != "host" && name != "content-length" {
                    outgoing = outgoing.header(name, value);
                }
            }
            let answer = outgoing.send().await.unwrap();
            let status = answer.status();
            let headers = answer.headers().clone();
            let mut text = answer.text().await.unwrap();
            if parts.uri.path().ends_with("/prices") && status.is_success() {
                let mut prices: serde_json::Value = serde_json::from_str(&text).unwrap();
                for price in prices["items"].as_array_mut().unwrap() {
                    for tier in price["tiers"].as_array_mut().unwrap() {
                        let exact: f64 = tier["unit_price"].as_str().unwrap().parse().unwrap();
                        tier["unit_price"] = serde_json::json!(exact);
                    }
                }
                text = prices.to_string();
            }
            let mut response = (status, text).into_response();
            if let Some(kind) = headers.get("content-type") {
                response.headers_mut().insert("content-type", kind.clone());
            }
            response
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(forward);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}

#[tokio::test]
async fn a_float_price_fails_strict_checking_with_its_json_path() {
    let sim = sandbox("right-token").await;
    let proxy = float_prices_in_front_of(sim.url()).await;
    let (output, stdout, stderr) = check_adapter_async(http_args(
        &proxy,
        "right-token",
        "C-1000",
        &["--only", "prices"],
    ))
    .await;
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stdout.contains("FAIL  prices.tiers"), "{stdout}");
    assert!(
        stdout.contains("does not match protocol.openapi.json"),
        "{stdout}"
    );
    assert!(stdout.contains("$.items.0.tiers.0.unit_price"), "{stdout}");
}
