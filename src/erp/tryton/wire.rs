//! Tryton's JSON values: the `__class__`-tagged Decimal, date, datetime and bytes, and typed
//! access to the fields of a record read over RPC, where a missing or mistyped field is
//! `InvalidData` rather than a panic or a silent default.

use std::str::FromStr;

use base64::Engine;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::erp::{ErpError, ErpResult};

/// A date as Tryton expects it.
pub(super) fn date(value: NaiveDate) -> Value {
    json!({"__class__": "date", "year": value.year(), "month": value.month(), "day": value.day()})
}

/// The records of a `read` or `search_read` answer.
pub(super) fn records<'a>(model: &'static str, value: &'a Value) -> ErpResult<Vec<Record<'a>>> {
    value
        .as_array()
        .ok_or_else(|| ErpError::invalid_data(format!("{model}: expected a list of records")))?
        .iter()
        .map(|v| Record::new(model, v))
        .collect()
}

/// A whole number of sales units from one of Tryton's float quantities.
pub(super) fn whole_quantity(what: &str, value: f64) -> ErpResult<u32> {
    let rounded = value.round();
    if !value.is_finite() || (value - rounded).abs() > 1e-6 || rounded < 0.0 {
        return Err(ErpError::invalid_data(format!(
            "{what}: {value} is not a whole, positive quantity"
        )));
    }
    u32::try_from(rounded as u64)
        .map_err(|_| ErpError::invalid_data(format!("{what}: {value} is too large")))
}

/// Stock as a whole number of units: fractions are not promised, and a negative balance (a
/// booking beyond stock) is nothing available.
pub(super) fn stock_quantity(what: &str, value: f64) -> ErpResult<u32> {
    if !value.is_finite() {
        return Err(ErpError::invalid_data(format!("{what}: {value}")));
    }
    let floor = value.floor().max(0.0);
    Ok(if floor >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        floor as u32
    })
}

/// The content of a `bytes` value (a report's document).
pub(super) fn bytes(what: &str, value: &Value) -> ErpResult<Vec<u8>> {
    let bad = || ErpError::invalid_data(format!("{what}: expected bytes"));
    let object = value.as_object().ok_or_else(bad)?;
    if object.get("__class__").and_then(Value::as_str) != Some("bytes") {
        return Err(bad());
    }
    let text: String = object
        .get("base64")
        .and_then(Value::as_str)
        .ok_or_else(bad)?
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| ErpError::invalid_data(format!("{what}: bad base64: {e}")))
}

/// One record of a model, with its fields checked on access.
#[derive(Debug, Clone, Copy)]
pub(super) struct Record<'a> {
    model: &'static str,
    fields: &'a Map<String, Value>,
}

impl<'a> Record<'a> {
    pub(super) fn new(model: &'static str, value: &'a Value) -> ErpResult<Self> {
        let fields = value
            .as_object()
            .ok_or_else(|| ErpError::invalid_data(format!("{model}: expected a record")))?;
        Ok(Self { model, fields })
    }

    fn bad(&self, field: &str, expected: &str) -> ErpError {
        ErpError::invalid_data(format!("{}.{field}: expected {expected}", self.model))
    }

    /// The field's value; `None` when it is null (or `false`, which Tryton sends for some empty
    /// fields). A missing field is an error: it was asked for.
    fn value(&self, field: &str) -> ErpResult<Option<&'a Value>> {
        match self.fields.get(field) {
            None => Err(ErpError::invalid_data(format!(
                "{}.{field} is missing",
                self.model
            ))),
            Some(Value::Null | Value::Bool(false)) => Ok(None),
            Some(value) => Ok(Some(value)),
        }
    }

    /// The field's value as sent, if it was sent at all.
    pub(super) fn raw(&self, field: &str) -> Option<&'a Value> {
        self.fields.get(field)
    }

    fn required<T>(&self, field: &str, value: ErpResult<Option<T>>) -> ErpResult<T> {
        value?.ok_or_else(|| self.bad(field, "a value"))
    }

    pub(super) fn id(&self) -> ErpResult<i64> {
        self.int("id")
    }

    pub(super) fn int(&self, field: &str) -> ErpResult<i64> {
        self.required(field, self.opt_int(field))
    }

    pub(super) fn opt_int(&self, field: &str) -> ErpResult<Option<i64>> {
        self.value(field)?
            .map(|v| v.as_i64().ok_or_else(|| self.bad(field, "an integer")))
            .transpose()
    }

    pub(super) fn str(&self, field: &str) -> ErpResult<&'a str> {
        self.required(field, self.opt_str(field))
    }

    pub(super) fn opt_str(&self, field: &str) -> ErpResult<Option<&'a str>> {
        self.value(field)?
            .map(|v| v.as_str().ok_or_else(|| self.bad(field, "text")))
            .transpose()
    }

    /// Text that may be empty.
    pub(super) fn text(&self, field: &str) -> ErpResult<String> {
        Ok(self.opt_str(field)?.unwrap_or_default().to_owned())
    }

    pub(super) fn bool(&self, field: &str) -> ErpResult<bool> {
        match self.fields.get(field) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Null) => Ok(false),
            // related records read through a dotted name carry SQLite's 0 and 1
            Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(false),
            Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(true),
            Some(_) => Err(self.bad(field, "true or false")),
            None => Err(ErpError::invalid_data(format!(
                "{}.{field} is missing",
                self.model
            ))),
        }
    }

    pub(super) fn float(&self, field: &str) -> ErpResult<f64> {
        self.required(field, self.opt_float(field))
    }

    pub(super) fn opt_float(&self, field: &str) -> ErpResult<Option<f64>> {
        self.value(field)?
            .map(|v| v.as_f64().ok_or_else(|| self.bad(field, "a number")))
            .transpose()
    }

    pub(super) fn decimal(&self, field: &str) -> ErpResult<Decimal> {
        self.required(field, self.opt_decimal(field))
    }

    pub(super) fn opt_decimal(&self, field: &str) -> ErpResult<Option<Decimal>> {
        let Some(value) = self.value(field)? else {
            return Ok(None);
        };
        let text = tagged(value, "Decimal")
            .and_then(|o| o.get("decimal"))
            .and_then(Value::as_str)
            .ok_or_else(|| self.bad(field, "a Decimal"))?;
        // Python writes some decimals in exponent form ("0E-10").
        let parsed = if text.contains(['e', 'E']) {
            Decimal::from_scientific(text)
        } else {
            Decimal::from_str(text)
        };
        parsed.map(Some).map_err(|_| self.bad(field, "a Decimal"))
    }

    pub(super) fn opt_date(&self, field: &str) -> ErpResult<Option<NaiveDate>> {
        let Some(value) = self.value(field)? else {
            return Ok(None);
        };
        let object = tagged(value, "date")
            .or_else(|| tagged(value, "datetime"))
            .ok_or_else(|| self.bad(field, "a date"))?;
        let part = |name: &str| object.get(name).and_then(Value::as_i64);
        let date = match (part("year"), part("month"), part("day")) {
            (Some(y), Some(m), Some(d)) => i32::try_from(y).ok().and_then(|y| {
                NaiveDate::from_ymd_opt(y, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
            }),
            _ => None,
        };
        date.map(Some).ok_or_else(|| self.bad(field, "a date"))
    }

    /// The record a dotted read (`"party.code"`) brought along under `"party."`.
    pub(super) fn related(&self, field: &str) -> ErpResult<Option<Record<'a>>> {
        let key = format!("{field}.");
        match self.fields.get(&key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => Record::new(self.model, value).map(Some),
        }
    }

    /// The records a dotted read of a to-many field (`"lines.amount"`) brought along.
    pub(super) fn related_list(&self, field: &str) -> ErpResult<Vec<Record<'a>>> {
        let key = format!("{field}.");
        match self.fields.get(&key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(value) => records(self.model, value),
        }
    }
}

fn tagged<'v>(value: &'v Value, class: &str) -> Option<&'v Map<String, Value>> {
    value
        .as_object()
        .filter(|o| o.get("__class__").and_then(Value::as_str) == Some(class))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn decimal(value: Decimal) -> Value {
        json!({"__class__": "Decimal", "decimal": value.to_string()})
    }

    #[test]
    fn tagged_values_round_trip_and_wrong_types_are_invalid_data() {
        let value = json!({
            "id": 7, "price": decimal(dec!(4.8330)), "tiny": {"__class__": "Decimal", "decimal": "0E-10"},
            "float_price": 4.833, "day": date(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()),
            "name": "x", "empty": null, "unset": false, "flag": 1, "odd_flag": 2,
        });
        let record = Record::new("test.model", &value).unwrap();
        assert_eq!(record.id().unwrap(), 7);
        assert_eq!(record.decimal("price").unwrap(), dec!(4.8330));
        assert_eq!(record.decimal("tiny").unwrap(), Decimal::ZERO);
        assert!(matches!(
            record.decimal("float_price"),
            Err(ErpError::InvalidData { .. })
        ));
        assert_eq!(
            record.opt_date("day").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 22)
        );
        assert_eq!(record.opt_str("empty").unwrap(), None);
        assert_eq!(record.opt_str("unset").unwrap(), None);
        assert!(matches!(
            record.str("empty"),
            Err(ErpError::InvalidData { .. })
        ));
        assert!(matches!(
            record.int("name"),
            Err(ErpError::InvalidData { .. })
        ));
        assert!(matches!(
            record.str("missing"),
            Err(ErpError::InvalidData { .. })
        ));
        assert!(record.bool("flag").unwrap());
        assert!(record.bool("odd_flag").is_err());
    }

    #[test]
    fn quantities_are_checked_before_they_become_integers() {
        assert_eq!(whole_quantity("q", 12.0).unwrap(), 12);
        assert_eq!(whole_quantity("q", 2.999_999_9).unwrap(), 3);
        assert!(whole_quantity("q", 2.5).is_err());
        assert!(whole_quantity("q", -1.0).is_err());
        assert!(whole_quantity("q", f64::NAN).is_err());
        assert!(whole_quantity("q", 1e12).is_err());
        assert_eq!(stock_quantity("s", 37.9).unwrap(), 37);
        assert_eq!(stock_quantity("s", -3.0).unwrap(), 0);
        assert!(stock_quantity("s", f64::INFINITY).is_err());
    }

    #[test]
    fn report_bytes_may_carry_line_breaks() {
        let value = json!({"__class__": "bytes", "base64": "JVBE\nRi0x"});
        assert_eq!(bytes("report", &value).unwrap(), b"%PDF-1");
        assert!(bytes("report", &json!("JVBERi0x")).is_err());
    }
}
