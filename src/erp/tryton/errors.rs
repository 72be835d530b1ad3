//! Tryton's failures as outcomes: a user error (which order placing may turn into a buyer-safe
//! rejection) or an [`ErpError`]. Tryton answers results and errors alike with HTTP 200; the
//! error's first element names its kind.

use serde_json::Value;

use crate::erp::ErpError;

/// A call Tryton did not answer with a result.
#[derive(Debug)]
pub(super) enum RpcError {
    /// Tryton refused the call as a user error (validation, access, workflow). The message is
    /// Tryton's own, in the server's words: fit for logs, not for buyers as it stands.
    User { message: String },
    /// Anything else, already an outcome the gateway acts on.
    Failed(ErpError),
}

impl From<ErpError> for RpcError {
    fn from(error: ErpError) -> Self {
        Self::Failed(error)
    }
}

impl From<RpcError> for ErpError {
    fn from(error: RpcError) -> Self {
        match error {
            RpcError::User { message } => {
                ErpError::unavailable(format!("Tryton refused the call: {message}"))
            }
            RpcError::Failed(error) => error,
        }
    }
}

pub(super) fn transport(method: &str, error: &reqwest::Error) -> ErpError {
    if error.is_timeout() {
        ErpError::Timeout
    } else {
        ErpError::unavailable(format!("{method}: {error}"))
    }
}

/// The `result` of a reply, or its `error` as an [`RpcError`]. Tryton answers both with
/// HTTP 200.
pub(super) fn reply_result(method: &str, reply: Value) -> Result<Value, RpcError> {
    let Value::Object(mut reply) = reply else {
        return Err(ErpError::invalid_data(format!("{method}: the reply is not an object")).into());
    };
    match reply.remove("error") {
        None | Some(Value::Null) => {}
        Some(error) => return Err(tryton_error(method, &error)),
    }
    reply.remove("result").ok_or_else(|| {
        ErpError::invalid_data(format!("{method}: the reply has neither result nor error")).into()
    })
}

fn tryton_error(method: &str, error: &Value) -> RpcError {
    let parts = error.as_array().map(Vec::as_slice).unwrap_or_default();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    match parts {
        // ["UserError", [message, description, domain]]
        [Value::String(kind), Value::Array(args)] if kind == "UserError" => RpcError::User {
            message: text(args.first()),
        },
        // ["UserWarning", [name, message, description]]: needs a person to acknowledge it
        [Value::String(kind), Value::Array(args)] if kind == "UserWarning" => RpcError::User {
            message: text(args.get(1)),
        },
        [Value::String(kind), ..] => {
            let kind: String = kind.chars().take(200).collect();
            ErpError::unavailable(format!("{method}: Tryton error {kind}")).into()
        }
        _ => ErpError::invalid_data(format!("{method}: an error of unknown shape")).into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn results_and_errors_come_apart() {
        let ok = reply_result("m", json!({"id": 1, "result": [1, 2]})).unwrap();
        assert_eq!(ok, json!([1, 2]));
        let user = json!({"id": 1, "error": ["UserError", ["Quantity too high", "", null]]});
        assert!(
            matches!(reply_result("m", user), Err(RpcError::User { message }) if message == "Quantity too high")
        );
        let warning = json!({"error": ["UserWarning", ["name", "Stock is low", ""]]});
        assert!(
            matches!(reply_result("m", warning), Err(RpcError::User { message }) if message == "Stock is low")
        );
        let bug = json!({"error": ["'due_date'", "Traceback..."]});
        assert!(matches!(
            reply_result("m", bug),
            Err(RpcError::Failed(ErpError::Unavailable { .. }))
        ));
        for odd in [json!({"id": 1}), json!([1]), json!({"error": 5})] {
            assert!(matches!(
                reply_result("m", odd),
                Err(RpcError::Failed(ErpError::InvalidData { .. }))
            ));
        }
        let user: ErpError = RpcError::User {
            message: "no".into(),
        }
        .into();
        assert!(
            user.is_erp_failure(),
            "outside order placing a refusal is a failure"
        );
    }
}
