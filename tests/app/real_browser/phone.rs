//! Phone widths: a buyer orders at 400 px, then every page visited is seen again at 360 px;
//! none may scroll sideways (checked on every page the tab lands on).

use super::page::{PHONE, Page, SMALL_PHONE};
use super::{Rig, log_in, within_limit};
use crate::support::{ANNA, some_skus};

#[tokio::test]
async fn a_buyer_orders_on_a_phone_and_no_page_scrolls_sideways_at_400_or_360_px() {
    within_limit(async {
        let rig = Rig::demo().await;
        let skus = some_skus(&rig.app, 3).await;
        let mut page = rig.page(PHONE).await;
        log_in(&page, ANNA).await;
        page.screenshot("catalog").await;
        page.visit(&format!("/catalog?q={}", skus[0])).await;
        page.click(&format!(".product-card a[href='/products/{}']", skus[0]))
            .await;
        page.screenshot("product").await;
        page.click(".buy-box form[action='/cart/add'] button").await;
        let pasted = format!("{} 2\n{} 12", skus[1], skus[2]);
        page.fill("form[action='/cart/quick-order'] textarea", &pasted)
            .await;
        page.click("form[action='/cart/quick-order'] button").await;
        page.screenshot("cart").await;

        page.click("#cart-form a[href='/checkout']").await;
        page.fill("input[name=po_number]", "PO-PHONE-1").await;
        page.screenshot("checkout").await;
        page.click("form[action='/checkout'] button.primary").await;
        let confirmation = page.path().await;
        assert!(confirmation.starts_with("/orders/"), "{confirmation}");
        page.screenshot("confirmation").await;
        page.visit("/orders").await;
        page.screenshot("orders").await;
        page.visit("/invoices").await;
        page.click("table.lines tbody td:first-child a").await;
        let invoice = page.path().await;
        page.screenshot("invoice").await;

        page.resize(SMALL_PHONE).await;
        let product = format!("/products/{}", skus[0]);
        let search = format!("/catalog?q={}", skus[0]);
        for path in [
            "/catalog",
            &search,
            &product,
            "/cart",
            "/orders",
            &confirmation,
            "/invoices",
            &invoice,
            "/status",
        ] {
            page.visit(path).await;
        }
        checkout_at_small_width(&page, &skus[0]).await;
    })
    .await;
}

async fn checkout_at_small_width(page: &Page, sku: &str) {
    page.visit(&format!("/products/{sku}")).await;
    page.click(".buy-box form[action='/cart/add'] button").await;
    page.visit("/checkout").await;
}
