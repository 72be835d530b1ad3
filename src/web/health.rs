//! Endpoints for load balancers: `/healthz` says the process is alive, `/readyz` that it can
//! take traffic.

use axum::Router;
use axum::routing::get;

use super::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(|| async { "ready" }))
}
