//! Customer price lists of the demo ERP and the arithmetic every demo document shares: rounding
//! to cents, line amounts and 19% VAT.
//!
//! A price list is the `price_list` object of a record in `customers.json`. Percentages and
//! prices are decimal strings; every field may be left out:
//!
//! ```json
//! {
//!   "default_discount": "5",
//!   "category_discounts": { "fasteners": "12.5", "safety": "15" },
//!   "tiers": [
//!     { "min_quantity": 10, "extra_discount": "3" },
//!     { "min_quantity": 50, "extra_discount": "7" }
//!   ],
//!   "fixed_prices": { "FAS-1003": "9.99" }
//! }
//! ```
//!
//! A product's base price is its list price less the discount of its category, or
//! `default_discount` when the category has none. Each tier takes `extra_discount` percent off
//! the base from `min_quantity` units on. Every step is rounded to cents once, half away from
//! zero, from the unrounded base, so tiers never compound rounding errors. A fixed price is a
//! negotiated net price: it replaces the whole ladder with a single step.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::dec;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

use crate::domain::{PriceTier, Sku};

/// German standard VAT, applied to every demo order and invoice.
pub(super) const VAT_RATE: Decimal = dec!(0.19);

/// Rounds half away from zero to cents, as the demo ERP's documents do.
pub(super) fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The net amount of a line.
pub(super) fn line_net(unit_price: Decimal, quantity: u32) -> Decimal {
    round_cents(unit_price * Decimal::from(quantity))
}

/// Tax and gross for a net amount.
pub(super) fn tax_and_gross(net: Decimal) -> (Decimal, Decimal) {
    let tax = round_cents(net * VAT_RATE);
    (tax, net + tax)
}

/// One quantity break of a price list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierRule {
    min_quantity: u32,
    extra_discount: Decimal,
}

/// A customer's pricing rules, as read from `customers.json`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PriceList {
    #[serde(default)]
    default_discount: Decimal,
    #[serde(default)]
    category_discounts: BTreeMap<String, Decimal>,
    #[serde(default)]
    tiers: Vec<TierRule>,
    #[serde(default)]
    fixed_prices: BTreeMap<Sku, Decimal>,
}

fn check_percent(what: &str, value: Decimal) -> Result<(), String> {
    if value < Decimal::ZERO || value >= dec!(100) {
        return Err(format!(
            "{what} {value} is not a percentage from 0 to below 100"
        ));
    }
    Ok(())
}

impl PriceList {
    /// Checks the rules against the catalog, so that a typo in a category or SKU is a load
    /// error instead of a silently missing discount.
    pub(super) fn check(
        &self,
        categories: &BTreeSet<&str>,
        skus: &BTreeSet<&Sku>,
    ) -> Result<(), String> {
        check_percent("default_discount", self.default_discount)?;
        for (category, &discount) in &self.category_discounts {
            if !categories.contains(category.as_str()) {
                return Err(format!("price list names unknown category {category}"));
            }
            check_percent(&format!("discount for {category}"), discount)?;
        }
        let mut previous = 1;
        for tier in &self.tiers {
            if tier.min_quantity <= previous {
                return Err(format!(
                    "tier min_quantity {} must be above 1 and above the previous tier's",
                    tier.min_quantity
                ));
            }
            previous = tier.min_quantity;
            check_percent("extra_discount", tier.extra_discount)?;
        }
        for (sku, &price) in &self.fixed_prices {
            if !skus.contains(sku) {
                return Err(format!(
                    "price list has a fixed price for unknown product {sku}"
                ));
            }
            if price <= Decimal::ZERO {
                return Err(format!("fixed price {price} for {sku} is not positive"));
            }
        }
        Ok(())
    }

    /// The price ladder for a product, starting at quantity 1.
    pub(super) fn ladder(&self, sku: &Sku, category: &str, list_price: Decimal) -> Vec<PriceTier> {
        if let Some(&fixed) = self.fixed_prices.get(sku) {
            return vec![PriceTier {
                min_quantity: 1,
                unit_price: fixed,
            }];
        }
        let discount = self
            .category_discounts
            .get(category)
            .copied()
            .unwrap_or(self.default_discount);
        let base = list_price * (Decimal::ONE - discount / dec!(100));
        let first = PriceTier {
            min_quantity: 1,
            unit_price: round_cents(base),
        };
        let breaks = self.tiers.iter().map(|t| PriceTier {
            min_quantity: t.min_quantity,
            unit_price: round_cents(base * (Decimal::ONE - t.extra_discount / dec!(100))),
        });
        std::iter::once(first).chain(breaks).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(json: &str) -> PriceList {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn category_discount_then_tiers_each_rounded_once() {
        let pl = list(
            r#"{"default_discount": "5", "category_discounts": {"fasteners": "12.5"},
                "tiers": [{"min_quantity": 10, "extra_discount": "3"}]}"#,
        );
        let sku = Sku::parse("FAS-1").unwrap();
        let ladder = pl.ladder(&sku, "fasteners", dec!(10.01));
        // 10.01 * 0.875 = 8.75875; * 0.97 = 8.4959875
        assert_eq!(ladder[0].unit_price, dec!(8.76));
        assert_eq!(
            (ladder[1].min_quantity, ladder[1].unit_price),
            (10, dec!(8.50))
        );
        assert_eq!(
            pl.ladder(&sku, "safety", dec!(10))[0].unit_price,
            dec!(9.50)
        );
    }

    #[test]
    fn fixed_price_replaces_the_ladder() {
        let pl = list(
            r#"{"fixed_prices": {"A-1": "9.99"}, "tiers": [{"min_quantity": 5, "extra_discount": "1"}]}"#,
        );
        let ladder = pl.ladder(&Sku::parse("A-1").unwrap(), "x", dec!(20));
        assert_eq!(ladder.len(), 1);
        assert_eq!(ladder[0].unit_price, dec!(9.99));
    }

    #[test]
    fn bad_rules_are_refused() {
        let cats = BTreeSet::from(["fasteners"]);
        let sku = Sku::parse("A-1").unwrap();
        let skus = BTreeSet::from([&sku]);
        assert!(
            list(r#"{"default_discount": "100"}"#)
                .check(&cats, &skus)
                .is_err()
        );
        assert!(
            list(r#"{"category_discounts": {"nope": "1"}}"#)
                .check(&cats, &skus)
                .is_err()
        );
        assert!(
            list(r#"{"fixed_prices": {"B-2": "1"}}"#)
                .check(&cats, &skus)
                .is_err()
        );
        let tiers = r#"{"tiers": [{"min_quantity": 10, "extra_discount": "1"},
                                  {"min_quantity": 10, "extra_discount": "2"}]}"#;
        assert!(list(tiers).check(&cats, &skus).is_err());
        assert!(list("{}").check(&cats, &skus).is_ok());
        assert_eq!(round_cents(dec!(-0.125)), dec!(-0.13));
    }
}
