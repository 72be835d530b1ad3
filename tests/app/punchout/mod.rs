//! PunchOut: procurement systems set up sessions, carts go back through the browser, orders come
//! in as cXML. Every document erpfront writes is checked against the cXML DTD.

pub mod documents;
mod framing;
pub mod oci;
mod oci_items;
mod orders;
pub mod receiver;
mod setup;
pub mod shopping;

use reqwest::StatusCode;

use crate::support::TestApp;

/// POSTs a cXML document; the HTTP status and body.
pub async fn post_cxml(
    app: &TestApp,
    path: &str,
    document: impl Into<String>,
) -> (StatusCode, String) {
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        app.api()
            .post(app.url(path))
            .header("content-type", "text/xml")
            .body(document.into())
            .send(),
    )
    .await
    .expect("answered in time")
    .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The StartPage URL of a setup answer.
pub fn start_url(document: &str) -> String {
    let page = scraper::Html::parse_document(document);
    let selector = scraper::Selector::parse("startpage url").unwrap();
    page.select(&selector)
        .next()
        .unwrap_or_else(|| panic!("no StartPage in {document}"))
        .text()
        .collect::<String>()
        .trim()
        .to_string()
}
