//! Prometheus metrics: what erpfront counts, and the separate listener that serves them on
//! `/metrics` (never the public one, so buyers cannot read the shop's traffic).
//!
//! Counting goes through the `metrics` facade into one process-wide Prometheus recorder. The
//! paths every request takes hold pre-registered handles (an atomic add each); figures that are
//! a state rather than an event (breaker, cache bytes, permits) are read when scraped, so they
//! cost nothing between scrapes. Label values come only from fixed sets (route templates,
//! operation names, kinds, outcomes): never a customer, SKU or login.

mod config;
pub mod erp;
pub mod http;
pub mod names;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

pub use config::MetricsConfig;

/// Latency buckets in seconds: a cached hit takes well under a millisecond, an ERP call tens
/// of milliseconds to seconds, and the request deadline is 30 s.
const SECONDS_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How often histogram samples are folded in when nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls return the same handle). Must run
/// before anything registers a handle, or that handle counts into nothing.
pub fn install() -> PrometheusHandle {
    RECORDER
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder already installed (an embedding program's) keeps counting;
            // ours then shows only what is read at scrape time.
            let _ = metrics::set_global_recorder(recorder);
            names::describe();
            metrics::gauge!(names::BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}

/// Reads a state into gauges just before each scrape.
pub type Collector = Box<dyn Fn() + Send + Sync>;

/// The bound metrics listener.
pub struct MetricsServer {
    listener: TcpListener,
    handle: PrometheusHandle,
    collectors: Arc<Vec<Collector>>,
}

impl MetricsServer {
    /// Binds `addr` and installs the recorder.
    pub async fn bind(addr: SocketAddr, collectors: Vec<Collector>) -> std::io::Result<Self> {
        let handle = install();
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            handle,
            collectors: Arc::new(collectors),
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves `/metrics` until the task is dropped.
    pub async fn serve(self) {
        let upkeep = self.handle.clone();
        let _upkeep = AbortOnDrop(tokio::spawn(async move {
            let mut every = tokio::time::interval(UPKEEP_EVERY);
            loop {
                every.tick().await;
                upkeep.run_upkeep();
            }
        }));
        let (handle, collectors) = (self.handle, self.collectors);
        let router = Router::new().route(
            "/metrics",
            get(move || async move {
                for collect in collectors.iter() {
                    collect();
                }
                (
                    [(
                        header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    handle.render(),
                )
                    .into_response()
            }),
        );
        if let Err(error) = axum::serve(self.listener, router).await {
            tracing::error!(%error, "metrics listener stopped");
        }
    }
}

/// A task that ends with its owner.
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
