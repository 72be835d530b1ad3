//! SAP's error body (`error.code`, `error.message.value`, `innererror.errordetails`) and the
//! `sap-message` header that carries warnings on successful requests.

use serde::Deserialize;

/// SAP's error body: `{"error": {"code", "message": {"value"}, "innererror": {"errordetails"}}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    /// The T100 message class and number, e.g. `V1/302`.
    #[serde(default)]
    pub code: String,
    /// The message in the logon language.
    #[serde(default)]
    pub message: ErrorMessage,
    /// Further messages, one per problem.
    #[serde(default)]
    pub innererror: InnerError,
}

/// `error.message`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorMessage {
    /// The text.
    #[serde(default)]
    pub value: String,
}

/// `error.innererror`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InnerError {
    /// The message container.
    #[serde(default)]
    pub errordetails: Vec<ErrorDetail>,
}

/// One entry of `innererror.errordetails`, or of a `sap-message` header.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorDetail {
    /// The T100 message class and number.
    #[serde(default)]
    pub code: String,
    /// The text.
    #[serde(default)]
    pub message: String,
    /// Where it applies (`/Material`, an item path).
    #[serde(default)]
    pub target: String,
    /// `error`, `warning`, `info`, `success`.
    #[serde(default)]
    pub severity: String,
}

impl ErrorBody {
    /// Reads an error body; `None` when the body is not SAP's JSON error form.
    pub fn parse(body: &[u8]) -> Option<Self> {
        #[derive(Deserialize)]
        struct Wrapper {
            error: ErrorBody,
        }
        serde_json::from_slice::<Wrapper>(body)
            .ok()
            .map(|w| w.error)
    }

    /// Every code in the body: the main one and each detail's.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.code.as_str())
            .chain(self.innererror.errordetails.iter().map(|d| d.code.as_str()))
    }

    /// One line for the logs.
    pub fn describe(&self) -> String {
        let details: Vec<String> = self
            .innererror
            .errordetails
            .iter()
            .map(|d| format!("[{} {} {}] {}", d.severity, d.code, d.target, d.message))
            .collect();
        format!(
            "{}: {} {}",
            self.code,
            self.message.value,
            details.join(" ")
        )
    }
}

/// The `sap-message` header: one message with `details`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SapMessage {
    /// The T100 message class and number.
    #[serde(default)]
    pub code: String,
    /// The text.
    #[serde(default)]
    pub message: String,
    /// `error`, `warning`, `info`, `success`.
    #[serde(default)]
    pub severity: String,
    /// Further messages.
    #[serde(default)]
    pub details: Vec<ErrorDetail>,
}

impl SapMessage {
    /// Reads the JSON form of the header; `None` for anything else.
    pub fn parse(header: &str) -> Option<Self> {
        serde_json::from_str(header).ok()
    }
}
