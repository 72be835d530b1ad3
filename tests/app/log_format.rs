//! `[log] format`: a server configured with `format = "json"` writes one JSON object per line,
//! and every line written for a request names the request's id; `ERPFRONT_LOG_FORMAT` overrides
//! the file.

use std::process::Stdio;
use std::time::Duration;

use reqwest::Client;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

use crate::lifecycle::demo_users;
use crate::support::processes::{
    Scratch, erpfront, free_port, instance_config, session_key, wait_ready,
};

/// `erpfront serve` with `[log] format = "json"`, its standard output piped; `env_format` sets
/// `ERPFRONT_LOG_FORMAT`.
async fn serve_json(
    scratch: &Scratch,
    env_format: Option<&str>,
) -> (u16, Child, Lines<BufReader<ChildStdout>>) {
    let port = free_port();
    let config = instance_config(
        port,
        &session_key(),
        &demo_users(),
        "\n[erp]\nkind = \"demo\"\n\n[log]\nformat = \"json\"\n",
    );
    let path = scratch.path("erpfront.toml");
    std::fs::write(&path, config).unwrap();
    let mut command = erpfront();
    command
        .args(["serve", "--config"])
        .arg(&path)
        .env("RUST_LOG", "info,tower_http=debug")
        .env_remove("ERPFRONT_LOG_FORMAT")
        .stdout(Stdio::piped());
    if let Some(format) = env_format {
        command.env("ERPFRONT_LOG_FORMAT", format);
    }
    let mut child = command.spawn().expect("erpfront starts");
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    wait_ready(
        &Client::new(),
        &format!("http://127.0.0.1:{port}/readyz"),
        "erpfront",
    )
    .await;
    (port, child, lines)
}

async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("erpfront keeps logging")
        .unwrap()
        .expect("erpfront is running")
}

#[tokio::test]
async fn the_json_format_key_makes_json_lines_that_carry_the_request_id() {
    let scratch = Scratch::new("log-json");
    let (port, mut child, mut lines) = serve_json(&scratch, None).await;
    let response = reqwest::get(format!("http://127.0.0.1:{port}/login"))
        .await
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let mut of_the_request = 0;
    // tower_http logs the request's start and its answer: read until both are seen.
    while of_the_request < 2 {
        let line = next_line(&mut lines).await;
        let logged: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(
            logged["level"].is_string() && logged["timestamp"].is_string(),
            "{line}"
        );
        let Some(spans) = logged["spans"].as_array() else {
            continue; // not within a request: start-up lines
        };
        let Some(request) = spans.iter().find(|span| span["name"] == "request") else {
            continue;
        };
        assert!(request["request_id"].is_string(), "{line}");
        if request["request_id"] == id.as_str() {
            of_the_request += 1;
        }
    }
    child.kill().await.unwrap();
}

#[tokio::test]
async fn erpfront_log_format_overrides_the_configured_format() {
    let scratch = Scratch::new("log-override");
    let (_port, mut child, mut lines) = serve_json(&scratch, Some("text")).await;
    let line = next_line(&mut lines).await;
    assert!(
        serde_json::from_str::<serde_json::Value>(&line).is_err() && line.contains("erpfront"),
        "a text line: {line}"
    );
    child.kill().await.unwrap();
}
