//! What a submission that made no order means for the buyer. The storefront and the API word
//! it each in their own way, but from this one decision, so they never disagree on the facts:
//! whether an order exists, and what sending the same submission again would do. An order is
//! placed exactly once, or the buyer knows it is not.

use super::PlaceError;
use crate::erp::ErpError;

/// Why a submission produced no order, as far as the buyer is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplaced {
    /// Not placed: the order cannot be placed as submitted. The reason is buyer-safe and says
    /// what to change; sent again unchanged, it is refused again.
    Refused(String),
    /// Not placed: the idempotency key already belongs to a different order, so this order
    /// needs a key of its own.
    KeyReused,
    /// Not placed: the order was never sent, because the ERP has been failing or has too many
    /// calls under way. Sending the same submission again later is safe.
    NotSent,
    /// Not placed: the ERP cannot take this order (it does not know the customer, or does not
    /// take orders this way). Sending it again does not help; a person has to.
    Impossible,
    /// Unknown: the ERP may have created the order, its answer was lost or unreadable. Sending
    /// the same submission again is safe: it finds that order instead of making a second.
    Unknown,
}

impl PlaceError {
    /// What this failure means for the buyer. Every ERP error is named, so that a new one
    /// cannot fall into a class by accident.
    pub fn unplaced(&self) -> Unplaced {
        match self {
            Self::Invalid(invalid) => Unplaced::Refused(invalid.0.clone()),
            Self::Erp(ErpError::Rejected { reason }) => Unplaced::Refused(reason.clone()),
            Self::KeyReused => Unplaced::KeyReused,
            Self::Erp(ErpError::CircuitOpen | ErpError::Overloaded) => Unplaced::NotSent,
            Self::Erp(ErpError::NotFound | ErpError::Unsupported { .. }) => Unplaced::Impossible,
            Self::Erp(
                ErpError::Timeout | ErpError::Unavailable { .. } | ErpError::InvalidData { .. },
            ) => Unplaced::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InvalidOrder;

    fn class(error: ErpError) -> Unplaced {
        PlaceError::Erp(error).unplaced()
    }

    #[test]
    fn an_order_the_erp_cannot_take_is_not_placed_rather_than_unknown() {
        assert_eq!(class(ErpError::NotFound), Unplaced::Impossible);
        let unsupported = ErpError::Unsupported {
            operation: "create_order",
        };
        assert_eq!(class(unsupported), Unplaced::Impossible);
    }

    #[test]
    fn only_a_lost_or_unreadable_answer_leaves_the_outcome_unknown() {
        assert_eq!(class(ErpError::Timeout), Unplaced::Unknown);
        assert_eq!(class(ErpError::unavailable("reset")), Unplaced::Unknown);
        assert_eq!(
            class(ErpError::invalid_data("cut short")),
            Unplaced::Unknown
        );
        assert_eq!(class(ErpError::CircuitOpen), Unplaced::NotSent);
        assert_eq!(class(ErpError::Overloaded), Unplaced::NotSent);
    }

    #[test]
    fn refusals_carry_their_buyer_safe_reason() {
        let invalid = PlaceError::Invalid(InvalidOrder("The order has no lines.".into()));
        assert_eq!(
            invalid.unplaced(),
            Unplaced::Refused("The order has no lines.".into())
        );
        assert_eq!(
            class(ErpError::rejected("Blocked customer")),
            Unplaced::Refused("Blocked customer".into())
        );
        assert_eq!(PlaceError::KeyReused.unplaced(), Unplaced::KeyReused);
    }
}
