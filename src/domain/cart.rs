//! The customer's saved cart: what a buyer (or a rep acting for them) was about to order, kept
//! in the ERP so that it follows the customer to another login, device or rep.

use serde::{Deserialize, Serialize};

use super::{Quantity, Sku};

/// One line of a saved cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCartLine {
    /// The product.
    pub sku: Sku,
    /// How many.
    pub quantity: Quantity,
}

/// A customer's saved cart: at most [`SavedCart::MAX_LINES`] lines, one per SKU, in the order
/// they were added. Empty means the customer has no saved cart; saving an empty one clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Lines", into = "Lines")]
pub struct SavedCart {
    lines: Vec<SavedCartLine>,
}

/// Why a list of lines is not a saved cart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedCartError {
    /// More lines than a cart may hold.
    #[error("a cart holds at most {} lines", SavedCart::MAX_LINES)]
    TooManyLines,
    /// The same SKU on two lines.
    #[error("{0} is on more than one line")]
    DuplicateSku(Sku),
}

impl SavedCart {
    /// The most lines a cart holds, the same bound as the cart a browser carries.
    pub const MAX_LINES: usize = 150;

    /// Checks the bounds.
    pub fn new(lines: Vec<SavedCartLine>) -> Result<Self, SavedCartError> {
        if lines.len() > Self::MAX_LINES {
            return Err(SavedCartError::TooManyLines);
        }
        for (i, line) in lines.iter().enumerate() {
            if lines[..i].iter().any(|l| l.sku == line.sku) {
                return Err(SavedCartError::DuplicateSku(line.sku.clone()));
            }
        }
        Ok(Self { lines })
    }

    /// The lines, in the order they were added.
    pub fn lines(&self) -> &[SavedCartLine] {
        &self.lines
    }

    /// Whether there is nothing saved.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// A cart of `lines` that loses as little as it can: a SKU repeated keeps its larger
    /// quantity, and lines beyond [`Self::MAX_LINES`] are left out, as a cart holds no more.
    pub fn gathered(lines: impl IntoIterator<Item = SavedCartLine>) -> Self {
        let mut cart = SavedCart::default();
        for line in lines {
            if let Some(mine) = cart.lines.iter_mut().find(|l| l.sku == line.sku) {
                mine.quantity = mine.quantity.max(line.quantity);
            } else if cart.lines.len() < Self::MAX_LINES {
                cart.lines.push(line);
            }
        }
        cart
    }

    /// This cart with `other`'s lines merged in, so that neither loses anything: a SKU on both
    /// keeps the larger quantity, and `other`'s new SKUs follow this cart's lines while there is
    /// room.
    pub fn merged_with(&self, other: &SavedCart) -> SavedCart {
        Self::gathered(self.lines.iter().chain(&other.lines).cloned())
    }
}

/// The wire form: a plain list, checked on the way in.
#[derive(Serialize, Deserialize)]
struct Lines {
    lines: Vec<SavedCartLine>,
}

impl TryFrom<Lines> for SavedCart {
    type Error = SavedCartError;
    fn try_from(wire: Lines) -> Result<Self, Self::Error> {
        Self::new(wire.lines)
    }
}

impl From<SavedCart> for Lines {
    fn from(cart: SavedCart) -> Self {
        Lines { lines: cart.lines }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cart(lines: &[(&str, i64)]) -> SavedCart {
        SavedCart::new(
            lines
                .iter()
                .map(|(sku, q)| SavedCartLine {
                    sku: Sku::parse(*sku).unwrap(),
                    quantity: Quantity::new(*q).unwrap(),
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn merging_keeps_every_line_and_the_larger_quantity() {
        let browser = cart(&[("FAS-1001", 3), ("FAS-1002", 1)]);
        let saved = cart(&[("FAS-1002", 5), ("FAS-1003", 2)]);
        assert_eq!(
            browser.merged_with(&saved),
            cart(&[("FAS-1001", 3), ("FAS-1002", 5), ("FAS-1003", 2)])
        );
        assert_eq!(browser.merged_with(&SavedCart::default()), browser);
    }

    #[test]
    fn merging_stops_at_the_line_limit() {
        let full = cart(
            &(0..SavedCart::MAX_LINES)
                .map(|i| (format!("SKU-{i:04}"), 1))
                .collect::<Vec<_>>()
                .iter()
                .map(|(s, q)| (s.as_str(), *q))
                .collect::<Vec<_>>(),
        );
        let merged = full.merged_with(&cart(&[("FAS-1001", 1)]));
        assert_eq!(merged.lines().len(), SavedCart::MAX_LINES);
    }

    #[test]
    fn the_wire_form_is_checked() {
        let json = r#"{"lines":[{"sku":"FAS-1001","quantity":2},{"sku":"FAS-1001","quantity":1}]}"#;
        assert!(serde_json::from_str::<SavedCart>(json).is_err());
        let good = cart(&[("FAS-1001", 2)]);
        let text = serde_json::to_string(&good).unwrap();
        assert_eq!(text, r#"{"lines":[{"sku":"FAS-1001","quantity":2}]}"#);
        assert_eq!(serde_json::from_str::<SavedCart>(&text).unwrap(), good);
    }
}
