//! Identifiers that travel through URLs, cookies, cache keys and ERP calls, parsed once at the
//! edge so that nothing downstream has to wonder what characters they hold.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Why a string was refused as an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The identifier was empty.
    #[error("{kind} is empty")]
    Empty {
        /// What was being parsed.
        kind: &'static str,
    },
    /// The identifier was longer than allowed.
    #[error("{kind} is longer than {max} characters")]
    TooLong {
        /// What was being parsed.
        kind: &'static str,
        /// The limit.
        max: usize,
    },
    /// The identifier held a character outside the allowed set.
    #[error("{kind} contains a character that is not allowed")]
    BadCharacter {
        /// What was being parsed.
        kind: &'static str,
    },
}

fn check(
    kind: &'static str,
    value: &str,
    max: usize,
    allowed: fn(char) -> bool,
) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if value.chars().count() > max {
        return Err(IdError::TooLong { kind, max });
    }
    if !value.chars().all(allowed) {
        return Err(IdError::BadCharacter { kind });
    }
    Ok(())
}

/// ERP codes: letters, digits and the separators ERPs use (`FAS-1001`, `C:1000`).
fn document_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '#')
}

/// Document numbers come from ERP number sequences whose prefixes the ERP's users choose
/// (`INV/2026/0101`, `VK 00001/Ü`, `A#12?`), so any printable character is one. Links
/// percent-encode them and templates escape them; only control characters, which no sequence
/// prints, are refused.
fn number_char(c: char) -> bool {
    !c.is_control()
}

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal, $max:literal, $allowed:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses and validates the identifier.
            pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                check($kind, &value, $max, $allowed)?;
                Ok(Self(value))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(raw).map_err(serde::de::Error::custom)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }
    };
}

string_id!(
    /// A product's stock-keeping unit, as the ERP knows it.
    Sku, "SKU", 40, document_char
);
string_id!(
    /// The ERP's number of a customer (the sold-to party).
    CustomerId, "customer number", 40, document_char
);
string_id!(
    /// The ERP's number of a sales order.
    OrderNumber, "order number", 40, number_char
);
string_id!(
    /// The ERP's number of an invoice (billing document).
    InvoiceNumber, "invoice number", 40, number_char
);
string_id!(
    /// The ERP's id of a customer address (a ship-to or bill-to).
    AddressId, "address id", 40, document_char
);
string_id!(
    /// A client-chosen key that makes an order submission safe to repeat: the adapter stores it
    /// in the ERP with the order and finds the order by it before creating another.
    IdempotencyKey, "idempotency key", 64, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_'
);

impl IdempotencyKey {
    /// A new random key (a UUID without hyphens, 32 characters, so it fits ERP fields of 35).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_empty_long_and_odd_values() {
        assert!(Sku::parse("").is_err());
        assert!(Sku::parse("A".repeat(41)).is_err());
        assert!(Sku::parse("FAS<script>").is_err());
        assert!(Sku::parse("FAS 1001").is_err());
        assert_eq!(Sku::parse("FAS-1001").unwrap().as_str(), "FAS-1001");
        assert!(InvoiceNumber::parse("INV/2026/1").is_ok());
        assert!(OrderNumber::parse("VK 00001/Ü #?%").is_ok());
        assert!(OrderNumber::parse("SO\n1").is_err());
        assert!(IdempotencyKey::parse("abc/def").is_err());
        assert_eq!(IdempotencyKey::generate().as_str().len(), 32);
    }

    #[test]
    fn deserializing_applies_the_same_rules() {
        assert!(serde_json::from_str::<Sku>("\"ok-1\"").is_ok());
        assert!(serde_json::from_str::<Sku>("\"not ok\"").is_err());
    }
}
