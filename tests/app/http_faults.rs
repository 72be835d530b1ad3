//! Every way the adapter service or the network can fail becomes the right `ErpError`, within
//! the request deadline: faults of the sandbox, scripted misbehaviour, an unreachable port.

use std::sync::Arc;
use std::time::Duration;

use erpfront::domain::{CustomerId, Sku};
use erpfront::erp::demo::DemoErp;
use erpfront::erp::http::HttpErp;
use erpfront::erp::{Erp, ErpError};
use erpfront::sim::{Faults, SimHandle, spawn_sim};

use crate::support::adapters::{SHORT_TIMEOUT, fails_within, http_erp};
use crate::support::raw_server::{RawServer, Step};

async fn sandbox(faults: Faults) -> (SimHandle, HttpErp) {
    let (_, sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
    sim.set_faults(faults).unwrap();
    let http = http_erp(&sim.url(), SHORT_TIMEOUT);
    (sim, http)
}

fn is_unavailable(error: &ErpError) -> bool {
    matches!(error, ErpError::Unavailable { .. })
}

fn is_invalid(error: &ErpError) -> bool {
    matches!(error, ErpError::InvalidData { .. })
}

#[tokio::test]
async fn latency_within_the_deadline_is_fine_and_beyond_it_times_out() {
    let (sim, http) = sandbox(Faults {
        latency_ms: 50,
        jitter_ms: 50,
        ..Faults::default()
    })
    .await;
    assert!(http.categories().await.is_ok());
    sim.set_faults(Faults {
        latency_ms: 2_000,
        ..Faults::default()
    })
    .unwrap();
    let error = fails_within(SHORT_TIMEOUT, http.categories()).await;
    assert_eq!(error, ErpError::Timeout);
}

#[tokio::test]
async fn a_hanging_server_times_out() {
    let (sim, http) = sandbox(Faults {
        hang: true,
        ..Faults::default()
    })
    .await;
    let error = fails_within(SHORT_TIMEOUT, http.health()).await;
    assert_eq!(error, ErpError::Timeout);
    sim.reset_faults();
    assert!(http.health().await.is_ok(), "a fresh connection answers");
    assert_eq!(sim.calls_of("health"), 2);
}

#[tokio::test]
async fn a_trickling_answer_times_out() {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n";
    let mut steps = vec![Step::Write(head.as_bytes().to_vec())];
    for _ in 0..40 {
        steps.push(Step::Write(b" ".to_vec()));
        steps.push(Step::Pause(Duration::from_millis(50)));
    }
    let server = RawServer::start(steps).await;
    let http = http_erp(&server.url(), SHORT_TIMEOUT);
    let error = fails_within(SHORT_TIMEOUT, http.categories()).await;
    assert_eq!(error, ErpError::Timeout);
}

#[tokio::test]
async fn resets_outages_and_errors_are_unavailable() {
    for faults in [
        Faults {
            reset: true,
            ..Faults::default()
        },
        Faults {
            outage: true,
            ..Faults::default()
        },
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    ] {
        let (sim, http) = sandbox(faults.clone()).await;
        let error = fails_within(SHORT_TIMEOUT, http.categories()).await;
        assert!(is_unavailable(&error), "{faults:?}: {error:?}");
        assert_eq!(sim.calls_of("categories"), 1, "{faults:?}");
    }
}

#[tokio::test]
async fn an_unreachable_port_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let http = http_erp(&format!("http://{addr}"), SHORT_TIMEOUT);
    let error = fails_within(SHORT_TIMEOUT, http.health()).await;
    assert!(is_unavailable(&error), "{error:?}");
}

/// A body cut short of its Content-Length is `InvalidData`: the service did answer, so this is a
/// bad answer rather than an unreachable service.
#[tokio::test]
async fn truncated_and_malformed_answers_are_invalid_data() {
    for faults in [
        Faults {
            truncate: true,
            ..Faults::default()
        },
        Faults {
            malformed: true,
            ..Faults::default()
        },
    ] {
        let (_sim, http) = sandbox(faults.clone()).await;
        let error = fails_within(SHORT_TIMEOUT, http.categories()).await;
        assert!(is_invalid(&error), "{faults:?}: {error:?}");
        let cut_off = error.to_string().contains("cut off");
        assert_eq!(cut_off, faults.truncate, "{error}");
        let sku: Sku = "FAS-1001".parse().unwrap();
        let error = fails_within(SHORT_TIMEOUT, http.product(&sku)).await;
        assert!(is_invalid(&error), "{faults:?}: {error:?}");
    }
}

#[tokio::test]
async fn a_fault_scoped_to_one_operation_leaves_the_others_alone() {
    let (sim, http) = sandbox(Faults {
        reset: true,
        operation: Some("prices".into()),
        ..Faults::default()
    })
    .await;
    let customer: CustomerId = "C-1000".parse().unwrap();
    let sku: Sku = "FAS-1001".parse().unwrap();
    let error = fails_within(
        SHORT_TIMEOUT,
        http.prices(&customer, std::slice::from_ref(&sku)),
    )
    .await;
    assert!(is_unavailable(&error), "{error:?}");
    assert!(http.availability(&[sku]).await.is_ok());
    assert!(
        sim.set_faults(Faults {
            operation: Some("no_such_operation".into()),
            ..Faults::default()
        })
        .is_err()
    );
}

#[tokio::test]
async fn error_bodies_map_to_their_outcomes_whatever_the_status() {
    type Expectation = fn(&ErpError) -> bool;
    let cases: [(&str, &str, Expectation); 6] = [
        ("404 Not Found", "not_found", |e| *e == ErpError::NotFound),
        ("422 Unprocessable Entity", "rejected", |e| {
            *e == ErpError::rejected("Blocked customer, please call us.")
        }),
        ("503 Service Unavailable", "unavailable", is_unavailable),
        ("502 Bad Gateway", "invalid_data", is_invalid),
        ("501 Not Implemented", "unsupported", |e| {
            *e == ErpError::Unsupported {
                operation: "categories",
            }
        }),
        ("504 Gateway Timeout", "timeout", |e| {
            *e == ErpError::Timeout
        }),
    ];
    for (status, outcome, expected) in cases {
        let body = format!(
            r#"{{"error": {{"outcome": "{outcome}", "message": "Blocked customer, please call us."}}}}"#
        );
        let server = RawServer::answer(status, "application/json", body.as_bytes()).await;
        let error = fails_within(
            SHORT_TIMEOUT,
            http_erp(&server.url(), SHORT_TIMEOUT).categories(),
        )
        .await;
        assert!(expected(&error), "{outcome}: {error:?}");
    }
    let bare_404 = RawServer::answer("404 Not Found", "text/plain", b"Not Found").await;
    let error = fails_within(
        SHORT_TIMEOUT,
        http_erp(&bare_404.url(), SHORT_TIMEOUT).health(),
    )
    .await;
    assert!(is_invalid(&error), "a bare 404 is a wrong path: {error:?}");
    let html_500 = RawServer::answer("500 Internal Server Error", "text/html", b"<h1>oops").await;
    let error = fails_within(
        SHORT_TIMEOUT,
        http_erp(&html_500.url(), SHORT_TIMEOUT).health(),
    )
    .await;
    assert!(is_unavailable(&error), "{error:?}");
}

#[tokio::test]
async fn floats_wrong_types_and_foreign_records_are_invalid_data() {
    let customer: CustomerId = "C-1000".parse().unwrap();
    let sku: Sku = "FAS-1001".parse().unwrap();
    let float_price = r#"{"items": [{"sku": "FAS-1001", "currency": "EUR", "as_of": "2026-01-01T00:00:00Z",
        "tiers": [{"min_quantity": 1, "unit_price": 12.95}]}]}"#;
    let server = RawServer::json(float_price).await;
    let http = http_erp(&server.url(), SHORT_TIMEOUT);
    let error = fails_within(SHORT_TIMEOUT, http.prices(&customer, &[sku])).await;
    assert!(is_invalid(&error), "money is never a float: {error:?}");

    let server = RawServer::json(r#"{"items": [{"id": 5, "name": "Fasteners"}]}"#).await;
    let error = fails_within(
        SHORT_TIMEOUT,
        http_erp(&server.url(), SHORT_TIMEOUT).categories(),
    )
    .await;
    assert!(is_invalid(&error), "{error:?}");

    let demo = DemoErp::embedded().unwrap();
    let globex = demo.customer(&"C-2000".parse().unwrap()).await.unwrap();
    let server = RawServer::json(&serde_json::to_string(&globex).unwrap()).await;
    let error = fails_within(
        SHORT_TIMEOUT,
        http_erp(&server.url(), SHORT_TIMEOUT).customer(&customer),
    )
    .await;
    assert!(
        is_invalid(&error),
        "another customer's record is refused: {error:?}"
    );
}

#[tokio::test]
async fn oversized_answers_are_invalid_data() {
    let announced =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000000\r\n\r\n{";
    let server = RawServer::start(vec![Step::Write(announced.as_bytes().to_vec())]).await;
    let error = fails_within(
        SHORT_TIMEOUT,
        http_erp(&server.url(), SHORT_TIMEOUT).categories(),
    )
    .await;
    assert!(is_invalid(&error), "{error:?}");

    let unannounced =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
    let server = RawServer::start(vec![
        Step::Write(unannounced.as_bytes().to_vec()),
        Step::Write(vec![b' '; 5 * 1024 * 1024]),
    ])
    .await;
    let http = http_erp(&server.url(), Duration::from_secs(3));
    let error = fails_within(Duration::from_secs(3), http.categories()).await;
    assert!(is_invalid(&error), "{error:?}");
}
