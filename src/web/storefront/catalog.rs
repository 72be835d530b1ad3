//! Browsing: the catalog with search and categories, and the product page with the buyer's own
//! price ladder and live availability. Independent ERP answers are asked for at once.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;
use serde::Deserialize;

use super::{Buyer, Cart};
use crate::cache::answers::{AnswerKey, Finished};
use crate::domain::{Availability, CatalogQuery, Category, CustomerId, Money, Price, Product, Sku};
use crate::erp::ErpError;
use crate::web::filters;
use crate::web::layout::Layout;
use crate::web::render::HtmlPage;
use crate::web::{AppError, AppState, product_with_terms};

/// Products per catalog page.
const PER_PAGE: u32 = 24;

#[derive(Deserialize)]
pub struct CatalogParams {
    q: Option<String>,
    category: Option<String>,
    page: Option<String>,
}

/// A product in a list, with the buyer's price and stock.
pub struct ProductCard {
    pub product: Product,
    pub price: Option<Money>,
    pub availability: Option<Availability>,
}

#[derive(Template)]
#[template(path = "storefront/catalog.html")]
struct CatalogPage {
    layout: Layout,
    categories: Vec<Category>,
    /// The ERP did not answer for the categories: the page says so instead of hiding them.
    categories_missing: bool,
    /// The ERP did not answer for the products themselves: the page says so, with what still
    /// works, instead of "no products match".
    products_missing: bool,
    /// The products are shown, but the ERP did not answer for their prices and stock.
    terms_missing: bool,
    cards: Vec<ProductCard>,
    query: CatalogQuery,
    total: u64,
    page_count: u32,
}

impl CatalogPage {
    /// The URL of another page of the same search.
    fn page_url(&self, page: u32) -> String {
        let mut params = vec![("page", page.to_string())];
        if let Some(q) = &self.query.text {
            params.push(("q", q.clone()));
        }
        if let Some(c) = &self.query.category {
            params.push(("category", c.clone()));
        }
        format!(
            "/catalog?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    }

    /// This very page, to ask for again.
    fn retry_url(&self) -> String {
        self.page_url(self.query.page)
    }

    fn category_name(&self) -> Option<&str> {
        let id = self.query.category.as_deref()?;
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
    }
}

/// What an ERP failure means for a part of a page: an outage is said on the page, anything
/// else fails the page.
fn missing_if_outage<T>(answer: Result<T, ErpError>) -> Result<Option<T>, AppError> {
    match answer.map_err(AppError::from) {
        Ok(found) => Ok(Some(found)),
        Err(e) if e.is_erp_outage() => {
            e.log();
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The catalog: categories and the search page at once, then prices and availability of the
/// page's products at once, each in one batch call. What the ERP cannot answer is said on the
/// page, in the page's frame; without products the page is a 503 for monitoring.
pub async fn list_products(
    State(state): State<AppState>,
    buyer: Buyer,
    Query(params): Query<CatalogParams>,
) -> Result<Response, AppError> {
    let page = params
        .page
        .as_deref()
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let query = CatalogQuery::new(
        params.q.as_deref(),
        params.category.as_deref(),
        page,
        PER_PAGE,
    );
    let (categories, results) =
        tokio::join!(state.erp.categories(), state.erp.search_products(&query));
    let categories = missing_if_outage(categories)?;
    let results = missing_if_outage(results)?;
    // A category that does not exist is a wrong address, not an empty shelf.
    if let (Some(wanted), Some(known)) = (&query.category, &categories)
        && !known.iter().any(|c| &c.id == wanted)
    {
        return Err(AppError::NotFound);
    }
    let items = results.as_ref().map_or(&[][..], |r| &r.items[..]);
    let skus: Vec<Sku> = items.iter().map(|p| p.sku.clone()).collect();
    let terms = missing_if_outage(prices_and_stock(&state, &buyer.customer, &skus).await)?;
    let cards = items
        .iter()
        .map(|product| ProductCard::new(product.clone(), terms.as_ref()))
        .collect();
    let page = CatalogPage {
        layout: buyer.layout(&state, "Catalog", "catalog"),
        categories_missing: categories.is_none(),
        categories: categories.unwrap_or_default(),
        products_missing: results.is_none(),
        terms_missing: terms.is_none() && !skus.is_empty(),
        cards,
        total: results.as_ref().map_or(0, |r| r.total),
        page_count: results.as_ref().map_or(0, |r| r.page_count()),
        query,
    };
    let status = if page.products_missing {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    Ok((status, HtmlPage(page)).into_response())
}

impl ProductCard {
    fn new(product: Product, terms: Option<&(Vec<Price>, Vec<Availability>)>) -> Self {
        let (prices, stock) = terms.map_or((&[][..], &[][..]), |(p, s)| (&p[..], &s[..]));
        Self {
            price: prices
                .iter()
                .find(|p| p.sku == product.sku)
                .map(Price::base),
            availability: stock.iter().find(|a| a.sku == product.sku).cloned(),
            product,
        }
    }
}

async fn prices_and_stock(
    state: &AppState,
    customer: &CustomerId,
    skus: &[Sku],
) -> Result<(Vec<Price>, Vec<Availability>), ErpError> {
    if skus.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let (prices, stock) = tokio::join!(
        state.erp.prices(customer, skus),
        state.erp.availability(skus)
    );
    Ok((prices?, stock?))
}

#[derive(Template)]
#[template(path = "storefront/product.html")]
struct ProductPage<'a> {
    layout: Layout,
    product_part: &'a str,
    sku: Sku,
    in_cart: u32,
}

/// The part of the product page that is the same for every buyer of a customer.
#[derive(Template)]
#[template(path = "storefront/product_part.html")]
struct ProductPart {
    product: Product,
    /// For the breadcrumb.
    category_name: String,
    price: Option<Price>,
    availability: Option<Availability>,
}

/// A category's name as buyers know it; its id only when the ERP does not say.
fn name_of_category(categories: Result<Vec<Category>, ErpError>, id: &str) -> String {
    let name = match categories {
        Ok(known) => known.into_iter().find(|c| c.id == id).map(|c| c.name),
        Err(_) => {
            crate::cache::staleness::note_missing();
            None
        }
    };
    name.unwrap_or_else(|| id.to_string())
}

/// One product: its data, the buyer's price ladder and availability, asked for at once.
pub async fn show_product(
    State(state): State<AppState>,
    buyer: Buyer,
    Path(sku): Path<String>,
) -> Result<Response, AppError> {
    let sku = Sku::parse(sku).map_err(|_| AppError::NotFound)?;
    let key = AnswerKey::ProductPage(buyer.customer.clone(), sku.clone());
    let built = state
        .answers
        .get_or_build(key, async {
            let (terms, categories) = tokio::join!(
                product_with_terms(&state, &buyer.customer, &sku),
                state.erp.categories()
            );
            let (product, price, availability) = terms?;
            let part = ProductPart {
                category_name: name_of_category(categories, &product.category),
                product,
                price,
                availability,
            };
            let html = part
                .render()
                .map_err(|e| AppError::Internal(format!("template: {e}")))?;
            Ok::<_, AppError>(Finished {
                body: Bytes::from(html),
                title: Arc::from(part.product.name.as_str()),
            })
        })
        .await;
    let part = match built {
        Err(AppError::NotFound) => {
            return match spelled_otherwise(&state, &sku).await {
                Some(canonical) => Ok(Redirect::permanent(&format!(
                    "/products/{}",
                    filters::path_segment(canonical.as_str())
                ))
                .into_response()),
                None => Err(AppError::NotFound),
            };
        }
        other => other?,
    };
    let in_cart = buyer
        .cart
        .lines
        .iter()
        .find(|(s, _)| *s == sku)
        .map_or(0, |(_, q)| q.get());
    let page = ProductPage {
        layout: buyer.layout(&state, part.title.as_ref(), "catalog"),
        // Rendered from a String: always UTF-8.
        product_part: std::str::from_utf8(&part.body).unwrap_or_default(),
        sku,
        in_cart,
    };
    Ok(HtmlPage(page).into_response())
}

/// The SKU the ERP spells differently from a URL typed or pasted in another case (`fas-1001`
/// for `FAS-1001`): search finds products whatever the case, so the product page does too.
async fn spelled_otherwise(state: &AppState, sku: &Sku) -> Option<Sku> {
    let query = CatalogQuery::new(Some(sku.as_str()), None, 1, 20);
    let page = state.erp.search_products(&query).await.ok()?;
    page.items
        .into_iter()
        .map(|p| p.sku)
        .find(|found| found != sku && found.as_str().eq_ignore_ascii_case(sku.as_str()))
}

/// A cart line with the buyer's current price for its quantity.
pub struct PricedLine {
    pub sku: Sku,
    pub name: String,
    pub unit: String,
    pub quantity: u32,
    pub unit_price: Option<Money>,
    pub line_total: Option<Money>,
    pub availability: Option<Availability>,
}

impl PricedLine {
    /// Prices every line of a cart with two batch calls plus the product names, and the total
    /// when every line has a price.
    pub async fn for_cart(
        state: &AppState,
        customer: &CustomerId,
        cart: &Cart,
    ) -> Result<(Vec<PricedLine>, Option<String>), AppError> {
        let (lines, total, _) = Self::priced(state, customer, cart, false).await?;
        Ok((lines, total))
    }

    /// As [`Self::for_cart`], but while the ERP is not answering, the lines without prices and
    /// `true`: the cart page still shows what is in the cart, so it can be changed.
    pub async fn for_cart_page(
        state: &AppState,
        customer: &CustomerId,
        cart: &Cart,
    ) -> Result<(Vec<PricedLine>, Option<String>, bool), AppError> {
        Self::priced(state, customer, cart, true).await
    }

    async fn priced(
        state: &AppState,
        customer: &CustomerId,
        cart: &Cart,
        outage_allowed: bool,
    ) -> Result<(Vec<PricedLine>, Option<String>, bool), AppError> {
        let skus: Vec<Sku> = cart.lines.iter().map(|(s, _)| s.clone()).collect();
        let products = futures_util::future::join_all(skus.iter().map(|s| state.erp.product(s)));
        let (priced, products) = tokio::join!(prices_and_stock(state, customer, &skus), products);
        let priced = if outage_allowed {
            missing_if_outage(priced)?
        } else {
            Some(priced?)
        };
        let terms_missing = priced.is_none();
        let (prices, stock) = priced.unwrap_or_default();
        let mut lines = Vec::with_capacity(cart.lines.len());
        let mut total: Option<Money> = None;
        let mut complete = true;
        for ((sku, quantity), product) in cart.lines.iter().zip(products) {
            let product = product.ok();
            let unit_price = prices
                .iter()
                .find(|p| &p.sku == sku)
                .map(|p| p.unit_price(quantity.get()));
            let line_total = unit_price.map(|p| p.times(quantity.get()));
            match (line_total, total) {
                (Some(line), Some(sum)) => total = sum.checked_add(line).ok(),
                (Some(line), None) if complete => total = Some(line),
                _ => complete = false,
            }
            lines.push(PricedLine {
                sku: sku.clone(),
                name: product
                    .as_ref()
                    .map_or_else(|| sku.to_string(), |p| p.name.clone()),
                unit: product.map(|p| p.unit).unwrap_or_default(),
                quantity: quantity.get(),
                unit_price,
                line_total,
                availability: stock.iter().find(|a| &a.sku == sku).cloned(),
            });
        }
        let total = if complete {
            total.map(|t| t.to_string())
        } else {
            None
        };
        Ok((lines, total, terms_missing))
    }
}
