//! What can come back from an ERP instead of an answer, as outcomes the gateway can act on.

/// The outcome of an ERP call that did not produce the answer asked for.
///
/// Variants say who failed and whether a retry could help; library errors never appear here,
/// only their description in `detail`, which goes to logs and never to a buyer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErpError {
    /// The ERP has no such record, or not for this customer.
    #[error("not found")]
    NotFound,
    /// The ERP refused the request for a business reason that is safe to show the buyer.
    #[error("rejected: {reason}")]
    Rejected {
        /// Buyer-safe wording, for example "FAS-1001 cannot be sold in this quantity".
        reason: String,
    },
    /// The ERP did not answer within the deadline. The outcome of a write is unknown.
    #[error("the ERP did not answer in time")]
    Timeout,
    /// The ERP could not be reached or answered with a server error.
    #[error("the ERP is unavailable: {detail}")]
    Unavailable {
        /// What happened, for the logs.
        detail: String,
    },
    /// The ERP answered with something the adapter could not understand.
    #[error("the ERP sent invalid data: {detail}")]
    InvalidData {
        /// What was wrong, for the logs.
        detail: String,
    },
    /// The gateway did not send the call because the ERP is failing (the circuit breaker is
    /// open). Unlike `Unavailable`, a write is known not to have happened.
    #[error("not sent: the ERP has been failing, calls are paused")]
    CircuitOpen,
    /// The gateway did not send the call because too many calls to the ERP are under way. A
    /// write is known not to have happened.
    #[error("not sent: too many calls to the ERP under way")]
    Overloaded,
    /// This ERP (or this adapter) does not offer the operation.
    #[error("not supported by this ERP: {operation}")]
    Unsupported {
        /// The operation asked for.
        operation: &'static str,
    },
}

impl ErpError {
    /// An `Unavailable` with a description for the logs.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::Unavailable {
            detail: detail.into(),
        }
    }

    /// An `InvalidData` with a description for the logs.
    pub fn invalid_data(detail: impl Into<String>) -> Self {
        Self::InvalidData {
            detail: detail.into(),
        }
    }

    /// A `Rejected` with a buyer-safe reason.
    pub fn rejected(reason: impl Into<String>) -> Self {
        Self::Rejected {
            reason: reason.into(),
        }
    }

    /// Whether the ERP itself is in trouble (as opposed to the request or the record), which is
    /// what a circuit breaker and the status page count.
    pub fn is_erp_failure(&self) -> bool {
        matches!(
            self,
            Self::Timeout | Self::Unavailable { .. } | Self::InvalidData { .. }
        )
    }

    /// Whether the ERP could not be asked or did not answer, so that a last good answer may
    /// stand in for a read.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Timeout | Self::Unavailable { .. } | Self::CircuitOpen | Self::Overloaded
        )
    }
}

/// The result of an ERP call.
pub type ErpResult<T> = Result<T, ErpError>;
