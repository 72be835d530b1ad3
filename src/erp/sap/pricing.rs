//! The customer's prices, as SAP would charge them: a sales order simulation
//! (`API_SALES_ORDER_SIMULATION_SRV`, `POST A_SalesOrderSimulation`, nothing is saved) per page
//! of SKUs, one item per SKU, once per break quantity of the configured ladder. SAP's pricing
//! (condition records, scales, customer-specific agreements) decides; the adapter only reads
//! the net amounts back.

use std::collections::BTreeMap;

use chrono::Utc;
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::SapErp;
use super::client::Failure;
use super::odata::{SKU_PAGE, from_d};
use super::wire;
use crate::domain::{Currency, CustomerId, Price, PriceTier, Sku};
use crate::erp::{ErpError, ErpResult};

const SIMULATION_SRV: &str = "API_SALES_ORDER_SIMULATION_SRV";

/// Unit prices are kept to this many decimals when a net amount does not divide evenly.
const UNIT_PRICE_DECIMALS: u32 = 6;

/// The unit price behind a net amount for `quantity` units (2.5 m: per metre).
pub fn unit_price(net: Decimal, quantity: impl Into<Decimal>) -> Decimal {
    let quantity = quantity.into();
    if quantity.is_zero() {
        return net;
    }
    (net / quantity).round_dp(UNIT_PRICE_DECIMALS).normalize()
}

/// Why a simulation gave no prices.
enum Unpriced {
    /// SAP refused these items (indexes into the SKUs sent): not sold in the sales area, not
    /// maintained, blocked. The others may still be priced without them.
    Items(Vec<usize>),
    Erp(ErpError),
}

impl SapErp {
    pub(super) async fn read_prices(
        &self,
        customer: &CustomerId,
        skus: &[Sku],
    ) -> ErpResult<Vec<Price>> {
        let known = self.known_skus(skus).await?;
        let now = Utc::now();
        let mut prices = Vec::new();
        for page in known.chunks(SKU_PAGE) {
            // One product SAP refuses must not blank the page: it is dropped and the others
            // priced again without it.
            let mut priced: Vec<&Sku> = page.iter().collect();
            // SKU → (currency, ladder)
            let mut ladders: BTreeMap<&str, (String, Vec<PriceTier>)> = BTreeMap::new();
            for quantity in self.config.tier_quantities() {
                let simulation = loop {
                    if priced.is_empty() {
                        break None;
                    }
                    match self.simulate(customer, &priced, quantity).await {
                        Ok(simulation) => break Some(simulation),
                        Err(Unpriced::Items(refused)) => {
                            for index in refused.iter().rev() {
                                let sku = priced.remove(*index);
                                ladders.remove(sku.as_str());
                                tracing::info!(%sku, "SAP does not price this product here; left out");
                            }
                        }
                        Err(Unpriced::Erp(error)) => return Err(error),
                    }
                };
                let Some(simulation) = simulation else { break };
                for item in simulation.items.results {
                    let Some(sku) = priced.iter().find(|s| s.as_str() == item.material) else {
                        continue;
                    };
                    // No net amount, or zero: SAP found no price, so the product is not for
                    // sale to this customer at this quantity (never a price of 0.00).
                    let Some(net) = item.net_amount.filter(|n| *n > Decimal::ZERO) else {
                        continue;
                    };
                    let unit = unit_price(net, quantity);
                    let entry = ladders
                        .entry(sku.as_str())
                        .or_insert_with(|| (simulation.transaction_currency.clone(), Vec::new()));
                    // A break quantity at which nothing changes is no step of the ladder.
                    if entry.1.last().is_none_or(|t| t.unit_price != unit) {
                        entry.1.push(PriceTier {
                            min_quantity: quantity,
                            unit_price: unit,
                        });
                    }
                }
            }
            for sku in page {
                let Some((currency, tiers)) = ladders.remove(sku.as_str()) else {
                    continue;
                };
                // A ladder must start at one unit; without a price for one there is none.
                if tiers.first().is_none_or(|t| t.min_quantity != 1) {
                    continue;
                }
                let currency = Currency::parse(&currency).map_err(|_| {
                    ErpError::invalid_data(format!("SAP currency {currency:?} is not ISO 4217"))
                })?;
                if let Some(price) = Price::new(sku.clone(), currency, tiers, now) {
                    prices.push(price);
                }
            }
        }
        Ok(prices)
    }

    /// One simulation of `skus` at `quantity` each. Pricing is only calculated when the deep
    /// insert asks for it: `to_Pricing` on the header and `to_PricingElement` on each item.
    async fn simulate(
        &self,
        customer: &CustomerId,
        skus: &[&Sku],
        quantity: u32,
    ) -> Result<wire::Simulation, Unpriced> {
        let items: Vec<Value> = skus
            .iter()
            .enumerate()
            .map(|(i, sku)| {
                json!({
                    "SalesOrderItem": item_number(i),
                    "Material": sku.as_str(),
                    "RequestedQuantity": quantity.to_string(),
                    "to_PricingElement": [],
                })
            })
            .collect();
        let body = json!({
            "SalesOrderType": self.config.order_type,
            "SalesOrganization": self.config.sales_organization,
            "DistributionChannel": self.config.distribution_channel,
            "OrganizationDivision": self.config.division,
            "SoldToParty": customer.as_str(),
            "to_Pricing": {},
            "to_Item": items,
        });
        let answer = self
            .client
            .write(
                Method::POST,
                SIMULATION_SRV,
                "A_SalesOrderSimulation",
                &body,
                None,
            )
            .await;
        match answer {
            Ok(answer) => from_d(answer.json, "sales order simulation").map_err(Unpriced::Erp),
            Err(Failure::Refused { body, .. })
                if body
                    .innererror
                    .errordetails
                    .iter()
                    .any(|d| d.target.contains("SoldToParty")) =>
            {
                tracing::info!(sap.error = %body.describe(), "SAP does not price for this customer");
                Err(Unpriced::Erp(ErpError::NotFound))
            }
            Err(Failure::Refused { status, body }) => {
                let mut refused: Vec<usize> = body
                    .innererror
                    .errordetails
                    .iter()
                    .filter_map(|d| refused_item(&d.target))
                    .filter(|i| *i < skus.len())
                    .collect();
                refused.sort_unstable();
                refused.dedup();
                if refused.is_empty() {
                    Err(Unpriced::Erp(
                        Failure::Refused { status, body }.into_read_error("price simulation"),
                    ))
                } else {
                    tracing::info!(sap.error = %body.describe(), "SAP refused items of the price simulation");
                    Err(Unpriced::Items(refused))
                }
            }
            Err(failure) => Err(Unpriced::Erp(failure.into_read_error("price simulation"))),
        }
    }
}

/// The item number of the `index`th item sent: 10, 20, 30 …
fn item_number(index: usize) -> String {
    ((index + 1) * 10).to_string()
}

/// The index of the item an error target such as
/// `/A_SalesOrderItemSimulation(SalesOrder='',SalesOrderItem='20')/Material` points at.
fn refused_item(target: &str) -> Option<usize> {
    let rest = &target[target.find("SalesOrderItem='")? + "SalesOrderItem='".len()..];
    let number: usize = rest[..rest.find('\'')?].parse().ok()?;
    (number >= 10 && number.is_multiple_of(10)).then(|| number / 10 - 1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn refused_items_are_read_from_error_targets() {
        let target = "/A_SalesOrderItemSimulation(SalesOrder='',SalesOrderItem='20')/Material";
        assert_eq!(super::refused_item(target), Some(1));
        assert_eq!(super::refused_item("/SoldToParty"), None);
        assert_eq!(super::refused_item("(SalesOrderItem='15')"), None);
    }
}
