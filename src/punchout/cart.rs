//! The cart, priced at the customer's tier prices, as the lines of a `PunchOutOrderMessage`.

use std::sync::Arc;

use super::identity::Identity;
use super::start::PunchoutSession;
use super::write::ItemIn;
use crate::domain::{CustomerId, Money, Quantity, Sku};
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

/// The lines and total of `cart` for the organisation's customer.
pub async fn items(
    erp: &Arc<dyn Erp>,
    identity: &Identity,
    session: &PunchoutSession,
    customer: &CustomerId,
    cart: &[(Sku, Quantity)],
) -> Result<(Vec<ItemIn>, Money), CartError> {
    let skus: Vec<Sku> = cart.iter().map(|(s, _)| s.clone()).collect();
    let products = futures_util::future::join_all(skus.iter().map(|s| erp.product(s)));
    let (prices, products) = tokio::join!(erp.prices(customer, &skus), products);
    let prices = prices?;
    let currency = match prices.first() {
        Some(p) => p.currency,
        None => erp.customer(customer).await?.currency,
    };
    let mut total = Money::zero(currency);
    let mut items = Vec::with_capacity(cart.len());
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
        let classification = match identity.unspsc.get(&product.category) {
            Some(code) => ("UNSPSC".to_string(), code.clone()),
            None => ("ERPCategory".to_string(), product.category.clone()),
        };
        items.push(ItemIn {
            quantity: quantity.get(),
            part: sku.to_string(),
            aux: session
                .aux
                .iter()
                .find(|(s, _)| s == sku.as_str())
                .map(|(_, a)| a.clone()),
            unit_price,
            description: product.name,
            unit: identity.unit_code(&product.unit),
            classification,
        });
    }
    Ok((items, total))
}
