//! Two tabs of one buyer: what one tab places is what that tab showed, whatever the other did.

use super::page::DESKTOP;
use super::{Rig, log_in, within_limit};
use crate::support::{ANNA, some_skus};

#[tokio::test]
async fn place_order_in_a_stale_tab_places_nothing_unseen_and_shows_the_changed_cart() {
    within_limit(async {
        let rig = Rig::demo().await;
        let skus = some_skus(&rig.app, 2).await;
        let tab_a = rig.page(DESKTOP).await;
        log_in(&tab_a, ANNA).await;
        tab_a.visit(&format!("/products/{}", skus[0])).await;
        tab_a
            .click(".buy-box form[action='/cart/add'] button")
            .await;
        tab_a.visit("/checkout").await;
        assert_eq!(
            tab_a.all_text(".checkout tbody .sku").await,
            [skus[0].as_str()]
        );
        let a = tab_a.client.window().await.unwrap();

        let tab_b = tab_a.new_tab().await;
        tab_b.visit(&format!("/products/{}", skus[1])).await;
        tab_b
            .click(".buy-box form[action='/cart/add'] button")
            .await;

        tab_a.focus(&a).await;
        tab_a.fill("input[name=po_number]", "PO-TWO-TABS").await;
        tab_a.click("form[action='/checkout'] button.primary").await;
        assert_eq!(
            rig.app.erp.calls("create_order"),
            0,
            "nothing is placed from a page that did not show the cart as it is"
        );
        assert!(
            tab_a.text(".notice-error").await.contains("changed"),
            "the buyer is told why"
        );
        assert_eq!(
            tab_a.all_text(".checkout tbody .sku").await,
            [skus[0].as_str(), skus[1].as_str()],
            "the checkout now shows both lines"
        );

        tab_a.click("form[action='/checkout'] button.primary").await;
        assert!(
            tab_a.path().await.starts_with("/orders/"),
            "placed once confirmed"
        );
        let placed = tab_a.all_text("table.lines tbody .sku").await;
        assert_eq!(placed, [skus[0].as_str(), skus[1].as_str()]);
        assert_eq!(rig.app.erp.calls("create_order"), 1);
    })
    .await;
}
