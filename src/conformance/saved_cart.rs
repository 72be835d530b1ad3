//! Saved-cart rules: what is saved is read back, a save replaces, an empty save clears, and one
//! customer's saved cart never shows for another. Saved carts are optional: an adapter that
//! answers `Unsupported` has these rules skipped, and the gateway keeps carts in the browser.
//!
//! Each rule writes only the test customer's saved cart, and puts back what it found there.

use std::future::Future;

use super::context::Context;
use super::{Checked, During, Outcome, Rule, ensure};
use crate::domain::{CustomerId, Quantity, SavedCart, SavedCartLine, Sku};
use crate::erp::{Erp, ErpError};

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "saved_cart.round_trip",
        description: "A saved cart is read back with the same lines, in order, and quantities.",
        check: |cx| Box::pin(with_saved_cart_put_back(cx, round_trip)),
    },
    Rule {
        id: "saved_cart.replaces",
        description: "Saving a cart replaces the saved one: lines no longer in it are gone, none are added up.",
        check: |cx| Box::pin(with_saved_cart_put_back(cx, replaces)),
    },
    Rule {
        id: "saved_cart.empty_clears",
        description: "Saving an empty cart clears the saved cart: it reads back empty.",
        check: |cx| Box::pin(with_saved_cart_put_back(cx, empty_clears)),
    },
    Rule {
        id: "saved_cart.isolation",
        description: "One customer's saved cart never shows in another's, and saving it leaves the other's as it was.",
        check: |cx| Box::pin(with_saved_cart_put_back(cx, isolation)),
    },
];

/// Runs `check` unless the adapter keeps no saved carts, then saves back the test customer's
/// saved cart as it was found.
async fn with_saved_cart_put_back<'a, F, Fut>(cx: &'a Context<'a>, check: F) -> Checked
where
    F: FnOnce(&'a Context<'a>) -> Fut,
    Fut: Future<Output = Checked>,
{
    let erp = &cx.subject.erp;
    let customer = &cx.subject.customer;
    let found = match erp.saved_cart(customer).await {
        Err(ErpError::Unsupported { .. }) => {
            return Ok(Outcome::Skip(
                "the adapter keeps no saved carts (Unsupported); carts then stay with the browser"
                    .into(),
            ));
        }
        answer => answer.during(format_args!("saved_cart({customer})"))?,
    };
    let outcome = check(cx).await;
    let put_back = erp.save_cart(customer, &found).await.during(format_args!(
        "save_cart({customer}) putting back the cart found"
    ));
    let outcome = outcome?;
    put_back?;
    Ok(outcome)
}

/// A cart of the first catalog SKUs with these quantities.
async fn cart_of(cx: &Context<'_>, quantities: &[u32]) -> Result<SavedCart, String> {
    let skus = cx.sample_skus().await?;
    ensure(skus.len() >= quantities.len(), || {
        format!("the suite needs {} products to check", quantities.len())
    })?;
    let lines = skus.iter().zip(quantities).map(|(sku, q)| line(sku, *q));
    SavedCart::new(lines.collect::<Result<_, _>>()?).map_err(|e| e.to_string())
}

fn line(sku: &Sku, quantity: u32) -> Result<SavedCartLine, String> {
    Ok(SavedCartLine {
        sku: sku.clone(),
        quantity: Quantity::new(i64::from(quantity)).map_err(|e| e.to_string())?,
    })
}

async fn save_and_read(
    erp: &dyn Erp,
    customer: &CustomerId,
    cart: &SavedCart,
) -> Result<SavedCart, String> {
    erp.save_cart(customer, cart).await.during(format_args!(
        "save_cart({customer}, {} lines)",
        cart.lines().len()
    ))?;
    erp.saved_cart(customer)
        .await
        .during(format_args!("saved_cart({customer})"))
}

fn same(call: &str, saved: &SavedCart, read: &SavedCart) -> Result<(), String> {
    ensure(saved == read, || {
        format!(
            "{call}: saved {:?}, read back {:?}",
            saved.lines(),
            read.lines()
        )
    })
}

async fn round_trip(cx: &Context<'_>) -> Checked {
    let cart = cart_of(cx, &[3, 1, 12]).await?;
    let read = save_and_read(cx.subject.erp.as_ref(), &cx.subject.customer, &cart).await?;
    same("after one save", &cart, &read)?;
    Ok(Outcome::Pass)
}

async fn replaces(cx: &Context<'_>) -> Checked {
    let (erp, customer) = (cx.subject.erp.as_ref(), &cx.subject.customer);
    save_and_read(erp, customer, &cart_of(cx, &[3, 1]).await?).await?;
    // The first line again with another quantity, and the second line gone.
    let skus = cx.sample_skus().await?;
    let second = SavedCart::new(vec![line(&skus[0], 5)?]).map_err(|e| e.to_string())?;
    let read = save_and_read(erp, customer, &second).await?;
    same("after a second save", &second, &read)?;
    Ok(Outcome::Pass)
}

async fn empty_clears(cx: &Context<'_>) -> Checked {
    let (erp, customer) = (cx.subject.erp.as_ref(), &cx.subject.customer);
    save_and_read(erp, customer, &cart_of(cx, &[2]).await?).await?;
    let read = save_and_read(erp, customer, &SavedCart::default()).await?;
    ensure(read.is_empty(), || {
        format!("after saving an empty cart, read back {:?}", read.lines())
    })?;
    Ok(Outcome::Pass)
}

async fn isolation(cx: &Context<'_>) -> Checked {
    let (erp, customer) = (cx.subject.erp.as_ref(), &cx.subject.customer);
    let other = &cx.subject.other_customer;
    let read_other = || async {
        erp.saved_cart(other)
            .await
            .during(format_args!("saved_cart({other})"))
    };
    let before = read_other().await?;
    let cart = cart_of(cx, &[7, 4]).await?;
    save_and_read(erp, customer, &cart).await?;
    let after = read_other().await?;
    ensure(before == after, || {
        format!(
            "saving {customer}'s cart changed {other}'s from {:?} to {:?}",
            before.lines(),
            after.lines()
        )
    })?;
    Ok(Outcome::Pass)
}
