//! `/status`: how the order system is doing, in plain words for buyers, and as JSON for
//! monitoring (`/status.json`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;
use super::layout::Layout;
use super::render::HtmlPage;
use crate::resilience::breaker::BreakerState;
use crate::resilience::health::{HealthReport, Reachability};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/status", get(show_status))
        .route("/status.json", get(status_json))
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    layout: Layout,
    report: HealthReport,
}

impl StatusPage {
    fn light(&self) -> &'static str {
        match self.report.reachability {
            Reachability::Up => "up",
            Reachability::Unstable => "unstable",
            Reachability::Down => "down",
        }
    }

    fn headline(&self) -> &'static str {
        match self.report.reachability {
            Reachability::Up => "Our order system is working normally.",
            Reachability::Unstable => "Our order system is answering slowly or with errors.",
            Reachability::Down => "Our order system is not reachable right now.",
        }
    }

    fn explanation(&self) -> &'static str {
        match self.report.reachability {
            Reachability::Up => "Prices, stock, orders and invoices are live.",
            Reachability::Unstable => {
                "Pages may take longer, and some may show information from a few minutes ago, marked with its time."
            }
            Reachability::Down => {
                "You can still browse the catalog with the last prices and stock we had, marked with their time. Order history and invoices cannot be loaded, and orders cannot be placed until it is back: your cart is kept. We check again every few seconds."
            }
        }
    }

    fn since(&self) -> String {
        self.report
            .breaker_since
            .format("%H:%M UTC on %-d %b")
            .to_string()
    }

    fn latency(&self) -> String {
        self.report.latency.map_or_else(
            || "not measured yet".into(),
            |l| format!("{} ms", l.as_millis()),
        )
    }

    fn is_closed(&self) -> bool {
        self.report.breaker == BreakerState::Closed
    }
}

async fn show_status(State(state): State<AppState>) -> Response {
    let page = StatusPage {
        layout: Layout::anonymous(&state, "Status", String::new()),
        report: state.health.report(),
    };
    HtmlPage(page).into_response()
}

async fn status_json(State(state): State<AppState>) -> Json<serde_json::Value> {
    let r = state.health.report();
    Json(json!({
        "erp": r.erp,
        "reachability": match r.reachability { Reachability::Up => "up", Reachability::Unstable => "unstable", Reachability::Down => "down" },
        "breaker": match r.breaker { BreakerState::Closed => "closed", BreakerState::Open => "open", BreakerState::HalfOpen => "half_open" },
        "breaker_since": r.breaker_since,
        "last_success": r.last_success,
        "last_failure": r.last_failure,
        "latency_ms": r.latency.map(|l| l.as_secs_f64() * 1000.0),
    }))
}
