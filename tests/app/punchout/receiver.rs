//! A stand-in for the procurement system's return address (cXML `BrowserFormPost`, OCI
//! `HOOK_URL`): a loopback server that records what browsers post to it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::post;

/// What the receiver got: each post's query string and form fields.
pub type Posted = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

pub struct Receiver {
    /// The return address, with a query string of its own to be kept.
    pub url: String,
    pub posted: Posted,
}

impl Receiver {
    /// Everything posted so far.
    pub fn received(&self) -> Vec<(String, Vec<(String, String)>)> {
        self.posted.lock().unwrap().clone()
    }

    /// Waits (a bounded time) for the first post, as a browser sends it on its own.
    pub async fn first_post(&self) -> (String, Vec<(String, String)>) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Some(first) = self.received().into_iter().next() {
                return first;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("nothing was posted to {} within 20 s", self.url);
    }
}

/// The value of the field `name` in posted fields.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub async fn receiver() -> Receiver {
    let posted: Posted = Arc::default();
    let kept = posted.clone();
    let app = Router::new().route(
        "/punchout/return",
        post(move |uri: axum::http::Uri, body: String| {
            let kept = kept.clone();
            async move {
                let fields = serde_urlencoded::from_str(&body).unwrap_or_default();
                kept.lock()
                    .unwrap()
                    .push((uri.query().unwrap_or("").to_string(), fields));
                Html("<!doctype html><html lang=\"en\"><title>Received</title><main><h1>Received</h1></main></html>")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/punchout/return?session=42&x=1",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, posted }
}
