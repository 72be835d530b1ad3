//! The sandbox ERP: any [`Erp`] served over the HTTP adapter protocol (`src/erp/http`), with
//! faults on demand and a count of the calls it receives.
//!
//! `erpfront erp-sim` serves the demo ERP with it, so integrators can try erpfront's `http`
//! adapter (and their own clients of the protocol) against a misbehaving ERP; tests and tools
//! start it in-process with [`spawn_sim`] around whichever adapter they need. It keeps nothing
//! on disk: the adapter behind it holds whatever state there is.
//!
//! - `routes`: the protocol's paths over the adapter.
//! - `faults`: the knobs ([`Faults`]) and the middleware that applies them to each call.
//! - `admin`: `/admin/faults` and `/admin/calls`, for tests and benchmarks only. They let anyone
//!   who reaches them break the service, so never expose them publicly; `--admin-token`
//!   protects them.
//! - `connection`: the accept loop ([`serve`]), which can end a connection without an answer.

mod admin;
mod connection;
mod faults;
mod routes;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use connection::serve;
pub use faults::Faults;

use crate::erp::Erp;

/// The operations of the protocol, as counted and as named in a fault's `operation`: the
/// [`Erp`] methods they call (and the `operationId`s of the OpenAPI document).
pub const OPERATIONS: [&str; 18] = [
    "health",
    "categories",
    "search_products",
    "product",
    "prices",
    "availability",
    "customer",
    "create_order",
    "find_order_by_key",
    "orders",
    "order",
    "invoices",
    "invoice",
    "invoice_document",
    "saved_cart",
    "save_cart",
    "search_orders",
    "search_customers",
];

/// Bearer tokens the sandbox asks for; none by default.
#[derive(Debug, Clone, Default)]
pub struct SimAccess {
    /// Required on `/admin/...` when set.
    pub admin_token: Option<String>,
    /// Required on `/v1/...` when set, as an adapter service would (`[erp] token`).
    pub protocol_token: Option<String>,
}

/// The faults and counters of one sandbox, shared by its router and whoever steers it.
#[derive(Clone)]
pub struct SimControl {
    inner: Arc<Control>,
}

struct Control {
    faults: watch::Sender<Faults>,
    calls: Mutex<BTreeMap<&'static str, u64>>,
    /// Calls being answered now (hanging ones included), and the most there were at once.
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    admin_token: Option<[u8; 32]>,
    protocol_token: Option<[u8; 32]>,
}

impl Default for SimControl {
    fn default() -> Self {
        Self::new(SimAccess::default())
    }
}

impl SimControl {
    /// A well-behaved sandbox with no calls counted yet.
    pub fn new(access: SimAccess) -> Self {
        let digest = |token: Option<String>| token.map(|t| Sha256::digest(t).into());
        Self {
            inner: Arc::new(Control {
                faults: watch::Sender::new(Faults::default()),
                calls: Mutex::default(),
                in_flight: AtomicU64::new(0),
                max_in_flight: AtomicU64::new(0),
                admin_token: digest(access.admin_token),
                protocol_token: digest(access.protocol_token),
            }),
        }
    }

    /// Puts `faults` in force for the calls that arrive from now on.
    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        self.inner.faults.send_replace(faults);
        Ok(())
    }

    /// A well-behaved ERP again; hanging calls are released (their connections closed).
    pub fn reset_faults(&self) {
        self.inner.faults.send_replace(Faults::default());
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.inner.faults.borrow().clone()
    }

    fn subscribe(&self) -> watch::Receiver<Faults> {
        self.inner.faults.subscribe()
    }

    /// Calls received per operation since the last reset (faulted calls included).
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.counters()
            .iter()
            .map(|(operation, count)| ((*operation).to_owned(), *count))
            .collect()
    }

    /// Calls of one operation since the last reset.
    pub fn calls_of(&self, operation: &str) -> u64 {
        self.counters().get(operation).copied().unwrap_or(0)
    }

    /// Counts from zero (the high-water mark of calls at once starts again from those under
    /// way now).
    pub fn reset_calls(&self) {
        self.counters().clear();
        let now = self.inner.in_flight.load(Ordering::SeqCst);
        self.inner.max_in_flight.store(now, Ordering::SeqCst);
    }

    /// Protocol calls being answered right now.
    pub fn in_flight(&self) -> u64 {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// The most protocol calls that were under way at once since the last reset: what a
    /// client's concurrency limit has to keep down.
    pub fn max_in_flight(&self) -> u64 {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    /// Marks a call as under way until the guard is dropped (also when its connection is
    /// closed under it).
    fn enter(&self) -> InFlight {
        let now = self.inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(self.inner.clone())
    }

    fn count(&self, operation: &'static str) {
        *self.counters().entry(operation).or_default() += 1;
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, u64>> {
        // Counting cannot leave the map half-changed, so a poisoned lock is still good.
        self.inner
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn admin_token_accepts(&self, headers: &HeaderMap) -> bool {
        bearer_matches(self.inner.admin_token.as_ref(), headers)
    }

    fn protocol_token_accepts(&self, headers: &HeaderMap) -> bool {
        bearer_matches(self.inner.protocol_token.as_ref(), headers)
    }
}

/// One call under way, for the in-flight count.
struct InFlight(Arc<Control>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Compares digests, so the comparison takes as long however much of a wrong token matches.
fn bearer_matches(expected: Option<&[u8; 32]>, headers: &HeaderMap) -> bool {
    let Some(expected) = expected else {
        return true;
    };
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| Sha256::digest(token.trim()).as_slice() == expected.as_slice())
}

/// The sandbox's router: the protocol under `/v1/` over `erp`, and the admin API.
pub fn router(erp: Arc<dyn Erp>, control: &SimControl) -> Router {
    routes::routes(erp, control).merge(admin::routes(control))
}

/// A sandbox serving in the background of the current tokio runtime; dropping it stops it.
/// It dereferences to its [`SimControl`].
pub struct SimHandle {
    addr: SocketAddr,
    control: SimControl,
    server: tokio::task::JoinHandle<()>,
}

impl SimHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT`, for `[erp] base_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its faults and counters.
    pub fn control(&self) -> &SimControl {
        &self.control
    }
}

impl std::ops::Deref for SimHandle {
    type Target = SimControl;
    fn deref(&self) -> &SimControl {
        &self.control
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Serves `erp` over the protocol on a free loopback port, in the current tokio runtime, with no
/// tokens. Panics if no loopback port can be bound.
pub async fn spawn_sim(erp: Arc<dyn Erp>) -> (SocketAddr, SimHandle) {
    match spawn_sim_with(erp, SimControl::default()).await {
        Ok(started) => started,
        Err(error) => panic!("erp-sim cannot listen on a loopback port: {error}"),
    }
}

/// [`spawn_sim`] with a control made beforehand (tokens, faults from the start).
pub async fn spawn_sim_with(
    erp: Arc<dyn Erp>,
    control: SimControl,
) -> std::io::Result<(SocketAddr, SimHandle)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(serve(listener, router(erp, &control)));
    Ok((
        addr,
        SimHandle {
            addr,
            control,
            server,
        },
    ))
}
