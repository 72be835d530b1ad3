//! Headless Chromium driven through WebDriver: Debian's `chromium` and `chromedriver` (installed
//! when missing), one chromedriver per test on a free loopback port, each in its own process
//! group so that dropping it ends the browser it started too, however the test ends.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::processes::{Scratch, debian_program, free_port};

/// What Chromium needs to render like a buyer's browser: the browser, its driver, and the fonts
/// the stylesheet falls back to (a Recommends, so not pulled in without being named).
const PACKAGES: &str = "chromium chromium-driver fonts-liberation";

/// The chromedriver program, after making sure Chromium is installed as well.
fn chromedriver_program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let why = "the real-browser tests drive Chromium through it";
        debian_program("chromium", PACKAGES, why);
        debian_program("chromedriver", PACKAGES, why)
    })
}

/// A running chromedriver; dropping it kills its whole process group, browsers included.
pub struct Chromedriver {
    child: Child,
    pub url: String,
    scratch: Scratch,
}

impl Chromedriver {
    pub async fn start() -> Self {
        let program = chromedriver_program();
        let scratch = Scratch::new("chromium");
        let port = free_port();
        let child = std::process::Command::new(program)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(scratch.log("chromedriver.log"))
            .stderr(scratch.log("chromedriver.log"))
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            scratch,
        };
        driver.wait_ready().await;
        driver
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(answer) = client.get(format!("{}/status", self.url)).send().await
                && let Ok(status) = answer.json::<serde_json::Value>().await
                && status["value"]["ready"] == true
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver did not get ready at {} within 20 s", self.url);
    }

    /// A new browser with a fresh profile and a viewport `width` by `height` CSS pixels.
    pub async fn browser(&self, width: u32, height: u32) -> Client {
        self.browser_with(width, height, &[]).await
    }

    /// A browser as [`Self::browser`] makes it, started with further Chromium `args` (such as
    /// `--blink-settings=scriptEnabled=false` for a buyer with scripts off).
    pub async fn browser_with(&self, width: u32, height: u32, args: &[&str]) -> Client {
        let profile = self
            .scratch
            .path(&format!("profile-{}", uuid::Uuid::new_v4()));
        let mut all_args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-gpu".to_string(),
            "--hide-scrollbars".to_string(),
            "--lang=en-GB".to_string(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        all_args.extend(args.iter().map(|a| a.to_string()));
        let options = json!({ "args": all_args });
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        capabilities.insert(
            "timeouts".into(),
            json!({"pageLoad": 30_000, "script": 30_000, "implicit": 0}),
        );
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&self.url),
        )
        .await
        .expect("Chromium starts within 60 s")
        .unwrap_or_else(|e| {
            panic!(
                "Chromium did not start: {e}; see {}",
                self.scratch.dir.display()
            )
        });
        set_viewport(&client, width, height).await;
        client
    }
}

/// Sizes the window so that the page gets exactly `width` by `height` CSS pixels (a window's
/// outer size includes what the browser draws around the page).
pub async fn set_viewport(client: &Client, width: u32, height: u32) {
    let inner = || async {
        let size = client
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await
            .expect("the viewport size is readable");
        (
            size[0].as_u64().unwrap_or(0) as u32,
            size[1].as_u64().unwrap_or(0) as u32,
        )
    };
    let (mut outer_w, mut outer_h) = (i64::from(width), i64::from(height));
    for _ in 0..3 {
        client
            .set_window_size(outer_w as u32, outer_h as u32)
            .await
            .expect("the window can be sized");
        let (w, h) = inner().await;
        if (w, h) == (width, height) {
            return;
        }
        outer_w += i64::from(width) - i64::from(w);
        outer_h += i64::from(height) - i64::from(h);
    }
    let got = inner().await;
    panic!("the viewport is {got:?}, not {width}x{height}");
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The negative id is the process group: chromedriver and every Chromium it started.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}
