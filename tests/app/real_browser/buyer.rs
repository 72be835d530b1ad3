//! A buyer's whole day at a laptop's width: log in, browse, search, open a product, fill the cart
//! by hand and by pasting, edit it with the mouse and with the keyboard, check out with a PO
//! number and a ship-to, then find the order and an invoice with its PDF.

use serde_json::json;

use super::page::{DESKTOP, Page};
use super::{Rig, log_in, within_limit};
use crate::support::{ANNA, some_products};

#[tokio::test]
async fn a_buyer_shops_checks_out_and_finds_the_order_and_an_invoice_pdf() {
    within_limit(async {
        let rig = Rig::demo().await;
        let products = some_products(&rig.app, 3).await;
        let page = rig.page(DESKTOP).await;

        log_in(&page, ANNA).await;
        assert_eq!(page.path().await, "/catalog");
        assert!(page.text(".account").await.contains("Northwind"));
        page.screenshot("catalog").await;

        browse_search_and_add(&page, &products[0]).await;
        quick_order_keeps_good_lines_and_the_bad_one(&page, &products).await;
        edit_the_cart_by_keyboard_and_mouse(&page, &products).await;
        let number = check_out(&page).await;
        find_the_order_and_an_invoice(&page, &number).await;
    })
    .await;
}

async fn browse_search_and_add(page: &Page, (sku, name): &(String, String)) {
    page.click(".sidebar ul a[href^='/catalog?category=']")
        .await;
    assert!(
        !page.all_text(".product-card").await.is_empty(),
        "a category lists products"
    );

    page.click(".sidebar ul a[href='/catalog']").await;
    page.fill("form.search input[name=q]", sku).await;
    page.press_enter_in("form.search input[name=q]").await;
    assert!(page.text("h1").await.contains(sku.as_str()));
    let found = page.all_text(".product-card .sku").await;
    assert!(found.contains(sku), "the search finds {sku}: {found:?}");

    page.click(&format!(".product-card a[href='/products/{sku}']"))
        .await;
    assert_eq!(page.text("h1").await, *name);
    assert!(page.text(".buy-box .price.big").await.starts_with("EUR "));
    page.screenshot("product").await;

    page.fill(".buy-box input[name=quantity]", "3").await;
    page.click(".buy-box form[action='/cart/add'] button").await;
    assert!(page.path().await.starts_with("/cart"));
    assert!(page.text(".notice-success").await.contains("Added"));
    assert_eq!(page.property(&qty(sku), "value").await, "3");
}

async fn quick_order_keeps_good_lines_and_the_bad_one(page: &Page, products: &[(String, String)]) {
    let pasted = format!("{} 2\nNOPE-404 1\n{} 4", products[1].0, products[2].0);
    page.fill("form[action='/cart/quick-order'] textarea", &pasted)
        .await;
    page.click("form[action='/cart/quick-order'] button").await;
    assert!(
        page.text(".notice-error").await.contains("NOPE-404"),
        "the bad line is named"
    );
    assert_eq!(page.property(&qty(&products[1].0), "value").await, "2");
    assert_eq!(page.property(&qty(&products[2].0), "value").await, "4");
    let kept = page
        .property("form[action='/cart/quick-order'] textarea", "value")
        .await;
    assert!(
        kept.contains("NOPE-404") && !kept.contains(&products[1].0),
        "the box keeps the bad line, only: {kept:?}"
    );
}

async fn edit_the_cart_by_keyboard_and_mouse(page: &Page, products: &[(String, String)]) {
    // Enter in the third line's quantity must update, not press the first line's Remove.
    page.fill(&qty(&products[2].0), "7").await;
    page.press_enter_in(&qty(&products[2].0)).await;
    assert_eq!(cart_quantities(page).await, ["3", "2", "7"]);

    page.fill(&qty(&products[0].0), "5").await;
    page.click("#cart-form .actions button:not([name])").await;
    assert_eq!(cart_quantities(page).await, ["5", "2", "7"]);

    page.click(&format!(
        "#cart-form button[name=remove][value='{}']",
        products[1].0
    ))
    .await;
    let left = page.all_text("#cart-form tbody .sku").await;
    assert_eq!(left, [products[0].0.clone(), products[2].0.clone()]);
    page.screenshot("cart").await;
}

/// The quantities in the cart, line by line.
async fn cart_quantities(page: &Page) -> Vec<String> {
    let values = page
        .js(
            "return [...document.querySelectorAll('#cart-form input[name^=qty_]')].map(i => i.value)",
            vec![],
        )
        .await;
    serde_json::from_value(values).unwrap()
}

async fn check_out(page: &Page) -> String {
    page.click("#cart-form a[href='/checkout']").await;
    page.fill("input[name=po_number]", "PO-CHROMIUM-1").await;
    let last_ship_to = page
        .js(
            "const s = document.querySelector('select[name=ship_to]');
             s.selectedIndex = s.options.length - 1;
             return s.options[s.selectedIndex].text",
            vec![],
        )
        .await;
    let ship_to = last_ship_to.as_str().unwrap().to_string();
    page.screenshot("checkout").await;
    page.click("form[action='/checkout'] button.primary").await;

    let path = page.path().await;
    assert!(
        path.starts_with("/orders/") && path.ends_with("?placed=1"),
        "{path}"
    );
    let number = page.text("h1").await;
    let number = number
        .trim_start_matches("Order ")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(page.text(".notice-success").await.contains(&number));
    let facts = page.text(".facts").await;
    assert!(facts.contains("PO-CHROMIUM-1"), "{facts}");
    let street_and_city = ship_to.split(", ").nth(1).unwrap_or(&ship_to);
    assert!(
        facts.contains(street_and_city),
        "ships to the chosen {ship_to:?}: {facts}"
    );
    page.screenshot("confirmation").await;
    number
}

async fn find_the_order_and_an_invoice(page: &Page, number: &str) {
    page.click(".main-nav a[href='/orders']").await;
    assert!(
        page.text("table.lines tbody").await.contains(number),
        "the history lists {number}"
    );
    page.screenshot("orders").await;

    page.click(".main-nav a[href='/invoices']").await;
    page.click("table.lines tbody td:first-child a").await;
    assert!(page.text("h1").await.starts_with("Invoice "));
    page.screenshot("invoice").await;
    let answer = page
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const link = document.querySelector('a[href$=\"/pdf\"]');
             fetch(link.href).then(r => r.arrayBuffer().then(b => done([r.status,
               r.headers.get('content-type'), String.fromCharCode(...new Uint8Array(b.slice(0, 5)))])))
               .catch(e => done([0, String(e), '']));",
            vec![],
        )
        .await
        .expect("the PDF link can be fetched");
    assert_eq!(
        answer,
        json!([200, "application/pdf", "%PDF-"]),
        "the PDF link"
    );
}

/// The quantity field of `sku`'s cart line.
fn qty(sku: &str) -> String {
    format!("#cart-form input[name='qty_{sku}']")
}
