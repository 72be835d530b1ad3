//! Chaos with real processes: three `erpfront serve` instances behind HAProxy on loopback, in
//! front of the sandbox ERP (`sandbox`) and of the real Tryton through a TCP fault proxy
//! (`tryton`), with buyers placing orders while instances are killed and the ERP slows down,
//! fails and garbles its answers. What is shared lives here: the buyers, HAProxy, and the
//! verdict.
//!
//! The verdict is Jepsen's: what the buyers were told is compared with what the ERP holds at the
//! end, matched by PO number. Every acknowledged order must be there exactly once under the
//! number the buyer was told, no order may exist twice, and none that nobody placed. An attempt
//! the buyer never got an answer for (every third buyer gives up after one failed submission) is
//! indeterminate, and its fate must be knowable: submitted
//! once more with its key after the faults are over, it must be answered `200` with the order the
//! ERP already holds for it, or `201` with a new one when the ERP holds none, and afterwards the
//! ERP holds each attempted PO number exactly once. The faults must have been felt: buyers saw
//! failed requests and retried.
//!
//! HAProxy retries a request on another instance when the connection failed or the instance
//! closed it without any answer (`retry-on conn-failure empty-response`). For an order POST the
//! second case may mean the dead instance had already sent the order to the ERP; the retry is
//! still safe because it carries the same `Idempotency-Key`, which erpfront looks up in the ERP
//! before creating, so it returns the existing order instead of making a second one. HAProxy
//! never retries once any part of an answer has arrived, and neither does it on timeouts.
//!
//! HAProxy must be installed (`.ci/run` installs Debian's package); the tests fail rather than
//! skip without it. Every process is killed when a test ends, however it ends; their logs are in
//! a temporary directory, printed when the test fails.

mod at_rest;
mod sandbox;
mod tryton;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::support::processes::{Scratch, free_port, haproxy, wait_ready};

/// Submissions of one attempt (the first and its retries with the same key).
const TRIES: u32 = 8;
/// Every this many attempts, the buyer gives up after the first failed submission, as people
/// do, so that some attempts end without an answer and their fate has to be found out.
const IMPATIENT_EVERY: usize = 3;

/// Who buys, how many at once, and for how long.
pub struct Load {
    pub buyers: usize,
    pub duration: Duration,
    /// The buyer's own patience per request.
    pub client_timeout: Duration,
    /// Every attempt's PO number starts with it, to tell them from other orders.
    pub po_prefix: &'static str,
    /// API tokens and the customers they buy for; buyers take turns.
    pub customers: Vec<(&'static str, &'static str)>,
    pub skus: Vec<String>,
}

/// What happened to one attempt, as its buyer saw it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub customer: &'static str,
    token: &'static str,
    key: String,
    body: Value,
    pub po: String,
    /// The order number the buyer was given, if any.
    pub acknowledged: Option<String>,
    /// The last answer when none was an acknowledgement.
    last_failure: Option<String>,
}

#[derive(Default)]
pub struct Tally {
    pub attempts: Vec<Attempt>,
    pub failed_requests: usize,
    pub retries: usize,
    pub failures_seen: BTreeMap<String, usize>,
}

/// What the ERP holds: (customer, PO number) → order numbers.
pub type Held = BTreeMap<(String, String), Vec<String>>;

/// HAProxy in front of `instances`, in the foreground so that it dies with the test; the shop's
/// URL once it answers.
pub async fn start_haproxy(scratch: &Scratch, instances: &[u16]) -> (Child, String) {
    let port = free_port();
    let servers: String = instances
        .iter()
        .enumerate()
        .map(|(i, p)| format!("    server erpfront{i} 127.0.0.1:{p} check\n"))
        .collect();
    let config = format!(
        r#"
global
    maxconn 2000

defaults
    mode http
    timeout connect 500ms
    timeout client 20s
    timeout server 15s
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
    );
    let path = scratch.path("haproxy.cfg");
    std::fs::write(&path, config).unwrap();
    let child = Command::new(haproxy())
        .arg("-db")
        .arg("-f")
        .arg(&path)
        .kill_on_drop(true)
        .stdin(Stdio::null())
        .stdout(scratch.log("haproxy.log"))
        .stderr(scratch.log("haproxy.log"))
        .spawn()
        .expect("haproxy starts");
    let shop = format!("http://127.0.0.1:{port}");
    wait_ready(&Client::new(), &format!("{shop}/readyz"), "haproxy").await;
    (child, shop)
}

/// Starts the buyers; they stop starting attempts after `load.duration`.
pub fn start_buyers(
    shop: &str,
    load: &Load,
    tally: Arc<Mutex<Tally>>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let until = Instant::now() + load.duration;
    let skus = Arc::new(load.skus.clone());
    (0..load.buyers)
        .map(|number| {
            let client = Client::builder()
                .timeout(load.client_timeout)
                .build()
                .unwrap();
            let (token, customer) = load.customers[number % load.customers.len()];
            let buyer = Buyer {
                number,
                client,
                shop: shop.to_owned(),
                token,
                customer,
                po_prefix: load.po_prefix,
            };
            tokio::spawn(buyer.run(skus.clone(), tally.clone(), until))
        })
        .collect()
}

struct Buyer {
    number: usize,
    client: Client,
    shop: String,
    token: &'static str,
    customer: &'static str,
    po_prefix: &'static str,
}

impl Buyer {
    /// New attempts until `until`, each submitted until acknowledged, at most `TRIES` times
    /// (once for every `IMPATIENT_EVERY`th), with the same key and body.
    async fn run(self, skus: Arc<Vec<String>>, tally: Arc<Mutex<Tally>>, until: Instant) {
        let number = self.number;
        let mut n = 0;
        while Instant::now() < until {
            n += 1;
            let po = format!("{}{number}-{n}", self.po_prefix);
            let mut attempt = Attempt {
                customer: self.customer,
                token: self.token,
                key: format!("chaos-{number}-{n}-{}", uuid::Uuid::new_v4().simple()),
                body: json!({
                    "po_number": po,
                    "lines": [{"sku": skus[(number + n) % skus.len()], "quantity": 1 + n % 3}],
                }),
                po: po.clone(),
                acknowledged: None,
                last_failure: None,
            };
            let tries = if n % IMPATIENT_EVERY == 0 { 1 } else { TRIES };
            for try_number in 0..tries {
                if try_number > 0 {
                    tally.lock().unwrap().retries += 1;
                    let backoff = Duration::from_millis((200 << try_number.min(4)).min(2_000));
                    let jitter = Duration::from_millis(fastrand::u64(0..200));
                    tokio::time::sleep(backoff + jitter).await;
                }
                let failure = match self.submit(&attempt).await {
                    Ok((_, number)) => {
                        attempt.acknowledged = Some(number);
                        break;
                    }
                    Err(failure) => failure,
                };
                let mut tally = tally.lock().unwrap();
                tally.failed_requests += 1;
                *tally.failures_seen.entry(failure.clone()).or_default() += 1;
                attempt.last_failure = Some(failure);
            }
            tally.lock().unwrap().attempts.push(attempt);
        }
    }

    /// One submission: the status and the order number, or what went wrong. Panics on what no
    /// retry of the same order should ever see (a rejection, another order).
    async fn submit(&self, attempt: &Attempt) -> Result<(StatusCode, String), String> {
        submit(&self.client, &self.shop, attempt).await
    }
}

async fn submit(
    client: &Client,
    shop: &str,
    attempt: &Attempt,
) -> Result<(StatusCode, String), String> {
    let po = &attempt.po;
    let answer = client
        .post(format!("{shop}/api/v1/orders"))
        .bearer_auth(attempt.token)
        .header("Idempotency-Key", &attempt.key)
        .json(&attempt.body)
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => {
            let status = response.status();
            match response.json::<Value>().await {
                Ok(order) if order["po_number"] == po.as_str() => Ok((
                    status,
                    order["number"].as_str().unwrap_or_default().to_owned(),
                )),
                Ok(order) => panic!("{po}: the answer is another order: {order}"),
                Err(error) => Err(format!("body: {}", error_kind(&error))),
            }
        }
        Ok(response) if response.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let text = response.text().await.unwrap_or_default();
            panic!("{po}: rejected, which no retry of the same order should be: {text}");
        }
        Ok(response) => Err(format!("HTTP {}", response.status().as_u16())),
        Err(error) => Err(error_kind(&error)),
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

/// Compares what the buyers were told with what the ERP holds (`held`, read after the load),
/// then settles every unacknowledged attempt by submitting it once more and reads the ERP
/// again with `read_held`. Prints the counts and asserts the verdict of the module comment.
#[expect(clippy::print_stdout, reason = "the counts are the test's report")]
pub async fn judge(
    what: &str,
    shop: &str,
    tally: &Tally,
    held: &Held,
    read_held: impl AsyncFn() -> Held,
) {
    let key = |a: &Attempt| (a.customer.to_owned(), a.po.clone());
    let mut acknowledged = 0;
    let mut found_after_all = Vec::new();
    let mut not_created = Vec::new();
    let mut lost = Vec::new();
    let mut wrong_number = Vec::new();
    let made: BTreeSet<(String, String)> = tally.attempts.iter().map(key).collect();
    for attempt in &tally.attempts {
        let numbers = held.get(&key(attempt)).cloned().unwrap_or_default();
        match (&attempt.acknowledged, numbers.first()) {
            (Some(told), Some(number)) => {
                acknowledged += 1;
                if told != number {
                    wrong_number.push(format!("{}: told {told}, ERP {number}", attempt.po));
                }
            }
            (Some(told), None) => lost.push(format!("{} ({told})", attempt.po)),
            (None, Some(number)) => found_after_all.push((attempt, number.clone())),
            (None, None) => not_created.push(attempt),
        }
    }
    let duplicates: Vec<_> = held
        .iter()
        .filter(|(_, numbers)| numbers.len() > 1)
        .map(|((_, po), numbers)| format!("{po}: {numbers:?}"))
        .collect();
    let strangers: Vec<_> = held.keys().filter(|k| !made.contains(*k)).collect();
    println!(
        "chaos {what}: {} attempts, {acknowledged} acknowledged, {} unacknowledged but in the \
         ERP, {} not in the ERP, {} duplicates, {} lost, {} failed requests seen by buyers, \
         {} retries",
        tally.attempts.len(),
        found_after_all.len(),
        not_created.len(),
        duplicates.len(),
        lost.len(),
        tally.failed_requests,
        tally.retries,
    );
    println!(
        "chaos {what}: failures seen by buyers: {:?}",
        tally.failures_seen
    );
    for attempt in tally.attempts.iter().filter(|a| a.acknowledged.is_none()) {
        println!(
            "chaos {what}: unacknowledged {} ({}): last {:?}",
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
    assert!(
        tally.failed_requests > 0 && tally.retries > 0,
        "the faults were felt: buyers saw failed requests and retried"
    );
    assert!(
        acknowledged * 2 > tally.attempts.len(),
        "most attempts went through (the shop works under chaos)"
    );

    // Every attempt's fate is known: asked again with its key, the shop names the order the ERP
    // already holds, or says it makes it now.
    let client = Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut unsettled = Vec::new();
    for (attempt, number) in &found_after_all {
        match submit(&client, shop, attempt).await {
            Ok((StatusCode::OK, answered)) if answered == *number => {}
            other => unsettled.push(format!(
                "{}: in the ERP as {number}, submitted again: {other:?}",
                attempt.po
            )),
        }
    }
    for attempt in &not_created {
        match submit(&client, shop, attempt).await {
            Ok((StatusCode::CREATED, _)) => {}
            other => unsettled.push(format!(
                "{}: not in the ERP, submitted again: {other:?}",
                attempt.po
            )),
        }
    }
    let after = read_held().await;
    for attempt in &tally.attempts {
        let numbers = after.get(&key(attempt)).cloned().unwrap_or_default();
        if numbers.len() != 1 {
            unsettled.push(format!(
                "{}: the ERP holds {numbers:?} after settling",
                attempt.po
            ));
        }
    }
    assert!(
        unsettled.is_empty(),
        "every attempt's fate is known: {unsettled:#?}"
    );
}
