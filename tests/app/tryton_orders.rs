//! The Tryton adapter's orders and invoices against a real, running Tryton 8.2 with the seed
//! data of `tests/tryton/seed.py` (see `support::tryton`). Tests that place orders use SKUs of
//! their own, so that the stock and price assertions of the others hold whatever runs first.

use chrono::{Days, Utc};
use erpfront::domain::{
    AddressId, IdempotencyKey, InvoiceStatus, NewOrder, NewOrderLine, OrderStatus, Quantity, Sku,
};
use erpfront::erp::ErpError;
use rust_decimal::Decimal;
use rust_decimal::dec;
use serde_json::json;

use crate::support::tryton::{
    GOLD_CUSTOMER, STANDARD_CUSTOMER, VOLUME_CUSTOMER, customer, rpc, sku, tryton_erp,
};

fn new_order(code: &str, po: &str, lines: &[(&str, i64)]) -> NewOrder {
    NewOrder {
        customer: customer(code),
        po_number: po.into(),
        ship_to: None,
        requested_date: None,
        note: None,
        lines: lines
            .iter()
            .map(|&(s, q)| NewOrderLine {
                sku: sku(s),
                quantity: Quantity::new(q).unwrap(),
            })
            .collect(),
        placed_by: None,
    }
}

/// How many sales Tryton holds with this PO number, asked directly.
async fn sales_with_reference(po: &str) -> u64 {
    rpc(
        "model.sale.sale.search_count",
        vec![json!([["reference", "=", po]])],
    )
    .await
    .as_u64()
    .unwrap()
}

#[tokio::test]
async fn an_order_is_priced_confirmed_and_listed_by_tryton() {
    let erp = tryton_erp().await;
    let nordsee = erp.customer(&customer(VOLUME_CUSTOMER)).await.unwrap();
    let kiel: AddressId = nordsee.ship_tos[1].id.clone();
    let mut order = new_order(
        VOLUME_CUSTOMER,
        "PO-T-ORDER",
        &[("SKU-020", 12), ("SKU-030", 2)],
    );
    order.ship_to = Some(kiel.clone());
    order.requested_date = Some(Utc::now().date_naive() + Days::new(7));
    order.note = Some("Deliver to the back door.\nRing twice.".into());
    order.placed_by = Some("Sam Rivera".into());
    let key = IdempotencyKey::generate();
    let placed = erp.create_order(&key, &order).await.unwrap();

    assert!(
        erpfront::ordering::is_same_order(&order, &placed),
        "the sale reads back as submitted: {placed:#?}"
    );
    assert_eq!(
        placed.status,
        OrderStatus::Processing,
        "quoted, confirmed, shipment waiting"
    );
    assert_eq!(placed.ship_to.city, "Kiel");
    assert_eq!(placed.placed_by.as_deref(), Some("Sam Rivera"));
    assert_eq!(placed.idempotency_key.as_ref(), Some(&key));
    // SKU-020 lists at 43.40, 12 units reach Nordsee's 5 % tier; SKU-030 at 63.10.
    let line = |code: &str| {
        placed
            .lines
            .iter()
            .find(|l| l.sku.as_str() == code)
            .unwrap()
    };
    assert_eq!(line("SKU-020").unit_price.amount, dec!(41.23));
    assert_eq!(line("SKU-020").net.amount, dec!(494.76));
    assert_eq!(
        (line("SKU-030").quantity.whole(), line("SKU-030").net.amount),
        (Some(2), dec!(126.20))
    );
    assert_eq!(line("SKU-030").name, "Takeaway carriers x200");
    assert_eq!(placed.totals.net.amount, dec!(620.96));
    assert_eq!(
        placed.totals.tax.amount,
        dec!(117.98),
        "19 % VAT from the product category"
    );
    assert_eq!(placed.totals.gross.amount, dec!(738.94));

    let listed = erp.orders(&customer(VOLUME_CUSTOMER)).await.unwrap();
    let position = |po: &str| listed.iter().position(|o| o.po_number == po).unwrap();
    let listed_order = &listed[position("PO-T-ORDER")];
    assert_eq!(listed_order.number, placed.number);
    assert_eq!(listed_order.gross, placed.totals.gross);
    assert!(position("PO-T-ORDER") < position("PO-S-1"), "newest first");
    let fetched = erp
        .order(&customer(VOLUME_CUSTOMER), &placed.number)
        .await
        .unwrap();
    assert_eq!(fetched, placed);

    let sale = rpc(
        "model.sale.sale.search_read",
        vec![
            json!([["reference", "=", "PO-T-ORDER"]]),
            json!(0),
            json!(null),
            json!(null),
            json!([
                "party.code",
                "state",
                "description",
                "comment",
                "shipment_address"
            ]),
        ],
    )
    .await;
    assert_eq!(sale[0]["party."]["code"], VOLUME_CUSTOMER);
    assert_eq!(sale[0]["state"], "processing");
    assert_eq!(sale[0]["description"], format!("erpfront-key:{key}"));
    assert_eq!(sale[0]["shipment_address"].to_string(), kiel.as_str());
    let comment = sale[0]["comment"].as_str().unwrap();
    assert!(
        comment.ends_with("Placed for the customer by Sam Rivera"),
        "{comment}"
    );
}

#[tokio::test]
async fn the_same_key_twice_makes_one_sale_and_finds_it() {
    let erp = tryton_erp().await;
    let order = new_order(GOLD_CUSTOMER, "PO-T-TWICE", &[("SKU-021", 1)]);
    let key = IdempotencyKey::generate();
    let first = erp.create_order(&key, &order).await.unwrap();
    let second = erp.create_order(&key, &order).await.unwrap();
    assert_eq!(first.number, second.number);
    assert_eq!(sales_with_reference("PO-T-TWICE").await, 1);

    // A second gateway instance finds it by the key kept in Tryton.
    let other_instance = tryton_erp().await;
    let found = other_instance
        .find_order_by_key(&customer(GOLD_CUSTOMER), &key)
        .await
        .unwrap()
        .expect("found by key");
    assert_eq!(found.number, first.number);
    let unknown = IdempotencyKey::generate();
    assert_eq!(
        erp.find_order_by_key(&customer(GOLD_CUSTOMER), &unknown)
            .await,
        Ok(None)
    );
    assert_eq!(
        erp.find_order_by_key(&customer(VOLUME_CUSTOMER), &key)
            .await,
        Ok(None),
        "another customer's key is not theirs"
    );
    assert_eq!(sales_with_reference("PO-T-TWICE").await, 1);
}

#[tokio::test]
async fn orders_that_tryton_cannot_take_are_rejected_with_a_buyer_safe_reason() {
    let erp = tryton_erp().await;
    let unknown = new_order(GOLD_CUSTOMER, "PO-T-REJECT", &[("NO-SUCH-SKU", 1)]);
    let key = IdempotencyKey::generate();
    let err = erp.create_order(&key, &unknown).await.unwrap_err();
    assert_eq!(
        err,
        ErpError::rejected("Product NO-SUCH-SKU is not in the catalog.")
    );
    let internal = new_order(GOLD_CUSTOMER, "PO-T-REJECT", &[("SKU-900", 1)]);
    let err = erp.create_order(&key, &internal).await.unwrap_err();
    assert_eq!(
        err,
        ErpError::rejected("Product SKU-900 cannot be ordered.")
    );
    let mut elsewhere = new_order(GOLD_CUSTOMER, "PO-T-REJECT", &[("SKU-022", 1)]);
    elsewhere.ship_to = Some(AddressId::parse("4").unwrap()); // Nordsee's address in Kiel
    let err = erp.create_order(&key, &elsewhere).await.unwrap_err();
    assert!(matches!(err, ErpError::Rejected { .. }), "{err:?}");
    assert_eq!(sales_with_reference("PO-T-REJECT").await, 0);
}

#[tokio::test]
async fn one_customers_orders_and_invoices_are_not_found_for_another() {
    let erp = tryton_erp().await;
    let gold = customer(GOLD_CUSTOMER);
    let orders = erp.orders(&gold).await.unwrap();
    let processing = orders
        .iter()
        .find(|o| o.po_number == "PO-P-1")
        .expect("seeded order");
    assert_eq!(processing.status, OrderStatus::Processing);
    assert!(
        !orders.iter().any(|o| o.po_number == "PO-D-1"),
        "drafts without a number"
    );
    let invoices = erp.invoices(&gold).await.unwrap();
    let number = &invoices[0].number;
    for other in [customer(VOLUME_CUSTOMER), customer(STANDARD_CUSTOMER)] {
        assert_eq!(
            erp.order(&other, &processing.number).await,
            Err(ErpError::NotFound)
        );
        assert_eq!(erp.invoice(&other, number).await, Err(ErpError::NotFound));
        assert_eq!(
            erp.invoice_document(&other, number).await,
            Err(ErpError::NotFound)
        );
        let theirs = erp.orders(&other).await.unwrap();
        assert!(!theirs.iter().any(|o| o.number == processing.number));
    }
    assert_eq!(
        erp.orders(&customer("C-999")).await,
        Err(ErpError::NotFound)
    );
    assert_eq!(
        erp.invoices(&customer("C-999")).await,
        Err(ErpError::NotFound)
    );
}

#[tokio::test]
async fn seeded_orders_show_their_state_and_deliveries() {
    let erp = tryton_erp().await;
    let volume = erp.orders(&customer(VOLUME_CUSTOMER)).await.unwrap();
    let status = |po: &str| volume.iter().find(|o| o.po_number == po).map(|o| o.status);
    assert_eq!(status("PO-Q-1"), Some(OrderStatus::Received));
    let shipped = volume.iter().find(|o| o.po_number == "PO-S-1").unwrap();
    assert_eq!(shipped.status, OrderStatus::Shipped);
    let shipped = erp
        .order(&customer(VOLUME_CUSTOMER), &shipped.number)
        .await
        .unwrap();
    assert_eq!(shipped.lines[1].quantity, 60);
    // one shipment with the carrier module's carrier, a delivery per tracked package
    // (stock_package_shipping's shipping_reference); the base module computes no tracking URL
    let tracking: Vec<(&str, Option<&str>, Option<&str>)> = shipped
        .deliveries
        .iter()
        .map(|d| {
            assert_eq!(d.number, shipped.deliveries[0].number);
            (
                d.carrier.as_str(),
                d.tracking_number.as_deref(),
                d.tracking_url.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        tracking,
        [
            ("DHL Paket", Some("TRACK-2001"), None),
            ("DHL Paket", Some("TRACK-2002"), None)
        ]
    );
    assert_eq!(
        shipped_quantities(&shipped),
        [("SKU-010", Some(4)), ("SKU-011", Some(60))]
    );

    let standard = erp.orders(&customer(STANDARD_CUSTOMER)).await.unwrap();
    let states: Vec<(&str, OrderStatus)> = standard
        .iter()
        .map(|o| (o.po_number.as_str(), o.status))
        .collect();
    assert!(
        states.contains(&("PO-X-1", OrderStatus::Completed)),
        "{states:?}"
    );
    let done = standard.iter().find(|o| o.po_number == "PO-X-1").unwrap();
    let done = erp
        .order(&customer(STANDARD_CUSTOMER), &done.number)
        .await
        .unwrap();
    let delivery = &done.deliveries[..];
    assert_eq!(delivery.len(), 1, "{delivery:?}");
    assert_eq!(
        (
            delivery[0].carrier.as_str(),
            delivery[0].tracking_number.as_deref()
        ),
        ("DHL Paket", None),
        "a carrier but no package"
    );

    // confirmed, its shipment still waiting: nothing has left
    let gold = erp.orders(&customer(GOLD_CUSTOMER)).await.unwrap();
    let processing = gold.iter().find(|o| o.po_number == "PO-P-1").unwrap();
    let processing = erp
        .order(&customer(GOLD_CUSTOMER), &processing.number)
        .await
        .unwrap();
    assert!(processing.deliveries.is_empty());
    assert_eq!(
        shipped_quantities(&processing),
        [("SKU-004", Some(0)), ("SKU-005", Some(0))]
    );
}

/// Each line's SKU and how much of it has shipped, in whole units.
fn shipped_quantities(order: &erpfront::domain::Order) -> Vec<(&str, Option<u32>)> {
    order
        .lines
        .iter()
        .map(|l| (l.sku.as_str(), l.shipped.and_then(|q| q.whole())))
        .collect()
}

#[tokio::test]
async fn invoices_carry_amounts_due_dates_and_open_or_paid() {
    let erp = tryton_erp().await;
    let gold = erp.invoices(&customer(GOLD_CUSTOMER)).await.unwrap();
    assert_eq!(
        gold.len(),
        1,
        "posted invoices only, drafts stay out: {gold:?}"
    );
    let open = &gold[0];
    assert_eq!(open.status, InvoiceStatus::Open);
    assert_eq!(open.gross.amount, dec!(333.56));
    assert_eq!(open.open_amount.amount, dec!(333.56));
    assert_eq!(open.due_on, open.issued_on + Days::new(30), "Net 30 days");
    assert!(open.number.as_str().starts_with("INV/"));
    let order = erp.orders(&customer(GOLD_CUSTOMER)).await.unwrap();
    let po_p = order.iter().find(|o| o.po_number == "PO-P-1").unwrap();
    assert_eq!(open.order_number.as_ref(), Some(&po_p.number));

    let full = erp
        .invoice(&customer(GOLD_CUSTOMER), &open.number)
        .await
        .unwrap();
    let lines: Vec<(Option<&str>, u32)> = full
        .lines
        .iter()
        .map(|l| (l.sku.as_ref().map(Sku::as_str), l.quantity.whole().unwrap()))
        .collect();
    assert_eq!(lines, [(Some("SKU-004"), 3), (Some("SKU-005"), 20)]);
    assert_eq!(full.net.amount + full.tax.amount, full.gross.amount);
    assert_eq!(
        full.lines.iter().map(|l| l.net.amount).sum::<Decimal>(),
        full.net.amount
    );

    let paid = erp.invoices(&customer(STANDARD_CUSTOMER)).await.unwrap();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].status, InvoiceStatus::Paid);
    assert_eq!(paid[0].open_amount.amount, Decimal::ZERO);
    assert_eq!(paid[0].gross.amount, dec!(68.88));
}

#[tokio::test]
async fn the_invoice_document_is_the_pdf_tryton_renders() {
    let erp = tryton_erp().await;
    let invoices = erp.invoices(&customer(GOLD_CUSTOMER)).await.unwrap();
    let document = erp
        .invoice_document(&customer(GOLD_CUSTOMER), &invoices[0].number)
        .await
        .unwrap();
    assert_eq!(document.content_type, "application/pdf");
    assert!(document.bytes.starts_with(b"%PDF-"));
    assert!(document.bytes.len() > 1000);
    assert!(document.filename.ends_with(".pdf") && !document.filename.contains('/'));
}
