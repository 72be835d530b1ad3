//! The cXML documents erpfront writes. Each declares the public 1.2.063 DTD and validates
//! against it (tests/app/punchout checks with `xmllint --dtdvalid`).

use std::fmt::Write as _;

use chrono::Utc;
use quick_xml::escape::escape;

use super::identity::Credential;
use crate::domain::Money;

const PROLOG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd\">\n";

/// A new unique `payloadID`: time, randomness, and the host we answer as.
pub fn payload_id(host: &str) -> String {
    format!(
        "{}.{}@{}",
        Utc::now().timestamp_millis(),
        uuid::Uuid::new_v4().simple(),
        host
    )
}

fn open_cxml(out: &mut String, host: &str) {
    out.push_str(PROLOG);
    let _ = write!(
        out,
        "<cXML payloadID=\"{}\" timestamp=\"{}\" xml:lang=\"en-US\">",
        escape(payload_id(host).as_str()),
        Utc::now().format("%Y-%m-%dT%H:%M:%S%:z")
    );
}

/// `<Response><Status code=… text=…>` with an optional body after the status.
fn response(host: &str, code: u16, text: &str, body: &str) -> String {
    let mut out = String::new();
    open_cxml(&mut out, host);
    let _ = write!(
        out,
        "<Response><Status code=\"{code}\" text=\"{}\"/>{body}</Response></cXML>",
        escape(text)
    );
    out
}

/// A bare status answer: `200 OK`, or a refusal.
pub fn status(host: &str, code: u16, text: &str) -> String {
    response(host, code, text, "")
}

/// The answer to a setup request: where the buyer's browser starts.
pub fn setup_response(host: &str, start_url: &str) -> String {
    response(
        host,
        200,
        "OK",
        &format!(
            "<PunchOutSetupResponse><StartPage><URL>{}</URL></StartPage></PunchOutSetupResponse>",
            escape(start_url)
        ),
    )
}

/// One line of a cart sent back.
pub struct ItemIn {
    pub quantity: u32,
    pub part: String,
    pub aux: Option<String>,
    pub unit_price: Money,
    pub description: String,
    pub unit: String,
    /// (domain, code): UNSPSC when known, else the ERP's category.
    pub classification: (String, String),
}

/// What a `PunchOutOrderMessage` carries besides its lines.
pub struct OrderMessage<'a> {
    pub host: &'a str,
    /// Us, as the buyer addressed us (`To` of the setup request).
    pub supplier: &'a [Credential],
    /// The buying organisation (`From` of the setup request).
    pub buyer: &'a [Credential],
    pub buyer_cookie: &'a str,
    /// `create`, `inspect` or `edit`: what the buyer may do with the cart later.
    pub operation_allowed: &'a str,
    pub total: Money,
    pub items: &'a [ItemIn],
}

fn credentials(out: &mut String, list: &[Credential]) {
    for c in list {
        let _ = write!(
            out,
            "<Credential domain=\"{}\"><Identity>{}</Identity></Credential>",
            escape(c.domain.as_str()),
            escape(c.identity.as_str())
        );
    }
}

/// The cart, as the browser posts it back to the procurement system. No `SharedSecret`: the
/// document passes through the buyer's browser.
pub fn order_message(message: &OrderMessage<'_>) -> String {
    let mut out = String::new();
    open_cxml(&mut out, message.host);
    let fallback = [Credential {
        domain: "DUNS".into(),
        identity: message.host.into(),
    }];
    let supplier = if message.supplier.is_empty() {
        &fallback[..]
    } else {
        message.supplier
    };
    out.push_str("<Header><From>");
    credentials(&mut out, supplier);
    out.push_str("</From><To>");
    credentials(&mut out, message.buyer);
    out.push_str("</To><Sender>");
    credentials(&mut out, supplier);
    out.push_str("<UserAgent>erpfront</UserAgent></Sender></Header>");
    let _ = write!(
        out,
        "<Message><PunchOutOrderMessage><BuyerCookie>{}</BuyerCookie><PunchOutOrderMessageHeader operationAllowed=\"{}\"><Total>{}</Total></PunchOutOrderMessageHeader>",
        escape(message.buyer_cookie),
        message.operation_allowed,
        money(&message.total)
    );
    for item in message.items {
        let _ = write!(
            out,
            "<ItemIn quantity=\"{}\"><ItemID><SupplierPartID>{}</SupplierPartID>",
            item.quantity,
            escape(item.part.as_str())
        );
        if let Some(aux) = &item.aux {
            let _ = write!(
                out,
                "<SupplierPartAuxiliaryID>{}</SupplierPartAuxiliaryID>",
                escape(aux.as_str())
            );
        }
        let _ = write!(
            out,
            "</ItemID><ItemDetail><UnitPrice>{}</UnitPrice><Description xml:lang=\"en\">{}</Description><UnitOfMeasure>{}</UnitOfMeasure><Classification domain=\"{}\">{}</Classification></ItemDetail></ItemIn>",
            money(&item.unit_price),
            escape(item.description.as_str()),
            escape(item.unit.as_str()),
            escape(item.classification.0.as_str()),
            escape(item.classification.1.as_str()),
        );
    }
    out.push_str("</PunchOutOrderMessage></Message></cXML>");
    out
}

fn money(m: &Money) -> String {
    format!(
        "<Money currency=\"{}\">{}</Money>",
        m.currency,
        m.amount.round_dp(2)
    )
}

/// The document as `cXML-urlencoded` wants it: US-ASCII only, everything else as character
/// references (which XML reads back as the same text).
pub fn ascii_only(document: &str) -> String {
    let mut out = String::with_capacity(document.len());
    for c in document.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let _ = write!(out, "&#{};", c as u32);
        }
    }
    out
}
