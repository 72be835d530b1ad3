//! A service rep at the desk: finds a customer, acts for them (a banner on every page, the
//! desk's included), places an order for them, and stops; the desk works on a phone too.

use super::page::{DESKTOP, PHONE};
use super::{Rig, log_in, within_limit};
use crate::support::{SAM, sku_in_stock};

#[tokio::test]
async fn a_rep_acts_for_a_customer_places_an_order_for_them_and_stops() {
    within_limit(async {
        let rig = Rig::demo().await;
        let sku = sku_in_stock(&rig.app).await;
        let mut page = rig.page(DESKTOP).await;
        log_in(&page, SAM).await;
        assert_eq!(page.path().await, "/service-desk");
        page.fill("input[name=customer]", "Northwind").await;
        page.press_enter_in("input[name=customer]").await;
        assert!(page.text("main > h2").await.contains("found"));
        page.screenshot("service-desk").await;

        page.visit("/service-desk/customers?q=Northwind").await;
        page.click("#customer-hits a").await;
        page.click("form[action='/service-desk/act'] button").await;
        assert_eq!(page.path().await, "/catalog");
        assert!(page.text(".acting-banner").await.contains("Northwind"));

        page.visit(&format!("/catalog?q={sku}")).await;
        page.click(&format!(
            ".product-card form:has(input[value='{sku}']) button"
        ))
        .await;
        page.click("#cart-form a[href='/checkout']").await;
        page.fill("input[name=po_number]", "PO-BY-PHONE").await;
        page.click("form[action='/checkout'] button.primary").await;
        let placed = page.text(".notice-success").await;
        assert!(
            placed.contains("placed by you") && !placed.contains("Thank you"),
            "the rep is not thanked as the customer: {placed}"
        );

        page.visit("/service-desk").await;
        assert!(
            page.text(".acting-banner").await.contains("C-1000"),
            "the desk says for whom the rep acts"
        );
        page.click(".acting-banner form[action='/service-desk/stop'] button")
            .await;
        assert!(page.path().await.starts_with("/service-desk"));
        assert!(!page.has(".acting-banner").await, "acting has stopped");

        page.resize(PHONE).await;
        page.visit("/service-desk?customer=Northwind").await;
        page.screenshot("service-desk").await;
    })
    .await;
}
