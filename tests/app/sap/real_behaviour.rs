//! What a real S/4HANA does that a lenient simulator would hide: prices only through
//! `to_Pricing`, zero prices, one product SAP refuses among many, partner codes in the logon
//! language, business partner numbers that are not customer numbers, credit memos and
//! cancellations among billing documents, decimal quantities and text items, older releases
//! without item tax, gateways that hand out CSRF tokens only on `GET`, proposed delivery dates.

use erpfront::domain::*;
use erpfront::erp::{Erp, ErpError};
use rust_decimal::dec;

use super::{adapter, customer, new_order};
use crate::support::s4_sim::S4Sim;

fn skus(codes: &[&str]) -> Vec<Sku> {
    codes.iter().map(|c| Sku::parse(*c).unwrap()).collect()
}

#[tokio::test]
async fn prices_come_from_the_pricing_simulation_and_what_sap_refuses_or_prices_at_zero_is_left_out()
 {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let asked = skus(&["SPC-NOSALE", "BLT-M10-50", "FRE-SAMPLE", "CBL-NYM-3X15"]);
    let prices = erp.prices(&customer("17100001"), &asked).await.unwrap();
    let priced: Vec<&str> = prices.iter().map(|p| p.sku.as_str()).collect();
    assert_eq!(priced, ["BLT-M10-50", "CBL-NYM-3X15"], "{prices:#?}");
    let bolt = &prices[0];
    let ladder: Vec<_> = bolt
        .tiers
        .iter()
        .map(|t| (t.min_quantity, t.unit_price))
        .collect();
    assert_eq!(
        ladder,
        [(1, dec!(0.39)), (10, dec!(0.35)), (50, dec!(0.31))]
    );
    assert!(
        prices
            .iter()
            .all(|p| p.tiers.iter().all(|t| t.unit_price > dec!(0)))
    );
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_material_not_in_the_plant_leaves_the_others_their_stock() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let stock = erp
        .availability(&skus(&["SPC-NOPLANT", "BLT-M10-50", "GRS-LITH"]))
        .await
        .unwrap();
    let known: Vec<&str> = stock.iter().map(|a| a.sku.as_str()).collect();
    assert_eq!(known, ["BLT-M10-50", "GRS-LITH"]);
}

#[tokio::test]
async fn ship_tos_whose_business_partner_numbers_differ_are_found_and_kept_on_orders() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let buyer = erp.customer(&customer("17100001")).await.unwrap();
    let warehouse = buyer
        .ship_tos
        .iter()
        .find(|a| a.id.as_str() == "17100011")
        .unwrap();
    assert_eq!(warehouse.street, "Lagerweg 3");
    assert_eq!(warehouse.name, "Bluewater Tools GmbH Warehouse");
    // The order names its ship-to with the partner code of its language, and reads it back.
    let key = IdempotencyKey::parse("ship-to-language-0001").unwrap();
    let order = erp
        .create_order(&key, &new_order("SHIP-LANG-1", &[("BLT-M10-50", 5)]))
        .await
        .unwrap();
    assert_eq!(order.ship_to.id.as_str(), "17100011");
    assert_eq!(order.ship_to.street, "Lagerweg 3");
    let held = sim.orders_with_po("SHIP-LANG-1");
    assert_eq!(held[0]["to_Partner"]["results"][1]["Customer"], "17100011");
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn decimal_quantities_and_text_items_are_read_on_orders_and_invoices() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let buyer = customer("17100001");
    let summaries = erp.orders(&buyer).await.unwrap();
    assert!(summaries.iter().any(|o| o.number.as_str() == "5000004"));
    let order = erp
        .order(&buyer, &OrderNumber::parse("5000004").unwrap())
        .await
        .unwrap();
    let lines: Vec<_> = order
        .lines
        .iter()
        .map(|l| (l.sku.as_str(), l.quantity.to_string(), l.unit.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("CBL-NYM-3X15", "2.5".to_owned(), "M"),
            ("GRS-LITH", "2.5".to_owned(), "KG")
        ]
    );
    assert_eq!(order.lines[0].unit_price.amount, dec!(0.892));
    assert_eq!(order.totals.net.amount, dec!(33.23));

    let invoice = erp
        .invoice(&buyer, &InvoiceNumber::parse("90000007").unwrap())
        .await
        .unwrap();
    assert_eq!(invoice.lines.len(), 3);
    assert_eq!(invoice.lines[1].quantity.get(), dec!(2.5));
    assert_eq!(invoice.lines[2].sku, None);
    assert_eq!(
        invoice.lines[2].description,
        "Deliver to gate 3, mornings only"
    );
    assert_eq!(invoice.lines[2].quantity, 0);
}

#[tokio::test]
async fn credit_memos_cancellations_and_cancelled_invoices_are_no_open_invoices() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let buyer = customer("17100001");
    let listed: Vec<String> = erp
        .invoices(&buyer)
        .await
        .unwrap()
        .iter()
        .map(|i| i.number.to_string())
        .collect();
    for not_an_invoice in ["90000004", "90000005", "90000006"] {
        assert!(!listed.contains(&not_an_invoice.to_owned()), "{listed:?}");
        let number = InvoiceNumber::parse(not_an_invoice).unwrap();
        assert_eq!(
            erp.invoice(&buyer, &number).await.unwrap_err(),
            ErpError::NotFound
        );
    }
    assert!(listed.contains(&"90000001".to_owned()));
    assert!(listed.contains(&"90000007".to_owned()));
}

#[tokio::test]
async fn the_invoice_pdf_comes_as_line_broken_base64() {
    let sim = S4Sim::start().await;
    let erp = adapter(&sim);
    let pdf = erp
        .invoice_document(
            &customer("17100001"),
            &InvoiceNumber::parse("90000001").unwrap(),
        )
        .await
        .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert!(pdf.bytes.len() > 76, "long enough to be broken into lines");
}

#[tokio::test]
async fn a_release_without_item_tax_still_lists_and_reads_orders() {
    let sim = S4Sim::start().await;
    sim.answer_as_release_2020();
    let erp = adapter(&sim);
    let buyer = customer("17100001");
    let orders = erp.orders(&buyer).await.unwrap();
    assert!(orders.len() >= 3);
    let order = erp
        .order(&buyer, &OrderNumber::parse("5000001").unwrap())
        .await
        .unwrap();
    assert_eq!(order.totals.tax.amount, dec!(0));
    assert_eq!(order.totals.gross, order.totals.net);
    assert_eq!(sim.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_gateway_handing_out_csrf_tokens_only_on_get_still_takes_orders() {
    let sim = S4Sim::start().await;
    sim.hand_out_csrf_tokens_only_on_root_get();
    let erp = adapter(&sim);
    let key = IdempotencyKey::parse("csrf-get-only-0001").unwrap();
    erp.create_order(&key, &new_order("CSRF-GET-1", &[("BLT-M10-50", 5)]))
        .await
        .unwrap();
    assert_eq!(sim.orders_with_po("CSRF-GET-1").len(), 1);
}

#[tokio::test]
async fn a_date_sap_proposes_keeps_a_retry_the_same_submission() {
    let sim = S4Sim::start().await;
    let ordering = erpfront::ordering::Ordering::new(std::sync::Arc::new(adapter(&sim)));
    let key = IdempotencyKey::parse("proposed-date-0001").unwrap();
    let first = ordering
        .place(&key, new_order("PROPOSED-1", &[("BLT-M10-50", 5)]))
        .await
        .unwrap();
    assert!(first.order().requested_date.is_some(), "SAP proposed one");
    let again = ordering
        .place(&key, new_order("PROPOSED-1", &[("BLT-M10-50", 5)]))
        .await
        .unwrap();
    assert_eq!(again.order().number, first.order().number);
    assert_eq!(sim.orders_with_po("PROPOSED-1").len(), 1);
}
