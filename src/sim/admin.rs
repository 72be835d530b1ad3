//! The sandbox's admin API, for tests and benchmarks only: read and set the faults, read and
//! reset the call counters. It is never subject to faults and never counted.
//!
//! | path | does |
//! | --- | --- |
//! | `GET /admin/faults` | the faults in force |
//! | `PUT /admin/faults` | replaces them with the JSON body (omitted knobs are off) |
//! | `DELETE /admin/faults` | a well-behaved ERP again |
//! | `GET /admin/calls` | `{"operation": count, ...}` since the last reset |
//! | `DELETE /admin/calls` | counts from zero |
//! | `GET /admin/load` | `{"in_flight": n, "max_in_flight": m}`: calls under way now, and the most at once since the last reset |

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;

use super::SimControl;
use super::faults::Faults;

pub(super) fn routes(control: &SimControl) -> Router {
    Router::new()
        .route(
            "/admin/faults",
            get(show_faults).put(set_faults).delete(clear_faults),
        )
        .route("/admin/calls", get(show_calls).delete(clear_calls))
        .route("/admin/load", get(show_load))
        .layer(from_fn_with_state(control.clone(), require_admin_token))
        .with_state(control.clone())
}

async fn require_admin_token(
    State(control): State<SimControl>,
    request: Request,
    next: Next,
) -> Response {
    if control.admin_token_accepts(request.headers()) {
        next.run(request).await
    } else {
        (StatusCode::UNAUTHORIZED, "admin token required\n").into_response()
    }
}

async fn show_faults(State(control): State<SimControl>) -> Json<Faults> {
    Json(control.faults())
}

async fn set_faults(State(control): State<SimControl>, body: Bytes) -> Response {
    let faults: Faults = match serde_json::from_slice(&body) {
        Ok(faults) => faults,
        Err(error) => return (StatusCode::BAD_REQUEST, format!("{error}\n")).into_response(),
    };
    match control.set_faults(faults) {
        Ok(()) => {
            tracing::info!(faults = ?control.faults(), "erp-sim faults set");
            Json(control.faults()).into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, format!("{error}\n")).into_response(),
    }
}

async fn clear_faults(State(control): State<SimControl>) -> Json<Faults> {
    control.reset_faults();
    tracing::info!("erp-sim faults cleared");
    Json(control.faults())
}

async fn show_calls(
    State(control): State<SimControl>,
) -> Json<std::collections::BTreeMap<String, u64>> {
    Json(control.calls())
}

async fn clear_calls(State(control): State<SimControl>) -> StatusCode {
    control.reset_calls();
    StatusCode::NO_CONTENT
}

async fn show_load(State(control): State<SimControl>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "in_flight": control.in_flight(),
        "max_in_flight": control.max_in_flight(),
    }))
}
