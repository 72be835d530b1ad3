//! The `[erp] kind = "sap"` settings: where the S/4HANA system is, which sales area the shop
//! sells in, how to log in, and where the gateway's own data goes in an order.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use super::SapErp;
use crate::erp::{AdapterConfig, ConnectError, Erp};

/// How erpfront reaches one S/4HANA system and what it sends there.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SapConfig {
    /// Scheme, host and port of the system, e.g. `https://my-s4.example.com`.
    pub base_url: String,
    /// Where the OData V2 services live under `base_url`.
    #[serde(default = "default_service_path")]
    pub service_path: String,
    /// The SAP client (`sap-client`), for on-premise systems with several.
    #[serde(default)]
    pub sap_client: Option<String>,
    /// Sales organization orders and prices are for (`SalesOrganization`).
    pub sales_organization: String,
    /// Distribution channel (`DistributionChannel`).
    pub distribution_channel: String,
    /// Division (`OrganizationDivision` in orders, `Division` in customer data).
    pub division: String,
    /// Sales document type of new orders (`SalesOrderType`, e.g. `OR`).
    pub order_type: String,
    /// Plant availability is asked for (`SupplyingPlant`).
    pub plant: String,
    /// ATP checking rule for availability (`ATPCheckingRule`).
    #[serde(default = "default_atp_rule")]
    pub atp_checking_rule: String,
    /// Language of product descriptions and order texts (SAP's one- or two-letter key, `EN`).
    #[serde(default = "default_language")]
    pub language: String,
    /// Quantities at which prices are simulated to build the quantity ladder; 1 is always
    /// included.
    #[serde(default = "default_tiers")]
    pub price_tier_quantities: Vec<u32>,
    /// Header text id that holds the idempotency key (a text type the buyer never edits).
    #[serde(default = "default_key_text_id")]
    pub key_text_id: String,
    /// Header text id that holds who placed the order for the buyer.
    #[serde(default = "default_placed_by_text_id")]
    pub placed_by_text_id: String,
    /// Header text id that holds the buyer's note.
    #[serde(default = "default_note_text_id")]
    pub note_text_id: String,
    /// How many days back an idempotency key is looked for among the customer's orders.
    #[serde(default = "default_key_lookup_days")]
    pub key_lookup_days: u32,
    /// Days from the billing date to the due date, as SAP's billing API carries no due date.
    #[serde(default = "default_payment_days")]
    pub payment_days: u32,
    /// Longest wait for a TCP/TLS connection.
    #[serde(default = "default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Longest any one HTTP exchange with SAP may take.
    #[serde(default = "default_request_timeout_ms")]
    pub request_timeout_ms: u64,
    /// How erpfront logs in.
    pub auth: SapAuth,
}

/// Logging in to SAP: a communication user's password, or OAuth 2.0 client credentials.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum SapAuth {
    /// HTTP basic authentication (`ERPFRONT_ERP__AUTH__PASSWORD` overrides the password).
    Basic {
        /// The communication user.
        user: String,
        /// Its password.
        password: SecretString,
    },
    /// OAuth 2.0 client credentials; the token is cached until shortly before it expires.
    Oauth {
        /// The client id.
        client_id: String,
        /// The client secret (`ERPFRONT_ERP__AUTH__CLIENT_SECRET` overrides it).
        client_secret: SecretString,
        /// The token endpoint.
        token_url: String,
    },
}

fn default_service_path() -> String {
    "/sap/opu/odata/sap".into()
}
fn default_atp_rule() -> String {
    "A".into()
}
fn default_language() -> String {
    "EN".into()
}
fn default_tiers() -> Vec<u32> {
    vec![1]
}
fn default_key_text_id() -> String {
    "ZEFK".into()
}
fn default_placed_by_text_id() -> String {
    "ZEFP".into()
}
fn default_note_text_id() -> String {
    "0002".into()
}
fn default_key_lookup_days() -> u32 {
    30
}
fn default_payment_days() -> u32 {
    30
}
fn default_connect_timeout_ms() -> u64 {
    2000
}
fn default_request_timeout_ms() -> u64 {
    6000
}

impl SapConfig {
    /// Checks what serde cannot; the message names the setting.
    pub fn validate(&self) -> Result<(), String> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| format!("erp.base_url is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("erp.base_url must start with https:// (or http:// for tests)".into());
        }
        // The lengths of SAP's fields (VKORG, VTWEG, SPART, AUART, WERKS, TDID, PRREG, SPRAS):
        // a longer value is refused by SAP on the first order or truncated, so it is refused here.
        for (name, value, most) in [
            ("erp.sales_organization", &self.sales_organization, 4),
            ("erp.distribution_channel", &self.distribution_channel, 2),
            ("erp.division", &self.division, 2),
            ("erp.order_type", &self.order_type, 4),
            ("erp.plant", &self.plant, 4),
            ("erp.key_text_id", &self.key_text_id, 4),
            ("erp.placed_by_text_id", &self.placed_by_text_id, 4),
            ("erp.note_text_id", &self.note_text_id, 4),
            ("erp.atp_checking_rule", &self.atp_checking_rule, 2),
            ("erp.language", &self.language, 2),
        ] {
            if value.is_empty()
                || value.chars().count() > most
                || !value.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(format!(
                    "{name} must be 1 to {most} letters or digits, as SAP's field is (got {value:?})"
                ));
            }
        }
        if self
            .price_tier_quantities
            .iter()
            .any(|&q| q == 0 || q > 99_999)
        {
            return Err("erp.price_tier_quantities must lie between 1 and 99999".into());
        }
        if self.request_timeout_ms == 0 || self.connect_timeout_ms == 0 {
            return Err("erp.request_timeout_ms and erp.connect_timeout_ms must be above 0".into());
        }
        if let SapAuth::Oauth { token_url, .. } = &self.auth {
            reqwest::Url::parse(token_url)
                .map_err(|e| format!("erp.auth.token_url is not a URL: {e}"))?;
        }
        Ok(())
    }

    /// The break quantities, ascending, starting at 1.
    pub fn tier_quantities(&self) -> Vec<u32> {
        let mut quantities = self.price_tier_quantities.clone();
        quantities.push(1);
        quantities.sort_unstable();
        quantities.dedup();
        quantities
    }

    /// The per-exchange deadline.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }

    /// A configuration for tests and examples: a system at `base_url` with basic auth.
    pub fn example(base_url: &str, user: &str, password: &str) -> Self {
        Self {
            base_url: base_url.into(),
            service_path: default_service_path(),
            sap_client: None,
            sales_organization: "1010".into(),
            distribution_channel: "10".into(),
            division: "00".into(),
            order_type: "OR".into(),
            plant: "1010".into(),
            atp_checking_rule: default_atp_rule(),
            language: default_language(),
            price_tier_quantities: default_tiers(),
            key_text_id: default_key_text_id(),
            placed_by_text_id: default_placed_by_text_id(),
            note_text_id: default_note_text_id(),
            key_lookup_days: default_key_lookup_days(),
            payment_days: default_payment_days(),
            connect_timeout_ms: default_connect_timeout_ms(),
            request_timeout_ms: default_request_timeout_ms(),
            auth: SapAuth::Basic {
                user: user.into(),
                password: SecretString::from(password),
            },
        }
    }
}

impl AdapterConfig for SapConfig {
    fn check(&self) -> Result<(), String> {
        self.validate()
    }

    fn connect(&self) -> Result<Arc<dyn Erp>, ConnectError> {
        Ok(Arc::new(SapErp::new(self.clone())?))
    }

    fn aimed_at(&self, addr: SocketAddr) -> Option<Result<Arc<dyn Erp>, ConnectError>> {
        let aimed = Self {
            base_url: format!("http://{addr}"),
            ..self.clone()
        };
        Some(aimed.connect())
    }

    fn call_deadline(&self) -> Duration {
        self.request_timeout()
    }
}

#[cfg(test)]
mod tests {
    use crate::erp::ErpConfig;

    const FILE: &str = r#"
        [erp]
        kind = "sap"
        base_url = "https://my-s4.example.com"
        sales_organization = "1010"
        distribution_channel = "10"
        division = "00"
        order_type = "OR"
        plant = "1010"
        price_tier_quantities = [10, 50]
        [erp.auth]
        method = "oauth"
        client_id = "erpfront"
        client_secret = "s3cret"
        token_url = "https://my-s4-api.example.com/sap/bc/sec/oauth2/token"
    "#;

    fn load(text: &str) -> Result<ErpConfig, String> {
        crate::erp::registry::test_support::load_section(text)
    }

    #[test]
    fn a_sap_section_loads_with_defaults_and_secrets_stay_hidden() {
        let config = load(FILE).unwrap();
        let ErpConfig::Sap(sap) = &config else {
            panic!("not sap: {config:?}");
        };
        assert_eq!(sap.tier_quantities(), vec![1, 10, 50]);
        assert_eq!(sap.service_path, "/sap/opu/odata/sap");
        assert_eq!(sap.key_text_id, "ZEFK");
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn bad_sap_settings_are_named() {
        let err = load(&FILE.replace("https://my-s4.example.com", "my-s4")).unwrap_err();
        assert!(err.contains("erp.base_url"), "{err}");
        let err = load(&FILE.replace("plant = \"1010\"", "plant = \"10 10\"")).unwrap_err();
        assert!(err.contains("erp.plant"), "{err}");
        let err = load(&FILE.replace("[10, 50]", "[0]")).unwrap_err();
        assert!(err.contains("price_tier_quantities"), "{err}");
        let err = load(&FILE.replace("division = \"00\"\n", "")).unwrap_err();
        assert!(err.contains("division"), "{err}");
    }
}
