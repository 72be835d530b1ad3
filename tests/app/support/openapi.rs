//! Checks JSON against the schemas of the protocol's OpenAPI document, for the subset of JSON
//! Schema that document uses ($ref, oneOf, type, properties, required, additionalProperties,
//! items, enum, minimum, maximum), so the committed document cannot drift from what is sent.

use serde_json::Value;

pub fn document() -> Value {
    serde_json::from_str(erpfront::erp::http::wire::OPENAPI).expect("the OpenAPI file is JSON")
}

/// The schema of the 2xx JSON answer of `method path` (`path` as written in the document).
pub fn answer_schema(doc: &Value, method: &str, path: &str) -> Value {
    let responses = &doc["paths"][path][method]["responses"];
    let ok = if responses["200"].is_object() {
        &responses["200"]
    } else {
        &responses["201"]
    };
    let schema = ok["content"]["application/json"]["schema"].clone();
    assert!(schema.is_object(), "{method} {path} has no JSON answer");
    schema
}

/// The schema `#/components/schemas/{name}`.
pub fn named(name: &str) -> Value {
    serde_json::json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Panics with every place where `value` breaks `schema`.
pub fn assert_conforms(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let mut problems = Vec::new();
    check(doc, schema, value, "$", &mut problems);
    assert!(
        problems.is_empty(),
        "{what} does not match the OpenAPI document:\n{}",
        problems.join("\n")
    );
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).expect("references resolve"))
        }
        None => schema,
    }
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    if let Some(options) = schema["oneOf"].as_array() {
        let matching = options
            .iter()
            .filter(|option| {
                let mut inner = Vec::new();
                check(doc, option, value, at, &mut inner);
                inner.is_empty()
            })
            .count();
        if matching != 1 {
            problems.push(format!("{at}: matches {matching} of the oneOf options"));
        }
        return;
    }
    let actual = type_of(value);
    let allowed: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    // JSON Schema: an integer is a number too
    let allowed_here =
        allowed.contains(&actual) || (actual == "integer" && allowed.contains(&"number"));
    if !allowed.is_empty() && !allowed_here {
        problems.push(format!("{at}: is {actual}, expected {allowed:?}"));
        return;
    }
    if let Some(choices) = schema["enum"].as_array()
        && !choices.contains(value)
    {
        problems.push(format!("{at}: {value} is not one of {choices:?}"));
    }
    if let Some(n) = value.as_i64() {
        if schema["minimum"].as_i64().is_some_and(|min| n < min) {
            problems.push(format!("{at}: {n} is below the minimum"));
        }
        if schema["maximum"].as_i64().is_some_and(|max| n > max) {
            problems.push(format!("{at}: {n} is above the maximum"));
        }
    }
    match value {
        Value::Object(fields) => {
            let properties = schema["properties"].as_object();
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !fields.contains_key(name) {
                    problems.push(format!("{at}: lacks required {name}"));
                }
            }
            for (name, field) in fields {
                match properties.and_then(|p| p.get(name)) {
                    Some(property) => {
                        check(doc, property, field, &format!("{at}.{name}"), problems)
                    }
                    None if schema["additionalProperties"] == Value::Bool(false) => {
                        problems.push(format!("{at}: {name} is not in the document"));
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check(doc, &schema["items"], item, &format!("{at}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

#[test]
fn the_checker_finds_drift() {
    let doc = document();
    let money = named("Money");
    assert_conforms(
        &doc,
        &money,
        &serde_json::json!({"amount": "1.50", "currency": "EUR"}),
        "money",
    );
    let mut problems = Vec::new();
    let float = serde_json::json!({"amount": 1.5, "currency": "EUR", "extra": 1});
    check(&doc, &money, &float, "$", &mut problems);
    assert_eq!(problems.len(), 2, "{problems:?}");
}
