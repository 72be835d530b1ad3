//! Quick order: pasted lines (`SKU quantity`, one per line, separated by space, tab, comma or
//! semicolon) into the cart. Every good line goes in; the others come back in the box, each
//! reason listed with its line number, so nothing pasted is lost.
//!
//! Once lines are added the answer is a redirect (Post/Redirect/Get), so reloading the result
//! cannot add them twice. The lines left over travel to the result page in a short-lived
//! encrypted cookie, like the cart itself: nothing is kept on the server.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use serde::{Deserialize, Serialize};

use super::cart::{CartView, parse_line, render_cart};
use super::{Buyer, saved_cart};
use crate::domain::{CustomerId, Sku};
use crate::web::session::cookie;
use crate::web::{AppError, AppState};

const LEFTOVERS_COOKIE: &str = "erpfront_quick_order";
/// Long enough to read and fix the lines, short enough not to linger.
const LEFTOVERS_MAX_AGE_SECS: u64 = 30 * 60;
/// What fits in one cookie beside the cart's, after encryption and base64.
const MAX_LEFTOVERS_BYTES: usize = 2800;

/// Lines a quick order could not add, with why, for the page the buyer is sent to.
#[derive(Serialize, Deserialize)]
pub struct Leftovers {
    /// Which quick order they are from: only its result page shows them.
    id: String,
    customer: CustomerId,
    /// "Line 2: Product NOPE-0000 is not in the catalog."
    pub problems: Vec<String>,
    /// The lines as pasted, for the box.
    pub text: String,
}

impl Leftovers {
    /// The leftovers of quick order `id` in the request's cookies, for `customer`.
    pub fn find(jar: &PrivateCookieJar, id: &str, customer: &CustomerId) -> Option<Self> {
        let found: Self = serde_json::from_str(jar.get(LEFTOVERS_COOKIE)?.value()).ok()?;
        (found.id == id && &found.customer == customer).then_some(found)
    }

    /// The jar with these leftovers, or `None` when they are too many for a cookie.
    fn save(&self, jar: PrivateCookieJar, state: &AppState) -> Option<PrivateCookieJar> {
        let value = serde_json::to_string(self).ok()?;
        (value.len() <= MAX_LEFTOVERS_BYTES).then(|| {
            jar.add(cookie(
                &state.site,
                LEFTOVERS_COOKIE,
                value,
                LEFTOVERS_MAX_AGE_SECS,
            ))
        })
    }
}

#[derive(Deserialize)]
pub struct QuickOrderForm {
    lines: String,
}

/// Adds the good lines and redirects to the cart, which shows the others to be fixed.
pub async fn quick_order(
    State(state): State<AppState>,
    buyer: Buyer,
    Form(form): Form<QuickOrderForm>,
) -> Result<Response, AppError> {
    let mut parsed = Vec::new();
    // (line number, reason, the line as pasted), reported in the order they were pasted.
    let mut refused: Vec<(usize, String, &str)> = Vec::new();
    for (number, raw) in form
        .lines
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let mut parts = raw
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|p| !p.is_empty());
        let (sku, qty) = (parts.next().unwrap_or(""), parts.next().unwrap_or("1"));
        match parse_line(sku, qty) {
            Ok(line) => parsed.push((number + 1, raw, line)),
            Err(e) => refused.push((number + 1, e.public_message(), raw)),
        }
    }
    let skus: Vec<Sku> = parsed.iter().map(|(_, _, (s, _))| s.clone()).collect();
    let known = if skus.is_empty() {
        Vec::new()
    } else {
        state.erp.availability(&skus).await?
    };
    let mut cart = buyer.cart.clone();
    let mut added = 0;
    for (number, raw, (sku, quantity)) in parsed {
        let outcome = if known.iter().any(|a| a.sku == sku) {
            cart.add(sku.clone(), quantity)
        } else {
            Err(AppError::BadRequest(format!(
                "Product {sku} is not in the catalog."
            )))
        };
        match outcome {
            Ok(()) => added += 1,
            Err(e) => refused.push((number, e.public_message(), raw)),
        }
    }
    refused.sort_by_key(|(number, _, _)| *number);
    let mut view = CartView::to_fix(
        refused
            .iter()
            .map(|(number, reason, _)| format!("Line {number}: {reason}"))
            .collect(),
        refused
            .iter()
            .map(|(_, _, raw)| *raw)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    // Nothing added: the page comes back as it was, with the lines to fix; sending it again
    // cannot add anything twice.
    if added == 0 && !view.problems.is_empty() {
        return render_cart(&state, &buyer, &buyer.cart, view).await;
    }
    let saved = cart.save(buyer.jar(&state), &state.site, &buyer.customer);
    let leftovers = Leftovers {
        id: uuid::Uuid::new_v4().simple().to_string(),
        customer: buyer.customer.clone(),
        problems: std::mem::take(&mut view.problems),
        text: std::mem::take(&mut view.quick_text),
    };
    let carried = match saved {
        Ok(jar) if leftovers.problems.is_empty() => Ok((jar, None)),
        Ok(jar) => leftovers
            .save(jar, &state)
            .map(|jar| (jar, Some(&leftovers.id)))
            .ok_or_else(|| {
                AppError::BadRequest(
                    "Too many lines need fixing to add only the good ones. Nothing was added: please fix the lines marked below and send them again.".into(),
                )
            }),
        Err(e) => Err(e),
    };
    match carried {
        Ok((jar, leftover)) => {
            saved_cart::keep(&state, &buyer, &cart).await;
            let mut target = format!("/cart?added={added}");
            if let Some(id) = leftover {
                target.push_str(&format!("&leftover={id}"));
            }
            Ok((jar, Redirect::to(&target)).into_response())
        }
        Err(e) => {
            // The cart is unchanged: every line goes back into the box.
            view.problems = leftovers.problems;
            view.problems.push(e.public_message());
            view.quick_text = form.lines.trim().to_string();
            render_cart(&state, &buyer, &buyer.cart, view).await
        }
    }
}
