//! Money: a decimal amount in an ISO 4217 currency. Never a float.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 currency code such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

/// Why money could not be built or combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The code is not three upper-case letters.
    #[error("currency code must be three upper-case letters")]
    BadCurrency,
    /// Two amounts in different currencies were added.
    #[error("cannot add {0} to {1}")]
    CurrencyMismatch(Currency, Currency),
}

impl Currency {
    /// Parses a three-letter upper-case code.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let bytes: [u8; 3] = code
            .as_bytes()
            .try_into()
            .map_err(|_| MoneyError::BadCurrency)?;
        if bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self(bytes))
        } else {
            Err(MoneyError::BadCurrency)
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Currency::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// An amount of money. Amounts serialize as decimal strings so no JSON reader turns them into
/// floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount, exact.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// Builds an amount.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// The sum of two amounts in the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(other.currency, self.currency));
        }
        Ok(Money::new(self.amount + other.amount, self.currency))
    }

    /// This amount times a quantity, rounded half-up to cents.
    pub fn times(self, quantity: u32) -> Money {
        Money::new(
            round_cents(self.amount * Decimal::from(quantity)),
            self.currency,
        )
    }
}

/// Rounds half away from zero to two decimals, as invoices do.
pub(crate) fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl fmt::Display for Money {
    /// `EUR 1,234.50`: the code first, thousands grouped, at least two decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = self.amount.scale().max(2);
        let text = format!("{:.*}", scale as usize, self.amount.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut grouped = String::with_capacity(int.len() + int.len() / 3);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.amount.is_sign_negative() && !self.amount.is_zero() {
            "-"
        } else {
            ""
        };
        write!(f, "{} {sign}{grouped}.{frac}", self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    #[test]
    fn formats_with_grouping_and_cents() {
        assert_eq!(Money::new(dec!(1234.5), eur()).to_string(), "EUR 1,234.50");
        assert_eq!(Money::new(dec!(0.4830), eur()).to_string(), "EUR 0.4830");
        assert_eq!(Money::new(dec!(-12), eur()).to_string(), "EUR -12.00");
        assert_eq!(
            Money::new(dec!(1000000), eur()).to_string(),
            "EUR 1,000,000.00"
        );
    }

    #[test]
    fn refuses_to_mix_currencies_and_bad_codes() {
        let usd = Currency::parse("USD").unwrap();
        assert!(Money::zero(eur()).checked_add(Money::zero(usd)).is_err());
        assert!(Currency::parse("eur").is_err());
        assert!(Currency::parse("EURO").is_err());
    }

    #[test]
    fn multiplies_and_rounds_half_up() {
        assert_eq!(Money::new(dec!(0.125), eur()).times(1).amount, dec!(0.13));
        assert_eq!(Money::new(dec!(4.833), eur()).times(12).amount, dec!(58.00));
    }

    #[test]
    fn serializes_amounts_as_strings() {
        let json = serde_json::to_string(&Money::new(dec!(10.50), eur())).unwrap();
        assert_eq!(json, r#"{"amount":"10.50","currency":"EUR"}"#);
    }
}
