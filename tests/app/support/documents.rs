//! Following the links erpfront makes to documents, the way a person clicks them: from the
//! list pages to each order, each invoice and its PDF, in the storefront and the service desk,
//! and through the JSON API. Used with document numbers of awkward shapes (`INV/2026/0101`,
//! `VK 00001/Ü`), which only work when every link encodes them and every route decodes them.

use reqwest::StatusCode;
use scraper::{Html, Selector};

use super::{Browser, html, text_of};

/// The `href` of the link whose text is exactly `text`.
pub fn link_named(page: &Html, text: &str) -> Option<String> {
    let links = Selector::parse("a[href]").unwrap();
    page.select(&links)
        .find(|a| a.text().collect::<String>().trim() == text)
        .and_then(|a| a.value().attr("href").map(str::to_string))
}

/// The `href` of the first link matching `selector`.
fn link_at(page: &Html, selector: &str) -> Option<String> {
    let selector = Selector::parse(selector).unwrap();
    page.select(&selector)
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_string))
}

/// GETs `href`, which must be a PDF.
pub async fn assert_pdf(browser: &Browser, base: &str, href: &str) {
    let response = browser
        .client()
        .get(format!("{base}{href}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "PDF at {href}");
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"%PDF"), "{href} is a PDF");
}

/// GETs `href`, which must answer a page whose heading names `number`.
async fn assert_page_of(browser: &mut Browser, href: &str, number: &str) -> Html {
    let (status, body) = browser.get(href).await;
    assert_eq!(status, StatusCode::OK, "{href} for {number}: {body}");
    let page = html(&body);
    let heading = text_of(&page, "h1");
    assert!(heading.contains(number), "{href} shows {heading}");
    page
}

/// As a logged-in buyer: each order in `orders` is linked from `/orders` to its page, which
/// links the invoice at the same position in `invoices` (an invoice of that order); each invoice
/// is linked from `/invoices` to its page and from there to its PDF, and the invoice list's own
/// PDF link works too.
pub async fn follow_buyer_links(
    browser: &mut Browser,
    base: &str,
    orders: &[&str],
    invoices: &[&str],
) {
    let (status, body) = browser.get("/orders").await;
    assert_eq!(status, StatusCode::OK);
    let list = html(&body);
    for (i, number) in orders.iter().enumerate() {
        let href = link_named(&list, number).unwrap_or_else(|| panic!("/orders links {number}"));
        let page = assert_page_of(browser, &href, number).await;
        // the order's page links the invoice of the same position, which is that order's
        if let Some(invoice) = invoices.get(i) {
            let href = link_named(&page, invoice)
                .unwrap_or_else(|| panic!("the page of {number} links {invoice}"));
            assert_page_of(browser, &href, invoice).await;
        }
    }
    let (status, body) = browser.get("/invoices").await;
    assert_eq!(status, StatusCode::OK);
    let list = html(&body);
    for number in invoices {
        let href = link_named(&list, number).unwrap_or_else(|| panic!("/invoices links {number}"));
        let page = assert_page_of(browser, &href, number).await;
        let pdf = link_at(&page, "a.button[href$='/pdf']").expect("the invoice links its PDF");
        assert_pdf(browser, base, &pdf).await;
        let listed_pdf = link_at(
            &list,
            &format!(
                "a[aria-label='PDF of invoice {}']",
                number.replace('\'', "\\'")
            ),
        )
        .expect("the list links the PDF");
        assert_pdf(browser, base, &listed_pdf).await;
    }
}

/// As a logged-in rep: the customer's page links `order`, whose page links `invoice`'s PDF.
pub async fn follow_desk_links(
    rep: &mut Browser,
    base: &str,
    customer_href: &str,
    order: &str,
    invoice: &str,
) {
    let (status, body) = rep.get(customer_href).await;
    assert_eq!(status, StatusCode::OK, "{customer_href}: {body}");
    let href = link_named(&html(&body), order).unwrap_or_else(|| panic!("the desk links {order}"));
    let page = assert_page_of(rep, &href, order).await;
    let pdf = link_named(&page, invoice).unwrap_or_else(|| panic!("{order} links {invoice}"));
    assert_pdf(rep, base, &pdf).await;
}
