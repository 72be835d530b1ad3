//! Chaos against the real Tryton: three `erpfront serve` instances (the `tryton` adapter) behind
//! HAProxy, reaching a Tryton of their own through a TCP fault proxy, since Tryton makes no
//! faults on demand. Buyers place orders for about twenty-five seconds while the proxy holds
//! Tryton's answers past the adapter's deadline, garbles them, and cuts them off (each after
//! Tryton has done the work), and two instances in turn are killed with SIGKILL, possibly
//! between a sale's draft and its confirmation. The verdict is the one of the module above, over
//! every numbered sale with the test's PO numbers, read from Tryton directly; drafts left by a
//! killed instance are not orders and are only counted.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Held, Load, Tally, start_buyers};
use crate::support::fault_proxy::FaultProxy;
use crate::support::processes::{Instances, Scratch, free_port, instance_config, session_key};
use crate::support::tryton::{self, STANDARD_CUSTOMER, TrytonServer};

const BUYERS: usize = 6;
const LOAD: Duration = Duration::from_secs(25);
/// The adapter's deadline per Tryton call; the latency spike holds answers longer.
const TRYTON_DEADLINE: Duration = Duration::from_secs(4);

/// The sales with the test's PO numbers: numbered ones by PO number, and how many drafts.
async fn sales(server: &TrytonServer) -> (Held, usize) {
    let found = tryton::rpc_on(
        server,
        "model.sale.sale.search_read",
        vec![
            json!([["reference", "like", "CT-%"]]),
            json!(0),
            json!(null),
            json!([["id", "ASC"]]),
            json!(["reference", "number", "state", "party.code"]),
        ],
    )
    .await;
    let mut held = Held::new();
    let mut drafts = 0;
    for sale in found.as_array().unwrap() {
        let customer = sale["party."]["code"].as_str().unwrap().to_owned();
        let po = sale["reference"].as_str().unwrap().to_owned();
        match sale["number"].as_str() {
            Some(number) if sale["state"] != "draft" => {
                held.entry((customer, po))
                    .or_default()
                    .push(number.to_owned());
            }
            _ => drafts += 1,
        }
    }
    (held, drafts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::print_stdout, reason = "the counts are the test's report")]
async fn tryton_orders_survive_killed_instances_and_a_faulty_network_behind_haproxy() {
    let server = tryton::chaos_server();
    let upstream = server.url.trim_start_matches("http://").parse().unwrap();
    let proxy = FaultProxy::start(upstream).await;
    let scratch = Arc::new(Scratch::new("chaos-tryton"));
    println!("chaos tryton: logs in {}", scratch.dir.display());
    let users = scratch.path("users.toml");
    std::fs::write(&users, tryton::users_toml()).unwrap();
    let erp = format!(
        "{}\n[resilience]\ncall_timeout_ms = 5000\nbreaker_failures = 5\nbreaker_open_ms = 1000\n",
        server.erp_section(
            &proxy.url(),
            &format!(
                "connect_timeout_ms = 500\nrequest_timeout_ms = {}",
                TRYTON_DEADLINE.as_millis()
            ),
        )
    );
    let key = session_key();
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let configs = ports
        .iter()
        .map(|port| (*port, instance_config(*port, &key, &users, &erp)))
        .collect();
    let mut instances = Instances::launch(scratch.clone(), configs).await;
    let (_haproxy, shop) = super::start_haproxy(&scratch, &ports).await;

    let started = Instant::now();
    let token = format!("token-{STANDARD_CUSTOMER}").leak();
    let load = Load {
        buyers: BUYERS,
        duration: LOAD,
        client_timeout: Duration::from_secs(25),
        po_prefix: "CT-",
        customers: vec![(token, STANDARD_CUSTOMER)],
        skus: ["SKU-033", "SKU-034", "SKU-037", "SKU-038", "SKU-039"]
            .map(str::to_owned)
            .to_vec(),
    };
    let tally = Arc::new(Mutex::new(Tally::default()));
    let buyers = start_buyers(&shop, &load, tally.clone());

    let at = |secs: u64| tokio::time::sleep_until((started + Duration::from_secs(secs)).into());
    at(4).await;
    println!(
        "chaos tryton: {:?} answers held past the deadline",
        started.elapsed()
    );
    proxy.delay_answers(TRYTON_DEADLINE + Duration::from_millis(500));
    at(7).await;
    proxy.delay_answers(Duration::ZERO);
    println!("chaos tryton: {:?} answers garbled", started.elapsed());
    proxy.garble_answers(true);
    at(9).await;
    proxy.garble_answers(false);
    println!("chaos tryton: {:?} SIGKILL erpfront1", started.elapsed());
    instances.kill(1).await;
    at(11).await;
    println!("chaos tryton: {:?} answers cut off", started.elapsed());
    proxy.cut_answers(true);
    at(13).await;
    proxy.cut_answers(false);
    instances.start(1);
    at(16).await;
    println!("chaos tryton: {:?} SIGKILL erpfront2", started.elapsed());
    instances.kill(2).await;
    at(18).await;
    instances.start(2);
    at(20).await;
    println!(
        "chaos tryton: {:?} answers garbled again",
        started.elapsed()
    );
    proxy.garble_answers(true);
    at(22).await;
    proxy.garble_answers(false);

    for buyer in buyers {
        buyer.await.expect("a buyer task ends without panicking");
    }
    println!("chaos tryton: {BUYERS} buyers for {:?}", started.elapsed());
    // Work a killed instance left under way in Tryton finishes without it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let faulted = proxy.faulted_answers();
    println!("chaos tryton: {faulted} answers delayed, garbled or cut by the proxy");
    assert!(faulted > 0, "the proxy's faults hit Tryton's answers");

    let (held, drafts) = sales(server).await;
    println!("chaos tryton: {drafts} drafts left by killed instances or lost races");
    let tally = std::mem::take(&mut *tally.lock().unwrap());
    let read_held = async || sales(server).await.0;
    super::judge("tryton", &shop, &tally, &held, read_held).await;
}
