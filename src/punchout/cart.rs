//! The cart, priced at the customer's tier prices, as the lines of a `PunchOutOrderMessage`.

use std::sync::Arc;

use super::identity::Identity;
use super::start::PunchoutSession;
use super::write::ItemIn;
use crate::domain::{CustomerId, Money, Product, Quantity, Sku};
use crate::erp::{Erp, ErpError};

/// Why a cart cannot go back yet.
#[derive(Debug, thiserror::Error)]
pub enum CartError {
    /// A line has no price for this customer; the message is buyer-safe.
    #[error("{0}")]
    Unpriced(String),
    /// The ERP did not answer.
    #[error(transparent)]
    Erp(#[from] ErpError),
}

/// A cart line with what the procurement system is told about it.
#[derive(Debug, Clone)]
pub struct Line {
    pub sku: Sku,
    pub quantity: u32,
    pub product: Product,
    /// The customer's price for one, at this quantity's tier.
    pub unit_price: Money,
}

/// The lines of `cart` at the customer's tier prices, and their total.
pub async fn priced(
    erp: &Arc<dyn Erp>,
    customer: &CustomerId,
    cart: &[(Sku, Quantity)],
) -> Result<(Vec<Line>, Money), CartError> {
    let skus: Vec<Sku> = cart.iter().map(|(s, _)| s.clone()).collect();
    let products = futures_util::future::join_all(skus.iter().map(|s| erp.product(s)));
    let (prices, products) = tokio::join!(erp.prices(customer, &skus), products);
    let prices = prices?;
    let currency = match prices.first() {
        Some(p) => p.currency,
        None => erp.customer(customer).await?.currency,
    };
    let mut total = Money::zero(currency);
    let mut lines = Vec::with_capacity(cart.len());
    for ((sku, quantity), product) in cart.iter().zip(products) {
        let product = product?;
        let unit_price = prices
            .iter()
            .find(|p| &p.sku == sku)
            .map(|p| p.unit_price(quantity.get()))
            .ok_or_else(|| {
                CartError::Unpriced(format!(
                    "{sku} has no price for you right now. Please remove it from the cart, or call us."
                ))
            })?;
        total = total
            .checked_add(unit_price.times(quantity.get()))
            .map_err(|_| CartError::Unpriced(format!("{sku} is priced in another currency.")))?;
        lines.push(Line {
            sku: sku.clone(),
            quantity: quantity.get(),
            product,
            unit_price,
        });
    }
    Ok((lines, total))
}

/// The lines and total of `cart` for the organisation's customer, as cXML `ItemIn`s.
pub async fn items(
    erp: &Arc<dyn Erp>,
    identity: &Identity,
    session: &PunchoutSession,
    customer: &CustomerId,
    cart: &[(Sku, Quantity)],
) -> Result<(Vec<ItemIn>, Money), CartError> {
    let (lines, total) = priced(erp, customer, cart).await?;
    let items = lines
        .into_iter()
        .map(|line| ItemIn {
            quantity: line.quantity,
            part: line.sku.to_string(),
            aux: session
                .aux
                .iter()
                .find(|(s, _)| s == line.sku.as_str())
                .map(|(_, a)| a.clone()),
            unit_price: line.unit_price,
            classification: match identity.unspsc.get(&line.product.category) {
                Some(code) => ("UNSPSC".to_string(), code.clone()),
                None => ("ERPCategory".to_string(), line.product.category.clone()),
            },
            unit: identity.unit_code(&line.product.unit),
            description: line.product.name,
        })
        .collect();
    Ok((items, total))
}
