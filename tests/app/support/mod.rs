//! The test harness: `spawn_app()` starts erpfront on port 0 around a call-counting demo ERP;
//! `Browser` is a cookie-keeping client that fills in CSRF tokens like a real form would. For the
//! HTTP adapter: `adapters` (the sandbox, the Python reference adapter), `raw_server` (scripted
//! misbehaviour), `fault_proxy` (answers lost on the TCP hop) and `openapi` (answers checked
//! against the protocol's document). `processes` runs real `erpfront serve` instances (and
//! HAProxy) for the multi-instance tests.

pub mod adapters;
pub mod audit_log;
mod browser;
pub mod chromium;
mod counting_erp;
pub mod documents;
pub mod fault_proxy;
pub mod openapi;
pub mod processes;
pub mod raw_server;
pub mod s4_sim;
pub mod tryton;

use std::net::SocketAddr;
use std::sync::Arc;

use erpfront::app::Application;
use erpfront::erp::demo::DemoErp;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;

pub use browser::{Browser, attr_of, html, text_of};
pub use counting_erp::CountingErp;

/// A running erpfront.
pub struct TestApp {
    pub address: String,
    /// `http://host:port` of the metrics listener.
    pub metrics_address: String,
    pub erp: Arc<CountingErp>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// A browser with its own cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    /// A plain client for the JSON API.
    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// `GET path` on the API as the holder of `token`: the JSON body.
    pub async fn api_json(&self, path: &str, token: &str) -> serde_json::Value {
        let response = self
            .api()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Stops the server and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = handle.await;
        }
    }
}

/// erpfront on a free port, in front of a fresh demo ERP.
pub async fn spawn_app() -> TestApp {
    let erp = Arc::new(CountingErp::new(Arc::new(
        DemoErp::embedded().expect("demo data loads"),
    )));
    spawn_app_with(erp).await
}

/// erpfront on a free port in front of `erp`.
pub async fn spawn_app_with(erp: Arc<CountingErp>) -> TestApp {
    spawn_app_for(erp, erpfront::demo::users().expect("demo users load")).await
}

/// erpfront in front of a fresh demo ERP with another users file.
pub async fn spawn_app_with_users(users_toml: &str) -> TestApp {
    let erp = Arc::new(CountingErp::new(Arc::new(
        DemoErp::embedded().expect("demo data loads"),
    )));
    spawn_app_for(
        erp,
        erpfront::users::Users::parse(users_toml).expect("users parse"),
    )
    .await
}

/// erpfront on a free port in front of `erp`, with these users.
pub async fn spawn_app_for(erp: Arc<CountingErp>, users: erpfront::users::Users) -> TestApp {
    spawn_configured(erp, users, |_| {}).await
}

/// erpfront in front of `erp` with the demo configuration changed by `adjust`.
pub async fn spawn_app_configured(
    erp: Arc<CountingErp>,
    adjust: impl FnOnce(&mut erpfront::config::Config),
) -> TestApp {
    spawn_configured(
        erp,
        erpfront::demo::users().expect("demo users load"),
        adjust,
    )
    .await
}

async fn spawn_configured(
    erp: Arc<CountingErp>,
    users: erpfront::users::Users,
    adjust: impl FnOnce(&mut erpfront::config::Config),
) -> TestApp {
    let mut config = erpfront::demo::config(SocketAddr::from(([127, 0, 0, 1], 0)));
    adjust(&mut config);
    let app = Application::with_parts(&config, erp.clone(), users)
        .await
        .expect("app builds");
    let address = format!("http://{}", app.local_addr());
    let metrics_address = format!("http://{}", app.metrics_addr().expect("metrics are on"));
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        app.run_until(async {
            let _ = stopped.await;
        })
        .await
        .expect("server runs");
    });
    TestApp {
        address,
        metrics_address,
        erp,
        stop: Some(stop),
        handle: Some(handle),
    }
}

/// Sends a request whose answer must be JSON: anything else fails the test.
pub trait SendForJson {
    fn json_answer<T: DeserializeOwned>(self) -> impl Future<Output = T>;
}

impl SendForJson for reqwest::RequestBuilder {
    async fn json_answer<T: DeserializeOwned>(self) -> T {
        self.send().await.unwrap().json().await.unwrap()
    }
}

/// Demo API tokens.
pub const NORTHWIND_TOKEN: &str = "demo-northwind";
pub const GLOBEX_TOKEN: &str = "demo-globex";
pub const ANNA: &str = "anna@northwind.example";
pub const LI: &str = "li@globex.example";
pub const SAM: &str = "sam@service.example";
/// Unlocks the operators' part of `/status.json` in the demo configuration.
pub const OPERATOR_TOKEN: &str = erpfront::demo::DEMO_OPERATOR_TOKEN;

/// The SKUs of [`some_products`].
pub async fn some_skus(app: &TestApp, count: usize) -> Vec<String> {
    some_products(app, count)
        .await
        .into_iter()
        .map(|(sku, _)| sku)
        .collect()
}

/// The first products of the catalog as `(sku, name)`, found through the API.
pub async fn some_products(app: &TestApp, count: usize) -> Vec<(String, String)> {
    let body: serde_json::Value = app
        .api_json("/api/v1/products?per_page=50", NORTHWIND_TOKEN)
        .await;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(count)
        .map(|p| {
            (
                p["sku"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A SKU the demo ERP has in stock, found through the API.
pub async fn sku_in_stock(app: &TestApp) -> String {
    for (sku, _) in some_products(app, 50).await {
        let body: serde_json::Value = app
            .api_json(&format!("/api/v1/products/{sku}"), NORTHWIND_TOKEN)
            .await;
        if body["availability"]["available"].as_u64().unwrap_or(0) > 100 {
            return sku;
        }
    }
    panic!("the demo ERP has no product with stock");
}
