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

/// The unit price behind a net amount for `quantity` units.
pub fn unit_price(net: Decimal, quantity: u32) -> Decimal {
    if quantity == 0 {
        return net;
    }
    (net / Decimal::from(quantity))
        .round_dp(UNIT_PRICE_DECIMALS)
        .normalize()
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
            // SKU → (currency, ladder)
            let mut ladders: BTreeMap<&str, (String, Vec<PriceTier>)> = BTreeMap::new();
            for quantity in self.config.tier_quantities() {
                let simulation = self.simulate(customer, page, quantity).await?;
                for item in simulation.items.results {
                    let Some(sku) = page.iter().find(|s| s.as_str() == item.material) else {
                        continue;
                    };
                    let unit = unit_price(item.net_amount, item.requested_quantity);
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

    async fn simulate(
        &self,
        customer: &CustomerId,
        skus: &[Sku],
        quantity: u32,
    ) -> ErpResult<wire::Simulation> {
        let items: Vec<Value> = skus
            .iter()
            .enumerate()
            .map(|(i, sku)| {
                json!({
                    "SalesOrderItem": ((i + 1) * 10).to_string(),
                    "Material": sku.as_str(),
                    "RequestedQuantity": quantity.to_string(),
                })
            })
            .collect();
        let body = json!({
            "SalesOrderType": self.config.order_type,
            "SalesOrganization": self.config.sales_organization,
            "DistributionChannel": self.config.distribution_channel,
            "OrganizationDivision": self.config.division,
            "SoldToParty": customer.as_str(),
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
            Ok(answer) => from_d(answer.json, "sales order simulation"),
            Err(Failure::Refused { body, .. })
                if body
                    .innererror
                    .errordetails
                    .iter()
                    .any(|d| d.target.contains("SoldToParty")) =>
            {
                tracing::info!(sap.error = %body.describe(), "SAP does not price for this customer");
                Err(ErpError::NotFound)
            }
            Err(failure) => Err(failure.into_read_error("price simulation")),
        }
    }
}
