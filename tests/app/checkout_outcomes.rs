//! A failed order tells the buyer the truth: the order may exist and a retry is safe, or it
//! certainly does not. An ERP that cannot take the order at all (it does not know the customer,
//! or does not take orders this way) is the second case, in the storefront and in the API.

use std::time::Duration;

use erpfront::erp::ErpError;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    ANNA, NORTHWIND_TOKEN, TestApp, attr_of, html, sku_in_stock, spawn_app, text_of,
};

const WITHIN: Duration = Duration::from_secs(60);

fn cannot_take_orders() -> [(&'static str, ErpError); 2] {
    [
        ("not found", ErpError::NotFound),
        (
            "unsupported",
            ErpError::Unsupported {
                operation: "create_order",
            },
        ),
    ]
}

async fn orders_with_po(app: &TestApp, po: &str) -> usize {
    let list = app.api_json("/api/v1/orders", NORTHWIND_TOKEN).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["po_number"] == po)
        .count()
}

#[tokio::test]
async fn an_order_the_erp_cannot_take_is_said_not_to_be_placed_and_the_cart_is_kept() {
    tokio::time::timeout(WITHIN, async {
        let app = spawn_app().await;
        let sku = sku_in_stock(&app).await;
        let mut anna = app.browser();
        anna.login(ANNA, "demo").await;
        for (case, error) in cannot_take_orders() {
            let po = format!("PO-CANNOT-{}", case.replace(' ', "-"));
            let key = anna.open_checkout_with(&sku, "1").await;
            app.erp.break_operation("create_order", Some(error));
            let form = [
                ("idempotency_key", key.as_str()),
                ("po_number", po.as_str()),
                ("ship_to", ""),
                ("requested_date", ""),
                ("note", ""),
            ];
            let (status, _, body) = anna.post("/checkout", &form).await;
            app.erp.break_operation("create_order", None);
            let page = html(&body);
            let (headline, text) = (text_of(&page, "h1"), text_of(&page, "main"));
            assert_eq!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{case}: {headline}"
            );
            assert!(headline.contains("not placed"), "{case}: {headline}");
            assert!(
                !text.to_lowercase().contains("confirming"),
                "{case}: the order is not said to be under way: {text}"
            );
            assert!(
                text.contains("nothing was ordered") && text.contains("call us"),
                "{case}: says so and what to do: {text}"
            );
            assert!(text.contains(&po), "{case}: names the PO number to quote");
            assert_eq!(
                attr_of(&page, "form[action='/checkout']", "method"),
                None,
                "{case}: no retry is offered that cannot help"
            );
            assert_eq!(orders_with_po(&app, &po).await, 0, "{case}");
            let (_, cart) = anna.get("/cart").await;
            assert!(cart.contains(&sku), "{case}: the cart is kept");
        }
    })
    .await
    .expect("the checkout answers in time");
}

#[tokio::test]
async fn the_api_does_not_ask_to_retry_an_order_the_erp_cannot_take() {
    tokio::time::timeout(WITHIN, async {
        let app = spawn_app().await;
        let sku = sku_in_stock(&app).await;
        for ((case, error), expected) in cannot_take_orders()
            .into_iter()
            .zip([StatusCode::NOT_FOUND, StatusCode::INTERNAL_SERVER_ERROR])
        {
            app.erp.break_operation("create_order", Some(error));
            let response = app
                .api()
                .post(app.url("/api/v1/orders"))
                .bearer_auth(NORTHWIND_TOKEN)
                .header(
                    "Idempotency-Key",
                    format!("cannot-{}", case.replace(' ', "-")),
                )
                .json(
                    &json!({"po_number": "PO-API-CANNOT", "lines": [{"sku": sku, "quantity": 1}]}),
                )
                .send()
                .await
                .unwrap();
            app.erp.break_operation("create_order", None);
            assert_eq!(response.status(), expected, "{case}");
            assert!(
                response.headers().get("retry-after").is_none(),
                "{case}: retrying does not help"
            );
            let body: Value = response.json().await.unwrap();
            assert_ne!(body["error"]["code"], "erp_timeout", "{case}: {body}");
        }
        assert_eq!(orders_with_po(&app, "PO-API-CANNOT").await, 0);
    })
    .await
    .expect("the API answers in time");
}
