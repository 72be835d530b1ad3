//! Exactly once with instances racing: three `erpfront serve` processes (the built binary) in
//! front of one ERP, and the same order released with one idempotency key to all three at the
//! same instant, over and over with new keys. For every key the ERP must hold exactly one order,
//! every instance must answer with it, and nothing else carrying the key may be left behind (no
//! Tryton draft, no second SAP order).
//!
//! Each instance's own single flight cannot help here: the three submissions meet only in the
//! ERP. So this runs against every real kind of ERP the gateway supports, none of which can make
//! "create unless the key exists" one step: the real Tryton of the suite, the S/4HANA simulator
//! with saving an order taking long enough for the three creates to overlap, and the protocol
//! sandbox with its order lock switched off. Each racer's connection is open before the release,
//! so the three requests leave within microseconds of each other.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};
use sha2::Digest;
use tokio::sync::Barrier;

use crate::support::processes::{
    Instances, Scratch, erpfront, free_port, instance_config, session_key, wait_ready,
};
use crate::support::s4_sim::S4Sim;
use crate::support::{NORTHWIND_TOKEN, SendForJson, tryton};

const INSTANCES: usize = 3;

/// What one instance answered: the order number, or what went wrong.
type Answer = Result<String, String>;

/// Three instances in front of one ERP, and a client per instance with its connection open.
struct Shop {
    instances: Instances,
    clients: Vec<Client>,
    token: String,
}

impl Shop {
    async fn start(scratch: Arc<Scratch>, users: &str, erp: &str, token: &str) -> Self {
        let users_file = scratch.path("users.toml");
        std::fs::write(&users_file, users).unwrap();
        let key = session_key();
        let configs = (0..INSTANCES)
            .map(|_| {
                let port = free_port();
                (port, instance_config(port, &key, &users_file, erp))
            })
            .collect();
        let instances = Instances::launch(scratch, configs).await;
        let clients = (0..INSTANCES)
            .map(|_| {
                Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap()
            })
            .collect();
        Self {
            instances,
            clients,
            token: token.to_owned(),
        }
    }

    /// How many lines of the instances' logs contain `needle`.
    fn logged(&self, needle: &str) -> usize {
        (0..INSTANCES)
            .map(|i| {
                let log = self.instances.scratch.path(&format!("erpfront{i}.log"));
                let text = std::fs::read_to_string(log).unwrap_or_default();
                text.lines().filter(|l| l.contains(needle)).count()
            })
            .sum()
    }

    /// Submits `body` with `key` to every instance at once.
    async fn race(&self, key: &str, body: &Value) -> Vec<Answer> {
        // Open (or refresh) each racer's connection first, so the release sends at once.
        for (i, client) in self.clients.iter().enumerate() {
            let url = format!("{}/readyz", self.instances.url(i));
            client.get(url).send().await.unwrap();
        }
        let start = Arc::new(Barrier::new(INSTANCES));
        let racers: Vec<_> = self
            .clients
            .iter()
            .enumerate()
            .map(|(i, client)| {
                let request = client
                    .post(format!("{}/api/v1/orders", self.instances.url(i)))
                    .bearer_auth(&self.token)
                    .header("Idempotency-Key", key)
                    .json(body);
                let start = start.clone();
                tokio::spawn(async move {
                    start.wait().await;
                    let response = request.send().await.map_err(|e| e.to_string())?;
                    let status = response.status();
                    let text = response.text().await.map_err(|e| e.to_string())?;
                    if !status.is_success() {
                        return Err(format!("HTTP {status}: {text}"));
                    }
                    let order: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                    order["number"]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("an answer without a number: {text}"))
                })
            })
            .collect();
        let mut answers = Vec::new();
        for racer in racers {
            answers.push(racer.await.unwrap());
        }
        answers
    }
}

/// Where to look for what the ERP holds.
enum Held<'a> {
    Tryton,
    Sap(&'a S4Sim),
    Sandbox(&'a str),
}

impl Held<'_> {
    /// The orders the ERP holds for `key` (and PO number `po`) as their numbers, and anything
    /// else carrying the key (a Tryton draft) as an `Err`.
    async fn held(&self, key: &str, po: &str) -> Vec<Answer> {
        match self {
            Self::Tryton => {
                let sales = tryton::rpc(
                    "model.sale.sale.search_read",
                    vec![
                        json!([["description", "=", format!("erpfront-key:{key}")]]),
                        json!(0),
                        json!(null),
                        json!([["id", "ASC"]]),
                        json!(["state", "number", "reference"]),
                    ],
                )
                .await;
                sales
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(
                        |sale| match (sale["state"].as_str(), sale["number"].as_str()) {
                            (Some("draft"), _) | (_, None) => {
                                Err(format!("draft sale {}", sale["id"]))
                            }
                            (_, Some(number)) => Ok(number.to_owned()),
                        },
                    )
                    .collect()
            }
            Self::Sap(sim) => sim
                .orders_with_po(po)
                .iter()
                .map(|o| Ok(o["SalesOrder"].as_str().unwrap().to_owned()))
                .collect(),
            Self::Sandbox(url) => {
                let list: Value = Client::new()
                    .get(format!("{url}/v1/customers/C-1000/orders"))
                    .json_answer()
                    .await;
                list["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|o| o["po_number"] == po)
                    .map(|o| Ok(o["number"].as_str().unwrap().to_owned()))
                    .collect()
            }
        }
    }
}

/// Races `rounds` keys and checks each: every answer names one order, and the ERP holds exactly
/// that one and nothing else carrying the key.
async fn race_rounds(
    shop: &Shop,
    what: &str,
    rounds: usize,
    body_for: impl Fn(&str) -> Value,
    erp: Held<'_>,
) {
    let started = Instant::now();
    let mut problems = Vec::new();
    for round in 0..rounds {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let po = format!("RACE-{}-{round}", &key[..6]);
        let answers = shop.race(&key, &body_for(&po)).await;
        let held = erp.held(&key, &po).await;
        let numbers: Vec<&String> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
        let agreed = numbers.len() == INSTANCES && numbers.iter().all(|n| *n == numbers[0]);
        let one_held = held.len() == 1 && held[0].as_ref().ok() == numbers.first().copied();
        if !(agreed && one_held) {
            problems.push(format!("{po}: answers {answers:?}, the ERP holds {held:?}"));
        }
    }
    println!(
        "racing {what}: {rounds} keys, {INSTANCES} instances each, in {:?}",
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "{what}: {} of {rounds} keys not exactly once:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn users_with_token(login: &str, customer: &str, token: &str) -> String {
    format!(
        "[[users]]\nlogin = \"{login}\"\nname = \"Racing buyer\"\n\
         password_hash = \"{}\"\nrole = \"buyer\"\ncustomer = \"{customer}\"\n\
         api_token_sha256 = [\"{}\"]\n",
        erpfront::users::hash_password("racing-pass"),
        hex::encode(sha2::Sha256::digest(token.as_bytes()))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::print_stdout, reason = "the timing is the test's report")]
async fn racing_instances_make_one_tryton_sale_per_key() {
    let server = tryton::server();
    let scratch = Arc::new(Scratch::new("racing-tryton"));
    let erp = server.erp_section(&server.url, "request_timeout_ms = 20000");
    let customer = tryton::STANDARD_CUSTOMER;
    let shop = Shop::start(
        scratch,
        &tryton::users_toml(),
        &erp,
        &format!("token-{customer}"),
    )
    .await;
    // SKU-036 is ordered by no other test, so their stock figures stay as they expect.
    let body = |po: &str| json!({"po_number": po, "lines": [{"sku": "SKU-036", "quantity": 1}]});
    race_rounds(&shop, "Tryton", 8, body, Held::Tryton).await;
    let dropped = shop.logged("dropping this draft");
    println!("racing Tryton: {dropped} drafts of racing submissions dropped");
    assert!(
        dropped > 0,
        "the submissions raced: some made drafts that lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_instances_make_one_sap_order_per_key() {
    let sim = S4Sim::start().await;
    // Saving takes long enough that all three look the key up before any of them has created.
    sim.set_create_latency(Duration::from_millis(200));
    let scratch = Arc::new(Scratch::new("racing-sap"));
    let erp = sim.erp_section(5000, "comm-secret");
    let token = "racing-sap-token";
    let users = users_with_token("buyer@bluewater.example", "17100001", token);
    let shop = Shop::start(scratch, &users, &erp, token).await;
    let body = |po: &str| json!({"po_number": po, "lines": [{"sku": "BLT-M10-50", "quantity": 5}]});
    race_rounds(&shop, "SAP", 12, body, Held::Sap(&sim)).await;
    assert!(
        sim.requests("DELETE A_SalesOrder") > 0,
        "the creates overlapped, so some racer deleted its own order again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_instances_make_one_order_per_key_on_the_sandbox_without_its_lock() {
    let scratch = Arc::new(Scratch::new("racing-sandbox"));
    let sim_port = free_port();
    let sim = format!("http://127.0.0.1:{sim_port}");
    let _sim = erpfront()
        .args(["erp-sim", "--no-order-lock", "--listen"])
        .arg(format!("127.0.0.1:{sim_port}"))
        .stdout(scratch.log("erp-sim.log"))
        .stderr(scratch.log("erp-sim.log"))
        .spawn()
        .expect("erp-sim starts");
    wait_ready(&Client::new(), &format!("{sim}/v1/health"), "erp-sim").await;
    let erp = format!("\n[erp]\nkind = \"http\"\nbase_url = \"{sim}/\"\n");
    let users = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/users.toml"),
    )
    .unwrap();
    let shop = Shop::start(scratch, &users, &erp, NORTHWIND_TOKEN).await;
    let body = |po: &str| json!({"po_number": po, "lines": [{"sku": "FAS-1001", "quantity": 2}]});
    race_rounds(
        &shop,
        "the sandbox without its order lock",
        12,
        body,
        Held::Sandbox(&sim),
    )
    .await;
    let log = std::fs::read_to_string(shop.instances.scratch.path("erp-sim.log")).unwrap();
    assert!(
        log.contains("taking this one back"),
        "the submissions raced: some entered an order that lost"
    );
}
