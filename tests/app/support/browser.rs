//! A browser-like client: keeps cookies, does not follow redirects (tests assert them), and
//! copies the CSRF token from the last page into forms, as a real form would carry it; a
//! checkout form also carries the digest of what the last checkout page showed.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, Response, StatusCode};
use scraper::{Html, Selector};

pub struct Browser {
    base: String,
    client: Client,
    csrf: Option<String>,
    reviewed: Option<String>,
    jar: Option<Arc<Jar>>,
}

/// Parses HTML.
pub fn html(body: &str) -> Html {
    Html::parse_document(body)
}

/// The text of every element matching `selector`, trimmed and joined by " | ".
pub fn text_of(page: &Html, selector: &str) -> String {
    let selector = Selector::parse(selector).expect("valid selector");
    page.select(&selector)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base: base.to_string(),
            client,
            csrf: None,
            reviewed: None,
            jar: Some(jar),
        }
    }

    /// The cookies this browser would send, as `name=value` pairs.
    pub fn cookies(&self) -> Vec<String> {
        let url = self.base.parse().unwrap();
        self.jar
            .as_ref()
            .and_then(|jar| jar.cookies(&url))
            .map(|v| {
                v.to_str()
                    .unwrap()
                    .split("; ")
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Another browser sharing nothing with this one but the cookie jar's contents at `base`.
    pub fn with_client(base: &str, client: Client) -> Self {
        Self {
            base: base.to_string(),
            client,
            csrf: None,
            reviewed: None,
            jar: None,
        }
    }

    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// GETs a page, remembering its CSRF token.
    pub async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// The cart page's lines as `(SKU, quantity)`, in order.
    pub async fn cart_lines(&mut self) -> Vec<(String, String)> {
        let (status, body) = self.get("/cart").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page = html(&body);
        let inputs = Selector::parse("#cart-form input[name^=qty_]").unwrap();
        page.select(&inputs)
            .map(|i| {
                let name = i.value().attr("name").unwrap();
                (
                    name.trim_start_matches("qty_").to_string(),
                    i.value().attr("value").unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    async fn read(&mut self, response: Response) -> (StatusCode, String) {
        let status = response.status();
        let body = response.text().await.unwrap();
        let page = html(&body);
        let selector = Selector::parse("input[name=csrf]").unwrap();
        if let Some(input) = page.select(&selector).next() {
            self.csrf = input.value().attr("value").map(str::to_string);
        }
        let selector = Selector::parse("input[name=reviewed]").unwrap();
        if let Some(input) = page.select(&selector).next() {
            self.reviewed = input.value().attr("value").map(str::to_string);
        }
        (status, body)
    }

    /// POSTs a form with the current CSRF token; returns status, Location and body.
    pub async fn post(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        if self.csrf.is_none() {
            self.get("/login").await;
        }
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        let reviewed = self.reviewed.clone().unwrap_or_default();
        if path == "/checkout" && !fields.iter().any(|(k, _)| *k == "reviewed") {
            form.push(("reviewed", reviewed.as_str()));
        }
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let response = self
            .client
            .post(format!("{}{}", self.base, path))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let location = location(&response);
        let (_, body) = self.read(response).await;
        (status, location, body)
    }

    /// Puts `quantity` of `sku` in the cart and opens the checkout: the form's idempotency key.
    pub async fn open_checkout_with(&mut self, sku: &str, quantity: &str) -> String {
        self.get("/catalog").await;
        self.post("/cart/add", &[("sku", sku), ("quantity", quantity)])
            .await;
        let (_, body) = self.get("/checkout").await;
        attr_of(&html(&body), "input[name=idempotency_key]", "value").expect("a checkout form")
    }

    pub async fn login(&mut self, login: &str, password: &str) -> (StatusCode, String) {
        self.get("/login").await;
        let (status, location, _) = self
            .post("/login", &[("login", login), ("password", password)])
            .await;
        (status, location)
    }
}

fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The `attr` of the first element matching `selector`.
pub fn attr_of(page: &Html, selector: &str, attr: &str) -> Option<String> {
    let selector = Selector::parse(selector).expect("valid selector");
    page.select(&selector)
        .next()
        .and_then(|e| e.value().attr(attr))
        .map(str::to_string)
}
