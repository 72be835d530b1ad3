//! The customer's prices, as SAP would charge them: a sales order simulation
//! (`API_SALES_ORDER_SIMULATION_SRV`, `POST A_SalesOrderSimulation`, nothing is saved) per page
//! of SKUs, one item per SKU, once per break quantity of the configured ladder, all break
//! quantities of a page in one `$batch` round trip. SAP's pricing
//! (condition records, scales, customer-specific agreements) decides; the adapter only reads
//! the net amounts back.

use std::collections::BTreeMap;

use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::SapErp;
use super::client::{Answer, Failure};
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
    /// SAP does not price for this customer in the sales area.
    Customer,
    Erp(ErpError),
}

/// SKU → (currency, break quantity → unit price).
type Found<'a> = BTreeMap<&'a str, (String, BTreeMap<u32, Decimal>)>;

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
            let found = self.price_page(customer, page).await?;
            for (sku, (currency, by_quantity)) in found {
                let mut tiers: Vec<PriceTier> = Vec::new();
                for (quantity, unit) in by_quantity {
                    // A break quantity at which nothing changes is no step of the ladder.
                    if tiers.last().is_none_or(|t| t.unit_price != unit) {
                        tiers.push(PriceTier {
                            min_quantity: quantity,
                            unit_price: unit,
                        });
                    }
                }
                // A ladder must start at one unit; without a price for one there is none.
                if tiers.first().is_none_or(|t| t.min_quantity != 1) {
                    continue;
                }
                let currency = Currency::parse(&currency).map_err(|_| {
                    ErpError::invalid_data(format!("SAP currency {currency:?} is not ISO 4217"))
                })?;
                let Some(sku) = page.iter().find(|s| s.as_str() == sku) else {
                    continue;
                };
                if let Some(price) = Price::new(sku.clone(), currency, tiers, now) {
                    prices.push(price);
                }
            }
        }
        Ok(prices)
    }

    /// The unit prices of one page of SKUs at every break quantity of the ladder: one
    /// simulation per quantity, all in one `$batch` round trip. One product SAP refuses must
    /// not blank the page: it is dropped and the quantities it spoiled simulated again without
    /// it. A simulation that fails otherwise leaves its quantity unknown, not the page, unless
    /// no quantity could be simulated at all.
    async fn price_page<'a>(&self, customer: &CustomerId, page: &'a [Sku]) -> ErpResult<Found<'a>> {
        let mut priced: Vec<&Sku> = page.iter().collect();
        let mut pending = self.config.tier_quantities();
        let mut found: Found = BTreeMap::new();
        let mut answered = false;
        let mut first_error = None;
        while !priced.is_empty() && !pending.is_empty() {
            let outcomes = self.simulate(customer, &priced, &pending).await?;
            let mut refused: Vec<usize> = Vec::new();
            let mut again = Vec::new();
            for (quantity, outcome) in pending.iter().copied().zip(outcomes) {
                match outcome {
                    Ok(simulation) => {
                        answered = true;
                        record(&mut found, &priced, quantity, simulation);
                    }
                    Err(Unpriced::Items(items)) => {
                        refused.extend(items);
                        again.push(quantity);
                    }
                    Err(Unpriced::Customer) => return Err(ErpError::NotFound),
                    Err(Unpriced::Erp(error)) => {
                        tracing::warn!(quantity, %error, "no prices at this break quantity");
                        first_error.get_or_insert(error);
                    }
                }
            }
            refused.sort_unstable();
            refused.dedup();
            for index in refused.iter().rev() {
                let sku = priced.remove(*index);
                found.remove(sku.as_str());
                tracing::info!(%sku, "SAP does not price this product here; left out");
            }
            pending = again;
        }
        match first_error {
            Some(error) if !answered => Err(error),
            _ => Ok(found),
        }
    }

    /// Simulations of `skus` at each of `quantities`, in one `$batch`. Pricing is only
    /// calculated when the deep insert asks for it: `to_Pricing` on the header and
    /// `to_PricingElement` on each item.
    async fn simulate(
        &self,
        customer: &CustomerId,
        skus: &[&Sku],
        quantities: &[u32],
    ) -> ErpResult<Vec<Result<wire::Simulation, Unpriced>>> {
        let bodies: Vec<Value> = quantities
            .iter()
            .map(|quantity| self.simulation_body(customer, skus, *quantity))
            .collect();
        let requests: Vec<(&str, &Value)> = bodies
            .iter()
            .map(|body| ("A_SalesOrderSimulation", body))
            .collect();
        let answers = self
            .client
            .batch(SIMULATION_SRV, &requests)
            .await
            .map_err(|f| f.into_read_error("price simulation"))?;
        Ok(answers
            .into_iter()
            .map(|answer| classify(answer, skus.len()))
            .collect())
    }

    fn simulation_body(&self, customer: &CustomerId, skus: &[&Sku], quantity: u32) -> Value {
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
        json!({
            "SalesOrderType": self.config.order_type,
            "SalesOrganization": self.config.sales_organization,
            "DistributionChannel": self.config.distribution_channel,
            "OrganizationDivision": self.config.division,
            "SoldToParty": customer.as_str(),
            "to_Pricing": {},
            "to_Item": items,
        })
    }
}

/// Keeps the unit prices of one simulation at `quantity`.
fn record<'a>(
    found: &mut Found<'a>,
    priced: &[&'a Sku],
    quantity: u32,
    simulation: wire::Simulation,
) {
    for item in simulation.items.results {
        let Some(sku) = priced.iter().find(|s| s.as_str() == item.material) else {
            continue;
        };
        // No net amount, or zero: SAP found no price, so the product is not for sale to this
        // customer at this quantity (never a price of 0.00).
        let Some(net) = item.net_amount.filter(|n| *n > Decimal::ZERO) else {
            continue;
        };
        found
            .entry(sku.as_str())
            .or_insert_with(|| (simulation.transaction_currency.clone(), BTreeMap::new()))
            .1
            .insert(quantity, unit_price(net, quantity));
    }
}

/// What one simulation's answer means for the page.
fn classify(answer: Result<Answer, Failure>, sent: usize) -> Result<wire::Simulation, Unpriced> {
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
            Err(Unpriced::Customer)
        }
        Err(Failure::Refused { status, body }) => {
            let mut refused: Vec<usize> = body
                .innererror
                .errordetails
                .iter()
                .filter_map(|d| refused_item(&d.target))
                .filter(|i| *i < sent)
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
