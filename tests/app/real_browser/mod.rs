//! erpfront in a real browser: Debian's Chromium, headless, driven through chromedriver. Each
//! test walks one buyer's or rep's flow end to end at a real width; every page on the way is
//! audited with axe-core and must not scroll sideways. Screenshots of the main pages land in
//! `target/screenshots` (and, with `ERPFRONT_SCREENSHOTS=docs`, in `docs/screenshots`).

mod axe;
mod buyer;
mod degraded;
mod keyboard;
mod page;
mod phone;
mod punchout;
mod rep;
mod tabs;

use std::path::PathBuf;
use std::time::Duration;

use crate::support::chromium::Chromedriver;
use crate::support::{TestApp, spawn_app};
use page::Page;

/// The most a whole flow may take, so that a browser that stops answering fails the test.
const FLOW_LIMIT: Duration = Duration::from_secs(150);

/// A directory under the cargo target directory for what the suite makes.
pub fn output_dir(name: &str) -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => manifest.join(dir),
        None => manifest.join("target"),
    };
    let dir = target.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// erpfront on the demo ERP and a chromedriver to reach it with.
struct Rig {
    app: TestApp,
    driver: Chromedriver,
}

impl Rig {
    async fn demo() -> Self {
        let (app, driver) = tokio::join!(spawn_app(), Chromedriver::start());
        Self { app, driver }
    }

    async fn page(&self, size: (u32, u32)) -> Page {
        Page::open(&self.driver, &self.app.address, size).await
    }
}

/// Runs a flow within [`FLOW_LIMIT`].
async fn within_limit(flow: impl Future<Output = ()>) {
    tokio::time::timeout(FLOW_LIMIT, flow)
        .await
        .unwrap_or_else(|_| panic!("the flow took longer than {FLOW_LIMIT:?}"));
}

/// Logs in through the login form and waits for the page it leads to.
async fn log_in(page: &Page, login: &str) {
    page.visit("/login").await;
    page.fill("input[name=login]", login).await;
    page.fill("input[name=password]", "demo").await;
    page.click("form[action='/login'] button[type=submit]")
        .await;
}
