//! OData V2 as S/4HANA speaks it: building URLs with quoted, encoded literals; reading the JSON
//! envelopes (`d`, `d.results`, `__count`, navigation properties), `/Date(ms)/` dates and
//! decimals sent as strings. Atom XML is turned into the same JSON shape by [`super::atom`], so
//! one set of wire structs reads both.

use std::fmt::Write as _;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};

use crate::erp::{ErpError, ErpResult};

/// An OData literal for a string: single-quoted, quotes doubled. The result still has to be
/// percent-encoded, which [`Query`] and [`key_path`] do.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so that no input can add a
/// query option, a path segment or a fragment.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `Entity('key')` with the key quoted and encoded.
pub fn key_path(entity_set: &str, key: &str) -> String {
    format!("{entity_set}({})", encode(&quote(key)))
}

/// A query string built from options whose values are always encoded.
#[derive(Debug, Default, Clone)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// No options yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value`, encoding the value.
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.0.push((name.to_owned(), value.into()));
        self
    }

    /// The encoded query string, without the `?`.
    pub fn encoded(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// `Field eq 'value'`.
pub fn eq(field: &str, value: &str) -> String {
    format!("{field} eq {}", quote(value))
}

/// SKUs per `any_of` filter, so that a `$filter` stays well under URL length limits.
pub const SKU_PAGE: usize = 40;

/// `(Field eq 'a' or Field eq 'b' …)`.
pub fn any_of<'a>(field: &str, values: impl IntoIterator<Item = &'a str>) -> String {
    let parts: Vec<String> = values.into_iter().map(|v| eq(field, v)).collect();
    format!("({})", parts.join(" or "))
}

/// `{"d": {"results": [...], "__count": "n"}}`.
#[derive(Debug, Deserialize)]
pub struct Collection<T> {
    /// The entities.
    pub results: Vec<T>,
    /// `$inlinecount=allpages`: every match, not just this page.
    #[serde(rename = "__count", default, deserialize_with = "opt_count")]
    pub count: Option<u64>,
}

/// A navigation property: `{"results": [...]}` when expanded; a `{"__deferred": …}` link (not
/// expanded) reads as no entities.
#[derive(Debug)]
pub struct Expanded<T> {
    /// The related entities.
    pub results: Vec<T>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Expanded<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw<T> {
            results: Option<Vec<T>>,
            #[serde(rename = "__deferred")]
            deferred: Option<serde::de::IgnoredAny>,
        }
        let raw = Raw::<T>::deserialize(d)?;
        match (raw.results, raw.deferred) {
            (Some(results), _) => Ok(Self { results }),
            (None, Some(_)) => Ok(Self::default()),
            (None, None) => Err(D::Error::custom("navigation property without results")),
        }
    }
}

impl<T> Default for Expanded<T> {
    fn default() -> Self {
        Self {
            results: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    d: T,
}

/// Reads `{"d": …}` into `T`; anything else is `InvalidData` naming what was wrong.
pub fn from_d<T: DeserializeOwned>(value: serde_json::Value, what: &str) -> ErpResult<T> {
    serde_json::from_value::<Envelope<T>>(value)
        .map(|e| e.d)
        .map_err(|e| ErpError::invalid_data(format!("SAP {what}: {e}")))
}

fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let raw = Option::<String>::deserialize(d)?;
    raw.map(|s| s.parse().map_err(D::Error::custom)).transpose()
}

/// `Edm.Decimal`: a JSON string, never a number (a number would already have been through a
/// float somewhere).
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let raw = serde_json::Value::deserialize(d)?;
    match raw {
        serde_json::Value::String(s) => Decimal::from_str(s.trim())
            .or_else(|_| Decimal::from_scientific(s.trim()))
            .map_err(|_| D::Error::custom(format!("{s:?} is not a decimal"))),
        other => Err(D::Error::custom(format!(
            "expected a decimal as a string, got {other}"
        ))),
    }
}

/// `Edm.DateTime` / `Edm.DateTimeOffset`: `/Date(ms)/`, `/Date(ms+0000)/`, or ISO 8601 (Atom).
pub fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Some(inner) = raw
        .strip_prefix("/Date(")
        .and_then(|r| r.strip_suffix(")/"))
    {
        let digits = inner
            .char_indices()
            .find(|&(i, c)| i > 0 && (c == '+' || c == '-'))
            .map_or(inner, |(i, _)| &inner[..i]);
        return DateTime::from_timestamp_millis(digits.parse().ok()?);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(at.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// A required date.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let raw = String::deserialize(d)?;
    parse_datetime(&raw)
        .map(|at| at.date_naive())
        .ok_or_else(|| D::Error::custom(format!("{raw:?} is not an OData date")))
}

/// An optional date: `null` or absent is `None`.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(raw) if raw.is_empty() => Ok(None),
        Some(raw) => parse_datetime(&raw)
            .map(|at| Some(at.date_naive()))
            .ok_or_else(|| D::Error::custom(format!("{raw:?} is not an OData date"))),
    }
}

/// An OData V2 `datetime'…'` literal for a date.
pub fn datetime_literal(date: NaiveDate) -> String {
    format!("datetime'{}T00:00:00'", date.format("%Y-%m-%d"))
}

/// A date as V2 JSON writes it, for request bodies.
pub fn date_json(date: NaiveDate) -> String {
    let ms = date
        .and_hms_opt(0, 0, 0)
        .map_or(0, |d| d.and_utc().timestamp_millis());
    format!("/Date({ms})/")
}
