//! Punchout identities: which buying organisation may punch out, how it proves who it is, and
//! which ERP customer it buys for. Read from the users file beside the users (`[[punchout]]`),
//! secrets stored as argon2 hashes like passwords.
//!
//! A cXML organisation is found by its `From` credential (domain and identity, such as a
//! NetworkID or DUNS) and authenticated by the `SharedSecret` in `Sender`. Ariba Network
//! rewrites `Sender` to its own identity and signs with the supplier's one network secret;
//! Coupa configures `From` and `Sender` per buyer. Both fit one rule: the `Sender` credential
//! must be the configured one (any, when none is configured) and its secret must match.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::domain::{AddressId, CustomerId};

/// A credential: `<Credential domain="NetworkID"><Identity>AN01…</Identity></Credential>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// The domain, compared case-insensitively (`NetworkID`, `DUNS`).
    pub domain: String,
    /// The identity within the domain, compared exactly.
    pub identity: String,
}

impl Credential {
    fn key(&self) -> (String, String) {
        (self.domain.to_ascii_lowercase(), self.identity.clone())
    }

    /// Whether `other` names the same party.
    pub fn same_as(&self, other: &Credential) -> bool {
        self.key() == other.key()
    }
}

/// How an organisation's procurement system speaks cXML to us.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CxmlLogin {
    /// The buyer's `From` credentials that identify this organisation.
    pub from: Vec<Credential>,
    /// The `Sender` credential the secret comes with; any when absent (the secret decides).
    #[serde(default)]
    pub sender: Option<Credential>,
    /// Argon2 PHC string of the `SharedSecret` (`erpfront hash-password`).
    pub shared_secret_hash: String,
}

/// How an organisation's SAP system logs in over OCI.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OciLogin {
    /// The `USERNAME` field.
    pub username: String,
    /// Argon2 PHC string of the `PASSWORD` field.
    pub password_hash: String,
    /// The buyer's material groups by ERP category, sent as `NEW_ITEM-MATGROUP` (at most 10
    /// characters); where a category has none, its UNSPSC code goes, if configured.
    #[serde(default)]
    pub matgroup: HashMap<String, String>,
}

/// One buying organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// A short stable name (`northwind-ariba`): in start links, sessions and order keys.
    pub id: String,
    /// The procurement system as buyers know it ("SAP Ariba"): "Transfer cart to SAP Ariba".
    pub system: String,
    /// The ERP customer the organisation buys for.
    pub customer: CustomerId,
    /// The ship-to for orders that name none of the customer's addresses.
    #[serde(default)]
    pub ship_to: Option<AddressId>,
    /// cXML access.
    #[serde(default)]
    pub cxml: Option<CxmlLogin>,
    /// OCI access.
    #[serde(default)]
    pub oci: Option<OciLogin>,
    /// Units of measure sent instead of the built-in UN/CEFACT Rec 20 mapping, by ERP unit
    /// (`EA = "PCE"` for a buyer on an older code list).
    #[serde(default)]
    pub units: HashMap<String, String>,
    /// UNSPSC codes by ERP category.
    #[serde(default)]
    pub unspsc: HashMap<String, String>,
    /// How far (percent) an ordered unit price may be from the customer's price.
    #[serde(default)]
    pub price_tolerance_percent: Decimal,
    /// The form field the cart goes back in.
    #[serde(default)]
    pub cart_field: CartField,
    /// Origins whose pages may show the shop in a frame (SAP SRM, Jaggaer): its punchout pages
    /// name them in the CSP's `frame-ancestors`. None: no framing, as everywhere else.
    #[serde(default)]
    pub frame_ancestors: Vec<String>,
}

/// The form field a `PunchOutOrderMessage` is posted back in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum CartField {
    /// Base64 of the UTF-8 document: what Ariba prefers, safe for any text.
    #[default]
    #[serde(rename = "cxml-base64")]
    Base64,
    /// The document itself, US-ASCII with everything else as character references.
    #[serde(rename = "cxml-urlencoded")]
    UrlEncoded,
}

impl CartField {
    /// The field's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Base64 => "cxml-base64",
            Self::UrlEncoded => "cxml-urlencoded",
        }
    }
}

/// Why the punchout part of the users file is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("users file, punchout {id}: {problem}")]
pub struct IdentityError {
    /// Which identity.
    pub id: String,
    /// What is wrong.
    pub problem: String,
}

/// The identities, indexed by `From` credential and OCI username.
#[derive(Debug, Default)]
pub struct Identities {
    by_id: HashMap<String, std::sync::Arc<Identity>>,
    by_from: HashMap<(String, String), std::sync::Arc<Identity>>,
    by_oci: HashMap<String, std::sync::Arc<Identity>>,
}

impl Identities {
    /// Checks and indexes the identities.
    pub fn new(list: Vec<Identity>) -> Result<Self, IdentityError> {
        let mut all = Identities::default();
        for mut identity in list {
            let id = identity.id.clone();
            let problem = |p: &str| IdentityError {
                id: id.clone(),
                problem: p.to_string(),
            };
            let id_ok = !identity.id.is_empty()
                && identity.id.len() <= 40
                && identity
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !id_ok {
                return Err(problem("id must be 1 to 40 letters, digits, - or _"));
            }
            if identity.cxml.is_none() && identity.oci.is_none() {
                return Err(problem("needs a [punchout.cxml] or [punchout.oci] login"));
            }
            let hashes = [
                identity.cxml.as_ref().map(|c| &c.shared_secret_hash),
                identity.oci.as_ref().map(|o| &o.password_hash),
            ];
            for hash in hashes.into_iter().flatten() {
                if argon2::password_hash::phc::PasswordHash::new(hash).is_err() {
                    return Err(problem("secrets must be argon2 PHC strings"));
                }
            }
            if identity.price_tolerance_percent.is_sign_negative() {
                return Err(problem("price_tolerance_percent must not be negative"));
            }
            // Both protocols carry UN/CEFACT Rec 20 (ISO) codes, and OCI allows 3 characters.
            let code_ok = |code: &String, max: usize| {
                !code.is_empty()
                    && code.chars().count() <= max
                    && code.chars().all(|c| c.is_ascii_alphanumeric())
            };
            if !identity.units.values().all(|u| code_ok(u, 3)) {
                return Err(problem("units must be 1 to 3 letters or digits"));
            }
            let matgroups = identity.oci.iter().flat_map(|o| o.matgroup.values());
            if !matgroups
                .into_iter()
                .all(|m| m.chars().count() <= 10 && !m.is_empty())
            {
                return Err(problem("oci.matgroup values must be 1 to 10 characters"));
            }
            identity.frame_ancestors = identity
                .frame_ancestors
                .iter()
                .map(|o| super::origin::frame_origin(o).ok_or(o))
                .collect::<Result<_, _>>()
                .map_err(|o| {
                    problem(&format!(
                        "frame_ancestors: \"{o}\" is not an origin like https://srm.example.com"
                    ))
                })?;
            let identity = std::sync::Arc::new(identity);
            if let Some(cxml) = &identity.cxml {
                if cxml.from.is_empty() {
                    return Err(problem("cxml.from needs at least one credential"));
                }
                for from in &cxml.from {
                    if all.by_from.insert(from.key(), identity.clone()).is_some() {
                        return Err(problem("a From credential is listed twice"));
                    }
                }
            }
            if let Some(oci) = &identity.oci {
                let key = oci.username.to_lowercase();
                if all.by_oci.insert(key, identity.clone()).is_some() {
                    return Err(problem("the OCI username is listed twice"));
                }
            }
            if all
                .by_id
                .insert(identity.id.clone(), identity.clone())
                .is_some()
            {
                return Err(problem("the id is listed twice"));
            }
        }
        Ok(all)
    }

    /// The identity with this id.
    pub fn get(&self, id: &str) -> Option<std::sync::Arc<Identity>> {
        self.by_id.get(id).cloned()
    }

    /// The identity one of these `From` credentials names.
    pub fn by_from<'a>(
        &self,
        from: impl IntoIterator<Item = &'a Credential>,
    ) -> Option<std::sync::Arc<Identity>> {
        from.into_iter()
            .find_map(|c| self.by_from.get(&c.key()).cloned())
    }

    /// The identity with this OCI username (case-insensitive).
    pub fn by_oci_username(&self, username: &str) -> Option<std::sync::Arc<Identity>> {
        self.by_oci.get(&username.to_lowercase()).cloned()
    }

    /// Every identity, for building the users they shop as.
    pub fn iter(&self) -> impl Iterator<Item = &std::sync::Arc<Identity>> {
        self.by_id.values()
    }
}

impl Identity {
    /// Whether a cXML `Sender` credential and secret are this identity's. Runs argon2, so call
    /// it off the async threads.
    pub fn cxml_sender_ok(&self, sender: &[Credential], secret: &str) -> bool {
        let Some(cxml) = &self.cxml else {
            return false;
        };
        let sender_ok = cxml
            .sender
            .as_ref()
            .is_none_or(|wanted| sender.iter().any(|s| s.same_as(wanted)));
        // Verify the secret even when the sender is wrong, so timing tells nothing.
        let secret_ok = crate::users::verify_password(secret, &cxml.shared_secret_hash);
        sender_ok && secret_ok
    }

    /// Whether an OCI password is this identity's. Runs argon2.
    pub fn oci_password_ok(&self, password: &str) -> bool {
        self.oci
            .as_ref()
            .is_some_and(|oci| crate::users::verify_password(password, &oci.password_hash))
    }

    /// The unit of measure to send for an ERP unit: the configured one, else UN/CEFACT Rec 20.
    pub fn unit_code(&self, erp_unit: &str) -> String {
        self.units
            .get(erp_unit)
            .cloned()
            .unwrap_or_else(|| super::units::rec20(erp_unit))
    }

    /// The login the shop sees a punchout buyer of this identity as.
    pub fn login(&self) -> String {
        format!("{PUNCHOUT_LOGIN_PREFIX}{}", self.id)
    }
}

/// Logins of punchout buyers start with this; no user's login may.
pub const PUNCHOUT_LOGIN_PREFIX: &str = "punchout:";
