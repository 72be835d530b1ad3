//! The ERP down, as the sandbox plays it: a buyer who logs in with nothing cached gets pages
//! that say so, with the header and the support contact, never a bare error.

use std::sync::Arc;
use std::time::Duration;

use erpfront::erp::demo::DemoErp;
use erpfront::sim::{Faults, SimHandle, spawn_sim};

use super::page::{DESKTOP, Page};
use super::{log_in, within_limit};
use crate::support::adapters::http_erp;
use crate::support::chromium::Chromedriver;
use crate::support::{ANNA, CountingErp, TestApp, spawn_app_configured};

/// What a buyer opens first after logging in while the ERP is down.
const PAGES: [&str; 6] = [
    "/catalog",
    "/catalog?q=bolt",
    "/products/FAS-1001",
    "/cart",
    "/orders",
    "/status",
];

/// The sandbox in an outage, erpfront over it, a chromedriver, and a buyer logged in meanwhile.
async fn logged_in_during_an_outage(check: impl AsyncFn(&Page, &str)) {
    within_limit(async {
        let (_, sim) = spawn_sim(Arc::new(DemoErp::embedded().unwrap())).await;
        let (app, driver) = tokio::join!(app_over(&sim), Chromedriver::start());
        sim.set_faults(Faults {
            outage: true,
            ..Faults::default()
        })
        .unwrap();
        let page = Page::open(&driver, &app.address, DESKTOP).await;
        log_in(&page, ANNA).await;
        for path in PAGES {
            page.visit(path).await;
            check(&page, path).await;
        }
    })
    .await;
}

async fn app_over(sim: &SimHandle) -> TestApp {
    let http = http_erp(&sim.url(), Duration::from_millis(500));
    spawn_app_configured(Arc::new(CountingErp::new(Arc::new(http))), |c| {
        c.resilience.call_timeout_ms = 800;
        c.resilience.breaker_failures = 3;
    })
    .await
}

#[tokio::test]
async fn while_the_sandbox_erp_is_down_pages_say_so_with_the_header_and_the_support_contact() {
    logged_in_during_an_outage(async |page, path| {
        assert!(page.has(".site-header a.brand").await, "{path}: no header");
        let said = format!(
            "{} {}",
            page.all_text(".erp-banner").await.join(" "),
            page.text("main").await
        );
        assert!(
            said.contains("not answering right now") && said.contains("+49 30 555 0100"),
            "{path} does not say the order system is down, or whom to call:\n{said}"
        );
    })
    .await;
}

#[tokio::test]
async fn while_the_sandbox_erp_is_down_every_page_keeps_the_logged_in_header() {
    logged_in_during_an_outage(async |page, path| {
        assert!(
            page.has(".site-header .main-nav a[href='/cart']").await
                && page
                    .has(".site-header .account form[action='/logout']")
                    .await,
            "{path} (at {}) lacks the logged-in header:\n{}",
            page.path().await,
            page.text("body").await
        );
    })
    .await;
}
