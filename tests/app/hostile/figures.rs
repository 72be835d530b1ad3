//! The issue's targets as figures, against the real binary with a lowered open-file limit:
//! 600 idle connections against `ulimit -n 512` while a new client is served, and a 64-way
//! login flood (each attempt from another address, as a botnet would, so throttling does not
//! stop it first) while a cached API answer is fetched. Prints what it measures; run with
//! `cargo test --test app hostile::figures -- --ignored --nocapture`.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use super::connect;
use crate::support::{attr_of, html};

const SKU: &str = "FAS-1001";

/// erpfront `serve` on the demo ERP under `ulimit -n 512`, trusting loopback as its proxy.
async fn start_limited() -> (Child, String, std::path::PathBuf) {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let dir = std::env::temp_dir().join(format!("erpfront-figures-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let users = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo/users.toml");
    let config = format!(
        r#"
        [server]
        listen = "127.0.0.1:{port}"
        trusted_proxies = ["127.0.0.1"]
        [metrics]
        listen = "127.0.0.1:0"
        [session]
        key = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw=="
        [support]
        company = "Demo"
        phone = "+49 30 555 0100"
        email = "orders@demo.example"
        [users]
        file = "{users}"
        [erp]
        kind = "demo"
        "#
    );
    let path = dir.join("erpfront.toml");
    std::fs::write(&path, config).unwrap();
    let binary = env!("CARGO_BIN_EXE_erpfront");
    let child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 512 && exec {binary} serve --config {}",
            path.display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let address = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .is_ok()
        {
            return (child, address, dir);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("erpfront did not start");
}

fn rss_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn p50(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

async fn cached_api_latencies(address: &str, during: Duration) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let url = format!("{address}/api/v1/products/{SKU}");
    let until = Instant::now() + during;
    let mut samples = Vec::new();
    while Instant::now() < until {
        let started = Instant::now();
        let answer = client.get(&url).bearer_auth("demo-northwind").send().await;
        if let Ok(answer) = answer {
            let _ = answer.bytes().await;
            samples.push(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    samples
}

#[tokio::test]
#[ignore = "prints figures; run on demand"]
async fn figures_for_idle_connections_and_a_login_flood() {
    let (child, address, dir) = start_limited().await;
    let pid = child.id().unwrap();

    // 600 idle connections against 512 descriptors, then a new client.
    let mut idle = Vec::new();
    for _ in 0..600 {
        idle.push(connect(&address).await);
    }
    let started = Instant::now();
    let served = reqwest::Client::new()
        .get(format!("{address}/healthz"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map(|r| r.status().as_u16());
    println!(
        "600 idle connections, ulimit -n 512: a new client got {served:?} in {:?}",
        started.elapsed()
    );
    drop(idle);

    let baseline = p50(cached_api_latencies(&address, Duration::from_secs(2)).await);
    println!(
        "cached API p50 before the flood: {baseline:?}, RSS {:.0} MiB",
        rss_mib(pid, "VmRSS:")
    );

    // 64 clients logging in with wrong passwords for 8 seconds, each try from a new address.
    let flood_until = Instant::now() + Duration::from_secs(8);
    let mut flood = Vec::new();
    for worker in 0..64u32 {
        let address = address.clone();
        flood.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap();
            let page = client.get(format!("{address}/login")).send().await.unwrap();
            let body = page.text().await.unwrap();
            let csrf = attr_of(&html(&body), "input[name=csrf]", "value").unwrap();
            let mut statuses = Vec::new();
            let mut attempt = 0u32;
            while Instant::now() < flood_until {
                attempt += 1;
                let forwarded = format!("10.{}.{}.{}", worker, attempt / 250 % 250, attempt % 250);
                let answer = client
                    .post(format!("{address}/login"))
                    .header("x-forwarded-for", forwarded)
                    .form(&[
                        ("login", format!("flood-{worker}-{attempt}@example.com")),
                        ("password", "guess".to_string()),
                        ("csrf", csrf.clone()),
                    ])
                    .send()
                    .await;
                if let Ok(answer) = answer {
                    statuses.push(answer.status().as_u16());
                }
            }
            statuses
        }));
    }
    let sampler = tokio::spawn(async move {
        let mut peak = 0.0f64;
        while Instant::now() < flood_until {
            peak = peak.max(rss_mib(pid, "VmRSS:"));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        peak
    });
    let during = cached_api_latencies(&address, Duration::from_secs(7)).await;
    let mut counts = std::collections::BTreeMap::new();
    for worker in flood {
        for status in worker.await.unwrap() {
            *counts.entry(status).or_insert(0u32) += 1;
        }
    }
    let peak = sampler.await.unwrap();
    let during_p50 = p50(during.clone());
    let max = during.iter().max().copied().unwrap_or_default();
    let slow: Vec<(usize, Duration)> = during
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, d)| *d > Duration::from_millis(50))
        .collect();
    println!("cached API answers over 50 ms during the flood (sample, time): {slow:?}");
    println!(
        "64-way login flood for 8 s: answers by status {counts:?}; cached API p50 {during_p50:?} (max {max:?}, {} samples); peak RSS {peak:.0} MiB (VmHWM {:.0} MiB)",
        during.len(),
        rss_mib(pid, "VmHWM:")
    );
    drop(child);
    let _ = std::fs::remove_dir_all(dir);
}
