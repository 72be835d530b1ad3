//! Strict answers: every JSON answer of the adapter service held to the response schema its
//! operation has in `protocol.openapi.json`, with a real JSON Schema (2020-12) validator. Serde
//! alone lets through what the protocol forbids but the gateway's types happen to accept (a
//! pattern broken, a list too short, a format wrong); `check-adapter` turns this on so an
//! integrator learns of it before a buyer does.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use jsonschema::Validator;
use serde_json::{Value, json};

use super::wire::OPENAPI;

/// The most schema violations named in one error.
const MOST_NAMED: usize = 5;

/// A validator per operation id, for the success answers of the protocol document.
pub(super) struct StrictAnswers {
    by_operation: HashMap<String, Validator>,
}

impl StrictAnswers {
    /// The validators, compiled once per process.
    pub(super) fn shared() -> Arc<Self> {
        static SHARED: OnceLock<Arc<StrictAnswers>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                Arc::new(Self::compile(OPENAPI).expect("protocol.openapi.json compiles"))
            })
            .clone()
    }

    fn compile(document: &str) -> Result<Self, String> {
        let document: Value =
            serde_json::from_str(document).map_err(|e| format!("not JSON: {e}"))?;
        let mut by_operation = HashMap::new();
        let paths = document["paths"].as_object().ok_or("no paths")?;
        for (path, operations) in paths {
            let Some(operations) = operations.as_object() else {
                continue;
            };
            for (method, operation) in operations {
                let Some(id) = operation["operationId"].as_str() else {
                    continue;
                };
                let Some(status) = ["200", "201"]
                    .into_iter()
                    .find(|s| operation["responses"][s]["content"]["application/json"].is_object())
                else {
                    continue;
                };
                let pointer = format!(
                    "#/paths/{}/{method}/responses/{status}/content/application~1json/schema",
                    // A JSON pointer in a URI fragment: `~` and `/` escaped, then the braces of
                    // path templates percent-encoded.
                    path.replace('~', "~0")
                        .replace('/', "~1")
                        .replace('{', "%7B")
                        .replace('}', "%7D")
                );
                // The whole document is the schema's resource, so `#/components/...` references
                // resolve; its other members are not JSON Schema keywords and are ignored.
                let mut schema = document.clone();
                let root = schema.as_object_mut().ok_or("not an object")?;
                root.insert(
                    "$schema".into(),
                    json!("https://json-schema.org/draft/2020-12/schema"),
                );
                root.insert("$ref".into(), json!(pointer));
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .map_err(|e| format!("{id}: {e}"))?;
                by_operation.insert(id.to_owned(), validator);
            }
        }
        Ok(Self { by_operation })
    }

    /// `Err` naming, by JSON path, where `body` breaks the answer schema of `operation`.
    pub(super) fn check(&self, operation: &str, body: &[u8]) -> Result<(), String> {
        let Some(validator) = self.by_operation.get(operation) else {
            return Ok(());
        };
        let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let problems: Vec<String> = validator
            .iter_errors(&value)
            .take(MOST_NAMED)
            .map(|error| {
                let path = error.instance_path().to_string();
                let at = if path.is_empty() {
                    "$".to_owned()
                } else {
                    format!("${}", path.replace('/', "."))
                };
                format!("{at}: {error}")
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the answer does not match protocol.openapi.json: {}",
                problems.join("; ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_with_a_json_answer_has_a_validator() {
        let strict = StrictAnswers::shared();
        for id in [
            "search_products",
            "prices",
            "create_order",
            "orders",
            "invoice",
            "search_orders",
        ] {
            assert!(strict.by_operation.contains_key(id), "{id}");
        }
    }

    #[test]
    fn violations_are_named_by_json_path() {
        let strict = StrictAnswers::shared();
        let float_price = br#"{"items": [{"sku": "FAS-1001", "currency": "EUR", "tiers": [{"min_quantity": 1, "unit_price": 4.1624}], "as_of": "2026-12-01T00:00:00Z"}]}"#;
        let error = strict.check("prices", float_price).unwrap_err();
        assert!(error.contains("$.items.0.tiers.0.unit_price"), "{error}");
        let missing = br#"{"items": [{"sku": "FAS-1001"}]}"#;
        let error = strict.check("prices", missing).unwrap_err();
        assert!(error.contains("$.items.0"), "{error}");
        assert!(error.contains("currency"), "{error}");
        assert!(strict.check("categories", br#"{"items": []}"#).is_ok());
    }
}
