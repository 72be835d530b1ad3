//! What the simulated S/4HANA system holds: the fixture data from `fixtures/sap/`, the orders
//! created since it started, and its sessions (CSRF tokens, OAuth tokens).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};

use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/sap/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn results(value: Value) -> Vec<Value> {
    match value {
        Value::Object(mut map) => match map.remove("d") {
            Some(Value::Object(mut d)) => match d.remove("results") {
                Some(Value::Array(items)) => items,
                _ => panic!("fixture without d.results"),
            },
            _ => panic!("fixture without d"),
        },
        _ => panic!("fixture is not an object"),
    }
}

pub struct Data {
    pub products: Vec<Value>,
    pub groups: Vec<Value>,
    pub customers: Vec<Value>,
    pub partner_functions: Vec<Value>,
    pub partners: Vec<Value>,
    pub orders: Vec<Value>,
    pub billing: Vec<Value>,
    pub deliveries: Vec<Value>,
    /// customer → material → [(from quantity, unit price)]
    pub prices: Value,
    pub availability: Value,
    pub next_order: u64,
}

pub struct State {
    pub data: Mutex<Data>,
    pub user: String,
    pub password: String,
    pub oauth_client: (String, String),
    pub csrf_tokens: Mutex<HashSet<String>>,
    pub bearer_tokens: Mutex<HashSet<String>>,
    pub token_grants: AtomicUsize,
    pub csrf_fetches: AtomicUsize,
    /// Requests by `METHOD entity-set`.
    pub requests: Mutex<HashMap<String, usize>>,
    /// Create the next order, then answer too late for the client to hear.
    pub lose_next_create_answer: AtomicBool,
    /// Answer product reads in Atom XML instead of JSON.
    pub atom_products: AtomicBool,
    /// How long saving an order takes, in milliseconds.
    pub create_latency_ms: AtomicU64,
    /// Answer as a release before 2021 (2020 `$metadata`): no item tax, no block status.
    pub release_2020: AtomicBool,
    /// Hand out CSRF tokens only on `GET` of a service root without a trailing slash.
    pub csrf_only_on_root_get: AtomicBool,
    /// Simulations at this quantity fail with a server error (0: none do).
    pub fail_simulations_at: AtomicU64,
    /// Requests and answers that departed from SAP's service definitions.
    pub violations: Mutex<Vec<String>>,
}

impl State {
    pub fn load() -> Self {
        let data = Data {
            products: results(fixture("products.json")),
            groups: results(fixture("product_groups.json")),
            customers: results(fixture("customers.json")),
            partner_functions: results(fixture("partner_functions.json")),
            partners: results(fixture("business_partners.json")),
            orders: results(fixture("sales_orders.json")),
            billing: results(fixture("billing_documents.json")),
            deliveries: results(fixture("outbound_deliveries.json")),
            prices: fixture("prices.json"),
            availability: fixture("availability.json"),
            next_order: 5_000_100,
        };
        Self {
            data: Mutex::new(data),
            user: "ERPFRONT_COMM".into(),
            password: "comm-secret".into(),
            oauth_client: ("erpfront-client".into(), "oauth-secret".into()),
            csrf_tokens: Mutex::default(),
            bearer_tokens: Mutex::default(),
            token_grants: AtomicUsize::new(0),
            csrf_fetches: AtomicUsize::new(0),
            requests: Mutex::default(),
            lose_next_create_answer: AtomicBool::new(false),
            atom_products: AtomicBool::new(false),
            create_latency_ms: AtomicU64::new(0),
            fail_simulations_at: AtomicU64::new(0),
            violations: Mutex::default(),
            release_2020: AtomicBool::new(false),
            csrf_only_on_root_get: AtomicBool::new(false),
        }
    }
}
