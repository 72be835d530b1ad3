//! The start link a setup answer carries, and the punchout session it opens.
//!
//! The link holds everything the session needs (who, where the cart goes back, the lines of a
//! cart sent back to edit), encrypted and authenticated with the session key, so any instance
//! can open it without asking another. It expires within minutes; each instance refuses a link
//! it has already opened.

use axum_extra::extract::cookie::{Cookie, Key};
use cookie::CookieJar;
use serde::{Deserialize, Serialize};

use super::identity::Credential;
use super::read::Operation;

/// How long a start link may be opened after it was issued, in seconds.
pub const START_LINK_SECS: i64 = 300;

/// A punchout session, as it rides in the session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchoutSession {
    /// The identity's id.
    pub identity: String,
    pub operation: Operation,
    /// How the cart goes back.
    pub returns: ReturnTo,
    /// `SupplierPartAuxiliaryID` by SKU, from a cart sent back to edit: kept on its lines.
    #[serde(default)]
    pub aux: Vec<(String, String)>,
}

/// Where and in which protocol the browser posts the cart back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "lowercase")]
pub enum ReturnTo {
    /// A `PunchOutOrderMessage` to the `BrowserFormPost` URL.
    Cxml(CxmlReturn),
    /// `NEW_ITEM-…` fields to the OCI `HOOK_URL`.
    Oci(OciReturn),
}

/// The cXML half of a punchout session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CxmlReturn {
    /// Echoed in the cart sent back.
    pub buyer_cookie: String,
    /// Where the browser posts the cart back (`BrowserFormPost`).
    pub return_url: String,
    /// The buying organisation's credentials (`To` of the cart sent back).
    pub buyer: Vec<Credential>,
    /// Ours, as the buyer addressed us (`From` of the cart sent back).
    pub supplier: Vec<Credential>,
}

/// The OCI half of a punchout session: what the SAP system asked the cart back with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OciReturn {
    /// `HOOK_URL`, its query string included.
    pub hook_url: String,
    /// The form's `target` (`~TARGET` or `returntarget`, `_top` when neither came).
    pub target: String,
    /// `~OkCode`, echoed.
    #[serde(default)]
    pub ok_code: Option<String>,
    /// `~CALLER`, echoed.
    #[serde(default)]
    pub caller: Option<String>,
}

impl ReturnTo {
    /// The address the browser posts the cart to.
    pub fn url(&self) -> &str {
        match self {
            Self::Cxml(cxml) => &cxml.return_url,
            Self::Oci(oci) => &oci.hook_url,
        }
    }
}

/// What a start link carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartTicket {
    pub session: PunchoutSession,
    /// The cart to begin with: SKU and quantity.
    pub lines: Vec<(String, u32)>,
    /// Unix seconds after which the link is refused.
    pub expires: i64,
    /// Unique per link: an instance refuses a nonce it has seen.
    pub nonce: String,
}

/// Binds the encryption to start links: a session cookie's value can never pass for one.
const SEAL_NAME: &str = "erpfront_punchout_start";

impl StartTicket {
    /// The ticket, encrypted and authenticated, as URL-safe text.
    pub fn seal(&self, key: &Key) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let mut jar = CookieJar::new();
        jar.private_mut(key).add(Cookie::new(SEAL_NAME, json));
        jar.get(SEAL_NAME)
            .map(|c| c.value().to_string())
            .unwrap_or_default()
    }

    /// The ticket in `sealed`, if it is genuine and has not expired at `now`.
    pub fn open(key: &Key, sealed: &str, now: i64) -> Option<Self> {
        let mut jar = CookieJar::new();
        jar.add_original(Cookie::new(SEAL_NAME, sealed.to_string()));
        let json = jar.private(key).get(SEAL_NAME)?;
        let ticket: Self = serde_json::from_str(json.value()).ok()?;
        (now <= ticket.expires).then_some(ticket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(expires: i64) -> StartTicket {
        StartTicket {
            session: PunchoutSession {
                identity: "nw".into(),
                operation: Operation::Create,
                returns: ReturnTo::Cxml(CxmlReturn {
                    buyer_cookie: "c".into(),
                    return_url: "https://buyer.example/return?x=1".into(),
                    buyer: vec![],
                    supplier: vec![],
                }),
                aux: vec![],
            },
            lines: vec![("FAS-1001".into(), 2)],
            expires,
            nonce: "n".into(),
        }
    }

    #[test]
    fn a_sealed_ticket_opens_only_with_its_key_and_in_time() {
        let key = Key::generate();
        let sealed = ticket(100).seal(&key);
        assert!(!sealed.contains("buyer.example"));
        let opened = StartTicket::open(&key, &sealed, 100).unwrap();
        assert_eq!(opened.session, ticket(100).session);
        assert!(StartTicket::open(&key, &sealed, 101).is_none());
        assert!(StartTicket::open(&Key::generate(), &sealed, 0).is_none());
        let mut tampered = sealed.clone();
        tampered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert!(StartTicket::open(&key, &tampered, 0).is_none());
    }
}
