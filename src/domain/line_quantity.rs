//! How much of something an order or invoice line the ERP holds carries: whole pieces for most
//! products, but 2.5 metres of cable or 0.75 kg of grease where the ERP sells by length or
//! weight. What a buyer orders stays a whole [`super::Quantity`]; this is the read side.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A quantity on a line the ERP holds, in the line's unit; never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineQuantity(Decimal);

impl LineQuantity {
    /// A quantity from the ERP; `None` when negative.
    pub fn new(value: Decimal) -> Option<Self> {
        (!value.is_sign_negative() || value.is_zero()).then(|| Self(value.normalize()))
    }

    /// The quantity as a decimal.
    pub fn get(self) -> Decimal {
        self.0
    }

    /// The quantity when it is a whole number of units.
    pub fn whole(self) -> Option<u32> {
        if self.0.fract().is_zero() {
            self.0.to_u32()
        } else {
            None
        }
    }
}

impl From<u32> for LineQuantity {
    fn from(value: u32) -> Self {
        Self(Decimal::from(value))
    }
}

impl PartialEq<u32> for LineQuantity {
    fn eq(&self, other: &u32) -> bool {
        self.0 == Decimal::from(*other)
    }
}

impl fmt::Display for LineQuantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

/// A JSON number: `15` for whole units (as before decimal quantities), `2.5` otherwise.
impl Serialize for LineQuantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.whole() {
            Some(whole) => s.serialize_u32(whole),
            None => s.serialize_f64(self.0.to_f64().unwrap_or_default()),
        }
    }
}

impl<'de> Deserialize<'de> for LineQuantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let decimal = match &value {
            serde_json::Value::Number(n) => n
                .as_u64()
                .map(Decimal::from)
                .or_else(|| n.as_f64().and_then(Decimal::from_f64_retain))
                .map(|d| d.round_dp(6)),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        decimal
            .and_then(Self::new)
            .ok_or_else(|| D::Error::custom(format!("{value} is not a quantity")))
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    #[test]
    fn whole_quantities_stay_integers_and_fractions_keep_their_decimals() {
        let whole = LineQuantity::from(15);
        assert_eq!(serde_json::to_string(&whole).unwrap(), "15");
        assert_eq!(whole.to_string(), "15");
        let metres = LineQuantity::new(dec!(2.500)).unwrap();
        assert_eq!(serde_json::to_string(&metres).unwrap(), "2.5");
        assert_eq!(metres.to_string(), "2.5");
        assert_eq!(metres.whole(), None);
        let back: LineQuantity = serde_json::from_str("2.5").unwrap();
        assert_eq!(back, metres);
        assert_eq!(serde_json::from_str::<LineQuantity>("15").unwrap(), 15);
        assert!(LineQuantity::new(dec!(-1)).is_none());
    }
}
