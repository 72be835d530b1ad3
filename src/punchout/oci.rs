//! SAP OCI (Open Catalog Interface 4.0/5.0): the fields an SAP system (SRM, S/4HANA
//! purchasing, or any OCI buyer) opens the shop with, and the `NEW_ITEM-…` fields the cart goes
//! back in. OCI has no document, only form fields posted through the buyer's browser to the
//! `HOOK_URL`, so every length limit SAP puts on a field is kept here: SAP cuts or refuses what
//! does not fit, and a refused cart is lost to the buyer.

use std::sync::Arc;

use chrono::NaiveDate;

use super::cart::{self, CartError, Line};
use super::identity::Identity;
use super::read::whole_quantity;
use super::start::OciReturn;
use crate::domain::{Availability, CustomerId, Quantity, Sku};
use crate::erp::Erp;

/// What the SAP system asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub username: String,
    pub password: String,
    /// Where and how the cart goes back.
    pub returns: OciReturn,
    pub function: Function,
}

/// The OCI `FUNCTION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Function {
    /// No function: the buyer shops.
    Shop,
    /// `VALIDATE`: price and availability of one item, sent straight back without the shop.
    Validate { sku: Sku, quantity: Quantity },
}

/// Longest `HOOK_URL` accepted: far beyond any SAP hook, short enough for the session cookie.
const MAX_HOOK_URL: usize = 1024;

/// Reads the fields of an OCI call (the query of a GET, the form of a POST). Field names are
/// matched case-insensitively: SAP systems and other OCI buyers differ (`~OkCode`, `~OKCODE`).
/// The error is a message for the person whose procurement system sent it.
pub fn entry(fields: &[(String, String)]) -> Result<Entry, String> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let username = field("USERNAME").ok_or("USERNAME is missing.")?;
    let password = field("PASSWORD").ok_or("PASSWORD is missing.")?;
    let hook_url = field("HOOK_URL")
        .ok_or("HOOK_URL is missing: the procurement system must say where the cart goes back.")?;
    let hook_url = hook(&hook_url)
        .ok_or("HOOK_URL is not an http or https address the cart could go back to.")?;
    let target = field("~TARGET")
        .or_else(|| field("returntarget"))
        .unwrap_or_else(|| "_top".to_string());
    if !token_ok(&target, 64) {
        return Err("~TARGET (or returntarget) is not a window or frame name.".into());
    }
    let echoed = |name: &str| match field(name) {
        Some(value) if token_ok(&value, 20) => Ok(Some(value)),
        Some(_) => Err(format!("{name} is not a short code.")),
        None => Ok(None),
    };
    let returns = OciReturn {
        hook_url,
        target,
        ok_code: echoed("~OkCode")?,
        caller: echoed("~CALLER")?,
    };
    let function = match field("FUNCTION").map(|f| f.to_ascii_uppercase()).as_deref() {
        None => Function::Shop,
        Some("VALIDATE") => {
            let product = field("PRODUCTID")
                .or_else(|| field("NEW_ITEM-VENDORMAT[1]"))
                .or_else(|| field("NEW_ITEM-VENDORMAT"))
                .ok_or("VALIDATE needs the product, in PRODUCTID or NEW_ITEM-VENDORMAT.")?;
            let sku = Sku::parse(product.to_uppercase())
                .map_err(|_| format!("\"{product}\" is not a product number of ours."))?;
            let quantity = field("QUANTITY")
                .or_else(|| field("NEW_ITEM-QUANTITY[1]"))
                .or_else(|| field("NEW_ITEM-QUANTITY"))
                .unwrap_or_else(|| "1".to_string());
            let quantity = whole_quantity(&quantity)
                .and_then(|q| Quantity::new(q).ok())
                .ok_or(format!(
                    "The quantity \"{quantity}\" is not a whole number we sell."
                ))?;
            Function::Validate { sku, quantity }
        }
        Some(other) => return Err(format!("FUNCTION \"{other}\" is not supported here.")),
    };
    Ok(Entry {
        username,
        password,
        returns,
        function,
    })
}

/// `url` if it is an absolute http(s) address without credentials, as given (its query kept).
fn hook(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let ok = matches!(parsed.scheme(), "http" | "https")
        && parsed.host().is_some()
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && url.len() <= MAX_HOOK_URL;
    ok.then(|| parsed.to_string())
}

/// A window name or OK code: printable ASCII without spaces or quotes, at most `max` long.
fn token_ok(value: &str, max: usize) -> bool {
    value.len() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !"\"'<>&".contains(c))
}

/// One line as OCI carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciLine {
    pub description: String,
    pub quantity: u32,
    pub unit: String,
    pub price: String,
    pub currency: String,
    pub vendormat: String,
    pub matgroup: Option<String>,
    /// Days until the missing quantity arrives, where the ERP knows it.
    pub leadtime: Option<i64>,
    pub longtext: String,
}

/// The longest `NEW_ITEM-DESCRIPTION` SAP keeps.
pub const DESCRIPTION_CHARS: usize = 40;

impl OciLine {
    /// The line for a priced cart line, with its stock where the ERP answered for it.
    pub fn new(
        identity: &Identity,
        line: Line,
        stock: Option<&Availability>,
        today: NaiveDate,
    ) -> Result<Self, CartError> {
        let unit = identity.unit_code(&line.product.unit);
        if unit.chars().count() > 3 {
            return Err(CartError::Unpriced(format!(
                "{} is sold in \"{}\", which has no ISO code your procurement system knows. Please remove it from the cart, or call us.",
                line.sku, line.product.unit
            )));
        }
        let category = &line.product.category;
        let matgroup = identity
            .oci
            .as_ref()
            .and_then(|oci| oci.matgroup.get(category))
            .or_else(|| identity.unspsc.get(category))
            .cloned();
        let leadtime = stock
            .filter(|s| s.available < line.quantity)
            .and_then(|s| s.next_date)
            .map(|date| (date - today).num_days().clamp(0, 99_999));
        let name = line.product.name;
        let description = truncate(&name, DESCRIPTION_CHARS);
        // The long text carries what the description had to leave out.
        let longtext = if description == name {
            line.product.description
        } else {
            format!("{name}\n{}", line.product.description)
        };
        Ok(Self {
            description,
            quantity: line.quantity,
            unit,
            price: format!("{:.2}", line.unit_price.amount.round_dp(2)),
            currency: line.unit_price.currency.to_string(),
            vendormat: line.sku.to_string(),
            matgroup,
            leadtime,
            longtext: longtext.trim().to_string(),
        })
    }

    /// The `NEW_ITEM-…` fields of this line, the `n`th (from 1).
    fn fields(&self, n: usize, out: &mut Vec<(String, String)>) {
        let mut put =
            |name: &str, value: String| out.push((format!("NEW_ITEM-{name}[{n}]"), value));
        put("DESCRIPTION", self.description.clone());
        put("QUANTITY", self.quantity.to_string());
        put("UNIT", self.unit.clone());
        put("PRICE", self.price.clone());
        put("PRICEUNIT", "1".to_string());
        put("CURRENCY", self.currency.clone());
        put("VENDORMAT", self.vendormat.clone());
        if let Some(matgroup) = &self.matgroup {
            put("MATGROUP", matgroup.clone());
        }
        put("EXT_PRODUCT_ID", self.vendormat.clone());
        if let Some(days) = self.leadtime {
            put("LEADTIME", days.to_string());
        }
        // The long text is the one field without an index in brackets: its line is in its name.
        if !self.longtext.is_empty() {
            out.push((
                format!("NEW_ITEM-LONGTEXT_{n}:132[]"),
                self.longtext.clone(),
            ));
        }
    }
}

/// `text` cut to at most `chars` characters (never inside one).
pub fn truncate(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// Every field the form posts to the `HOOK_URL`: the OCI controls echoed, then the lines
/// indexed from 1.
pub fn form_fields(returns: &OciReturn, lines: &[OciLine]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(ok_code) = &returns.ok_code {
        out.push(("~OkCode".to_string(), ok_code.clone()));
    }
    out.push(("~TARGET".to_string(), returns.target.clone()));
    if let Some(caller) = &returns.caller {
        out.push(("~CALLER".to_string(), caller.clone()));
    }
    for (i, line) in lines.iter().enumerate() {
        line.fields(i + 1, &mut out);
    }
    out
}

/// The cart as OCI lines: the customer's prices, and lead times from the ERP's stock.
pub async fn lines(
    erp: &Arc<dyn Erp>,
    identity: &Identity,
    customer: &CustomerId,
    cart: &[(Sku, Quantity)],
) -> Result<Vec<OciLine>, CartError> {
    let skus: Vec<Sku> = cart.iter().map(|(s, _)| s.clone()).collect();
    let (priced, stock) = tokio::join!(cart::priced(erp, customer, cart), erp.availability(&skus));
    let (priced, _total) = priced?;
    // Stock only adds a lead time; without it the cart still goes back.
    let stock = stock.unwrap_or_default();
    let today = chrono::Utc::now().date_naive();
    priced
        .into_iter()
        .map(|line| {
            let available = stock.iter().find(|s| s.sku == line.sku);
            OciLine::new(identity, line, available, today)
        })
        .collect()
}

#[cfg(test)]
mod tests;
