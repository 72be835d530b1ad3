use rust_decimal::dec;

use super::*;
use crate::domain::{Money, Product};

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

const LOGIN: [(&str, &str); 2] = [("USERNAME", "srm"), ("PASSWORD", "pw")];

fn with_login(more: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all = fields(&LOGIN);
    all.extend(fields(more));
    all
}

#[test]
fn an_entry_keeps_the_hook_and_defaults_the_target() {
    let hook = "https://srm.example.com/sap/bc/bsp/sap/catalog?sap-client=100&HOOK=1";
    let entry = entry(&with_login(&[("HOOK_URL", hook), ("~OkCode", "ADDI")])).unwrap();
    assert_eq!(entry.returns.hook_url, hook);
    assert_eq!(entry.returns.target, "_top");
    assert_eq!(entry.returns.ok_code.as_deref(), Some("ADDI"));
    assert_eq!(entry.function, Function::Shop);
    let entry = entry_with(&[("hook_url", hook), ("returntarget", "catalog_frame")]);
    assert_eq!(entry.returns.target, "catalog_frame");
    let entry = entry_with(&[
        ("HOOK_URL", hook),
        ("~TARGET", "_parent"),
        ("returntarget", "x"),
    ]);
    assert_eq!(entry.returns.target, "_parent", "~TARGET wins");
}

fn entry_with(more: &[(&str, &str)]) -> Entry {
    entry(&with_login(more)).unwrap()
}

#[test]
fn a_hook_must_be_an_absolute_http_address() {
    assert!(
        entry(&fields(&LOGIN))
            .unwrap_err()
            .contains("HOOK_URL is missing")
    );
    for bad in [
        "javascript:alert(1)",
        "/relative/hook",
        "ftp://srm.example.com/hook",
        "https://user:pw@srm.example.com/hook",
        "not a url",
        "data:text/html,x",
    ] {
        let error = entry(&with_login(&[("HOOK_URL", bad)])).unwrap_err();
        assert!(error.contains("HOOK_URL is not"), "{bad}: {error}");
    }
    let error = entry(&with_login(&[
        ("HOOK_URL", "https://srm.example.com/"),
        ("~TARGET", "a\"b"),
    ]))
    .unwrap_err();
    assert!(error.contains("~TARGET"), "{error}");
    let no_password = fields(&[
        ("USERNAME", "srm"),
        ("HOOK_URL", "https://srm.example.com/"),
    ]);
    assert!(entry(&no_password).unwrap_err().contains("PASSWORD"));
}

#[test]
fn validate_names_one_product_and_a_quantity() {
    let hook = ("HOOK_URL", "https://srm.example.com/hook");
    let entry = entry_with(&[
        hook,
        ("FUNCTION", "VALIDATE"),
        ("PRODUCTID", "fas-1001"),
        ("QUANTITY", "5.000"),
    ]);
    assert_eq!(
        entry.function,
        Function::Validate {
            sku: Sku::parse("FAS-1001").unwrap(),
            quantity: Quantity::new(5).unwrap()
        }
    );
    let entry = entry_with(&[
        hook,
        ("FUNCTION", "validate"),
        ("NEW_ITEM-VENDORMAT[1]", "FAS-1002"),
    ]);
    assert!(matches!(entry.function, Function::Validate { quantity, .. } if quantity.get() == 1));
    let error = entry_err(&[hook, ("FUNCTION", "VALIDATE")]);
    assert!(error.contains("PRODUCTID"), "{error}");
    let error = entry_err(&[
        hook,
        ("FUNCTION", "VALIDATE"),
        ("PRODUCTID", "FAS-1001"),
        ("QUANTITY", "2.5"),
    ]);
    assert!(error.contains("2.5"), "{error}");
    let error = entry_err(&[hook, ("FUNCTION", "BACKGROUND_SEARCH")]);
    assert!(error.contains("not supported"), "{error}");
}

fn entry_err(more: &[(&str, &str)]) -> String {
    entry(&with_login(more)).unwrap_err()
}

fn identity(extra: &str) -> Identity {
    toml::from_str(&format!(
        "id = \"nw\"\nsystem = \"SAP SRM\"\ncustomer = \"C-1000\"\n{extra}"
    ))
    .unwrap()
}

fn line(name: &str, unit: &str, quantity: u32) -> Line {
    Line {
        sku: Sku::parse("FAS-1001").unwrap(),
        quantity,
        product: Product {
            sku: Sku::parse("FAS-1001").unwrap(),
            name: name.to_string(),
            description: "Fully threaded.".to_string(),
            category: "fasteners".to_string(),
            unit: unit.to_string(),
            attributes: vec![],
        },
        unit_price: Money::new(dec!(12.5), crate::domain::Currency::parse("EUR").unwrap()),
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn a_long_description_is_cut_at_forty_characters_and_kept_in_the_long_text() {
    // 60 characters, a two-byte one straddling the cut.
    let name = "Installation cable NYM-J 3 x 1.5 mm² €€, ring of fifty metres";
    let name: String = name.chars().take(60).collect();
    assert_eq!(name.chars().count(), 60);
    let oci = OciLine::new(
        &identity(""),
        line(&name, "BOX", 3),
        None,
        day("2026-12-01"),
    )
    .unwrap();
    assert_eq!(oci.description.chars().count(), DESCRIPTION_CHARS);
    assert_eq!(oci.description, name.chars().take(40).collect::<String>());
    assert!(oci.longtext.starts_with(&name) && oci.longtext.ends_with("Fully threaded."));
    let short = OciLine::new(
        &identity(""),
        line("Hex bolt", "BOX", 3),
        None,
        day("2026-12-01"),
    )
    .unwrap();
    assert_eq!(short.longtext, "Fully threaded.");
}

#[test]
fn units_prices_groups_and_lead_times() {
    let plain = identity("");
    let oci = OciLine::new(&plain, line("Bolt", "BOX", 3), None, day("2026-12-01")).unwrap();
    assert_eq!(
        (oci.unit.as_str(), oci.price.as_str(), oci.currency.as_str()),
        ("BX", "12.50", "EUR")
    );
    assert_eq!((oci.matgroup, oci.leadtime), (None, None));
    let older = identity(
        "[units]\nBOX = \"PAK\"\n[unspsc]\nfasteners = \"31161500\"\n[oci]\nusername = \"u\"\npassword_hash = \"x\"\n",
    );
    let oci = OciLine::new(&older, line("Bolt", "BOX", 3), None, day("2026-12-01")).unwrap();
    assert_eq!(
        (oci.unit.as_str(), oci.matgroup.as_deref()),
        ("PAK", Some("31161500"))
    );
    let grouped = identity(
        "[unspsc]\nfasteners = \"31161500\"\n[oci]\nusername = \"u\"\npassword_hash = \"x\"\n[oci.matgroup]\nfasteners = \"FAST\"\n",
    );
    let oci = OciLine::new(&grouped, line("Bolt", "BOX", 3), None, day("2026-12-01")).unwrap();
    assert_eq!(oci.matgroup.as_deref(), Some("FAST"));
    // A unit without a 3-letter code refuses the line rather than cutting the unit.
    assert!(OciLine::new(&plain, line("Bolt", "CARTON", 3), None, day("2026-12-01")).is_err());
    let stock = |available, next: Option<&str>| Availability {
        sku: Sku::parse("FAS-1001").unwrap(),
        available,
        next_date: next.map(day),
        as_of: chrono::Utc::now(),
    };
    let short = stock(2, Some("2026-12-18"));
    let oci = OciLine::new(
        &plain,
        line("Bolt", "BOX", 3),
        Some(&short),
        day("2026-12-01"),
    )
    .unwrap();
    assert_eq!(oci.leadtime, Some(17));
    let enough = stock(5, Some("2026-12-18"));
    let oci = OciLine::new(
        &plain,
        line("Bolt", "BOX", 3),
        Some(&enough),
        day("2026-12-01"),
    )
    .unwrap();
    assert_eq!(
        oci.leadtime, None,
        "in stock: the ERP knows no delivery time"
    );
    let unknown = stock(0, None);
    let oci = OciLine::new(
        &plain,
        line("Bolt", "BOX", 3),
        Some(&unknown),
        day("2026-12-01"),
    )
    .unwrap();
    assert_eq!(oci.leadtime, None);
}

#[test]
fn the_form_echoes_the_controls_and_indexes_lines_from_one() {
    let returns = OciReturn {
        hook_url: "https://srm.example.com/hook".into(),
        target: "_top".into(),
        ok_code: Some("ADDI".into()),
        caller: None,
    };
    let plain = identity("");
    let a = OciLine::new(&plain, line("Bolt", "BOX", 3), None, day("2026-12-01")).unwrap();
    let b = OciLine::new(&plain, line("Nut", "EA", 1), None, day("2026-12-01")).unwrap();
    let form = form_fields(&returns, &[a, b]);
    let get = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("~OkCode"), Some("ADDI"));
    assert_eq!(get("NEW_ITEM-DESCRIPTION[1]"), Some("Bolt"));
    assert_eq!(get("NEW_ITEM-DESCRIPTION[2]"), Some("Nut"));
    assert_eq!(get("NEW_ITEM-QUANTITY[1]"), Some("3"));
    assert_eq!(get("NEW_ITEM-UNIT[2]"), Some("EA"));
    assert_eq!(get("NEW_ITEM-PRICEUNIT[1]"), Some("1"));
    assert_eq!(get("NEW_ITEM-VENDORMAT[1]"), Some("FAS-1001"));
    assert_eq!(get("NEW_ITEM-EXT_PRODUCT_ID[1]"), Some("FAS-1001"));
    assert_eq!(get("NEW_ITEM-LONGTEXT_2:132[]"), Some("Fully threaded."));
    assert_eq!(get("NEW_ITEM-DESCRIPTION[0]"), None);
    assert_eq!(get("NEW_ITEM-LEADTIME[1]"), None);
    assert_eq!(get("~CALLER"), None);
}
