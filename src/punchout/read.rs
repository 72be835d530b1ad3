//! The cXML requests a procurement system sends: `PunchOutSetupRequest` and `OrderRequest`,
//! read from the element tree into what the shop needs. Every refusal carries the cXML status
//! code to answer with.

use rust_decimal::Decimal;

use super::identity::Credential;
use super::tree::{self, Element, ReadError};

/// A refusal: the cXML status code and the text sent with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// A cXML status code (4xx: do not retry; 5xx: retry later).
    pub code: u16,
    /// What was wrong, for the procurement system's administrator.
    pub text: String,
}

impl Refusal {
    /// A refusal with this code.
    pub fn new(code: u16, text: impl Into<String>) -> Self {
        Self {
            code,
            text: text.into(),
        }
    }
}

impl From<ReadError> for Refusal {
    fn from(error: ReadError) -> Self {
        let code = match error {
            ReadError::Malformed(_) => 406,
            ReadError::ForbiddenDoctype => 400,
            ReadError::TooLarge => 413,
        };
        Refusal::new(code, error.to_string())
    }
}

/// Who sent a document, from its `Header`.
#[derive(Debug, Clone, Default)]
pub struct Parties {
    /// The buying organisation.
    pub from: Vec<Credential>,
    /// Us, as the buyer addresses us.
    pub to: Vec<Credential>,
    /// Who sent it (the buyer, or a network such as Ariba's).
    pub sender: Vec<Credential>,
    /// The `SharedSecret` that came with `Sender`.
    pub secret: String,
}

/// What a punchout session is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// A new cart.
    Create,
    /// A cart sent back earlier, to change.
    Edit,
    /// A cart sent back earlier, to look at only.
    Inspect,
}

/// A line of a cart the buyer sends back (`ItemOut` of an edit or inspect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemOut {
    /// `lineNumber`, or the position counted from 1.
    pub line: usize,
    /// `SupplierPartID`: our SKU.
    pub part: String,
    /// `SupplierPartAuxiliaryID`, echoed back untouched.
    pub aux: Option<String>,
    /// `quantity` as sent.
    pub quantity: String,
    /// `UnitPrice/Money` and its currency, when sent.
    pub unit_price: Option<(String, String)>,
}

/// A `PunchOutSetupRequest`.
#[derive(Debug, Clone)]
pub struct SetupRequest {
    pub parties: Parties,
    pub operation: Operation,
    pub buyer_cookie: String,
    /// Where the browser posts the cart back.
    pub browser_form_post: String,
    pub items: Vec<ItemOut>,
}

/// An `OrderRequest`.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    pub parties: Parties,
    pub order_id: String,
    /// `orderVersion`, 1 when absent.
    pub version: u32,
    /// `type`: `new`, `update` or `delete`.
    pub kind: String,
    /// `ShipTo/Address/@addressID`.
    pub ship_to: Option<String>,
    pub comments: Option<String>,
    /// `Extrinsic` name and text of the header.
    pub extrinsics: Vec<(String, String)>,
    pub items: Vec<ItemOut>,
}

/// Longest `BuyerCookie` kept (it rides in the session cookie).
const MAX_BUYER_COOKIE: usize = 256;
/// Longest `BrowserFormPost` URL kept.
const MAX_RETURN_URL: usize = 1024;

/// Reads a `PunchOutSetupRequest`.
pub fn setup_request(bytes: &[u8]) -> Result<SetupRequest, Refusal> {
    let root = cxml_root(bytes)?;
    let parties = parties(&root)?;
    let request = root
        .at(&["Request", "PunchOutSetupRequest"])
        .ok_or_else(|| Refusal::new(400, "expected a Request with a PunchOutSetupRequest"))?;
    let operation = match request.attr("operation") {
        Some("create") => Operation::Create,
        Some("edit") => Operation::Edit,
        Some("inspect") => Operation::Inspect,
        other => {
            return Err(Refusal::new(
                400,
                format!(
                    "operation \"{}\" is not supported (create, edit, inspect)",
                    other.unwrap_or("")
                ),
            ));
        }
    };
    let buyer_cookie = request
        .child("BuyerCookie")
        .map(|c| c.text.trim().to_string())
        .unwrap_or_default();
    if buyer_cookie.is_empty() || buyer_cookie.len() > MAX_BUYER_COOKIE {
        return Err(Refusal::new(
            400,
            format!("BuyerCookie must be 1 to {MAX_BUYER_COOKIE} characters"),
        ));
    }
    let browser_form_post = request
        .text_at(&["BrowserFormPost", "URL"])
        .ok_or_else(|| Refusal::new(400, "BrowserFormPost/URL is missing"))?
        .to_string();
    let parsed = url::Url::parse(&browser_form_post).ok();
    let web = parsed
        .as_ref()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !web || browser_form_post.len() > MAX_RETURN_URL {
        return Err(Refusal::new(
            400,
            "BrowserFormPost/URL must be an http(s) URL of at most 1024 characters",
        ));
    }
    Ok(SetupRequest {
        parties,
        operation,
        buyer_cookie,
        browser_form_post,
        items: items(request),
    })
}

/// Reads an `OrderRequest`.
pub fn order_request(bytes: &[u8]) -> Result<OrderRequest, Refusal> {
    let root = cxml_root(bytes)?;
    let parties = parties(&root)?;
    let request = root
        .at(&["Request", "OrderRequest"])
        .ok_or_else(|| Refusal::new(400, "expected a Request with an OrderRequest"))?;
    let header = request
        .child("OrderRequestHeader")
        .ok_or_else(|| Refusal::new(400, "OrderRequestHeader is missing"))?;
    let order_id = header.attr("orderID").unwrap_or("").trim().to_string();
    if order_id.is_empty() {
        return Err(Refusal::new(400, "orderID is missing"));
    }
    let version = match header.attr("orderVersion") {
        None => 1,
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| Refusal::new(400, "orderVersion must be a whole number"))?,
    };
    let comments = header
        .child("Comments")
        .map(|c| c.text.trim().to_string())
        .filter(|c| !c.is_empty());
    let extrinsics = header
        .all("Extrinsic")
        .filter_map(|e| Some((e.attr("name")?.to_string(), e.text.trim().to_string())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    Ok(OrderRequest {
        parties,
        order_id,
        version,
        kind: header.attr("type").unwrap_or("new").to_string(),
        ship_to: header
            .at(&["ShipTo", "Address"])
            .and_then(|a| a.attr("addressID"))
            .map(str::to_string),
        comments,
        extrinsics,
        items: items(request),
    })
}

fn cxml_root(bytes: &[u8]) -> Result<Element, Refusal> {
    let root = tree::parse(bytes)?;
    if root.name != "cXML" {
        return Err(Refusal::new(406, "the document is not cXML"));
    }
    Ok(root)
}

fn parties(root: &Element) -> Result<Parties, Refusal> {
    let header = root
        .child("Header")
        .ok_or_else(|| Refusal::new(400, "the Header is missing"))?;
    let credentials = |name: &str| -> Vec<Credential> {
        header
            .child(name)
            .map(|party| {
                party
                    .all("Credential")
                    .filter_map(|c| {
                        Some(Credential {
                            domain: c.attr("domain")?.trim().to_string(),
                            identity: c.text_at(&["Identity"])?.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let secret = header
        .child("Sender")
        .into_iter()
        .flat_map(|s| s.all("Credential"))
        .find_map(|c| c.child("SharedSecret"))
        .map(|s| s.text.trim().to_string())
        .unwrap_or_default();
    Ok(Parties {
        from: credentials("From"),
        to: credentials("To"),
        sender: credentials("Sender"),
        secret,
    })
}

fn items(request: &Element) -> Vec<ItemOut> {
    request
        .all("ItemOut")
        .enumerate()
        .map(|(i, item)| ItemOut {
            line: item
                .attr("lineNumber")
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(i + 1),
            part: item
                .text_at(&["ItemID", "SupplierPartID"])
                .unwrap_or("")
                .to_string(),
            aux: item
                .text_at(&["ItemID", "SupplierPartAuxiliaryID"])
                .map(str::to_string),
            quantity: item.attr("quantity").unwrap_or("").trim().to_string(),
            unit_price: item.at(&["ItemDetail", "UnitPrice", "Money"]).map(|m| {
                (
                    m.text.trim().to_string(),
                    m.attr("currency").unwrap_or("").to_string(),
                )
            }),
        })
        .collect()
}

/// A cXML quantity (`3`, `3.0`) as a whole number of units.
pub fn whole_quantity(text: &str) -> Option<i64> {
    let value: Decimal = text.parse().ok()?;
    (value.fract().is_zero()).then(|| i64::try_from(value.trunc()).ok())?
}
