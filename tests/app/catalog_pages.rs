//! The catalog says what it shows: a search is headed by what was searched, a page past the end
//! is not "no products match", and an unknown category is a wrong address.

use reqwest::StatusCode;

use crate::support::{ANNA, html, spawn_app, text_of};

#[tokio::test]
async fn the_catalog_names_what_it_shows() {
    let app = spawn_app().await;
    let mut anna = app.browser();
    anna.login(ANNA, "demo").await;

    let (_, body) = anna.get("/catalog?q=bolt").await;
    assert!(
        text_of(&html(&body), "h1").starts_with("Results for “bolt”"),
        "{body}"
    );

    let (status, body) = anna.get("/catalog?page=99").await;
    assert_eq!(status, StatusCode::OK);
    let main = text_of(&html(&body), ".results");
    assert!(main.contains("past the end"), "{main}");
    assert!(!main.contains("No products match"), "{main}");

    let (status, _) = anna.get("/catalog?category=NOPE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_product_page_breadcrumb_names_the_category() {
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let app = spawn_app().await;
        let mut anna = app.browser();
        anna.login(ANNA, "demo").await;
        let (status, body) = anna.get("/products/FAS-1001").await;
        assert_eq!(status, StatusCode::OK);
        let page = html(&body);
        assert_eq!(text_of(&page, ".breadcrumb"), "Catalog / Fasteners");
        assert_eq!(
            crate::support::attr_of(&page, ".breadcrumb a:last-child", "href").as_deref(),
            Some("/catalog?category=fasteners")
        );
    })
    .await
    .expect("the test finished within a minute");
}

#[tokio::test]
async fn a_product_address_in_another_case_leads_to_the_product() {
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        let app = spawn_app().await;
        let mut anna = app.browser();
        anna.login(ANNA, "demo").await;
        let response = anna
            .client()
            .get(format!("{}/products/fas-1001", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(response.headers()["location"], "/products/FAS-1001");
        let (status, _) = anna.get("/products/nope-1001").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await
    .expect("the test finished in time");
}
