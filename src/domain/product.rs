//! The catalog as a buyer sees it: products, categories, the buyer's price, availability.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Currency, Money, Sku};

/// A product category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The ERP's category code.
    pub id: String,
    /// The name shown to buyers.
    pub name: String,
}

/// A named product attribute such as "Material: stainless steel".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// What the attribute is.
    pub name: String,
    /// Its value for this product.
    pub value: String,
}

/// A product from the ERP's catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The stock-keeping unit.
    pub sku: Sku,
    /// Short name.
    pub name: String,
    /// Longer description.
    pub description: String,
    /// The category code.
    pub category: String,
    /// The unit of measure it is sold in (`EA`, `BOX`, `M`).
    pub unit: String,
    /// Further attributes.
    pub attributes: Vec<Attribute>,
}

/// A search of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CatalogQuery {
    /// Words to look for in SKU, name and description.
    pub text: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// The page, counted from 1.
    pub page: u32,
    /// Products per page.
    pub per_page: u32,
}

impl CatalogQuery {
    /// Largest page size an adapter is asked for.
    pub const MAX_PER_PAGE: u32 = 100;

    /// A query with the text trimmed, empty parts dropped and paging clamped to sane bounds.
    pub fn new(text: Option<&str>, category: Option<&str>, page: u32, per_page: u32) -> Self {
        let clean = |s: Option<&str>| {
            s.map(|s| {
                super::text::without_control_chars(s.trim())
                    .chars()
                    .take(100)
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty())
        };
        Self {
            text: clean(text),
            category: clean(category),
            page: page.clamp(1, 10_000),
            per_page: per_page.clamp(1, Self::MAX_PER_PAGE),
        }
    }

    /// How many products come before this page.
    pub fn offset(&self) -> usize {
        (self.page as usize - 1) * self.per_page as usize
    }
}

/// One page of catalog results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    /// The products on this page.
    pub items: Vec<Product>,
    /// Products matching the query in all.
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    /// The page size asked for.
    pub per_page: u32,
}

impl ProductPage {
    /// The number of pages the results span (at least 1).
    pub fn page_count(&self) -> u32 {
        let pages = self.total.div_ceil(u64::from(self.per_page.max(1)));
        u32::try_from(pages).unwrap_or(u32::MAX).max(1)
    }
}

/// One step of a price ladder: from `min_quantity` on, each unit costs `unit_price`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTier {
    /// The smallest quantity this step applies to.
    pub min_quantity: u32,
    /// The price per unit at this step.
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
}

/// A customer's price for a product, with its quantity ladder. Read from JSON (an adapter's
/// answer) only through [`Price::new`]'s checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PriceFields")]
pub struct Price {
    /// The product priced.
    pub sku: Sku,
    /// The currency of every step.
    pub currency: Currency,
    /// The ladder, ascending by `min_quantity`; the first step starts at 1.
    pub tiers: Vec<PriceTier>,
    /// When the ERP gave this price.
    pub as_of: DateTime<Utc>,
}

/// [`Price`] as it arrives, before the checks.
#[derive(Deserialize)]
struct PriceFields {
    sku: Sku,
    currency: Currency,
    tiers: Vec<PriceTier>,
    as_of: DateTime<Utc>,
}

impl TryFrom<PriceFields> for Price {
    type Error = &'static str;

    fn try_from(f: PriceFields) -> Result<Self, Self::Error> {
        Price::new(f.sku, f.currency, f.tiers, f.as_of)
            .ok_or("a price needs a ladder that starts at quantity 1, with no negative step")
    }
}

impl Price {
    /// A price with its ladder sorted and checked; `None` when it has no step for quantity 1
    /// or a step below zero.
    pub fn new(
        sku: Sku,
        currency: Currency,
        mut tiers: Vec<PriceTier>,
        as_of: DateTime<Utc>,
    ) -> Option<Self> {
        tiers.sort_by_key(|t| t.min_quantity);
        tiers.dedup_by_key(|t| t.min_quantity);
        if tiers.first().map(|t| t.min_quantity) != Some(1)
            || tiers.iter().any(|t| t.unit_price.is_sign_negative())
        {
            return None;
        }
        Some(Self {
            sku,
            currency,
            tiers,
            as_of,
        })
    }

    /// The price of one unit when buying `quantity` units.
    pub fn unit_price(&self, quantity: u32) -> Money {
        let step = self
            .tiers
            .iter()
            .rev()
            .find(|t| t.min_quantity <= quantity)
            .or(self.tiers.first());
        let amount = step.map(|t| t.unit_price).unwrap_or_default();
        Money::new(amount, self.currency)
    }

    /// The price of one unit at quantity 1.
    pub fn base(&self) -> Money {
        self.unit_price(1)
    }

    /// Whether buying more lowers the unit price.
    pub fn has_tiers(&self) -> bool {
        self.tiers.len() > 1
    }
}

/// How much of a product can be promised, and when more arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// The product.
    pub sku: Sku,
    /// Quantity available to promise now.
    pub available: u32,
    /// When more is expected, if the ERP knows.
    pub next_date: Option<NaiveDate>,
    /// When the ERP gave this figure.
    pub as_of: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn price(tiers: &[(u32, Decimal)]) -> Option<Price> {
        let tiers = tiers
            .iter()
            .map(|&(min_quantity, unit_price)| PriceTier {
                min_quantity,
                unit_price,
            })
            .collect();
        Price::new(
            Sku::parse("A").unwrap(),
            Currency::parse("EUR").unwrap(),
            tiers,
            Utc::now(),
        )
    }

    #[test]
    fn picks_the_highest_tier_reached() {
        let p = price(&[(10, dec!(9)), (1, dec!(10)), (100, dec!(8))]).unwrap();
        assert_eq!(p.unit_price(1).amount, dec!(10));
        assert_eq!(p.unit_price(9).amount, dec!(10));
        assert_eq!(p.unit_price(10).amount, dec!(9));
        assert_eq!(p.unit_price(500).amount, dec!(8));
        assert!(p.has_tiers());
    }

    #[test]
    fn a_ladder_must_start_at_one() {
        assert!(price(&[(10, dec!(9))]).is_none());
        assert!(price(&[]).is_none());
        assert!(price(&[(1, dec!(10)), (5, dec!(-1))]).is_none());
    }

    #[test]
    fn prices_read_from_json_pass_the_same_checks() {
        let json = |tiers: &str| {
            format!(
                r#"{{"sku":"A","currency":"EUR","tiers":{tiers},"as_of":"2026-12-01T10:00:00Z"}}"#
            )
        };
        let ok: Price = serde_json::from_str(&json(r#"[{"min_quantity":1,"unit_price":"2.50"}]"#))
            .expect("a valid price");
        assert_eq!(ok.base().amount, dec!(2.50));
        for bad in [
            "[]",
            r#"[{"min_quantity":5,"unit_price":"2.50"}]"#,
            r#"[{"min_quantity":1,"unit_price":"-2"}]"#,
        ] {
            assert!(serde_json::from_str::<Price>(&json(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn queries_are_cleaned_and_clamped() {
        let q = CatalogQuery::new(Some("  bolts "), Some(""), 0, 5000);
        assert_eq!(q.text.as_deref(), Some("bolts"));
        assert_eq!(q.category, None);
        assert_eq!((q.page, q.per_page), (1, CatalogQuery::MAX_PER_PAGE));
    }
}
