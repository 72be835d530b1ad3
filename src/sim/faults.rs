//! The fault knobs and the middleware that applies them to each protocol call: the ways a real
//! ERP and the network in front of it misbehave, on demand.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::connection::ConnectionAbort;
use super::{OPERATIONS, SimControl};
use crate::erp::http::wire::{ErrorBody, Outcome};

/// Longest a hanging request is held before its connection is closed anyway, so that a
/// forgotten `hang` does not keep sockets open for ever.
const LONGEST_HANG: Duration = Duration::from_secs(600);

/// Longest latency (fixed plus jitter) that may be set.
const LONGEST_LATENCY_MS: u64 = 600_000;

/// How the sandbox misbehaves. The default is a well-behaved ERP. Settable with command-line
/// flags of `erpfront erp-sim`, as JSON through `PUT /admin/faults`, or in-process through
/// [`SimControl::set_faults`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Milliseconds added before every answer.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Up to this many milliseconds more, at random.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Share of calls, from 0 to 1, answered 503 with an `unavailable` error body.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Answer every call 503 with an `unavailable` error body.
    #[arg(long)]
    pub outage: bool,
    /// Accept calls and never answer them (until the fault is cleared, then close).
    #[arg(long)]
    pub hang: bool,
    /// Close the connection with a TCP reset instead of answering.
    #[arg(long)]
    pub reset: bool,
    /// Announce the full Content-Length, send half the body, close.
    #[arg(long)]
    pub truncate: bool,
    /// Answer 200 with a body that is not JSON (`{"items": [` and garbage).
    #[arg(long)]
    pub malformed: bool,
    /// Apply the faults to this operation only (`create_order`, `prices`, ...).
    #[arg(long = "fault-operation", value_name = "OPERATION")]
    pub operation: Option<String>,
}

impl Faults {
    /// Checks the ranges and the operation name.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(format!(
                "error_rate must be from 0 to 1, not {}",
                self.error_rate
            ));
        }
        if self.latency_ms.saturating_add(self.jitter_ms) > LONGEST_LATENCY_MS {
            return Err(format!(
                "latency_ms plus jitter_ms must be at most {LONGEST_LATENCY_MS}"
            ));
        }
        if let Some(operation) = &self.operation
            && !OPERATIONS.contains(&operation.as_str())
        {
            return Err(format!(
                "unknown operation {operation:?}; one of {}",
                OPERATIONS.join(", ")
            ));
        }
        Ok(())
    }

    /// Whether the faults concern `operation`.
    pub fn applies_to(&self, operation: &str) -> bool {
        self.operation.as_deref().is_none_or(|o| o == operation)
    }

    fn delay(&self) -> Duration {
        let jitter = (random_fraction() * (self.jitter_ms as f64 + 1.0)) as u64;
        Duration::from_millis(self.latency_ms + jitter.min(self.jitter_ms))
    }
}

/// The operation a route serves, for counting and for scoping faults.
#[derive(Clone)]
pub(super) struct Scope {
    pub(super) control: SimControl,
    pub(super) operation: &'static str,
}

/// Counts the call, then misbehaves as the faults in force say.
pub(super) async fn apply(State(scope): State<Scope>, request: Request, next: Next) -> Response {
    let Scope { control, operation } = scope;
    control.count(operation);
    let _in_flight = control.enter();
    let faults = control.faults();
    if !faults.applies_to(operation) {
        return next.run(request).await;
    }
    let connection = request.extensions().get::<ConnectionAbort>().cloned();
    let delay = faults.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if faults.outage {
        return unavailable("simulated outage");
    }
    if faults.hang {
        let mut changes = control.subscribe();
        let released = changes.wait_for(|f| !(f.hang && f.applies_to(operation)));
        let _ = tokio::time::timeout(LONGEST_HANG, released).await;
        return close(connection).await;
    }
    if faults.reset {
        return close(connection).await;
    }
    if faults.error_rate > 0.0 && random_fraction() < faults.error_rate {
        return unavailable("simulated error");
    }
    // The call reaches the ERP, as it would when only the answer is lost on the way back: a
    // created order stays created.
    let response = next.run(request).await;
    if faults.truncate {
        return truncated(response).await;
    }
    if faults.malformed {
        return malformed();
    }
    response
}

fn unavailable(message: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(ErrorBody::new(Outcome::Unavailable, message)),
    )
        .into_response()
}

/// Ends the connection without an answer; the connection task drops this future.
async fn close(connection: Option<ConnectionAbort>) -> Response {
    match connection {
        Some(connection) => {
            connection.request();
            std::future::pending().await
        }
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "this fault closes connections, which needs sim::serve",
        )
            .into_response(),
    }
}

/// The answer with its full length announced and half of it sent. The body fails after a pause
/// so that hyper has flushed the half before it closes the connection.
async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return unavailable("could not buffer the answer to truncate it");
    };
    let announced = bytes.len().max(2);
    let half = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, header::HeaderValue::from(announced));
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(half)]);
    let then_fail = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::other("truncated on purpose"))
    });
    let body = Body::from_stream(futures_util::StreamExt::chain(first, then_fail));
    Response::from_parts(parts, body)
}

fn malformed() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        "{\"items\": [{\"sku\": \"FAS-1001\", \"name\": \u{7f}\u{0}garbage]]",
    )
        .into_response()
}

/// A random number in `[0, 1)`, from the operating system's generator (through UUID v4, which
/// the crate already has) rather than a further dependency.
fn random_fraction() -> f64 {
    let bits = (uuid::Uuid::new_v4().as_u128() >> 75) as u64;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_checked() {
        assert!(Faults::default().validate().is_ok());
        let rate = Faults {
            error_rate: 1.5,
            ..Faults::default()
        };
        assert!(rate.validate().unwrap_err().contains("error_rate"));
        let nan = Faults {
            error_rate: f64::NAN,
            ..Faults::default()
        };
        assert!(nan.validate().is_err());
        let op = Faults {
            operation: Some("drop_tables".into()),
            ..Faults::default()
        };
        assert!(op.validate().unwrap_err().contains("drop_tables"));
    }

    #[test]
    fn faults_read_from_partial_json() {
        let faults: Faults = serde_json::from_str(r#"{"hang": true, "operation": "prices"}"#)
            .expect("partial faults parse");
        assert!(faults.hang && !faults.reset);
        assert!(faults.applies_to("prices") && !faults.applies_to("categories"));
        assert!(serde_json::from_str::<Faults>(r#"{"hnag": true}"#).is_err());
    }

    #[test]
    fn jitter_stays_in_range() {
        let faults = Faults {
            latency_ms: 10,
            jitter_ms: 5,
            ..Faults::default()
        };
        for _ in 0..100 {
            let delay = faults.delay().as_millis();
            assert!((10..=15).contains(&delay), "{delay}");
        }
        assert!((0..100).all(|_| (0.0..1.0).contains(&random_fraction())));
    }
}
