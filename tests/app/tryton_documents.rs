//! Tryton numbers its sales `VK 00001/Ü` and its invoices `INV/2026/0001` in the seeded
//! server: every link erpfront makes to them (the buyer's lists, the checkout's redirect, the
//! desk, the API) reaches the document.

use std::sync::Arc;
use std::time::Duration;

use erpfront::users::Users;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::documents::{follow_buyer_links, follow_desk_links};
use crate::support::tryton::{GOLD_CUSTOMER, adapter, users_toml};
use crate::support::{CountingErp, attr_of, html, spawn_app_for};

/// The Tryton buyers and a rep, `rep@service.test` with the buyers' password.
fn users_with_a_rep() -> Users {
    let hash = erpfront::users::hash_password("test-pass");
    let rep = format!(
        "[[users]]\nlogin = \"rep@service.test\"\nname = \"Rep\"\npassword_hash = \"{hash}\"\n\
         role = \"service\"\n"
    );
    Users::parse(&(users_toml() + &rep)).expect("the users file parses")
}

#[tokio::test]
async fn sale_and_invoice_numbers_with_spaces_slashes_and_umlauts_are_reachable() {
    let app = spawn_app_for(
        Arc::new(CountingErp::new(Arc::new(adapter()))),
        users_with_a_rep(),
    )
    .await;
    let run = async {
        let token = format!("token-{GOLD_CUSTOMER}");
        let orders: Value = app.api_json("/api/v1/orders", &token).await;
        let processing = orders["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["po_number"] == "PO-P-1")
            .expect("the seeded processing sale");
        let order = processing["number"].as_str().unwrap().to_owned();
        assert!(order.starts_with("VK ") && order.ends_with("/Ü"), "{order}");
        let invoices: Value = app.api_json("/api/v1/invoices", &token).await;
        let invoice = invoices["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["order_number"] == order.as_str())
            .expect("the processing sale's invoice")["number"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(invoice.starts_with("INV/"), "{invoice}");

        let mut buyer = app.browser();
        buyer
            .login(&format!("{GOLD_CUSTOMER}@buyer.test"), "test-pass")
            .await;
        follow_buyer_links(&mut buyer, &app.address, &[&order], &[&invoice]).await;

        // A new sale gets the next such number, and the checkout sends the buyer to its page.
        buyer
            .post("/cart/add", &[("sku", "SKU-031"), ("quantity", "1")])
            .await;
        let (_, body) = buyer.get("/checkout").await;
        let form = html(&body);
        let key = attr_of(&form, "input[name=idempotency_key]", "value").expect("a checkout form");
        let ship_to = attr_of(&form, "select[name=ship_to] option", "value").unwrap();
        let (status, location, body) = buyer
            .post(
                "/checkout",
                &[
                    ("idempotency_key", &key),
                    ("po_number", "PO-T-NUMBERS"),
                    ("ship_to", &ship_to),
                    ("requested_date", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (status, body) = buyer.get(&location).await;
        assert_eq!(status, StatusCode::OK, "{location}: {body}");
        assert!(
            location.starts_with("/orders/VK%20") && body.contains("PO-T-NUMBERS"),
            "{location}"
        );

        let mut rep = app.browser();
        rep.login("rep@service.test", "test-pass").await;
        let customer = format!("/service-desk/customers/{GOLD_CUSTOMER}");
        follow_desk_links(&mut rep, &app.address, &customer, &order, &invoice).await;

        let path = format!(
            "/api/v1/orders/{}",
            utf8_percent_encode(&order, NON_ALPHANUMERIC)
        );
        let body: Value = app.api_json(&path, &token).await;
        assert_eq!(body["number"], order.as_str(), "{path}");
    };
    tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the pages answer in time");
    app.stop().await;
}
