//! The real app behind the real network hop: erpfront with the `http` adapter talking over
//! loopback TCP to the sandbox ERP (around the demo ERP), with test-sized deadlines. Under each
//! fault the sandbox can make (latency spikes, error bursts, hangs, resets, truncated and
//! malformed bodies, a full outage) and its return, this proves that:
//!
//! - every storefront page and API call is answered within the request deadline, measured;
//! - no answer carries an ERP message or internal error text;
//! - catalog data served from the last good answer is labelled with its time;
//! - the breaker opens (`/status.json`) and closes again without a restart;
//! - an order submitted during the fault is, after the buyer's retries with the same form,
//!   held by the ERP exactly once;
//! - the ERP never sees more calls at once than `resilience.max_concurrent_calls`;
//! - an order whose answer is lost after the ERP created it (a TCP fault in front of the
//!   sandbox) leads to "we are confirming your order", and the resubmission finds that one
//!   order instead of making a second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use erpfront::domain::CustomerId;
use erpfront::erp::Erp;
use erpfront::erp::demo::DemoErp;
use erpfront::sim::{Faults, SimHandle, spawn_sim};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::SendForJson;
use crate::support::adapters::http_erp;
use crate::support::fault_proxy::FaultProxy;
use crate::support::{
    ANNA, Browser, CountingErp, NORTHWIND_TOKEN, TestApp, html, sku_in_stock, spawn_app_configured,
    text_of,
};

/// `server.request_timeout_secs`: the deadline of every request to erpfront.
const REQUEST_DEADLINE: Duration = Duration::from_secs(2);

/// What a request may take beyond its deadline before the test calls it late: scheduling on a
/// busy two-core machine, not erpfront.
const MARGIN: Duration = Duration::from_millis(1000);

/// Text that must never reach a buyer: transport errors, internals, the sandbox's own error
/// bodies and garbage.
const FORBIDDEN: [&str; 15] = [
    "error sending request",
    "reqwest",
    "hyper",
    "panicked",
    "ErpError",
    "Unavailable {",
    "InvalidData",
    "stack backtrace",
    "simulated",
    "outcome",
    "garbage",
    "connection reset",
    "Connection reset",
    "truncated on purpose",
    "127.0.0.1:",
];

/// The demo ERP, the sandbox serving it, and erpfront in front of the sandbox (or of `via`).
struct Rig {
    demo: Arc<DemoErp>,
    sim: SimHandle,
    app: TestApp,
}

async fn rig(adjust: impl FnOnce(&mut erpfront::config::Config)) -> Rig {
    let demo = Arc::new(DemoErp::embedded().unwrap());
    let (_, sim) = spawn_sim(demo.clone()).await;
    let url = sim.url();
    let app = app_over(&url, adjust).await;
    Rig { demo, sim, app }
}

/// erpfront with the `http` adapter at `url`: a 500 ms network deadline, an 800 ms call
/// deadline, a breaker that opens after 3 failures for a second, 1 s TTLs.
async fn app_over(url: &str, adjust: impl FnOnce(&mut erpfront::config::Config)) -> TestApp {
    let http = http_erp(url, Duration::from_millis(500));
    let erp = Arc::new(CountingErp::new(Arc::new(http)));
    spawn_app_configured(erp, |c| {
        c.server.request_timeout_secs = REQUEST_DEADLINE.as_secs();
        c.cache.catalog_ttl_secs = 1;
        c.cache.price_ttl_secs = 1;
        c.cache.availability_ttl_secs = 1;
        c.cache.order_ttl_secs = 1;
        c.cache.invoice_ttl_secs = 1;
        c.resilience.call_timeout_ms = 800;
        c.resilience.breaker_failures = 3;
        c.resilience.breaker_open_ms = 1000;
        adjust(c);
    })
    .await
}

fn assert_honest(what: &str, body: &str) {
    for word in FORBIDDEN {
        assert!(
            !body.contains(word),
            "{what} shows {word:?}:\n{}",
            &body[..body.len().min(3000)]
        );
    }
}

/// GETs a page as `browser`, checking the deadline and the wording.
async fn page(browser: &mut Browser, path: &str) -> (StatusCode, String) {
    let started = Instant::now();
    let (status, body) = browser.get(path).await;
    let took = started.elapsed();
    assert!(
        took < REQUEST_DEADLINE + MARGIN,
        "{path} took {took:?} ({status})"
    );
    assert_honest(path, &body);
    if status.is_server_error() {
        assert!(
            body.contains("+49 30 555 0100"),
            "{path} ({status}) gives the support phone"
        );
    }
    (status, body)
}

/// GETs an API path with `client` (one for many requests: building a client takes longer
/// than the deadline margin), checking the deadline and the wording.
async fn api(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let started = Instant::now();
    let response = client
        .get(app.url(path))
        .bearer_auth(NORTHWIND_TOKEN)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let unavailable = status == StatusCode::SERVICE_UNAVAILABLE;
    let retry_after = response.headers().contains_key("retry-after");
    let body = response.text().await.unwrap();
    let took = started.elapsed();
    assert!(
        took < REQUEST_DEADLINE + MARGIN,
        "{path} took {took:?} ({status})"
    );
    assert_honest(path, &body);
    assert!(
        !unavailable || retry_after,
        "{path}: a 503 says when to retry"
    );
    (status, body)
}

async fn status_json(app: &TestApp) -> Value {
    app.api()
        .get(app.url("/status.json"))
        .bearer_auth(crate::support::OPERATOR_TOKEN)
        .json_answer()
        .await
}

/// Waits (bounded) until the breaker has closed again, driving a read so that the probe is made.
async fn wait_until_closed(app: &TestApp) -> Duration {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let _ = app
            .api()
            .get(app.url("/api/v1/orders"))
            .bearer_auth(NORTHWIND_TOKEN)
            .send()
            .await;
        if status_json(app).await["breaker"] == "closed" {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!(
        "the breaker did not close within 10 s: {}",
        status_json(app).await
    );
}

/// The orders the ERP holds for C-1000 with this PO number.
async fn orders_with_po(demo: &DemoErp, po: &str) -> usize {
    let customer: CustomerId = "C-1000".parse().unwrap();
    demo.orders(&customer)
        .await
        .unwrap()
        .iter()
        .filter(|o| o.po_number == po)
        .count()
}

/// The checkout form for `key`, as the page posts it.
fn checkout_form<'a>(key: &'a str, po: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("idempotency_key", key),
        ("po_number", po),
        ("ship_to", ""),
        ("requested_date", ""),
        ("note", ""),
    ]
}

/// Resubmits the same checkout form, as a buyer pressing "Try again" would, until the order is
/// confirmed (bounded); returns how many submissions it took.
async fn resubmit_until_placed(browser: &mut Browser, key: &str, po: &str) -> usize {
    for attempt in 1..=20 {
        let (status, location, body) = browser.post("/checkout", &checkout_form(key, po)).await;
        assert_honest("checkout retry", &body);
        if status == StatusCode::SEE_OTHER && location.starts_with("/orders/") {
            return attempt;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("the order {po} was not confirmed after 20 resubmissions");
}

/// One fault from start to end: warm the cache while the ERP is well, let the TTLs pass, break
/// the ERP, browse and order, check every answer, clear the fault, and check the recovery.
async fn sweep(name: &str, faults: Faults, unreachable: bool) {
    let rig = rig(|_| {}).await;
    let app = &rig.app;
    let client = app.api();
    let sku = sku_in_stock(app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;
    let product = format!("/products/{sku}");
    let api_product = format!("/api/v1/products/{sku}");
    // The last good answers, and a checkout form opened before the fault.
    let (_, body) = page(&mut anna, &product).await;
    let live_price = text_of(&html(&body), ".buy-box .price.big");
    page(&mut anna, "/catalog").await;
    api(&client, app, &api_product).await;
    api(&client, app, "/api/v1/products").await;
    let key = anna.open_checkout_with(&sku, "2").await;
    let po = format!("PO-{}", name.to_uppercase());
    tokio::time::sleep(Duration::from_millis(1100)).await;

    rig.sim.set_faults(faults).unwrap();
    let (status, location, body) = {
        let started = Instant::now();
        let answer = anna.post("/checkout", &checkout_form(&key, &po)).await;
        let took = started.elapsed();
        assert!(
            took < REQUEST_DEADLINE + MARGIN,
            "{name}: checkout took {took:?}"
        );
        answer
    };
    assert_honest("checkout", &body);
    match status {
        StatusCode::SEE_OTHER => assert!(location.starts_with("/orders/"), "{name}: {location}"),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            let headline = text_of(&html(&body), "h1");
            assert!(
                headline.contains("confirming your order")
                    || headline.contains("could not be placed")
                    || headline.contains("taking too long"),
                "{name}: {headline}"
            );
        }
        other => panic!("{name}: checkout answered {other}: {body}"),
    }
    let mut stale_pages = 0;
    for round in 0..3 {
        for path in [product.as_str(), "/catalog"] {
            let (status, body) = page(&mut anna, path).await;
            let page = html(&body);
            let notice = text_of(&page, ".stale-notice");
            if status == StatusCode::OK && !notice.is_empty() {
                assert!(notice.contains("as of"), "{name} {path}: {notice}");
                stale_pages += 1;
                if path == product {
                    assert_eq!(
                        text_of(&page, ".buy-box .price.big"),
                        live_price,
                        "{name}: the last good price"
                    );
                }
            } else if unreachable {
                panic!("{name} round {round}: {path} answered {status} without a stale label");
            }
        }
        for path in ["/orders", "/invoices", "/cart", "/status"] {
            page(&mut anna, path).await;
        }
        for path in [api_product.as_str(), "/api/v1/products", "/api/v1/orders"] {
            let (status, _) = api(&client, app, path).await;
            assert!(
                status == StatusCode::OK || status.is_server_error(),
                "{name}: {path} answered {status}"
            );
        }
    }
    assert!(stale_pages > 0, "{name}: the last good catalog was shown");
    // Open, or half-open while a probe is under way.
    let breaker = status_json(app).await["breaker"].clone();
    assert!(
        breaker == "open" || breaker == "half_open",
        "{name}: the breaker opened: {breaker}"
    );

    rig.sim.reset_faults();
    let took = wait_until_closed(app).await;
    let (status, body) = page(&mut anna, &product).await;
    assert_eq!(status, StatusCode::OK, "{name}: back after {took:?}");
    assert!(
        text_of(&html(&body), ".stale-notice").is_empty(),
        "{name}: fresh data again, no label"
    );
    let (status, _) = page(&mut anna, "/orders").await;
    assert_eq!(status, StatusCode::OK, "{name}: order history is back");
    if status_json(app).await["breaker"] != "closed" {
        panic!("{name}: the breaker closed without a restart");
    }
    // The buyer tries again with the same form until the order is confirmed: exactly one.
    resubmit_until_placed(&mut anna, &key, &po).await;
    assert_eq!(
        orders_with_po(&rig.demo, &po).await,
        1,
        "{name}: the ERP holds the order exactly once"
    );
}

#[tokio::test]
async fn a_latency_spike_beyond_the_deadline() {
    let faults = Faults {
        latency_ms: 3_000,
        jitter_ms: 500,
        ..Faults::default()
    };
    sweep("latency", faults, true).await;
}

#[tokio::test]
async fn an_error_burst() {
    let faults = Faults {
        error_rate: 1.0,
        ..Faults::default()
    };
    sweep("errors", faults, true).await;
}

#[tokio::test]
async fn a_hanging_erp() {
    let faults = Faults {
        hang: true,
        ..Faults::default()
    };
    sweep("hang", faults, true).await;
}

#[tokio::test]
async fn connections_reset() {
    let faults = Faults {
        reset: true,
        ..Faults::default()
    };
    sweep("reset", faults, true).await;
}

#[tokio::test]
async fn a_full_outage_and_the_return() {
    let faults = Faults {
        outage: true,
        ..Faults::default()
    };
    sweep("outage", faults, true).await;
}

/// A garbled answer is not "unreachable", so until the breaker opens a page may be an error
/// page rather than a labelled stale one; it is still polite, in time, and the order is held once
/// (the sandbox creates it before garbling the answer).
#[tokio::test]
async fn truncated_answers() {
    let faults = Faults {
        truncate: true,
        ..Faults::default()
    };
    sweep("truncated", faults, false).await;
}

#[tokio::test]
async fn malformed_answers() {
    let faults = Faults {
        malformed: true,
        ..Faults::default()
    };
    sweep("malformed", faults, false).await;
}

/// A third of the calls fail: reads are retried within the budget, pages are fresh or labelled, and
/// orders placed meanwhile end up in the ERP exactly once.
#[tokio::test]
async fn intermittent_errors_never_duplicate_an_order() {
    let rig = rig(|_| {}).await;
    let sku = sku_in_stock(&rig.app).await;
    let mut anna = rig.app.browser();
    anna.login(ANNA, "demo").await;
    for i in 0..3 {
        // The form is opened while the ERP is well; the submissions meet the errors.
        rig.sim.reset_faults();
        let key = anna.open_checkout_with(&sku, "1").await;
        rig.sim
            .set_faults(Faults {
                error_rate: 0.3,
                ..Faults::default()
            })
            .unwrap();
        let po = format!("PO-FLAKY-{i}");
        let mut placed = false;
        for _ in 0..40 {
            let started = Instant::now();
            let (status, location, body) = anna.post("/checkout", &checkout_form(&key, &po)).await;
            assert!(started.elapsed() < REQUEST_DEADLINE + MARGIN);
            assert_honest("checkout", &body);
            if status == StatusCode::SEE_OTHER && location.starts_with("/orders/") {
                placed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        assert!(placed, "{po} placed within 40 tries at a 30% error rate");
        assert_eq!(orders_with_po(&rig.demo, &po).await, 1, "{po}");
    }
}

/// 40 concurrent uncached searches against an ERP that takes 200 ms per call: the sandbox never
/// sees more than the limit of 4 at once, and the rest wait or are shed politely.
#[tokio::test]
async fn erp_load_stays_within_the_concurrency_limit() {
    let rig = rig(|c| {
        c.resilience.max_concurrent_calls = 4;
        c.resilience.queue_timeout_ms = 1_000;
    })
    .await;
    rig.sim
        .set_faults(Faults {
            latency_ms: 200,
            ..Faults::default()
        })
        .unwrap();
    rig.sim.reset_calls();
    let client = rig.app.api();
    let started = Instant::now();
    // Different search words: different cache keys, so every request needs the ERP.
    let paths: Vec<String> = (0..40)
        .map(|i| format!("/api/v1/products?q=load{i}"))
        .collect();
    let requests = paths.iter().map(|path| api(&client, &rig.app, path));
    let answers = futures_util::future::join_all(requests).await;
    let took = started.elapsed();
    let ok = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let shed = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    println!(
        "40 concurrent uncached searches in {took:?}: {ok} answered, {shed} shed, at most {} at once in the ERP, {} search calls",
        rig.sim.max_in_flight(),
        rig.sim.calls_of("search_products")
    );
    assert_eq!(ok + shed, 40, "only answers or polite refusals");
    assert!(
        rig.sim.max_in_flight() <= 4,
        "the ERP saw {} calls at once",
        rig.sim.max_in_flight()
    );
    assert!(
        rig.sim.max_in_flight() >= 2,
        "the load really was concurrent"
    );
    assert!(ok >= 4, "the calls within the limit were answered");
    assert_eq!(rig.sim.in_flight(), 0);
}

/// The ERP creates the order and the answer is lost, and the network stays broken for a moment:
/// the buyer reads "we are confirming your order", and pressing "Try again" with the same form
/// finds the one order. With the answer lost but the network back at once, the lookup that
/// follows a failed create finds the order straight away.
#[tokio::test]
async fn an_order_whose_answer_is_lost_is_found_not_duplicated() {
    let demo = Arc::new(DemoErp::embedded().unwrap());
    let (_, sim) = spawn_sim(demo.clone()).await;
    let proxy = FaultProxy::start(sim.addr()).await;
    // A breaker that does not open on the three failures of the lost answer, so the retry below
    // is not refused for a second.
    let app = app_over(&proxy.url(), |c| c.resilience.breaker_failures = 10).await;
    let sku = sku_in_stock(&app).await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;

    // The answer is lost, the link is fine again at once.
    let key = anna.open_checkout_with(&sku, "3").await;
    proxy.lose_next_post_answer(Duration::ZERO);
    let (status, location, body) = anna
        .post("/checkout", &checkout_form(&key, "PO-LOST-1"))
        .await;
    assert_eq!(proxy.lost_answers(), 1, "the answer was lost");
    assert_honest("checkout", &body);
    assert_eq!(status, StatusCode::SEE_OTHER, "found by its key: {body}");
    assert!(location.starts_with("/orders/"), "{location}");
    assert_eq!(orders_with_po(&demo, "PO-LOST-1").await, 1);

    // The answer is lost and the network stays down while erpfront looks the order up.
    let key = anna.open_checkout_with(&sku, "3").await;
    proxy.lose_next_post_answer(Duration::from_millis(1500));
    let started = Instant::now();
    let (status, _, body) = anna
        .post("/checkout", &checkout_form(&key, "PO-LOST-2"))
        .await;
    assert!(started.elapsed() < REQUEST_DEADLINE + MARGIN);
    assert_eq!(proxy.lost_answers(), 2);
    assert_honest("checkout", &body);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let page = html(&body);
    assert!(
        text_of(&page, "h1").contains("We are confirming your order"),
        "{}",
        text_of(&page, "h1")
    );
    assert!(text_of(&page, "main").contains("safe to try again"));
    assert_eq!(
        orders_with_po(&demo, "PO-LOST-2").await,
        1,
        "the ERP did create it"
    );

    tokio::time::sleep(Duration::from_millis(1600)).await;
    wait_until_closed(&app).await;
    let attempts = resubmit_until_placed(&mut anna, &key, "PO-LOST-2").await;
    assert_eq!(
        orders_with_po(&demo, "PO-LOST-2").await,
        1,
        "the resubmission found the order instead of making a second ({attempts} submissions)"
    );
    assert_eq!(sim.calls_of("create_order"), 2, "{:?}", sim.calls());
}

/// The ERP creates the order and its answer arrives garbled (cut short, or not JSON): erpfront
/// cannot read the outcome, so it looks the order up by its key and shows it, once.
#[tokio::test]
async fn a_garbled_answer_to_an_order_is_looked_up() {
    let rig = rig(|_| {}).await;
    let sku = sku_in_stock(&rig.app).await;
    let mut anna = rig.app.browser();
    anna.login(ANNA, "demo").await;
    for (po, faults) in [
        (
            "PO-GARBLED-1",
            Faults {
                truncate: true,
                operation: Some("create_order".into()),
                ..Faults::default()
            },
        ),
        (
            "PO-GARBLED-2",
            Faults {
                malformed: true,
                operation: Some("create_order".into()),
                ..Faults::default()
            },
        ),
    ] {
        rig.sim.reset_faults();
        let key = anna.open_checkout_with(&sku, "1").await;
        rig.sim.set_faults(faults).unwrap();
        let (status, location, body) = anna.post("/checkout", &checkout_form(&key, po)).await;
        assert_honest("checkout", &body);
        assert_eq!(status, StatusCode::SEE_OTHER, "{po}: found by its key");
        assert!(location.starts_with("/orders/"), "{location}");
        assert_eq!(orders_with_po(&rig.demo, po).await, 1, "{po}");
    }
}
