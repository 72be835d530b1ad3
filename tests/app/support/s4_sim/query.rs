//! Query options over the fixture data: `$filter` (through [`super::filter`]), `$orderby`,
//! `$inlinecount`, `$skip`, `$top` and `$expand`, and OData literals in URLs.

use serde_json::{Value, json};

use super::filter;

pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn percent_decode(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("x={}", s.replace('+', "%2B")))
        .ok()
        .and_then(|v| v.into_iter().next())
        .map_or_else(|| s.to_owned(), |(_, v)| v)
}

/// `'abc'` → `abc`, with doubled quotes undone; anything unquoted is refused.
pub fn unquote(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// Navigation properties not asked for come back as `__deferred` links, at every level
/// (`to_A/to_B` expands `to_A` and, inside it, `to_B`).
pub fn expand(entity: &Value, asked: Option<&str>) -> Value {
    let asked: Vec<&str> = asked
        .map(|a| a.split(',').map(str::trim).collect())
        .unwrap_or_default();
    expand_paths(entity, &asked)
}

fn expand_paths(entity: &Value, asked: &[&str]) -> Value {
    let mut entity = entity.clone();
    if let Some(map) = entity.as_object_mut() {
        for (name, value) in map.iter_mut() {
            if !name.starts_with("to_") {
                continue;
            }
            let inner: Vec<&str> = asked
                .iter()
                .filter_map(|path| match path.split_once('/') {
                    Some((first, rest)) if first == name => Some(rest),
                    None if path == name => Some(""),
                    _ => None,
                })
                .collect();
            if inner.is_empty() {
                *value = json!({"__deferred": {"uri": name}});
                continue;
            }
            let inner: Vec<&str> = inner.into_iter().filter(|p| !p.is_empty()).collect();
            if let Some(items) = value["results"].as_array_mut() {
                for item in items.iter_mut() {
                    *item = expand_paths(item, &inner);
                }
            } else if value.is_object() {
                *value = expand_paths(value, &inner);
            }
        }
    }
    entity
}

pub fn collection(
    entities: &[Value],
    query: &Query,
    filterable: &[&str],
) -> Result<(Vec<Value>, Option<usize>), String> {
    let filter = query
        .get("$filter")
        .map(|f| filter::parse(f, filterable))
        .transpose()?;
    let mut hits: Vec<&Value> = entities
        .iter()
        .filter(|e| filter.as_ref().is_none_or(|f| f.matches(e)))
        .collect();
    if let Some(order) = query.get("$orderby") {
        let keys: Vec<(String, bool)> = order
            .split(',')
            .map(|part| {
                let mut words = part.split_whitespace();
                let field = words.next().unwrap_or("").to_owned();
                (field, words.next() == Some("desc"))
            })
            .collect();
        hits.sort_by(|a, b| {
            for (field, desc) in &keys {
                let ordering = match (filter::millis(&a[field]), filter::millis(&b[field])) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    _ => a[field]
                        .as_str()
                        .unwrap_or("")
                        .cmp(b[field].as_str().unwrap_or("")),
                };
                let ordering = if *desc { ordering.reverse() } else { ordering };
                if !ordering.is_eq() {
                    return ordering;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    let count = (query.get("$inlinecount") == Some("allpages")).then_some(hits.len());
    let skip: usize = query
        .get("$skip")
        .map_or(Ok(0), str::parse)
        .map_err(|_| "bad $skip")?;
    let top: usize = query
        .get("$top")
        .map_or(Ok(usize::MAX), str::parse)
        .map_err(|_| "bad $top")?;
    let page = hits
        .into_iter()
        .skip(skip)
        .take(top)
        .map(|e| expand(e, query.get("$expand")))
        .collect();
    Ok((page, count))
}
