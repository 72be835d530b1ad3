//! The Tryton adapter's catalog side against a real, running Tryton 8.2 with the seed data of
//! `tests/tryton/seed.py` (see `support::tryton`): products, prices, stock, customers.

use chrono::{Datelike, NaiveDate, Utc};
use erpfront::domain::{CatalogQuery, Sku};
use erpfront::erp::{Erp, ErpError};
use rust_decimal::Decimal;
use rust_decimal::dec;

use crate::support::tryton::{
    GOLD_CUSTOMER, STANDARD_CUSTOMER, VOLUME_CUSTOMER, adapter, customer, sku, tryton_erp,
};

#[tokio::test]
async fn the_catalog_pages_and_searches_in_tryton() {
    let erp = tryton_erp().await;
    let first = erp
        .search_products(&CatalogQuery::new(None, None, 1, 24))
        .await
        .unwrap();
    assert_eq!(
        first.total, 40,
        "SKU-001..SKU-040 are salable, SKU-900 is not"
    );
    assert_eq!(first.items.len(), 24);
    assert_eq!(first.items[0].sku.as_str(), "SKU-001");
    assert_eq!(first.items[0].name, "Espresso beans 1kg");
    assert_eq!(first.items[0].category, "COFFEE");
    assert_eq!(first.items[0].unit, "u");
    let skus: Vec<&str> = first.items.iter().map(|p| p.sku.as_str()).collect();
    assert!(
        skus.windows(2).all(|w| w[0] < w[1]),
        "ordered by SKU: {skus:?}"
    );
    let second = erp
        .search_products(&CatalogQuery::new(None, None, 2, 24))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 16);
    assert_eq!(second.items[0].sku.as_str(), "SKU-025");
    assert_eq!(second.page_count(), 2);

    let cups = erp
        .search_products(&CatalogQuery::new(Some("CUPS"), None, 1, 24))
        .await
        .unwrap();
    let found: Vec<&str> = cups.items.iter().map(|p| p.sku.as_str()).collect();
    assert_eq!(found, ["SKU-008", "SKU-009", "SKU-027"]);
    let both = erp
        .search_products(&CatalogQuery::new(Some("paper 300ml"), None, 1, 24))
        .await
        .unwrap();
    assert_eq!(both.total, 1, "every word must match");
    let wildcard = erp
        .search_products(&CatalogQuery::new(Some("%"), None, 1, 24))
        .await
        .unwrap();
    assert_eq!(wildcard.total, 0, "% is a character, not a wildcard");
    let internal = erp
        .search_products(&CatalogQuery::new(Some("pallet"), None, 1, 24))
        .await
        .unwrap();
    assert_eq!(
        internal.total, 0,
        "a product that is not salable is not in the catalog"
    );

    let categories = erp.categories().await.unwrap();
    let ids: Vec<&str> = categories.iter().map(|c| c.id.as_str()).collect();
    for expected in ["COFFEE", "TEA", "CUPS", "DAIRY", "EQUIP", "CLEAN"] {
        assert!(ids.contains(&expected), "{ids:?}");
    }
    assert!(
        !categories.iter().any(|c| c.name == "Goods"),
        "accounting categories stay out"
    );
    let tea = erp
        .search_products(&CatalogQuery::new(None, Some("TEA"), 1, 24))
        .await
        .unwrap();
    assert!(tea.total >= 5 && tea.items.iter().all(|p| p.category == "TEA"));
    erp.health().await.unwrap();
}

#[tokio::test]
async fn a_product_is_found_by_its_sku_and_an_unknown_one_is_not() {
    let erp = tryton_erp().await;
    let tea = erp.product(&sku("SKU-004")).await.unwrap();
    assert_eq!(tea.name, "Green tea 500g");
    assert_eq!(tea.category, "TEA");
    assert!(tea.description.contains("Green tea"));
    assert_eq!(
        erp.product(&sku("NO-SUCH-SKU")).await,
        Err(ErpError::NotFound)
    );
    assert_eq!(
        erp.product(&sku("SKU-900")).await,
        Err(ErpError::NotFound),
        "not salable"
    );
}

#[tokio::test]
async fn two_customers_get_their_own_prices_for_the_same_sku_with_tiers() {
    let erp = tryton_erp().await;
    let asked = [
        sku("SKU-001"),
        sku("SKU-004"),
        sku("NO-SUCH-SKU"),
        sku("SKU-900"),
    ];
    let gold = erp.prices(&customer(GOLD_CUSTOMER), &asked).await.unwrap();
    let volume = erp
        .prices(&customer(VOLUME_CUSTOMER), &asked)
        .await
        .unwrap();
    let standard = erp
        .prices(&customer(STANDARD_CUSTOMER), &asked)
        .await
        .unwrap();
    for prices in [&gold, &volume, &standard] {
        let priced: Vec<&str> = prices.iter().map(|p| p.sku.as_str()).collect();
        assert_eq!(
            priced,
            ["SKU-001", "SKU-004"],
            "unknown and unsalable SKUs are left out"
        );
    }
    // SKU-001 lists at 5.37: Gold is 10 % off; Volume steps down at 10 and 100 units.
    assert_eq!(gold[0].base().amount, dec!(4.833));
    assert!(!gold[0].has_tiers());
    assert_eq!(standard[0].base().amount, dec!(5.37));
    let ladder: Vec<(u32, Decimal)> = volume[0]
        .tiers
        .iter()
        .map(|t| (t.min_quantity, t.unit_price))
        .collect();
    assert_eq!(
        ladder,
        [(1, dec!(5.37)), (10, dec!(5.1015)), (100, dec!(4.296))]
    );
    assert_eq!(volume[0].unit_price(50).amount, dec!(5.1015));
    assert_eq!(volume[0].currency.as_str(), "EUR");
    assert_eq!(
        erp.prices(&customer("C-999"), &asked).await,
        Err(ErpError::NotFound)
    );
}

#[tokio::test]
async fn availability_comes_for_many_skus_in_one_call() {
    let erp = adapter();
    erp.health().await.unwrap();
    let mut asked: Vec<Sku> = (1..=40).map(|n| sku(&format!("SKU-{n:03}"))).collect();
    asked.push(sku("NO-SUCH-SKU"));
    erp.availability(&asked[..1]).await.unwrap(); // resolves the warehouse once
    let before = erp.request_count();
    let stock = erp.availability(&asked).await.unwrap();
    assert_eq!(
        erp.request_count() - before,
        2,
        "for 41 SKUs, one request for the stock and one for the planned receipts"
    );
    assert_eq!(stock.len(), 40, "the unknown SKU is left out");
    let of = |code: &str| {
        stock
            .iter()
            .find(|a| a.sku.as_str() == code)
            .unwrap()
            .available
    };
    assert_eq!(of("SKU-001"), 10);
    assert_eq!(of("SKU-007"), 0, "out of stock");
    assert_eq!(of("SKU-014"), 0, "out of stock");
    assert_eq!(
        of("SKU-004"),
        37,
        "40 on hand, 3 promised to the processing order"
    );
    assert_eq!(of("SKU-005"), 30, "50 on hand, 20 promised");
    assert_eq!(of("SKU-040"), 400);

    // The seed plans receipts of SKU-007 for 1 February (30) and 15 January (20) of next year.
    let next = |code: &str| {
        stock
            .iter()
            .find(|a| a.sku.as_str() == code)
            .unwrap()
            .next_date
    };
    let next_year = Utc::now().year() + 1;
    assert_eq!(
        next("SKU-007"),
        NaiveDate::from_ymd_opt(next_year, 1, 15),
        "the earliest planned receipt"
    );
    assert_eq!(next("SKU-014"), None, "out of stock, nothing planned");
    assert_eq!(next("SKU-001"), None, "in stock, nothing planned");
}

#[tokio::test]
async fn ship_to_addresses_come_from_the_party() {
    let erp = tryton_erp().await;
    let nordsee = erp.customer(&customer(VOLUME_CUSTOMER)).await.unwrap();
    assert_eq!(nordsee.name, "Nordsee Gastro GmbH");
    assert_eq!(nordsee.currency.as_str(), "EUR");
    assert_eq!(nordsee.bill_to.city, "Hamburg");
    assert_eq!(nordsee.bill_to.name, "Nordsee Gastro GmbH");
    let cities: Vec<&str> = nordsee.ship_tos.iter().map(|a| a.city.as_str()).collect();
    assert_eq!(cities, ["Hamburg", "Kiel"]);
    let kiel = &nordsee.ship_tos[1];
    assert_eq!(kiel.name, "Nordsee Gastro Filiale Kiel");
    assert_eq!(
        (kiel.street.as_str(), kiel.postal_code.as_str()),
        ("Kaistr. 7", "24103")
    );
    assert_eq!(kiel.country, "DE");
    assert!(
        kiel.id.as_str().parse::<i64>().is_ok(),
        "the Tryton address id"
    );
    let schmidt = erp.customer(&customer(STANDARD_CUSTOMER)).await.unwrap();
    assert_eq!(schmidt.ship_tos.len(), 1);
    assert_eq!(schmidt.ship_tos[0].city, "Köln");
    assert_eq!(
        erp.customer(&customer("C-999")).await,
        Err(ErpError::NotFound)
    );
}
