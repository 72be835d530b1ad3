//! Customer prices with their quantity ladders. Tryton prices through the party's sale price
//! list; a ladder is that price read at each minimal quantity the list's lines name. Every read
//! covers all asked-for SKUs at once, so a page of products costs the same few calls as one.

use std::collections::HashMap;

use chrono::Utc;
use futures_util::future::try_join_all;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::wire::records;
use super::{TrytonErp, distinct};
use crate::domain::{CustomerId, Price, PriceTier, Sku};
use crate::erp::{ErpError, ErpResult};

/// A price as shown: Tryton's four decimals without trailing zeros, but at least cents.
pub(super) fn unit_amount(value: Decimal) -> Decimal {
    let mut value = value.normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value
}

/// The quantities where a price list may change the price: 1 and each line's minimal quantity
/// (a fractional one rounded up to the first whole quantity it applies to).
fn quantity_breaks(lines: &[Option<f64>]) -> ErpResult<Vec<u32>> {
    let mut breaks = vec![1];
    for quantity in lines.iter().flatten() {
        if !quantity.is_finite() || *quantity < 0.0 {
            return Err(ErpError::invalid_data(format!(
                "price list line quantity {quantity}"
            )));
        }
        let whole = quantity.ceil();
        if whole > 1.0 && whole <= f64::from(crate::domain::Quantity::MAX) {
            breaks.push(whole as u32);
        }
    }
    breaks.sort_unstable();
    breaks.dedup();
    Ok(breaks)
}

impl TrytonErp {
    pub(super) async fn customer_prices(
        &self,
        customer: &CustomerId,
        skus: &[Sku],
    ) -> ErpResult<Vec<Price>> {
        let skus = distinct(skus);
        let (party, company) = tokio::try_join!(self.party(customer, false), self.rpc.company())?;
        if skus.is_empty() {
            return Ok(Vec::new());
        }
        let currency = party.currency.map_or(company.currency, |(_, c)| c);
        let mut context = Vec::new();
        if let Some(price_list) = party.price_list {
            context.push(("price_list", json!(price_list)));
        }
        if let Some((id, _)) = party.currency {
            context.push(("currency", json!(id)));
        }
        let at = |quantity: u32| {
            let mut context = context.clone();
            context.push(("quantity", json!(quantity)));
            context
        };

        let codes: Vec<&str> = skus.iter().map(|s| s.as_str()).collect();
        let first_context = at(1);
        let first = self.rpc.read(
            "model.product.product.search_read",
            vec![
                json!([["code", "in", codes], ["salable", "=", true]]),
                json!(0),
                Value::Null,
                Value::Null,
                json!(["code", "sale_price_uom"]),
            ],
            &first_context,
        );
        let breaks = quantity_breaks(&party.price_list_quantities)?;
        let first = first.await?;
        let products = records("product.product", &first)?;
        let mut ladders: HashMap<i64, (&str, Vec<PriceTier>)> = HashMap::new();
        for record in &products {
            if let Some(price) = record.opt_decimal("sale_price_uom")? {
                let tier = PriceTier {
                    min_quantity: 1,
                    unit_price: unit_amount(price),
                };
                ladders.insert(record.id()?, (record.str("code")?, vec![tier]));
            }
        }

        let ids: Vec<i64> = ladders.keys().copied().collect();
        let tiers = breaks.iter().skip(1).map(|&quantity| {
            let ids = ids.clone();
            let context = at(quantity);
            async move {
                let reply = self
                    .rpc
                    .read(
                        "model.product.product.read",
                        vec![json!(ids), json!(["sale_price_uom"])],
                        &context,
                    )
                    .await?;
                Ok::<_, ErpError>((quantity, reply))
            }
        });
        let replies = if ids.is_empty() {
            Vec::new()
        } else {
            try_join_all(tiers).await?
        };
        for (quantity, reply) in &replies {
            for record in records("product.product", reply)? {
                let (Some(price), Some((_, ladder))) = (
                    record.opt_decimal("sale_price_uom")?,
                    ladders.get_mut(&record.id()?),
                ) else {
                    continue;
                };
                let price = unit_amount(price);
                if ladder.last().is_some_and(|t| t.unit_price != price) {
                    ladder.push(PriceTier {
                        min_quantity: *quantity,
                        unit_price: price,
                    });
                }
            }
        }

        let now = Utc::now();
        let mut prices: Vec<Price> = ladders
            .into_values()
            .filter_map(|(code, tiers)| {
                let sku = skus.iter().find(|s| s.as_str() == code)?;
                Price::new((*sku).clone(), currency, tiers, now)
            })
            .collect();
        prices.sort_by(|a, b| a.sku.cmp(&b.sku));
        Ok(prices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn breaks_start_at_one_and_round_fractions_up() {
        assert_eq!(quantity_breaks(&[]).unwrap(), vec![1]);
        assert_eq!(
            quantity_breaks(&[Some(100.0), Some(10.0), None, Some(0.0)]).unwrap(),
            vec![1, 10, 100]
        );
        assert_eq!(quantity_breaks(&[Some(2.5)]).unwrap(), vec![1, 3]);
        assert!(quantity_breaks(&[Some(f64::NAN)]).is_err());
    }

    #[test]
    fn amounts_keep_cents_and_drop_trailing_zeros() {
        assert_eq!(unit_amount(dec!(5.3700)).to_string(), "5.37");
        assert_eq!(unit_amount(dec!(4.8330)).to_string(), "4.833");
        assert_eq!(unit_amount(dec!(12.0000)).to_string(), "12.00");
    }
}
