//! A real Tryton for the adapter tests. `tests/tryton/provision.sh start` builds (or reuses,
//! from `target/tryton/`) the seeded database, and serves a fresh copy of it on a free loopback
//! port: once per test binary, so every run starts from the seeded data. The server stops when
//! the test process ends. If Tryton cannot be provisioned, every test that needs it fails with
//! the script's reason; none is skipped.
//!
//! [`tryton_erp`] and the party codes below are all another suite needs to run against it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use erpfront::erp::Erp;
use erpfront::erp::tryton::{TrytonErp, TrytonSettings};
use erpfront::users::Users;
use serde_json::{Value, json};

/// Bäckerei Müller: price list "Gold -10%", one address, a processing order with an open invoice.
pub const GOLD_CUSTOMER: &str = "C-100";
/// Nordsee Gastro: price list "Volume tiers" (>= 10: -5 %, >= 100: -20 %), two ship-tos.
pub const VOLUME_CUSTOMER: &str = "C-200";
/// Kaffeehaus Schmidt: list prices, a completed order with a paid invoice.
pub const STANDARD_CUSTOMER: &str = "C-300";

/// Where the test Tryton listens and how to log in.
#[derive(Debug, Clone)]
pub struct TrytonServer {
    pub url: String,
    pub database: String,
    pub user: String,
    pub password: String,
}

impl TrytonServer {
    /// An `[erp]` section for `erpfront serve` reaching this Tryton at `url` (itself, or a
    /// proxy in front of it), followed by `extra` lines of that section.
    pub fn erp_section(&self, url: &str, extra: &str) -> String {
        format!(
            "[erp]\nkind = \"tryton\"\nurl = \"{url}\"\ndatabase = \"{}\"\nuser = \"{}\"\npassword = \"{}\"\nwarehouse = \"WH\"\n{extra}\n",
            self.database, self.user, self.password
        )
    }
}

/// The test Tryton, started on first use.
pub fn server() -> &'static TrytonServer {
    static SERVER: OnceLock<Result<TrytonServer, String>> = OnceLock::new();
    match SERVER.get_or_init(provision) {
        Ok(server) => server,
        Err(reason) => panic!("the test Tryton is not available: {reason}"),
    }
}

/// A second test Tryton, from its own copy of the seeded data, for the conformance suite: the
/// orders it creates must not change the stock figures the other Tryton tests check.
pub fn conformance_server() -> &'static TrytonServer {
    static SERVER: OnceLock<Result<TrytonServer, String>> = OnceLock::new();
    match SERVER.get_or_init(provision) {
        Ok(server) => server,
        Err(reason) => panic!("the conformance test Tryton is not available: {reason}"),
    }
}

/// A third test Tryton, from its own copy of the seeded data, for the chaos test: its load and
/// its killed instances' leftovers must not reach the other Tryton tests.
pub fn chaos_server() -> &'static TrytonServer {
    static SERVER: OnceLock<Result<TrytonServer, String>> = OnceLock::new();
    match SERVER.get_or_init(provision) {
        Ok(server) => server,
        Err(reason) => panic!("the chaos test Tryton is not available: {reason}"),
    }
}

fn provision() -> Result<TrytonServer, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tryton/provision.sh");
    let mut child = Command::new("bash")
        .arg(script)
        .args(["start", "--owner-pid", &std::process::id().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {script}: {e}"))?;
    // The progress shows as it happens (a first run takes minutes); the end of it goes into the
    // failure message.
    let progress = child.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            let mut last = std::collections::VecDeque::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = writeln!(std::io::stderr(), "{line}");
                if last.len() == 15 {
                    last.pop_front();
                }
                last.push_back(line);
            }
            Vec::from(last).join("\n")
        })
    });
    let output = child
        .wait_with_output()
        .map_err(|e| format!("{script}: {e}"))?;
    let messages = progress.and_then(|p| p.join().ok()).unwrap_or_default();
    if !output.status.success() {
        return Err(format!(
            "{script} start failed ({}):\n{messages}",
            output.status
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::to_owned)
            .ok_or_else(|| format!("{script} printed no {key}"))
    };
    Ok(TrytonServer {
        url: value("TRYTON_URL")?,
        database: value("TRYTON_DATABASE")?,
        user: value("TRYTON_USER")?,
        password: value("TRYTON_PASSWORD")?,
    })
}

/// A new adapter talking to the test Tryton.
pub fn adapter() -> TrytonErp {
    let server = server();
    TrytonErp::new(TrytonSettings {
        url: server.url.clone(),
        database: server.database.clone(),
        user: server.user.clone(),
        password: server.password.clone().into(),
        warehouse: Some("WH".into()),
        connect_timeout: Duration::from_secs(3),
        request_timeout: Duration::from_secs(30),
    })
    .expect("the adapter accepts the test server's settings")
}

/// The adapter as any suite takes an ERP.
pub async fn tryton_erp() -> Arc<dyn Erp> {
    Arc::new(adapter())
}

/// A customer number of the tests.
pub fn customer(code: &str) -> erpfront::domain::CustomerId {
    erpfront::domain::CustomerId::parse(code).unwrap()
}

/// A SKU of the tests.
pub fn sku(code: &str) -> erpfront::domain::Sku {
    erpfront::domain::Sku::parse(code).unwrap()
}

/// The SHA-256 a users file holds for an API token.
fn token_sha(token: &str) -> String {
    hex::encode(erpfront::users::token_hash(token))
}

/// Buyers for the seeded parties: login `<code>@buyer.test`, password `test-pass`, API token
/// `token-<code>`.
pub fn users() -> Users {
    Users::parse(&users_toml()).expect("the test users file parses")
}

/// [`users`] as a users file holds them, for `erpfront serve` processes.
pub fn users_toml() -> String {
    let hash = erpfront::users::hash_password("test-pass");
    let mut text = String::new();
    for code in [GOLD_CUSTOMER, VOLUME_CUSTOMER, STANDARD_CUSTOMER] {
        text.push_str(&format!(
            "[[users]]\nlogin = \"{code}@buyer.test\"\nname = \"Buyer {code}\"\n\
             password_hash = \"{hash}\"\nrole = \"buyer\"\ncustomer = \"{code}\"\n\
             api_token_sha256 = [\"{}\"]\n\n",
            token_sha(&format!("token-{code}"))
        ));
    }
    text
}

/// Calls Tryton directly, not through the adapter, to check what the adapter did.
pub async fn rpc(method: &str, params: Vec<Value>) -> Value {
    rpc_on(server(), method, params).await
}

/// [`rpc`] on another of the test Trytons.
pub async fn rpc_on(server: &TrytonServer, method: &str, mut params: Vec<Value>) -> Value {
    static SESSIONS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let endpoint = format!("{}/{}/rpc/", server.url, server.database);
    let client = reqwest::Client::new();
    let post = |body: Value, auth: Option<String>| {
        let mut request = client.post(&endpoint).json(&body);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        async move {
            let reply: Value = request.send().await.unwrap().json().await.unwrap();
            reply
        }
    };
    let cached = SESSIONS
        .lock()
        .unwrap()
        .iter()
        .find(|(url, _)| *url == server.url)
        .map(|(_, auth)| auth.clone());
    let auth = match cached {
        Some(auth) => auth,
        None => {
            let login = json!({"id": 1, "method": "common.db.login",
                "params": [server.user, {"password": server.password}, "en"]});
            let reply = post(login, None).await;
            let (uid, key) = (&reply["result"][0], reply["result"][1].as_str().unwrap());
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{uid}:{key}", server.user));
            let auth = format!("Session {token}");
            let entry = (server.url.clone(), auth.clone());
            SESSIONS.lock().unwrap().push(entry);
            auth
        }
    };
    params.push(json!({"company": 1}));
    let reply = post(
        json!({"id": 1, "method": method, "params": params}),
        Some(auth),
    )
    .await;
    assert!(reply.get("error").is_none(), "{method}: {reply}");
    reply["result"].clone()
}
