//! Every request the simulator receives and every answer it gives, held to SAP's published
//! definition of the service: a request that departs from it is refused with 400 as SAP
//! refuses it, and any departure on either side is recorded for the tests to see
//! ([`super::S4Sim::violations`]).

use axum::body::Bytes;
use axum::http::{Method, header};
use axum::response::Response;
use serde_json::Value;

use super::check::{self, Mode};
use super::edmx::Service;

pub fn request(
    model: &Service,
    method: &Method,
    set: &str,
    by_key: bool,
    options: &[(String, String)],
    body: &Bytes,
) -> Vec<String> {
    if let Some(function) = model.functions.get(set) {
        let mut problems = check::function_call(model, set, options);
        if function.method != method.as_str() {
            problems.push(format!(
                "{set} is called with {}, not {method}",
                function.method
            ));
        }
        return problems;
    }
    let Some(type_name) = model.sets.get(set) else {
        return vec![format!("no entity set {set}")];
    };
    let mut problems = check::query(model, set, options);
    if by_key {
        let keys = &model.types[type_name].keys;
        if keys.len() != 1 {
            problems.push(format!("{set} has the keys {keys:?}, not one"));
        }
    }
    let mode = match *method {
        Method::POST => Mode::Create,
        Method::PATCH | Method::PUT => Mode::Update,
        _ => return problems,
    };
    match serde_json::from_slice::<Value>(body) {
        Ok(entity @ Value::Object(_)) => {
            problems.extend(check::entity(model, type_name, &entity, mode));
        }
        _ => problems.push(format!("{method} {set} without a JSON entity")),
    }
    problems
}

/// Checks a JSON answer and hands it back unchanged.
pub async fn answer(
    model: &Service,
    set: &str,
    by_key: bool,
    response: Response,
) -> (Vec<String>, Response) {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json || !response.status().is_success() {
        return (Vec::new(), response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20).await.unwrap();
    let problems = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => answer_problems(model, set, by_key, &value["d"]),
        Err(e) => vec![format!("not JSON: {e}")],
    };
    (problems, Response::from_parts(parts, bytes.into()))
}

fn answer_problems(model: &Service, set: &str, by_key: bool, d: &Value) -> Vec<String> {
    let each = |type_name: &str, many: bool, value: &Value| -> Vec<String> {
        if many {
            match value["results"].as_array() {
                Some(items) => items
                    .iter()
                    .flat_map(|e| check::entity(model, type_name, e, Mode::Answer))
                    .collect(),
                None => vec![format!("{set}: a collection without results")],
            }
        } else {
            check::entity(model, type_name, value, Mode::Answer)
        }
    };
    if let Some((type_name, many)) = check::function_result(model, set) {
        return if many {
            each(&type_name, true, d)
        } else {
            each(&type_name, false, &d[set])
        };
    }
    match model.sets.get(set) {
        Some(type_name) => each(type_name, !by_key, d),
        None => vec![format!("no entity set {set}")],
    }
}
