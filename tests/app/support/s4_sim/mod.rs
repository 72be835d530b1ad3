//! A simulated SAP S/4HANA system speaking OData V2 over real HTTP on loopback, built from the
//! fixtures in `fixtures/sap/`. It enforces what S/4HANA enforces on the calls the adapter
//! makes: authentication, a CSRF token bound to the session cookie on every write
//! (`403 x-csrf-token: Required` otherwise), `If-Match` with a current ETag on deletes (428
//! without, 412 when stale), `$filter` only on filterable fields (400 otherwise), prices per
//! customer with quantity scales, and orders that keep their PO number and header texts.
//! Like SAP it keeps no key unique and holds nothing across requests: a lookup and the create
//! after it are separate steps, creates run side by side (see [`S4Sim::set_create_latency`]),
//! and an order can be deleted again with `If-Match`.

mod atom;
mod batch;
mod changes;
pub mod check;
mod conformity;
mod deliveries;
pub mod edmx;
mod filter;
mod functions;
mod handler;
mod query;
mod sales;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use erpfront::erp::sap::{SapAuth, SapConfig};
use secrecy::SecretString;
use serde_json::Value;

use state::State;

/// A running simulator.
#[derive(Clone)]
pub struct S4Sim {
    pub addr: SocketAddr,
    state: Arc<State>,
}

impl S4Sim {
    /// Starts a fresh system on a free loopback port.
    pub async fn start() -> Self {
        let state = Arc::new(State::load());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = handler::router(state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { addr, state }
    }

    /// An `[erp]` section (with `[erp.auth]`) for `erpfront serve` or `check-adapter` against
    /// this simulator.
    pub fn erp_section(&self, request_timeout_ms: u64, password: &str) -> String {
        format!(
            r#"[erp]
kind = "sap"
base_url = "{}"
sales_organization = "1010"
distribution_channel = "10"
division = "00"
order_type = "OR"
plant = "1010"
price_tier_quantities = [1, 10, 50]
request_timeout_ms = {request_timeout_ms}
[erp.auth]
method = "basic"
user = "ERPFRONT_COMM"
password = "{password}"
"#,
            self.base_url()
        )
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The adapter settings for this system, with basic auth and the price ladder 1/10/50.
    pub fn config(&self) -> SapConfig {
        let mut config =
            SapConfig::example(&self.base_url(), &self.state.user, &self.state.password);
        config.price_tier_quantities = vec![1, 10, 50];
        config.request_timeout_ms = 1500;
        config
    }

    /// The same with OAuth client credentials.
    pub fn oauth_config(&self) -> SapConfig {
        let mut config = self.config();
        config.auth = SapAuth::Oauth {
            client_id: self.state.oauth_client.0.clone(),
            client_secret: SecretString::from(self.state.oauth_client.1.clone()),
            token_url: format!("{}/oauth/token", self.base_url()),
        };
        config
    }

    /// Every request and answer so far that departed from SAP's published service definitions.
    pub fn violations(&self) -> Vec<String> {
        self.state.violations.lock().unwrap().clone()
    }

    /// From now on the system answers as a release before 2021, checked against that
    /// release's `$metadata`: no `TaxAmount` on order items, no `TotalBlockStatus`.
    pub fn answer_as_release_2020(&self) {
        self.state.release_2020.store(true, Ordering::SeqCst);
    }

    /// From now on CSRF tokens are handed out only on `GET` of a service root without a
    /// trailing slash, as some gateways do.
    pub fn hand_out_csrf_tokens_only_on_root_get(&self) {
        self.state
            .csrf_only_on_root_get
            .store(true, Ordering::SeqCst);
    }

    /// Every CSRF token becomes invalid, as when the SAP session times out.
    pub fn expire_csrf_tokens(&self) {
        self.state.csrf_tokens.lock().unwrap().clear();
    }

    /// Every OAuth token becomes invalid.
    pub fn revoke_oauth_tokens(&self) {
        self.state.bearer_tokens.lock().unwrap().clear();
    }

    pub fn csrf_fetches(&self) -> usize {
        self.state.csrf_fetches.load(Ordering::SeqCst)
    }

    pub fn token_grants(&self) -> usize {
        self.state.token_grants.load(Ordering::SeqCst)
    }

    /// How many `METHOD EntitySet` requests arrived (e.g. `POST A_SalesOrder`, `POST $batch`);
    /// requests inside a batch count as `$batch METHOD EntitySet`.
    pub fn requests(&self, what: &str) -> usize {
        self.state
            .requests
            .lock()
            .unwrap()
            .get(what)
            .copied()
            .unwrap_or(0)
    }

    /// The next order is created, and its answer comes too late.
    pub fn lose_next_create_answer(&self) {
        self.state
            .lose_next_create_answer
            .store(true, Ordering::SeqCst);
    }

    /// Saving an order takes this long from now on (checked before, numbered after, with
    /// nothing held meanwhile), so that creates of racing callers overlap.
    pub fn set_create_latency(&self, latency: std::time::Duration) {
        self.state
            .create_latency_ms
            .store(latency.as_millis() as u64, Ordering::SeqCst);
    }

    /// From now on every price simulation at `quantity` (0: none) fails with a server error.
    pub fn fail_simulations_at(&self, quantity: u64) {
        self.state
            .fail_simulations_at
            .store(quantity, Ordering::SeqCst);
    }

    /// Product reads are answered in Atom XML from now on.
    pub fn answer_products_in_atom(&self) {
        self.state.atom_products.store(true, Ordering::SeqCst);
    }

    /// The orders the system holds whose PO number starts with `prefix`.
    pub fn orders_with_po_prefix(&self, prefix: &str) -> Vec<Value> {
        let data = self.state.data.lock().unwrap();
        data.orders
            .iter()
            .filter(|o| {
                o["PurchaseOrderByCustomer"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(prefix))
            })
            .cloned()
            .collect()
    }

    /// The orders the system holds with this PO number.
    pub fn orders_with_po(&self, po: &str) -> Vec<Value> {
        let data = self.state.data.lock().unwrap();
        data.orders
            .iter()
            .filter(|o| o["PurchaseOrderByCustomer"] == po)
            .cloned()
            .collect()
    }
}
