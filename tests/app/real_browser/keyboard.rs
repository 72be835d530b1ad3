//! Keyboard only: the first Tab reaches a skip link that leads into the main content, and the
//! per-line controls ("Remove", "PDF") say which line they act on and work from the keyboard.

use fantoccini::key::Key;

use super::page::{DESKTOP, Page};
use super::{Rig, log_in, within_limit};
use crate::support::{ANNA, some_skus};

#[tokio::test]
async fn keyboard_only_a_skip_link_first_and_named_controls_that_work() {
    within_limit(async {
        let rig = Rig::demo().await;
        let skus = some_skus(&rig.app, 2).await;
        let page = rig.page(DESKTOP).await;
        log_in(&page, ANNA).await;
        for sku in &skus {
            page.visit(&format!("/products/{sku}")).await;
            page.click(".buy-box form[action='/cart/add'] button").await;
        }

        for path in ["/catalog", "/cart", "/invoices"] {
            page.visit(path).await;
            skip_link_leads_into_main(&page, path).await;
        }

        let pdf_names = page
            .all_text_of_attribute("a[href$='/pdf']", "aria-label")
            .await;
        assert!(!pdf_names.is_empty(), "the invoices have PDF links");
        for name in &pdf_names {
            assert!(name.starts_with("PDF of invoice "), "{name:?}");
        }
        assert_distinct(&pdf_names);

        page.visit("/cart").await;
        let remove_names = page
            .all_text_of_attribute("#cart-form button[name=remove]", "aria-label")
            .await;
        assert_eq!(remove_names.len(), 2);
        for (name, sku) in remove_names.iter().zip(&skus) {
            assert!(
                name.starts_with("Remove ") && name.contains(sku.as_str()),
                "{name:?}"
            );
        }
        // Tab to the second line's Remove and press Enter: only that line goes.
        let mut presses = 0;
        while page.focused().await.name != remove_names[1] {
            presses += 1;
            assert!(presses < 40, "Tab never reaches {:?}", remove_names[1]);
            page.press(Key::Tab).await;
        }
        page.press_to_load(Key::Enter).await;
        assert_eq!(
            page.all_text("#cart-form tbody .sku").await,
            [skus[0].as_str()]
        );
    })
    .await;
}

async fn skip_link_leads_into_main(page: &Page, path: &str) {
    page.press(Key::Tab).await;
    let first = page.focused().await;
    assert!(
        first.class.contains("skip-link") && first.name == "Skip to content",
        "{path}: the first Tab focuses {first:?}"
    );
    assert!(
        page.js(
            "const r = document.activeElement.getBoundingClientRect();
             return r.top >= 0 && r.bottom <= window.innerHeight && r.width > 1",
            vec![]
        )
        .await
            == true,
        "{path}: the focused skip link is visible"
    );
    page.press(Key::Enter).await;
    page.press(Key::Tab).await;
    let next = page.focused().await;
    assert!(
        next.in_main,
        "{path}: after the skip link, Tab goes on inside the main content, not to {next:?}"
    );
}

fn assert_distinct(names: &[String]) {
    let mut sorted = names.to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "names repeat: {names:?}");
}
