//! The process's life as an operator sees it, through the built binary: SIGTERM drains (the
//! request under way finishes, `/readyz` turns 503 at once, new connections are refused after
//! the delay, exit status 0), SIGHUP reloads the users file (and keeps the old one when the new
//! one is broken). `users_reload.rs` covers reloading on a changed file; `check_config.rs`
//! covers `erpfront check-config`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use erpfront::erp::demo::DemoErp;
use erpfront::sim::{Faults, spawn_sim};
use reqwest::{Client, StatusCode};
use tokio::process::Child;

use crate::support::processes::{
    Scratch, erpfront, free_port, instance_config, session_key, wait_ready,
};
use crate::support::{Browser, GLOBEX_TOKEN, NORTHWIND_TOKEN};

pub(crate) fn demo_users() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/users.toml")
}

pub(crate) fn signal(child: &Child, signal: libc::c_int) {
    let pid = child.id().expect("the process is running");
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: kill(2) with a pid this test started and still holds.
    assert_eq!(
        unsafe { libc::kill(pid, signal) },
        0,
        "kill({pid}, {signal})"
    );
}

/// Starts `erpfront serve` with `config` written to the scratch directory, logging to `log`.
pub(crate) async fn serve(scratch: &Scratch, config: &str, port: u16, log: &str) -> Child {
    let path = scratch.path("erpfront.toml");
    std::fs::write(&path, config).unwrap();
    let child = erpfront()
        .arg("serve")
        .arg("--config")
        .arg(&path)
        .stdout(scratch.log(log))
        .stderr(scratch.log(log))
        .spawn()
        .expect("erpfront starts");
    wait_ready(
        &Client::new(),
        &format!("http://127.0.0.1:{port}/readyz"),
        "erpfront",
    )
    .await;
    child
}

/// `erpfront serve` in front of a sandbox ERP whose every call takes `latency_ms`, with
/// `shutdown` settings added to `[server]`: a request started now is under way for seconds.
async fn serving_slowly(
    name: &str,
    shutdown: &str,
    latency_ms: u64,
) -> (erpfront::sim::SimHandle, Scratch, u16, Child) {
    let (sim_addr, sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
    let scratch = Scratch::new(name);
    let port = free_port();
    let config = instance_config(
        port,
        &session_key(),
        &demo_users(),
        &format!("[erp]\nkind = \"http\"\nbase_url = \"http://{sim_addr}/\"\n"),
    )
    .replace(
        "request_timeout_secs = 20",
        &format!("request_timeout_secs = 20\n{shutdown}"),
    );
    let child = serve(&scratch, &config, port, "erpfront.log").await;
    sim.set_faults(Faults {
        latency_ms,
        ..Faults::default()
    })
    .unwrap();
    (sim, scratch, port, child)
}

pub(crate) async fn products_status(client: &Client, port: u16, token: &str) -> StatusCode {
    client
        .get(format!("http://127.0.0.1:{port}/api/v1/products"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn sigterm_finishes_the_request_under_way_and_turns_readiness_off_at_once() {
    // Every ERP call takes 3 s: the catalog page below is under way for seconds.
    let (_sim, scratch, port, mut child) = serving_slowly(
        "sigterm",
        "shutdown_delay_secs = 1\nshutdown_grace_secs = 15",
        3000,
    )
    .await;
    let client = Client::new();
    let slow = tokio::spawn({
        let client = client.clone();
        async move { products_status(&client, port, NORTHWIND_TOKEN).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    signal(&child, libc::SIGTERM);
    tokio::time::sleep(Duration::from_millis(150)).await;

    // Within the delay: still accepting, but no longer inviting traffic; still alive.
    let ready = client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .expect("connections are still taken during the shutdown delay");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let alive = client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), StatusCode::OK);

    // After the delay: new connections are refused while the slow request is still running.
    tokio::time::sleep(Duration::from_millis(1300).saturating_sub(signalled.elapsed())).await;
    assert!(
        !slow.is_finished(),
        "the slow request should still be under way"
    );
    let refused = Client::new()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a new connection after the delay should be refused, got {refused:?}"
    );

    assert_eq!(
        slow.await.unwrap(),
        StatusCode::OK,
        "the request under way at SIGTERM must be answered in full"
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("erpfront exits after draining")
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    let log = std::fs::read_to_string(scratch.path("erpfront.log")).unwrap();
    assert!(log.contains("/readyz now answers 503"), "{log}");
}

#[tokio::test]
async fn a_request_past_the_grace_period_is_cut_off_and_the_process_still_exits() {
    let (_sim, scratch, port, mut child) =
        serving_slowly("grace", "shutdown_grace_secs = 1", 4000).await;
    let slow = tokio::spawn(async move {
        Client::new()
            .get(format!("http://127.0.0.1:{port}/api/v1/products"))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    signal(&child, libc::SIGTERM);
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("erpfront exits once the grace period is over")
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    let waited = signalled.elapsed();
    assert!(
        waited < Duration::from_millis(2500),
        "the grace period is 1 s, exit took {waited:?}"
    );
    assert!(slow.await.unwrap().is_err(), "the slow request was cut off");
    let log = std::fs::read_to_string(scratch.path("erpfront.log")).unwrap();
    assert!(log.contains("grace period over"), "{log}");
}

/// The demo users file plus `extra`.
pub(crate) fn users_with(extra: &str) -> String {
    format!(
        "{}\n{extra}",
        std::fs::read_to_string(demo_users()).unwrap()
    )
}

#[tokio::test]
async fn sighup_reloads_the_users_file_and_a_broken_one_changes_nothing() {
    let scratch = Scratch::new("sighup");
    let users = scratch.path("users.toml");
    std::fs::write(&users, users_with("")).unwrap();
    let port = free_port();
    let config = instance_config(port, &session_key(), &users, "[erp]\nkind = \"demo\"\n");
    let mut child = serve(&scratch, &config, port, "erpfront.log").await;
    let client = Client::new();
    assert_eq!(
        products_status(&client, port, "new-colleague-token").await,
        StatusCode::UNAUTHORIZED
    );

    // A new buyer, and Globex's buyer gone.
    let new_user = format!(
        "[[users]]\nlogin = \"new@northwind.example\"\nname = \"New Colleague\"\n\
         password_hash = \"{}\"\nrole = \"buyer\"\ncustomer = \"C-1000\"\n\
         api_token_sha256 = [\"{}\"]\n",
        erpfront::users::hash_password("welcome"),
        hex::encode(erpfront::users::token_hash("new-colleague-token")),
    );
    let without_globex = users_with(&new_user).replace(
        "\"32ea828153d52fb0c4ab4e40da54f12be7ac880148da8ed08de2cb7d936c63a5\"",
        "",
    );
    std::fs::write(&users, &without_globex).unwrap();
    signal(&child, libc::SIGHUP);
    let started = Instant::now();
    while products_status(&client, port, "new-colleague-token").await != StatusCode::OK {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the new user's token still fails 5 s after SIGHUP"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        products_status(&client, port, GLOBEX_TOKEN).await,
        StatusCode::UNAUTHORIZED,
        "a token taken out of the file stops working"
    );
    let mut browser = Browser::new(&format!("http://127.0.0.1:{port}"));
    let (status, location) = browser.login("new@northwind.example", "welcome").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/catalog"),
        "the new user logs in with a password"
    );

    // A broken file: the users in force stay, and the log says why.
    std::fs::write(&users, "[[users]]\nlogin = \"half a file").unwrap();
    signal(&child, libc::SIGHUP);
    let log_path = scratch.path("erpfront.log");
    let started = Instant::now();
    let log = loop {
        let log = std::fs::read_to_string(&log_path).unwrap();
        if log.contains("NOT reloaded") {
            break log;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(log.contains("users file reloaded"), "{log}");
    let refusal = log.lines().find(|l| l.contains("NOT reloaded")).unwrap();
    assert!(
        refusal.contains("users file") && refusal.contains("users.toml"),
        "the log line should say which file and why: {refusal}"
    );
    assert_eq!(
        products_status(&client, port, "new-colleague-token").await,
        StatusCode::OK
    );
    assert_eq!(
        products_status(&client, port, NORTHWIND_TOKEN).await,
        StatusCode::OK
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP must not end it"
    );
}
