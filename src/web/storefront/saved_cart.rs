//! The cart follows the customer: the cookie is the working copy any instance serves, and after
//! every change the same lines are saved in the ERP as the customer's saved cart. A login, or a
//! rep starting to act for the customer, merges the saved cart into the browser's, so another
//! device, a new session or the end of a rep's acting loses nothing; an order placed clears it.
//!
//! The ERP copy is a convenience on top of the cookie, never a condition for editing the cart:
//! an ERP that is down, or one whose adapter keeps no saved carts (`Unsupported`), leaves the
//! cart with the browser, and the buyer is not stopped or warned.

use axum_extra::extract::PrivateCookieJar;

use super::cart::CART_COOKIE;
use super::{Buyer, Cart};
use crate::domain::{CustomerId, SavedCart, SavedCartLine};
use crate::erp::ErpError;
use crate::web::AppState;

/// Saves `cart` as the customer's saved cart, after the cookie took it. Not for a cart made in
/// a procurement system's session: that cart belongs to the requisition, not the customer.
pub(super) async fn keep(state: &AppState, buyer: &Buyer, cart: &Cart) {
    if buyer.session.punchout.is_none() {
        save(state, &buyer.customer, cart).await;
    }
}

async fn save(state: &AppState, customer: &CustomerId, cart: &Cart) {
    if let Err(error) = state.erp.save_cart(customer, &to_saved(cart)).await {
        log_missed("save_cart", customer, &error);
    }
}

/// Clears the customer's saved cart, after an order took its lines.
pub(super) async fn forget(state: &AppState, buyer: &Buyer) {
    keep(state, buyer, &Cart::default()).await;
}

/// The jar with the customer's saved cart merged into the cart it holds for this customer, and
/// the merged cart saved back when it differs from the saved one. When the ERP cannot say, or
/// the merged cart does not fit in the cookie, the browser's cart stays as it is.
pub(crate) async fn restore(
    state: &AppState,
    jar: PrivateCookieJar,
    customer: &CustomerId,
) -> PrivateCookieJar {
    let browser = jar
        .get(CART_COOKIE)
        .map(|cookie| Cart::from_cookie(cookie.value(), customer))
        .unwrap_or_default();
    let saved = match state.erp.saved_cart(customer).await {
        Ok(saved) => saved,
        Err(error) => {
            log_missed("saved_cart", customer, &error);
            return jar;
        }
    };
    let merged = to_saved(&browser).merged_with(&saved);
    if merged == saved && merged == to_saved(&browser) {
        return jar;
    }
    let cart = from_saved(&merged);
    match cart.save(jar.clone(), &state.site, customer) {
        Ok(with_cart) => {
            if merged != saved {
                save(state, customer, &cart).await;
            }
            with_cart
        }
        Err(_) => {
            tracing::info!(customer.id = %customer, "the saved cart does not fit in the browser's cart; the browser's is kept");
            jar
        }
    }
}

fn to_saved(cart: &Cart) -> SavedCart {
    SavedCart::gathered(cart.lines.iter().map(|(sku, quantity)| SavedCartLine {
        sku: sku.clone(),
        quantity: *quantity,
    }))
}

fn from_saved(saved: &SavedCart) -> Cart {
    Cart {
        lines: saved
            .lines()
            .iter()
            .map(|line| (line.sku.clone(), line.quantity))
            .collect(),
    }
}

/// The cart still works from the cookie, so a missed copy is worth a line in the log, not an
/// error for the buyer.
fn log_missed(operation: &str, customer: &CustomerId, error: &ErpError) {
    match error {
        ErpError::Unsupported { .. } => {
            tracing::debug!(customer.id = %customer, operation, "the ERP keeps no saved carts");
        }
        other => {
            tracing::info!(customer.id = %customer, operation, error = %other, "the saved cart was not reached; the cart stays with the browser");
        }
    }
}
