//! `/status`: how the order system is doing, in plain words for buyers, and as JSON for
//! monitoring (`/status.json`). Both, and the banner on every page, read one
//! [`HealthReport`], so they never disagree.
//!
//! Buyers get the state, since when and what still works. The adapter, the breaker and the
//! answer times are for operators: `/status.json` adds them for a request carrying one of the
//! `[status] operator_token_sha256` tokens, so nothing about the ERP behind the shop is public.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;
use super::layout::Layout;
use super::render::HtmlPage;
use super::viewer;
use crate::resilience::breaker::BreakerState;
use crate::resilience::health::{ErpState, HealthReport};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/status", get(show_status))
        .route("/status.json", get(status_json))
}

/// The first line buyers read about the order system.
pub fn headline(state: ErpState) -> &'static str {
    match state {
        ErpState::Working => "Our order system is working normally.",
        ErpState::Slow => "Our order system is answering slowly right now.",
        ErpState::PartlyFailing => "Our order system is failing some requests right now.",
        // The same words as every page's banner and error page (`layout::ERP_NOT_ANSWERING`).
        ErpState::Unreachable => "Our order system is not answering right now.",
        ErpState::Recovering => "Our order system is back after an interruption.",
    }
}

/// What that means for them.
pub fn explanation(state: ErpState) -> &'static str {
    match state {
        ErpState::Working => "Prices, stock, orders and invoices are live.",
        ErpState::Slow => {
            "Pages may take several seconds. Everything works; please wait for a page rather than reloading it."
        }
        ErpState::PartlyFailing => {
            "Some pages may show prices and stock from a few minutes ago, marked with their time, or ask you to try again. Orders that are confirmed with an order number are safely in our system."
        }
        ErpState::Unreachable => {
            "Catalog pages opened before still show the last prices and stock we had, marked with their time; others cannot be shown until it is back. Order history and invoices cannot be loaded, and orders cannot be placed: your cart is kept and you can still change it, and orders already placed are safe in our order system. We check again every few seconds."
        }
        ErpState::Recovering => {
            "Prices, stock, orders and invoices are live again. Pages may be a little slower for a few minutes."
        }
    }
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    layout: Layout,
    report: HealthReport,
}

impl StatusPage {
    fn light(&self) -> &'static str {
        match self.report.state {
            ErpState::Working | ErpState::Recovering => "up",
            ErpState::Slow | ErpState::PartlyFailing => "unstable",
            ErpState::Unreachable => "down",
        }
    }

    fn headline(&self) -> &'static str {
        headline(self.report.state)
    }

    fn explanation(&self) -> &'static str {
        explanation(self.report.state)
    }

    /// ("Not answering since", "14:02 UTC on 3 Dec"), ("Back since", …).
    fn since(&self) -> Option<(&'static str, String)> {
        let label = match self.report.state {
            ErpState::Unreachable => "Not answering since",
            ErpState::Recovering => "Back since",
            _ => return None,
        };
        let at = self.report.since?;
        Some((label, at.format("%H:%M UTC on %-d %b").to_string()))
    }

    fn latency(&self) -> String {
        self.report.latency.map_or_else(
            || "no answers in the last minute".into(),
            |l| format!("{} ms", l.as_millis()),
        )
    }
}

async fn show_status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let page = StatusPage {
        layout: viewer::layout(&state, &headers, "Status"),
        report: state.health.report(),
    };
    HtmlPage(page).into_response()
}

/// Whether the request carries an operator's status token.
fn is_operator(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
    else {
        return false;
    };
    let hash = crate::users::token_hash(token);
    state.site.status_tokens.contains(&hash)
}

async fn status_json(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let r = state.health.report();
    let mut body = json!({
        "state": r.state.as_str(),
        "since": r.since,
        "message": headline(r.state),
        "last_success": r.last_success,
    });
    if is_operator(&state, &headers) {
        body["erp"] = json!(r.erp);
        body["breaker"] = json!(match r.breaker {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        });
        body["breaker_since"] = json!(r.breaker_since);
        body["last_failure"] = json!(r.last_failure);
        // Whole microseconds, so the figure reads 0.13 rather than 0.12999999999999998.
        body["latency_ms"] = json!(r.latency.map(|l| l.as_micros() as f64 / 1000.0));
        body["window"] = json!({"seconds": 60, "calls": r.calls, "failures": r.failures});
    }
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}
