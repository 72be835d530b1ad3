//! One browser tab on erpfront, used the way a person does: go to an address, type, click, press
//! Enter. Every page it lands on is checked: axe-core finds no serious or critical violation,
//! and the page does not scroll sideways at the current width.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{axe, output_dir};
use crate::support::chromium::{Chromedriver, set_viewport};

/// How long anything a test waits for may take: a page load, an element, a script.
const PATIENCE: Duration = Duration::from_secs(20);

/// Heights that go with the widths the tests use: a laptop screen and a phone.
pub const DESKTOP: (u32, u32) = (1366, 768);
pub const PHONE: (u32, u32) = (400, 800);
pub const SMALL_PHONE: (u32, u32) = (360, 740);

/// The element that has the keyboard focus.
#[derive(Debug, Deserialize)]
pub struct Focused {
    pub class: String,
    pub name: String,
    pub in_main: bool,
}

pub struct Page {
    pub client: Client,
    base: String,
    width: u32,
}

impl Page {
    pub async fn open(driver: &Chromedriver, base: &str, (width, height): (u32, u32)) -> Self {
        Self {
            client: driver.browser(width, height).await,
            base: base.to_string(),
            width,
        }
    }

    /// The same browser in a new tab, with the same cookies.
    pub async fn new_tab(&self) -> Self {
        let tab = self.client.new_window(true).await.expect("a new tab opens");
        self.client
            .switch_to_window(tab.handle)
            .await
            .expect("the new tab can be used");
        Self {
            client: self.client.clone(),
            base: self.base.clone(),
            width: self.width,
        }
    }

    /// Makes this tab the one the browser works in.
    pub async fn focus(&self, handle: &fantoccini::wd::WindowHandle) {
        self.client
            .switch_to_window(handle.clone())
            .await
            .expect("the tab is there");
    }

    pub async fn resize(&mut self, (width, height): (u32, u32)) {
        set_viewport(&self.client, width, height).await;
        self.width = width;
    }

    /// Goes to `path` and checks the page.
    pub async fn visit(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("{url} did not load: {e}"));
        self.check().await;
    }

    /// Clicks what `css` finds, waits for the page that loads, and checks it.
    pub async fn click(&self, css: &str) {
        let target = self.find(css).await;
        self.leading_to_a_new_page(css, || async { target.click().await.map(|_| ()) })
            .await;
    }

    /// Replaces the text of the field `css` finds with `text`, as typed.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("the field can be cleared");
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("{css} cannot be typed into: {e}"));
    }

    /// Presses Enter in the field `css` finds, which submits its form, and checks the new page.
    pub async fn press_enter_in(&self, css: &str) {
        let field = self.find(css).await;
        self.leading_to_a_new_page(css, || async {
            field.send_keys(&Key::Enter.to_string()).await
        })
        .await;
    }

    /// Presses `key` on the keyboard, wherever the focus is.
    pub async fn press(&self, key: Key) {
        let keyboard = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client
            .perform_actions(keyboard)
            .await
            .expect("keys can be pressed");
    }

    /// Presses `key` where the focus is, and checks the page that loads.
    pub async fn press_to_load(&self, key: Key) {
        self.leading_to_a_new_page("the key", || async {
            self.press(key).await;
            Ok(())
        })
        .await;
    }

    /// What has the focus: its classes, its name as the page gives it, and whether it is in `main`.
    pub async fn focused(&self) -> Focused {
        let found = self
            .js(
                "const e = document.activeElement;
                 return {class: String(e.className),
                   name: (e.getAttribute('aria-label') || e.textContent || '').trim(),
                   in_main: !!e.closest('main')}",
                vec![],
            )
            .await;
        serde_json::from_value(found).unwrap()
    }

    async fn leading_to_a_new_page<F, Fut>(&self, what: &str, act: F)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), fantoccini::error::CmdError>>,
    {
        self.js("window.__stillTheOldPage = true; return null", vec![])
            .await;
        act()
            .await
            .unwrap_or_else(|e| panic!("{what} cannot be used: {e}"));
        self.wait_until(
            &format!("a new page after {what}"),
            "return !window.__stillTheOldPage && document.readyState === 'complete'",
        )
        .await;
        self.check().await;
    }

    /// Waits until the script `condition` returns true.
    pub async fn wait_until(&self, what: &str, condition: &str) {
        let started = Instant::now();
        while started.elapsed() < PATIENCE {
            // A page in the middle of loading may refuse scripts: that is "not yet".
            if let Ok(Value::Bool(true)) = self.client.execute(condition, vec![]).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "waited {PATIENCE:?} for {what}; at {} the page says:\n{}",
            self.path().await,
            self.text("body").await
        );
    }

    /// The first element `css` finds, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "no {css} ({e}) at {}; the page says:\n{}",
                self.path().await,
                self.all_text("body").await.join("\n")
            ),
        }
    }

    /// Whether `css` finds anything now, without waiting.
    pub async fn has(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
            .is_empty()
    }

    /// The visible text of the first element `css` finds, waiting for it.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap_or_default()
    }

    /// The visible text of every element `css` finds now.
    pub async fn all_text(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            texts.push(element.text().await.unwrap_or_default());
        }
        texts
    }

    /// The attribute `name` of every element `css` finds now (empty where it is missing).
    pub async fn all_text_of_attribute(&self, css: &str, name: &str) -> Vec<String> {
        let mut values = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            values.push(element.attr(name).await.ok().flatten().unwrap_or_default());
        }
        values
    }

    /// A property (what the page holds now, unlike the attribute) of what `css` finds.
    pub async fn property(&self, css: &str, name: &str) -> String {
        self.find(css)
            .await
            .prop(name)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Path and query of the page shown.
    pub async fn path(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_string(),
            },
            Err(e) => format!("(no address: {e})"),
        }
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

    /// The checks every page gets.
    pub async fn check(&self) {
        self.no_sideways_scrolling().await;
        self.audit().await;
    }

    async fn no_sideways_scrolling(&self) {
        let widths = self
            .js(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await;
        if widths[0].as_u64() <= widths[1].as_u64() {
            return;
        }
        let wide = self
            .js(
                "const w = window.innerWidth; return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > w + 0.5)
                   .slice(0, 8)
                   .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().replace(/\\s+/g, '.') : '')
                        + ' reaches ' + Math.round(e.getBoundingClientRect().right) + ' px')",
                vec![],
            )
            .await;
        panic!(
            "{} scrolls sideways at {} px: the page is {} px wide; too wide:\n{}",
            self.path().await,
            self.width,
            widths[0],
            serde_json::to_string_pretty(&wide).unwrap()
        );
    }

    /// axe-core on the page: no serious or critical violation.
    async fn audit(&self) {
        let loaded = self
            .js("return typeof window.axe === 'object'", vec![])
            .await;
        if loaded != json!(true) {
            let source = axe::source().await;
            self.js(&format!("{source}\n;return null"), vec![]).await;
        }
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {resultTypes: ['violations']})
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({id: v.id, impact: v.impact, help: v.help,
                       nodes: v.nodes.map(n => ({target: n.target.join(' '),
                         html: n.html, summary: n.failureSummary}))}))))
                   .catch(e => done([{id: 'axe-failed', impact: 'critical', help: String(e), nodes: []}]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        let violations = found.as_array().cloned().unwrap_or_default();
        if violations.is_empty() {
            return;
        }
        let mut report = String::new();
        for v in &violations {
            let field = |name: &str| v[name].as_str().unwrap_or_default().to_string();
            report += &format!(
                "- [{}] {}: {}\n",
                field("impact"),
                field("id"),
                field("help")
            );
            let nodes = v["nodes"].as_array().cloned().unwrap_or_default();
            for node in nodes.iter().take(5) {
                let field = |name: &str| node[name].as_str().unwrap_or_default().to_string();
                report += &format!(
                    "    where {}\n      {}\n      {}\n",
                    field("target"),
                    field("html"),
                    field("summary").replace('\n', "\n      ")
                );
            }
            if nodes.len() > 5 {
                report += &format!("    and {} more\n", nodes.len() - 5);
            }
        }
        panic!(
            "axe-core finds {} serious or critical violation(s) on {} at {} px:\n{report}",
            violations.len(),
            self.path().await,
            self.width
        );
    }

    /// A PNG of the viewport, named after the page and the width, under `target/screenshots`;
    /// with `ERPFRONT_SCREENSHOTS=docs` the README's copies in `docs/screenshots` too.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("a screenshot");
        let file = format!("{name}-{}.png", self.width);
        std::fs::write(output_dir("screenshots").join(&file), &png).unwrap();
        if std::env::var("ERPFRONT_SCREENSHOTS").as_deref() == Ok("docs") {
            let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(docs.join(&file), &png).unwrap();
        }
    }
}
