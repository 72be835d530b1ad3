//! Endpoints for load balancers: `/healthz` says the process is alive, `/readyz` that it can
//! take traffic. Once shutdown begins `/readyz` answers 503 while `/healthz` stays 200, so a
//! balancer stops sending new requests without an orchestrator taking the process for dead
//! and killing the requests it is finishing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::AppState;

/// Whether this instance invites traffic. Starts ready; shutdown ends it for good.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// From now on `/readyz` answers 503.
    pub fn begin_draining(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether shutdown has begun.
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
}

async fn ready(State(state): State<AppState>) -> Response {
    if state.readiness.is_draining() {
        // JSON, so the error pages leave this 503 as it is: it is an answer, not a failure.
        let body = Json(serde_json::json!({ "status": "shutting_down" }));
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    } else {
        "ready".into_response()
    }
}
