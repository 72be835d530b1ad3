//! The demo ERP against its own fixtures.

use std::path::PathBuf;

use rust_decimal::dec;

use super::*;
use crate::domain::{AddressId, NewOrderLine, OrderStatus, Quantity};

fn erp() -> DemoErp {
    DemoErp::embedded().expect("the embedded demo data loads")
}

fn id(s: &str) -> CustomerId {
    CustomerId::parse(s).unwrap()
}

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}

fn new_order(customer: &str, lines: &[(&str, i64)]) -> NewOrder {
    NewOrder {
        customer: id(customer),
        po_number: "PO-TEST-1".into(),
        ship_to: None,
        requested_date: None,
        note: Some("Gate 2".into()),
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

/// A scratch copy of the fixtures that a test may spoil; removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("erpfront-demo-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
        for file in [
            records::CATEGORIES,
            records::PRODUCTS,
            records::CUSTOMERS,
            records::ORDERS,
            records::INVOICES,
        ] {
            std::fs::copy(fixtures.join(file), dir.join(file)).unwrap();
        }
        Self(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn embedded_data_loads_and_matches_the_files_on_disk() {
    let erp = erp();
    assert_eq!(erp.name(), "demo");
    assert!(erp.catalog.products.len() >= 240);
    assert_eq!(erp.catalog.customers.len(), 3);
    assert!((6..=8).contains(&erp.categories().await.unwrap().len()));
    assert!(erp.catalog.invoices.len() >= 15);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let from_disk = DemoErp::from_dir(&dir).unwrap();
    assert_eq!(from_disk.catalog.products.len(), erp.catalog.products.len());
    erp.health().await.unwrap();
}

#[tokio::test]
async fn northwind_and_globex_pay_different_prices_for_every_sku() {
    let erp = erp();
    let skus: Vec<Sku> = erp.catalog.products.keys().cloned().collect();
    let nw = erp.prices(&id("C-1000"), &skus).await.unwrap();
    let gx = erp.prices(&id("C-2000"), &skus).await.unwrap();
    assert_eq!((nw.len(), gx.len()), (skus.len(), skus.len()));
    for (a, b) in nw.iter().zip(&gx) {
        assert_eq!(a.sku, b.sku);
        assert_ne!(a.base(), b.base(), "{}", a.sku);
    }
    let initech = erp.prices(&id("C-3000"), &skus[..1]).await.unwrap();
    assert_eq!(
        initech[0].base().amount,
        erp.catalog.products[&skus[0]].list_price
    );
    assert!(!initech[0].has_tiers());
}

#[tokio::test]
async fn northwind_gets_quantity_tiers_and_unknown_skus_are_left_out() {
    let erp = erp();
    let asked = [sku("FAS-1001"), sku("NOPE-1"), sku("FAS-1001")];
    let prices = erp.prices(&id("C-1000"), &asked).await.unwrap();
    assert_eq!(prices.len(), 1);
    let price = &prices[0];
    assert!(price.has_tiers());
    assert_eq!(price.tiers[0].min_quantity, 1);
    assert!(price.unit_price(50).amount < price.unit_price(10).amount);
    assert!(price.unit_price(10).amount < price.unit_price(1).amount);
    // FAS-1001 lists at 14.80; fasteners are 12.5% off, 50+ another 7%.
    assert_eq!(price.unit_price(1).amount, dec!(12.95));
    assert_eq!(price.unit_price(50).amount, dec!(12.04));
    assert_eq!(
        erp.prices(&id("C-9999"), &asked).await,
        Err(ErpError::NotFound)
    );
}

#[tokio::test]
async fn one_key_makes_one_order_that_books_stock() {
    let erp = erp();
    let key = IdempotencyKey::generate();
    let before = erp.availability(&[sku("FAS-1002")]).await.unwrap()[0].available;
    let highest = erp.ledger().orders.len();
    let order = new_order(
        "C-1000",
        &[("FAS-1002", 12), ("HTL-1001", 1), ("FAS-1002", 3)],
    );
    let first = erp.create_order(&key, &order).await.unwrap();
    let mut changed = order.clone();
    changed.po_number = "PO-OTHER".into();
    let second = erp.create_order(&key, &changed).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(erp.ledger().orders.len(), highest + 1);

    assert_eq!(first.status, OrderStatus::Received);
    assert_eq!(first.number.as_str(), "SO-100259");
    assert_eq!(first.placed_on, Utc::now().date_naive());
    assert_eq!(first.ship_to.id.as_str(), "NW-SHIP-1");
    assert_eq!(first.lines.len(), 2);
    assert_eq!(first.lines[0].quantity, 15);
    let tier_price = erp.prices(&id("C-1000"), &[sku("FAS-1002")]).await.unwrap()[0].unit_price(15);
    assert_eq!(first.lines[0].unit_price, tier_price);
    let net: rust_decimal::Decimal = first.lines.iter().map(|l| l.net.amount).sum();
    assert_eq!(first.totals.net.amount, net);
    assert_eq!(
        first.totals.tax.amount,
        pricing::round_cents(net * dec!(0.19))
    );
    assert_eq!(first.totals.gross.amount, net + first.totals.tax.amount);

    let after = erp.availability(&[sku("FAS-1002")]).await.unwrap()[0].available;
    assert_eq!(after, before - 15);
    let found = erp.find_order_by_key(&id("C-1000"), &key).await.unwrap();
    assert_eq!(found.as_ref(), Some(&first));
    assert_eq!(
        erp.find_order_by_key(&id("C-2000"), &key).await.unwrap(),
        None
    );
    assert_eq!(
        erp.orders(&id("C-1000")).await.unwrap()[0].number,
        first.number
    );
}

#[tokio::test]
async fn stock_never_goes_below_zero() {
    let erp = erp();
    let order = new_order("C-3000", &[("SAF-1001", 99_999)]);
    erp.create_order(&IdempotencyKey::generate(), &order)
        .await
        .unwrap();
    let availability = erp
        .availability(&[sku("SAF-1001"), sku("NOPE-1")])
        .await
        .unwrap();
    assert_eq!(availability.len(), 1);
    assert_eq!(availability[0].available, 0);
}

#[tokio::test]
async fn bad_orders_are_rejected_with_buyer_safe_reasons() {
    let erp = erp();
    let key = IdempotencyKey::generate();
    let rejected = |reason: &str| Err(ErpError::rejected(reason));
    let empty = new_order("C-1000", &[]);
    assert_eq!(
        erp.create_order(&key, &empty).await,
        rejected("The order has no lines.")
    );
    let unknown = new_order("C-1000", &[("FAS-1001", 1), ("XYZ-1", 1)]);
    assert_eq!(
        erp.create_order(&key, &unknown).await,
        rejected("Product XYZ-1 is not in the catalog.")
    );
    let mut foreign = new_order("C-1000", &[("FAS-1001", 1)]);
    foreign.ship_to = Some(AddressId::parse("GX-SHIP-1").unwrap());
    assert_eq!(
        erp.create_order(&key, &foreign).await,
        rejected("The chosen ship-to address is not one of yours.")
    );
    let stranger = new_order("C-9999", &[("FAS-1001", 1)]);
    assert_eq!(
        erp.create_order(&key, &stranger).await,
        Err(ErpError::NotFound)
    );
    assert_eq!(erp.find_order_by_key(&id("C-1000"), &key).await, Ok(None));
}

#[tokio::test]
async fn customers_cannot_see_each_others_records() {
    let erp = erp();
    let nw = id("C-1000");
    let gx = id("C-2000");
    let orders = erp.orders(&nw).await.unwrap();
    assert!(orders.windows(2).all(|w| w[0].placed_on >= w[1].placed_on));
    let number = &orders[0].number;
    assert!(erp.order(&nw, number).await.is_ok());
    assert_eq!(erp.order(&gx, number).await, Err(ErpError::NotFound));
    assert!(
        erp.orders(&gx)
            .await
            .unwrap()
            .iter()
            .all(|o| &o.number != number)
    );

    let invoices = erp.invoices(&nw).await.unwrap();
    assert!(
        invoices
            .windows(2)
            .all(|w| w[0].issued_on >= w[1].issued_on)
    );
    let invoice = &invoices[0].number;
    assert!(erp.invoice(&nw, invoice).await.is_ok());
    assert_eq!(erp.invoice(&gx, invoice).await, Err(ErpError::NotFound));
    assert_eq!(
        erp.invoice_document(&gx, invoice).await,
        Err(ErpError::NotFound)
    );
    assert_eq!(erp.customer(&id("C-9999")).await, Err(ErpError::NotFound));
}

#[tokio::test]
async fn invoice_document_is_a_pdf() {
    let erp = erp();
    let number = InvoiceNumber::parse("INV-2026-0412").unwrap();
    let doc = erp.invoice_document(&id("C-1000"), &number).await.unwrap();
    assert_eq!(doc.content_type, "application/pdf");
    assert_eq!(doc.filename, "invoice-INV-2026-0412.pdf");
    assert!(doc.bytes.starts_with(b"%PDF-"));
    assert!(doc.bytes.trim_ascii_end().ends_with(b"%%EOF"));
    assert!(doc.bytes.windows(4).any(|w| w == b"xref"));
    assert_eq!(
        document_filename(&InvoiceNumber::parse("INV/2026:1").unwrap()),
        "invoice-INV_2026_1.pdf"
    );
}

#[tokio::test]
async fn catalog_search_filters_pages_and_counts() {
    let erp = erp();
    let all = erp
        .search_products(&CatalogQuery::new(None, None, 1, 100))
        .await
        .unwrap();
    assert_eq!(all.total as usize, erp.catalog.products.len());
    assert!(all.items.windows(2).all(|w| w[0].sku < w[1].sku));
    // Every word must appear somewhere: three M8 hex bolts, and the M8 hexagon nut "for bolts".
    let bolts = CatalogQuery::new(Some("HEX bolt m8"), Some("fasteners"), 1, 3);
    let page = erp.search_products(&bolts).await.unwrap();
    assert_eq!((page.items.len(), page.total), (3, 4));
    let last = erp
        .search_products(&CatalogQuery { page: 2, ..bolts })
        .await
        .unwrap();
    assert_eq!(last.items.len(), 1);
    let by_attribute = CatalogQuery::new(Some("din 934"), None, 1, 50);
    assert_eq!(erp.search_products(&by_attribute).await.unwrap().total, 5);
    let nothing = CatalogQuery::new(Some("bolt"), Some("cleaning"), 1, 10);
    assert_eq!(erp.search_products(&nothing).await.unwrap().total, 0);
    assert_eq!(erp.product(&sku("NOPE-1")).await, Err(ErpError::NotFound));
}

#[tokio::test]
async fn bad_files_give_errors_naming_the_file_and_record() {
    let dir = ScratchDir::new("bad-json");
    std::fs::write(dir.0.join(records::ORDERS), "[{\"number\": \"SO-1\",").unwrap();
    let message = DemoErp::from_dir(&dir.0).unwrap_err().to_string();
    assert!(
        message.contains("orders.json") && message.contains("line"),
        "{message}"
    );

    let dir = ScratchDir::new("bad-ref");
    let path = dir.0.join(records::INVOICES);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replacen("\"C-1000\"", "\"C-2000\"", 1);
    std::fs::write(&path, text).unwrap();
    let message = DemoErp::from_dir(&dir.0).unwrap_err().to_string();
    assert!(
        message.contains("invoices.json, invoice INV-2026-0412"),
        "{message}"
    );

    let missing = DemoErp::from_dir(Path::new("/nonexistent/demo"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("categories.json"), "{missing}");
}
