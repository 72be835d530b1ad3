//! The users file put in force again while serving, through the built binary: when its content
//! changes (no signal needed), written in place or swapped the way a Kubernetes ConfigMap volume
//! swaps it (a new directory, the `..data` symlink renamed over, the file's own mtime unchanged);
//! a broken file keeps the users in force and is logged and counted once; every attempt counts
//! in `erpfront_users_reloads_total`.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use tokio::process::Child;

use crate::lifecycle::{products_status, serve, signal, users_with};
use crate::support::processes::{Scratch, free_port, instance_config, session_key};
use crate::support::{Browser, NORTHWIND_TOKEN};

const NEW_TOKEN: &str = "new-colleague-token";

/// The demo users and a new buyer, `new@northwind.example` (password `welcome`, token
/// [`NEW_TOKEN`]).
fn users_with_new_colleague() -> String {
    users_with(&format!(
        "[[users]]\nlogin = \"new@northwind.example\"\nname = \"New Colleague\"\n\
         password_hash = \"{}\"\nrole = \"buyer\"\ncustomer = \"C-1000\"\n\
         api_token_sha256 = [\"{}\"]\n",
        erpfront::users::hash_password("welcome"),
        hex::encode(erpfront::users::token_hash(NEW_TOKEN)),
    ))
}

/// `erpfront serve` with the users file `users`, looked at every second, and its metrics on a
/// known port.
async fn serve_watching(scratch: &Scratch, users: &Path) -> (u16, u16, Child) {
    let (port, metrics) = (free_port(), free_port());
    let config = instance_config(
        port,
        &session_key(),
        users,
        "watch_interval_secs = 1\n\n[erp]\nkind = \"demo\"\n",
    )
    .replace(
        "[metrics]\nlisten = \"127.0.0.1:0\"",
        &format!("[metrics]\nlisten = \"127.0.0.1:{metrics}\""),
    );
    let child = serve(scratch, &config, port, "erpfront.log").await;
    (port, metrics, child)
}

/// The value of the one sample of `metric` whose labels contain each of `labels`; 0 if none.
async fn metric(port: u16, metric: &str, labels: &[&str]) -> f64 {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|line| {
            line.strip_prefix(metric).is_some_and(|rest| {
                rest.starts_with(['{', ' ']) && labels.iter().all(|l| rest.contains(l))
            })
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .fold(0.0, |sum, value| sum + value)
}

async fn reloads(port: u16, trigger: &str, result: &str) -> f64 {
    let trigger = format!("trigger=\"{trigger}\"");
    let result = format!("result=\"{result}\"");
    metric(port, "erpfront_users_reloads_total", &[&trigger, &result]).await
}

/// Waits (bounded) until `done` holds.
async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: not after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_changed_users_file_is_put_in_force_without_a_signal_and_a_broken_one_is_not() {
    let scratch = Scratch::new("users-watch");
    let users = scratch.path("users.toml");
    std::fs::write(&users, users_with("")).unwrap();
    let (port, metrics, mut child) = serve_watching(&scratch, &users).await;
    let client = Client::new();
    assert_eq!(
        products_status(&client, port, NEW_TOKEN).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        metric(metrics, "erpfront_users_last_reload_successful", &[]).await,
        1.0
    );

    // Written in place, no signal.
    std::fs::write(&users, users_with_new_colleague()).unwrap();
    eventually("the new user's token works", async || {
        products_status(&client, port, NEW_TOKEN).await == StatusCode::OK
    })
    .await;
    let mut browser = Browser::new(&format!("http://127.0.0.1:{port}"));
    let (status, location) = browser.login("new@northwind.example", "welcome").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/catalog")
    );
    assert_eq!(reloads(metrics, "file_change", "ok").await, 1.0);

    // Broken: the users in force stay; logged and counted once, however often it is looked at.
    std::fs::write(&users, "[[users]]\nlogin = \"half a file").unwrap();
    eventually("the broken file is counted", async || {
        reloads(metrics, "file_change", "rejected").await == 1.0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(reloads(metrics, "file_change", "rejected").await, 1.0);
    assert_eq!(
        metric(metrics, "erpfront_users_last_reload_successful", &[]).await,
        0.0
    );
    for token in [NEW_TOKEN, NORTHWIND_TOKEN] {
        assert_eq!(
            products_status(&client, port, token).await,
            StatusCode::OK,
            "{token}"
        );
    }
    let log = std::fs::read_to_string(scratch.path("erpfront.log")).unwrap();
    let refusals: Vec<_> = log.lines().filter(|l| l.contains("NOT reloaded")).collect();
    assert_eq!(refusals.len(), 1, "{log}");
    assert!(
        refusals[0].contains("users.toml") && refusals[0].contains("file_change"),
        "the line says which file, what triggered it and why: {}",
        refusals[0]
    );

    // SIGHUP reads it again whether or not it changed, and counts as a signal.
    signal(&child, libc::SIGHUP);
    eventually("SIGHUP is counted", async || {
        reloads(metrics, "signal", "rejected").await == 1.0
    })
    .await;
    assert_eq!(reloads(metrics, "file_change", "ok").await, 1.0);
    assert!(child.try_wait().unwrap().is_none());
}

/// A ConfigMap volume as the kubelet writes it: `users.toml -> ..data/users.toml`, `..data ->
/// ..<timestamp>`; an update writes a new timestamped directory, points `..data_tmp` at it,
/// renames that over `..data` and removes the old directory.
#[tokio::test]
async fn a_configmap_style_symlink_swap_is_put_in_force() {
    use std::os::unix::fs::symlink;

    let scratch = Scratch::new("users-configmap");
    let volume = scratch.path("config");
    let first = volume.join("..2026_12_04_10_00_00.1");
    std::fs::create_dir_all(&first).unwrap();
    std::fs::write(first.join("users.toml"), users_with("")).unwrap();
    symlink("..2026_12_04_10_00_00.1", volume.join("..data")).unwrap();
    symlink("..data/users.toml", volume.join("users.toml")).unwrap();
    let (port, metrics, _child) = serve_watching(&scratch, &volume.join("users.toml")).await;
    let client = Client::new();
    assert_eq!(
        products_status(&client, port, NEW_TOKEN).await,
        StatusCode::UNAUTHORIZED
    );

    let second = volume.join("..2026_12_04_10_05_00.2");
    std::fs::create_dir_all(&second).unwrap();
    let file = second.join("users.toml");
    std::fs::write(&file, users_with_new_colleague()).unwrap();
    // The same mtime as the file it replaces: only the content tells them apart.
    let mtime = std::fs::metadata(first.join("users.toml"))
        .unwrap()
        .modified()
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    symlink("..2026_12_04_10_05_00.2", volume.join("..data_tmp")).unwrap();
    std::fs::rename(volume.join("..data_tmp"), volume.join("..data")).unwrap();
    std::fs::remove_dir_all(&first).unwrap();

    eventually("the new user's token works", async || {
        products_status(&client, port, NEW_TOKEN).await == StatusCode::OK
    })
    .await;
    assert_eq!(reloads(metrics, "file_change", "ok").await, 1.0);
    assert_eq!(reloads(metrics, "file_change", "rejected").await, 0.0);
}
