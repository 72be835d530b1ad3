//! The cart lives in an encrypted cookie, never on the server: any instance can show it and a
//! restart loses nothing. It holds only SKUs and quantities; prices always come from the ERP.
//! Every change is also saved in the ERP as the customer's saved cart (see [`super::saved_cart`]),
//! which is how the cart follows the customer to another login, device or rep.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use serde::Deserialize;

use super::catalog::PricedLine;
use super::quick_order::Leftovers;
use super::{Buyer, saved_cart};
use crate::domain::{CustomerId, Quantity, Sku};
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::session::cookie;
use crate::web::{AppError, AppState, Site};

pub(super) const CART_COOKIE: &str = "erpfront_cart";
/// Browsers keep cookies up to 4096 bytes; encryption and base64 add about a third.
const MAX_ENCODED_BYTES: usize = 2800;
/// Most lines a cart may hold.
pub const MAX_LINES: usize = crate::domain::SavedCart::MAX_LINES;

/// What the buyer is about to order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cart {
    /// The lines, in the order they were added.
    pub lines: Vec<(Sku, Quantity)>,
}

impl Cart {
    /// The cart in the cookie, if it belongs to `customer`; otherwise an empty one (a cart never
    /// follows a browser from one customer to another).
    pub fn from_cookie(text: &str, customer: &CustomerId) -> Self {
        Self::decode(text, customer).unwrap_or_default()
    }

    /// The cart in the request's cookie, for `customer`.
    pub fn in_request(state: &AppState, headers: &HeaderMap, customer: &CustomerId) -> Self {
        state
            .carts
            .open(headers, &state.cookie_key, CART_COOKIE, |t| {
                Some(std::sync::Arc::from(t))
            })
            .map(|text| Self::from_cookie(&text, customer))
            .unwrap_or_default()
    }

    /// `C-1000;FAS-1001*3,FAS-1002*10`
    fn encode(&self, customer: &CustomerId) -> String {
        let lines: Vec<String> = self
            .lines
            .iter()
            .map(|(sku, q)| format!("{sku}*{}", q.get()))
            .collect();
        format!("{customer};{}", lines.join(","))
    }

    fn decode(text: &str, customer: &CustomerId) -> Option<Self> {
        let (owner, lines) = text.split_once(';')?;
        if owner != customer.as_str() {
            return None;
        }
        let mut cart = Cart::default();
        for line in lines.split(',').filter(|l| !l.is_empty()) {
            let (sku, qty) = line.split_once('*')?;
            let quantity = Quantity::new(qty.parse().ok()?).ok()?;
            cart.lines.push((Sku::parse(sku).ok()?, quantity));
        }
        Some(cart)
    }

    /// Adds to a line, or appends one.
    pub fn add(&mut self, sku: Sku, quantity: Quantity) -> Result<(), AppError> {
        if let Some((_, q)) = self.lines.iter_mut().find(|(s, _)| *s == sku) {
            *q = Quantity::new(i64::from(q.get()) + i64::from(quantity.get()))
                .map_err(|e| AppError::BadRequest(format!("{sku}: {e}.")))?;
            return Ok(());
        }
        if self.lines.len() >= MAX_LINES {
            return Err(AppError::BadRequest(format!(
                "The cart holds at most {MAX_LINES} lines. Please check out or remove some first."
            )));
        }
        self.lines.push((sku, quantity));
        Ok(())
    }

    /// The cookie jar with this cart saved for `customer`.
    pub fn save(
        &self,
        jar: PrivateCookieJar,
        site: &Site,
        customer: &CustomerId,
    ) -> Result<PrivateCookieJar, AppError> {
        let value = self.encode(customer);
        if value.len() > MAX_ENCODED_BYTES {
            return Err(AppError::BadRequest(
                "The cart is full. Please check out or remove some lines first.".into(),
            ));
        }
        Ok(jar.add(cookie(site, CART_COOKIE, value, 30 * 24 * 3600)))
    }

    /// The cookie jar without a cart.
    pub fn clear(jar: PrivateCookieJar) -> PrivateCookieJar {
        jar.remove(axum_extra::extract::cookie::Cookie::build(CART_COOKIE).path("/"))
    }
}

pub(super) fn parse_line(sku: &str, quantity: &str) -> Result<(Sku, Quantity), AppError> {
    let sku = Sku::parse(sku.trim().to_uppercase())
        .map_err(|_| AppError::BadRequest(format!("\"{}\" is not a valid SKU.", sku.trim())))?;
    let quantity: i64 = quantity.trim().parse().map_err(|_| {
        AppError::BadRequest(format!("The quantity for {sku} must be a whole number."))
    })?;
    let quantity =
        Quantity::new(quantity).map_err(|e| AppError::BadRequest(format!("{sku}: {e}.")))?;
    Ok((sku, quantity))
}

#[derive(Template)]
#[template(path = "storefront/cart.html")]
struct CartPage {
    layout: Layout,
    lines: Vec<PricedLine>,
    total: Option<String>,
    /// The ERP is not answering: the lines are shown without prices, and can still be changed.
    prices_missing: bool,
    view: CartView,
}

impl CartPage {
    /// What the quantity field shows: what the buyer typed, if it was refused.
    fn entered(&self, line: &PricedLine) -> String {
        self.view
            .entered
            .iter()
            .find(|(sku, _)| *sku == line.sku)
            .map_or_else(|| line.quantity.to_string(), |(_, text)| text.clone())
    }

    fn is_wrong(&self, line: &PricedLine) -> bool {
        self.view.entered.iter().any(|(sku, _)| *sku == line.sku)
    }
}

/// What the cart page says besides the cart.
#[derive(Default)]
pub(super) struct CartView {
    /// "Empty cart" was pressed: ask whether to.
    confirm_clear: bool,
    notice: Option<String>,
    added: Option<String>,
    pub(super) problems: Vec<String>,
    /// Quick-order lines that could not be added, back in the box to be corrected.
    pub(super) quick_text: String,
    /// Quantities as typed, where they could not be taken.
    entered: Vec<(Sku, String)>,
}

impl CartView {
    /// Quick-order lines to be fixed, with why.
    pub(super) fn to_fix(problems: Vec<String>, quick_text: String) -> Self {
        Self {
            problems,
            quick_text,
            ..Self::default()
        }
    }
}

#[derive(Deserialize)]
pub struct CartQuery {
    /// Set by a checkout submitted on an empty cart whose key made no order.
    #[serde(default)]
    nothing_ordered: Option<String>,
    /// Set after lines were added: how many.
    #[serde(default)]
    added: Option<u32>,
    /// Set after a quick order some of whose lines could not be added: which leftovers to show.
    #[serde(default)]
    leftover: Option<String>,
}

/// "Added 3 lines to the cart."
fn added_note(lines: u32) -> String {
    match lines {
        1 => "Added 1 line to the cart.".into(),
        n => format!("Added {n} lines to the cart."),
    }
}

/// The cart with the buyer's current prices.
pub async fn show_cart(
    State(state): State<AppState>,
    buyer: Buyer,
    Query(query): Query<CartQuery>,
) -> Result<Response, AppError> {
    let mut view = CartView::default();
    if query.nothing_ordered.is_some() {
        view.notice = Some(
            "Nothing was ordered: the cart was already empty when that checkout was sent (it was changed or ordered in another tab). Your orders are under Orders.".into(),
        );
    }
    view.added = query.added.filter(|n| *n > 0).map(added_note);
    if let Some(leftovers) = query
        .leftover
        .and_then(|id| Leftovers::find(&buyer.jar(&state), &id, &buyer.customer))
    {
        view.problems = leftovers.problems;
        view.quick_text = leftovers.text;
    }
    render_cart(&state, &buyer, &buyer.cart, view).await
}

/// The cart page for `cart`; 422 when it reports problems, so nothing looks accepted that
/// was not.
pub(super) async fn render_cart(
    state: &AppState,
    buyer: &Buyer,
    cart: &Cart,
    view: CartView,
) -> Result<Response, AppError> {
    let (lines, total, prices_missing) =
        PricedLine::for_cart_page(state, &buyer.customer, cart).await?;
    let failed = !view.problems.is_empty();
    let page = CartPage {
        layout: buyer.layout(state, "Cart", "cart"),
        lines,
        total,
        prices_missing,
        view,
    };
    let mut response = HtmlPage(page).into_response();
    if failed {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct AddForm {
    sku: String,
    quantity: String,
}

/// Adds a product to the cart, after checking the ERP sells it.
pub async fn add_to_cart(
    State(state): State<AppState>,
    buyer: Buyer,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    let (sku, quantity) = parse_line(&form.sku, &form.quantity)?;
    state.erp.product(&sku).await.map_err(|e| match e {
        crate::erp::ErpError::NotFound => {
            AppError::BadRequest(format!("Product {sku} is not in the catalog."))
        }
        other => other.into(),
    })?;
    let mut cart = buyer.cart.clone();
    cart.add(sku, quantity)?;
    let jar = cart.save(buyer.jar(&state), &state.site, &buyer.customer)?;
    saved_cart::keep(&state, &buyer, &cart).await;
    Ok((jar, Redirect::to("/cart?added=1")).into_response())
}

/// Changes quantities (`qty_<SKU>` fields; 0 removes the line) or empties the cart.
pub async fn update_cart(
    State(state): State<AppState>,
    buyer: Buyer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    match fields
        .iter()
        .find(|(k, _)| k == "clear")
        .map(|(_, v)| v.as_str())
    {
        Some("confirmed") => {
            saved_cart::forget(&state, &buyer).await;
            return Ok((Cart::clear(buyer.jar(&state)), Redirect::to("/cart")).into_response());
        }
        // One click must not lose a cart built over an afternoon: ask first.
        Some(_) => {
            let view = CartView {
                confirm_clear: true,
                ..CartView::default()
            };
            return render_cart(&state, &buyer, &buyer.cart, view).await;
        }
        None => {}
    }
    let remove = fields
        .iter()
        .find(|(k, _)| k == "remove")
        .map(|(_, v)| v.as_str());
    let mut cart = Cart::default();
    let mut view = CartView::default();
    for (sku, quantity) in &buyer.cart.lines {
        let field = format!("qty_{sku}");
        let asked = fields
            .iter()
            .find(|(k, _)| *k == field)
            .map(|(_, v)| v.trim());
        if remove == Some(sku.as_str()) || asked == Some("0") {
            continue;
        }
        let quantity = match asked.map(|text| parse_line(sku.as_str(), text)) {
            None => *quantity,
            Some(Ok((_, quantity))) => quantity,
            Some(Err(e)) => {
                // Nothing changes; the page comes back with what was typed, marked.
                view.problems.push(e.public_message());
                view.entered
                    .push((sku.clone(), asked.unwrap_or_default().to_string()));
                *quantity
            }
        };
        cart.lines.push((sku.clone(), quantity));
    }
    if !view.problems.is_empty() {
        return render_cart(&state, &buyer, &buyer.cart, view).await;
    }
    let jar = cart.save(buyer.jar(&state), &state.site, &buyer.customer)?;
    saved_cart::keep(&state, &buyer, &cart).await;
    Ok((jar, Redirect::to("/cart")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cart_round_trips_and_never_crosses_customers() {
        let nw = CustomerId::parse("C-1000").unwrap();
        let mut cart = Cart::default();
        cart.add(Sku::parse("FAS-1001").unwrap(), Quantity::new(3).unwrap())
            .unwrap();
        cart.add(Sku::parse("FAS-1001").unwrap(), Quantity::new(2).unwrap())
            .unwrap();
        let text = cart.encode(&nw);
        assert_eq!(text, "C-1000;FAS-1001*5");
        assert_eq!(Cart::decode(&text, &nw), Some(cart));
        assert_eq!(
            Cart::decode(&text, &CustomerId::parse("C-2000").unwrap()),
            None
        );
        assert_eq!(Cart::decode("C-1000;FAS-1001*-1", &nw), None);
    }

    #[test]
    fn fifty_lines_fit_in_a_cookie() {
        let mut cart = Cart::default();
        for i in 0..50 {
            cart.add(
                Sku::parse(format!("SKU-{i:06}")).unwrap(),
                Quantity::new(99_999).unwrap(),
            )
            .unwrap();
        }
        assert!(cart.encode(&CustomerId::parse("C-1000").unwrap()).len() < MAX_ENCODED_BYTES);
    }
}
