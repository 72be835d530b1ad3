//! Chaos with real processes: three `erpfront serve` instances (the built binary, the same
//! session key, the `http` adapter) in front of one `erpfront erp-sim` process, behind HAProxy
//! on loopback. Twenty buyers place orders through HAProxy with the JSON API for about forty
//! seconds, each attempt with its own idempotency key and PO number, retrying the same key with
//! backoff on errors and timeouts as a browser or an integration would. Meanwhile the sandbox's
//! latency spikes past the adapter's deadline, its answers are cut short or garbled after it
//! created the orders, and two instances in turn are killed with SIGKILL and started again on
//! the same port.
//!
//! At the end, what the buyers were told is compared with what the ERP holds (every order of
//! both customers, read from the sandbox over the protocol and matched by PO number). This
//! proves that no order exists twice and none acknowledged to a buyer is missing, and it
//! accounts for every attempt: acknowledged, found in the ERP after all, or known not created.
//!
//! HAProxy retries a request on another instance when the connection failed or the instance
//! closed it without any answer (`retry-on conn-failure empty-response`). For an order POST the
//! second case may mean the dead instance had already sent the order to the ERP; the retry is
//! still safe because it carries the same `Idempotency-Key`, which erpfront looks up in the ERP
//! before creating, so it returns the existing order instead of making a second one. HAProxy
//! never retries once any part of an answer has arrived, and neither does it on timeouts.
//!
//! HAProxy must be installed (`.ci/run` installs Debian's package); the test fails rather than
//! skips without it. Every process is killed when the test ends, however it ends; their logs
//! are in a temporary directory, printed when the test fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::support::SendForJson;
use crate::support::processes::{
    Instances, Scratch, erpfront, free_port, haproxy, session_key, wait_ready,
};
use crate::support::{GLOBEX_TOKEN, NORTHWIND_TOKEN};

/// How long buyers start new attempts.
const LOAD: Duration = Duration::from_secs(40);
/// Concurrent buyers.
const BUYERS: usize = 20;
/// Submissions of one attempt (the first and its retries with the same key).
const TRIES: u32 = 8;
/// The buyer's own patience per request.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(8);

/// One erpfront instance's configuration: short deadlines, a quick breaker, small TTLs.
fn instance_config(port: u16, sim_port: u16, session_key: &str) -> String {
    let users = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/users.toml");
    format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
request_timeout_secs = 5

[session]
key = "{session_key}"

[support]
company = "Chaos Industrial Supply"
phone = "+49 30 555 0100"
email = "orders@chaos.example"

[users]
file = "{users}"

[erp]
kind = "http"
base_url = "http://127.0.0.1:{sim_port}/"
connect_timeout_ms = 300
request_timeout_ms = 1500

[cache]
catalog_ttl_secs = 2
price_ttl_secs = 2
availability_ttl_secs = 2
order_ttl_secs = 1

[resilience]
call_timeout_ms = 2000
max_concurrent_calls = 8
queue_timeout_ms = 500
breaker_failures = 5
breaker_open_ms = 1000
"#,
        users = users.display()
    )
}

fn haproxy_config(port: u16, instances: &[u16]) -> String {
    let servers: String = instances
        .iter()
        .enumerate()
        .map(|(i, p)| format!("    server erpfront{i} 127.0.0.1:{p} check\n"))
        .collect();
    format!(
        r#"
global
    maxconn 2000

defaults
    mode http
    timeout connect 500ms
    timeout client 10s
    timeout server 7s
    timeout queue 2s
    retries 3
    option redispatch 1
    # Only failures where no answer arrived at all; see the module comment for why this is safe
    # for order POSTs (they carry their idempotency key).
    retry-on conn-failure empty-response

frontend shop
    bind 127.0.0.1:{port}
    default_backend erpfront

backend erpfront
    balance roundrobin
    option httpchk GET /readyz
    default-server inter 300ms fall 2 rise 2
{servers}"#
    )
}

/// What happened to one attempt, as its buyer saw it.
#[derive(Debug, Clone)]
struct Attempt {
    customer: &'static str,
    po: String,
    /// The order number the buyer was given, if any.
    acknowledged: Option<String>,
    /// The last answer when none was an acknowledgement.
    last_failure: Option<String>,
}

#[derive(Default)]
struct Tally {
    attempts: Vec<Attempt>,
    failed_requests: usize,
    retries: usize,
    failures_seen: BTreeMap<String, usize>,
}

/// One buyer: new attempts until the load time is over, each submitted until acknowledged or
/// rejected, at most `TRIES` times, with the same key and body.
async fn buyer(
    number: usize,
    client: Client,
    shop: String,
    skus: Arc<Vec<String>>,
    tally: Arc<Mutex<Tally>>,
    until: Instant,
) {
    let (token, customer) = if number.is_multiple_of(2) {
        (NORTHWIND_TOKEN, "C-1000")
    } else {
        (GLOBEX_TOKEN, "C-2000")
    };
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let key = format!("chaos-{number}-{n}-{}", uuid::Uuid::new_v4().simple());
        let po = format!("CH-{number}-{n}");
        let body = json!({
            "po_number": po,
            "lines": [{"sku": skus[(number + n) % skus.len()], "quantity": 1 + n % 3}],
        });
        let mut attempt = Attempt {
            customer,
            po: po.clone(),
            acknowledged: None,
            last_failure: None,
        };
        for try_number in 0..TRIES {
            if try_number > 0 {
                tally.lock().unwrap().retries += 1;
                let backoff = Duration::from_millis((200 << try_number.min(4)).min(2_000));
                let jitter = Duration::from_millis(fastrand::u64(0..200));
                tokio::time::sleep(backoff + jitter).await;
            }
            let answer = client
                .post(format!("{shop}/api/v1/orders"))
                .bearer_auth(token)
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
                .await;
            let failure = match answer {
                Ok(response) if response.status().is_success() => {
                    match response.json::<Value>().await {
                        Ok(order) if order["po_number"] == po.as_str() => {
                            attempt.acknowledged = order["number"].as_str().map(str::to_owned);
                            break;
                        }
                        Ok(order) => panic!("{po}: the answer is another order: {order}"),
                        Err(error) => format!("body: {}", error_kind(&error)),
                    }
                }
                Ok(response) if response.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                    let text = response.text().await.unwrap_or_default();
                    panic!("{po}: rejected, which no retry of the same order should be: {text}");
                }
                Ok(response) => format!("HTTP {}", response.status().as_u16()),
                Err(error) => error_kind(&error),
            };
            let mut tally = tally.lock().unwrap();
            tally.failed_requests += 1;
            *tally.failures_seen.entry(failure.clone()).or_default() += 1;
            attempt.last_failure = Some(failure);
        }
        tally.lock().unwrap().attempts.push(attempt);
    }
}

fn error_kind(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "client timeout".into()
    } else if error.is_connect() {
        "connection refused".into()
    } else {
        "connection closed".into()
    }
}

/// Every order the ERP holds for `customer`, as `(po_number, number)`, over the protocol.
async fn erp_orders(client: &Client, sim: &str, customer: &str) -> Vec<(String, String)> {
    let body: Value = client
        .get(format!("{sim}/v1/customers/{customer}/orders"))
        .json_answer()
        .await;
    body["items"]
        .as_array()
        .expect("an order list")
        .iter()
        .map(|o| {
            (
                o["po_number"].as_str().unwrap().to_owned(),
                o["number"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn set_faults(client: &Client, sim: &str, faults: Value) {
    let response = client
        .put(format!("{sim}/admin/faults"))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "faults {faults} accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::print_stdout, reason = "the counts are the test's report")]
async fn orders_survive_a_killed_instance_and_erp_latency_spikes_behind_haproxy() {
    let haproxy = haproxy();
    let scratch = Arc::new(Scratch::new("chaos"));
    println!("chaos: logs in {}", scratch.dir.display());
    let control = Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    // The sandbox ERP, one process.
    let sim_port = free_port();
    let sim = format!("http://127.0.0.1:{sim_port}");
    let _sim = erpfront()
        .args(["erp-sim", "--listen", &format!("127.0.0.1:{sim_port}")])
        .stdout(scratch.log("erp-sim.log"))
        .stderr(scratch.log("erp-sim.log"))
        .spawn()
        .expect("erp-sim starts");
    wait_ready(&control, &format!("{sim}/v1/health"), "erp-sim").await;

    // Three instances with one session key.
    let session_key = session_key();
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let configs = ports
        .iter()
        .map(|port| (*port, instance_config(*port, sim_port, &session_key)))
        .collect();
    let mut instances = Instances::launch(scratch.clone(), configs).await;

    // HAProxy in front of them, in the foreground so it dies with the test.
    let shop_port = free_port();
    let shop = format!("http://127.0.0.1:{shop_port}");
    let haproxy_cfg = scratch.path("haproxy.cfg");
    std::fs::write(&haproxy_cfg, haproxy_config(shop_port, &ports)).unwrap();
    let _haproxy = Command::new(&haproxy)
        .arg("-db")
        .arg("-f")
        .arg(&haproxy_cfg)
        .kill_on_drop(true)
        .stdin(Stdio::null())
        .stdout(scratch.log("haproxy.log"))
        .stderr(scratch.log("haproxy.log"))
        .spawn()
        .expect("haproxy starts");
    wait_ready(&control, &format!("{shop}/readyz"), "haproxy").await;

    let products: Value = control
        .get(format!("{shop}/api/v1/products?per_page=20"))
        .bearer_auth(NORTHWIND_TOKEN)
        .json_answer()
        .await;
    let skus: Arc<Vec<String>> = Arc::new(
        products["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["sku"].as_str().unwrap().to_owned())
            .collect(),
    );

    // The buyers.
    let started = Instant::now();
    let until = started + LOAD;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let buyers: Vec<_> = (0..BUYERS)
        .map(|number| {
            let client = Client::builder().timeout(CLIENT_TIMEOUT).build().unwrap();
            tokio::spawn(buyer(
                number,
                client,
                shop.clone(),
                skus.clone(),
                tally.clone(),
                until,
            ))
        })
        .collect();

    // The chaos, on a schedule.
    let at = |secs: u64| tokio::time::sleep_until((started + Duration::from_secs(secs)).into());
    at(6).await;
    println!("chaos: {:?} ERP latency spike", started.elapsed());
    set_faults(
        &control,
        &sim,
        json!({"latency_ms": 1200, "jitter_ms": 800}),
    )
    .await;
    at(11).await;
    set_faults(&control, &sim, json!({})).await;
    at(13).await;
    // Orders are created and their answers cut short, and lookups fail too for a while: buyers
    // get errors for orders that exist, and only their retries with the same key find them.
    println!("chaos: {:?} ERP answers truncated", started.elapsed());
    set_faults(&control, &sim, json!({"truncate": true})).await;
    at(15).await;
    println!("chaos: {:?} SIGKILL erpfront1", started.elapsed());
    instances.kill(1).await;
    at(17).await;
    set_faults(&control, &sim, json!({})).await;
    at(19).await;
    println!("chaos: {:?} restart erpfront1", started.elapsed());
    instances.start(1);
    wait_ready(
        &control,
        &format!("http://127.0.0.1:{}/readyz", ports[1]),
        "restarted erpfront",
    )
    .await;
    at(24).await;
    println!(
        "chaos: {:?} ERP latency spike and errors",
        started.elapsed()
    );
    set_faults(
        &control,
        &sim,
        json!({"latency_ms": 900, "jitter_ms": 1200, "error_rate": 0.2}),
    )
    .await;
    at(29).await;
    set_faults(&control, &sim, json!({})).await;
    at(31).await;
    println!("chaos: {:?} SIGKILL erpfront2", started.elapsed());
    instances.kill(2).await;
    at(33).await;
    instances.start(2);
    at(34).await;
    println!(
        "chaos: {:?} ERP answers to orders malformed",
        started.elapsed()
    );
    set_faults(
        &control,
        &sim,
        json!({"malformed": true, "operation": "create_order"}),
    )
    .await;
    at(37).await;
    set_faults(&control, &sim, json!({})).await;

    for buyer in buyers {
        buyer.await.expect("a buyer task ends without panicking");
    }
    let load_took = started.elapsed();

    // Let calls still under way in the sandbox finish, so its orders are final.
    let settle = Instant::now();
    loop {
        let load: Value = control.get(format!("{sim}/admin/load")).json_answer().await;
        if load["in_flight"] == 0 {
            println!(
                "chaos: most calls at once in the ERP: {}",
                load["max_in_flight"]
            );
            // Each instance keeps to its own limit, so the ERP sees at most three times it.
            assert!(
                load["max_in_flight"].as_u64().unwrap() <= 3 * 8,
                "the ERP saw more than the instances' limits allow: {load}"
            );
            break;
        }
        assert!(
            settle.elapsed() < Duration::from_secs(10),
            "the ERP is still busy: {load}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // What the ERP holds, by PO number.
    let mut held: BTreeMap<(&str, String), Vec<String>> = BTreeMap::new();
    for customer in ["C-1000", "C-2000"] {
        for (po, number) in erp_orders(&control, &sim, customer).await {
            if po.starts_with("CH-") {
                held.entry((customer, po)).or_default().push(number);
            }
        }
    }
    let tally = tally.lock().unwrap();
    let mut acknowledged = 0;
    let mut found_after_all = 0;
    let mut not_created = 0;
    let mut lost = Vec::new();
    let mut wrong_number = Vec::new();
    let mut made: BTreeSet<(&str, String)> = BTreeSet::new();
    for attempt in &tally.attempts {
        let numbers = held
            .get(&(attempt.customer, attempt.po.clone()))
            .cloned()
            .unwrap_or_default();
        made.insert((attempt.customer, attempt.po.clone()));
        match (&attempt.acknowledged, numbers.first()) {
            (Some(told), Some(number)) => {
                acknowledged += 1;
                if told != number {
                    wrong_number.push(format!("{}: told {told}, ERP {number}", attempt.po));
                }
            }
            (Some(told), None) => lost.push(format!("{} ({told})", attempt.po)),
            (None, Some(_)) => found_after_all += 1,
            (None, None) => not_created += 1,
        }
    }
    let duplicates: Vec<_> = held
        .iter()
        .filter(|(_, numbers)| numbers.len() > 1)
        .map(|((_, po), numbers)| format!("{po}: {numbers:?}"))
        .collect();
    let strangers: Vec<_> = held.keys().filter(|k| !made.contains(*k)).collect();
    println!(
        "chaos: {} buyers for {load_took:?}: {} attempts, {acknowledged} acknowledged, \
         {found_after_all} found in the ERP after all, {not_created} known not created, \
         {} duplicates, {} lost, {} failed requests seen by buyers, {} retries",
        BUYERS,
        tally.attempts.len(),
        duplicates.len(),
        lost.len(),
        tally.failed_requests,
        tally.retries,
    );
    println!("chaos: failures seen by buyers: {:?}", tally.failures_seen);
    for attempt in tally.attempts.iter().filter(|a| a.acknowledged.is_none()) {
        println!(
            "chaos: unacknowledged {} ({}): last {:?}",
            attempt.po, attempt.customer, attempt.last_failure
        );
    }

    assert!(
        !tally.failures_seen.contains_key("HTTP 500"),
        "buyers were told something broke rather than to retry: {:?}",
        tally.failures_seen
    );
    assert!(duplicates.is_empty(), "orders held twice: {duplicates:?}");
    assert!(lost.is_empty(), "acknowledged but not in the ERP: {lost:?}");
    assert!(wrong_number.is_empty(), "{wrong_number:?}");
    assert!(strangers.is_empty(), "orders nobody placed: {strangers:?}");
    assert_eq!(
        acknowledged + found_after_all + not_created,
        tally.attempts.len(),
        "every attempt's fate is known"
    );
    assert!(
        acknowledged * 2 > tally.attempts.len(),
        "most attempts went through (the shop works under chaos)"
    );
}
