//! Holds JSON and query options to a service definition ([`super::edmx`]): property names and
//! their case, the JSON form of each Edm type (`Edm.Decimal` as a string, `Edm.DateTime` as
//! `/Date(ms)/` …), creatable and updatable fields in request bodies, filterable fields in
//! `$filter`, navigations in `$expand` and `$select`, and function import parameters.

use serde_json::Value;

use super::edmx::{EntityType, Service};

/// What a JSON entity is: an answer, or the body of a create or an update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Answer,
    Create,
    Update,
}

fn is_date(text: &str, offset: bool) -> bool {
    let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|t| t.strip_suffix(")/"))
    else {
        return false;
    };
    let (ms, zone) = match inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
    {
        Some((i, _)) => (&inner[..i], Some(&inner[i + 1..])),
        None => (inner, None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(ms.trim_start_matches('-'))
        && match zone {
            None => true,
            Some(zone) => offset && zone.len() == 4 && digits(zone),
        }
}

/// Whether `value` is the V2 JSON form of `edm` (with at most `scale` decimals).
pub fn json_form_ok(edm: &str, scale: Option<u32>, value: &Value) -> bool {
    match (edm, value) {
        ("Edm.String" | "Edm.Guid" | "Edm.Binary", Value::String(_)) => true,
        ("Edm.Decimal", Value::String(s)) => {
            let (whole, fraction) = s.trim_start_matches('-').split_once('.').unwrap_or((s, ""));
            !whole.is_empty()
                && whole
                    .trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_digit())
                && fraction.chars().all(|c| c.is_ascii_digit())
                && scale.is_none_or(|scale| fraction.len() <= scale as usize)
        }
        ("Edm.Boolean", Value::Bool(_)) => true,
        ("Edm.DateTime", Value::String(s)) => is_date(s, false),
        ("Edm.DateTimeOffset", Value::String(s)) => is_date(s, true),
        ("Edm.Time", Value::String(s)) => s.starts_with("PT") && s.ends_with('S'),
        ("Edm.Int16" | "Edm.Int32" | "Edm.Byte" | "Edm.SByte", Value::Number(n)) => n.is_i64(),
        ("Edm.Int64", Value::String(s)) => s.parse::<i64>().is_ok(),
        ("Edm.Double" | "Edm.Single", Value::Number(_) | Value::String(_)) => true,
        _ => false,
    }
}

/// Every way `entity` (of `type_name`) departs from the definition, as readable lines.
pub fn entity(service: &Service, type_name: &str, entity: &Value, mode: Mode) -> Vec<String> {
    let mut problems = Vec::new();
    check_entity(service, type_name, entity, mode, &mut problems);
    problems
}

fn check_entity(
    service: &Service,
    type_name: &str,
    entity: &Value,
    mode: Mode,
    problems: &mut Vec<String>,
) {
    let Some(definition) = service.types.get(type_name) else {
        problems.push(format!("{type_name}: no such type"));
        return;
    };
    let Some(fields) = entity.as_object() else {
        problems.push(format!("{type_name}: not an object: {entity}"));
        return;
    };
    for (name, value) in fields {
        if name.starts_with("__") {
            continue;
        }
        if let Some(property) = definition.properties.get(name) {
            if mode == Mode::Create && !property.creatable {
                problems.push(format!("{type_name}.{name} is not creatable"));
            }
            if mode == Mode::Update && !property.updatable {
                problems.push(format!("{type_name}.{name} is not updatable"));
            }
            let null_ok = value.is_null() && (property.nullable || mode == Mode::Answer);
            if !null_ok && !json_form_ok(&property.edm, property.scale, value) {
                problems.push(format!(
                    "{type_name}.{name} is {}{}, not in that JSON form: {value}",
                    property.edm,
                    property
                        .scale
                        .map_or(String::new(), |s| format!(" (scale {s})"))
                ));
            }
        } else if let Some(navigation) = definition.navigations.get(name) {
            let related: Vec<&Value> = match value {
                Value::Null => Vec::new(),
                Value::Array(items) => items.iter().collect(),
                Value::Object(map) if map.contains_key("__deferred") => Vec::new(),
                Value::Object(map) if map.contains_key("results") => map["results"]
                    .as_array()
                    .map_or(Vec::new(), |r| r.iter().collect()),
                other => vec![other],
            };
            if !navigation.many && related.len() > 1 {
                problems.push(format!("{type_name}.{name} leads to one entity, not many"));
            }
            for item in related {
                check_entity(service, &navigation.target, item, mode, problems);
            }
        } else {
            problems.push(format!("{type_name} has no property {name:?}"));
        }
    }
}

/// The field a `$select`/`$expand`/`$orderby` path names, walking navigations.
fn walk<'a>(
    service: &'a Service,
    start: &'a EntityType,
    path: &str,
    expand_only: bool,
) -> Result<(), String> {
    let mut current = start;
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if let Some(navigation) = current.navigations.get(*segment) {
            current = &service.types[&navigation.target];
        } else if last && !expand_only && current.properties.contains_key(*segment) {
            return Ok(());
        } else if *segment != "*" || expand_only {
            return Err(format!("{path}: no {segment:?} there"));
        }
    }
    Ok(())
}

const FILTER_WORDS: &[&str] = &[
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "and",
    "or",
    "not",
    "true",
    "false",
    "null",
    "substringof",
    "startswith",
    "endswith",
    "tolower",
    "toupper",
    "datetime",
    "datetimeoffset",
    "guid",
    "time",
];

/// The property names a `$filter` expression uses (literals left out).
fn filter_fields(filter: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut in_literal = false;
    let mut word = String::new();
    for c in filter.chars().chain(std::iter::once(' ')) {
        if c == '\'' {
            in_literal = !in_literal;
            word.clear();
            continue;
        }
        if in_literal {
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == '/' {
            word.push(c);
        } else {
            if !word.is_empty()
                && !FILTER_WORDS.contains(&word.as_str())
                && !word.chars().next().unwrap().is_ascii_digit()
            {
                fields.push(word.clone());
            }
            word.clear();
        }
    }
    fields
}

/// Every way the query options on an entity set depart from the definition.
pub fn query(service: &Service, set: &str, options: &[(String, String)]) -> Vec<String> {
    let Some(definition) = service.set_type(set) else {
        return vec![format!("no entity set {set}")];
    };
    let mut problems = Vec::new();
    for (name, value) in options {
        match name.as_str() {
            "$filter" => {
                for field in filter_fields(value) {
                    match definition.properties.get(&field) {
                        Some(p) if p.filterable => {}
                        Some(_) => problems.push(format!("{set}.{field} is not filterable")),
                        None => problems.push(format!("{set} has no property {field:?}")),
                    }
                }
            }
            "$select" | "$expand" | "$orderby" => {
                for item in value.split(',') {
                    let path = item.trim().split(' ').next().unwrap_or("");
                    if let Err(e) = walk(service, definition, path, name == "$expand") {
                        problems.push(format!("{name} {e}"));
                    }
                }
            }
            "$top" | "$skip" | "$inlinecount" | "$format" | "sap-client" | "sap-language" => {}
            other => problems.push(format!("{set}: unknown query option {other}")),
        }
    }
    problems
}

/// Every way a function import call departs from the definition: each parameter given once,
/// none unknown, each a literal of its type.
pub fn function_call(service: &Service, name: &str, options: &[(String, String)]) -> Vec<String> {
    let Some(function) = service.functions.get(name) else {
        return vec![format!("no function import {name}")];
    };
    let mut problems = Vec::new();
    for (parameter, edm) in &function.parameters {
        match options.iter().find(|(k, _)| k == parameter) {
            None => problems.push(format!("{name}: parameter {parameter} missing")),
            Some((_, value)) => {
                let literal_ok = match edm.as_str() {
                    "Edm.String" => {
                        value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'')
                    }
                    "Edm.DateTime" => value.starts_with("datetime'"),
                    _ => true,
                };
                if !literal_ok {
                    problems.push(format!(
                        "{name}: {parameter} is not an {edm} literal: {value}"
                    ));
                }
            }
        }
    }
    for (key, _) in options {
        let known = function.parameters.contains_key(key)
            || matches!(key.as_str(), "$format" | "sap-client" | "sap-language");
        if !known {
            problems.push(format!("{name}: unknown parameter {key}"));
        }
    }
    problems
}

/// The type a function import answers with, and whether it is a collection.
pub fn function_result(service: &Service, name: &str) -> Option<(String, bool)> {
    let returns = &service.functions.get(name)?.returns;
    let many = returns.starts_with("Collection(");
    let inner = returns
        .trim_start_matches("Collection(")
        .trim_end_matches(')');
    Some((inner.rsplit('.').next()?.to_owned(), many))
}
