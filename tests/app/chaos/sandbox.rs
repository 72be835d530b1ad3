//! Chaos against the sandbox ERP: three `erpfront serve` instances (the built binary, the same
//! session key, the `http` adapter) in front of one `erpfront erp-sim` process, behind HAProxy.
//! Twenty buyers place orders through HAProxy with the JSON API for about forty seconds, each
//! attempt with its own idempotency key and PO number, retrying the same key with backoff on
//! errors and timeouts as a browser or an integration would. Meanwhile the sandbox's latency
//! spikes past the adapter's deadline, its answers are cut short or garbled after it created
//! the orders, and two instances in turn are killed with SIGKILL and started again on the same
//! port. The verdict is the one of the module above, over every order of both customers read
//! from the sandbox over the protocol.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};

use super::{Held, Load, Tally, start_buyers};
use crate::support::SendForJson;
use crate::support::processes::{Instances, Scratch, erpfront, free_port, session_key, wait_ready};
use crate::support::{GLOBEX_TOKEN, NORTHWIND_TOKEN};

/// How long buyers start new attempts.
const LOAD: Duration = Duration::from_secs(40);
/// Concurrent buyers.
const BUYERS: usize = 20;
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

[metrics]
listen = "127.0.0.1:0"

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
async fn orders_survive_a_killed_instance_and_erp_latency_spikes_behind_haproxy() {
    run(Scenario {
        name: "sandbox",
        scale: 1.0,
        buyers: BUYERS,
        strace: None,
    })
    .await;
}

/// How long and how hard; the faults come in the same order whatever the scale.
pub struct Scenario {
    /// Names the run in the report.
    pub name: &'static str,
    /// Multiplies every time of the schedule: 1.0 is `LOAD` of buyers.
    pub scale: f64,
    pub buyers: usize,
    /// Run each instance under strace watching these system calls (a `trace=` list).
    pub strace: Option<(std::path::PathBuf, &'static str)>,
}

/// What a run leaves to look at: its scratch directory (configurations, logs, traces), and each
/// instance's metrics as last scraped, when traced.
pub struct Ran {
    pub scratch: Arc<Scratch>,
    pub metrics: Vec<String>,
}

/// Runs the chaos of the module comment and asserts its verdict. A traced run stops the
/// instances with SIGTERM at the end, so that their traces are complete.
#[expect(clippy::print_stdout, reason = "the counts are the test's report")]
pub async fn run(scenario: Scenario) -> Ran {
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
    let metrics_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let configs = ports
        .iter()
        .zip(&metrics_ports)
        .map(|(port, metrics)| {
            let config = instance_config(*port, sim_port, &session_key).replace(
                "[metrics]\nlisten = \"127.0.0.1:0\"",
                &format!("[metrics]\nlisten = \"127.0.0.1:{metrics}\""),
            );
            (*port, config)
        })
        .collect();
    let traced = scenario.strace.is_some();
    let strace = scenario
        .strace
        .as_ref()
        .map(|(program, watched)| (program.clone(), *watched));
    let mut instances = Instances::launch_traced(scratch.clone(), configs, strace).await;

    let (_haproxy, shop) = super::start_haproxy(&scratch, &ports).await;

    let products: Value = control
        .get(format!("{shop}/api/v1/products?per_page=20"))
        .bearer_auth(NORTHWIND_TOKEN)
        .json_answer()
        .await;
    let skus = products["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap().to_owned())
        .collect();

    // The buyers.
    let started = Instant::now();
    let load = Load {
        buyers: scenario.buyers,
        duration: LOAD.mul_f64(scenario.scale),
        client_timeout: CLIENT_TIMEOUT,
        po_prefix: "CH-",
        customers: vec![(NORTHWIND_TOKEN, "C-1000"), (GLOBEX_TOKEN, "C-2000")],
        skus,
    };
    let tally = Arc::new(Mutex::new(Tally::default()));
    let buyers = start_buyers(&shop, &load, tally.clone());

    // The chaos, on a schedule.
    let at = |secs: u64| {
        let after = Duration::from_secs(secs).mul_f64(scenario.scale);
        tokio::time::sleep_until((started + after).into())
    };
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
    println!(
        "chaos: {} buyers for {:?}",
        scenario.buyers,
        started.elapsed()
    );

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
    let read_held = async || {
        let mut held = Held::new();
        for customer in ["C-1000", "C-2000"] {
            for (po, number) in erp_orders(&control, &sim, customer).await {
                if po.starts_with("CH-") {
                    held.entry((customer.to_owned(), po))
                        .or_default()
                        .push(number);
                }
            }
        }
        held
    };
    let held = read_held().await;
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    super::judge(scenario.name, &shop, &tally, &held, read_held).await;

    let mut metrics = Vec::new();
    if traced {
        for (i, port) in metrics_ports.iter().enumerate() {
            let scraped = control
                .get(format!("http://127.0.0.1:{port}/metrics"))
                .send()
                .await
                .unwrap();
            metrics.push(scraped.text().await.unwrap());
            let status = instances.stop(i).await;
            assert!(status.success(), "erpfront{i} after SIGTERM: {status:?}");
        }
    }
    Ran { scratch, metrics }
}
