//! Atom XML answers for product reads, as SAP Gateway sends when JSON is not asked for (or a
//! proxy drops the `Accept` header).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

const NS: &str = r#"xmlns="http://www.w3.org/2005/Atom" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices""#;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn properties(entity: &Value) -> String {
    let mut out = String::from("<content type=\"application/xml\"><m:properties>");
    for (name, value) in entity.as_object().into_iter().flatten() {
        if name.starts_with("to_") || name.starts_with("__") {
            continue;
        }
        match value {
            Value::Bool(b) => {
                out.push_str(&format!("<d:{name} m:type=\"Edm.Boolean\">{b}</d:{name}>"))
            }
            Value::Null => out.push_str(&format!("<d:{name} m:null=\"true\"/>")),
            Value::String(s) if s.starts_with("/Date(") => {
                let ms = super::filter::millis(value).unwrap_or(0);
                let at = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
                out.push_str(&format!(
                    "<d:{name} m:type=\"Edm.DateTime\">{}</d:{name}>",
                    at.format("%Y-%m-%dT%H:%M:%S")
                ));
            }
            Value::String(s) => out.push_str(&format!("<d:{name}>{}</d:{name}>", escape(s))),
            other => out.push_str(&format!("<d:{name}>{other}</d:{name}>")),
        }
    }
    out.push_str("</m:properties></content>");
    out
}

fn entry(entity: &Value, namespaces: bool) -> String {
    let mut out = format!(
        "<entry{}>",
        if namespaces {
            format!(" {NS}")
        } else {
            String::new()
        }
    );
    for (name, value) in entity.as_object().into_iter().flatten() {
        if let Some(results) = value.get("results").and_then(Value::as_array) {
            out.push_str(&format!("<link rel=\"http://schemas.microsoft.com/ado/2007/08/dataservices/related/{name}\" type=\"application/atom+xml;type=feed\" title=\"{name}\"><m:inline><feed>"));
            for related in results {
                out.push_str(&entry(related, false));
            }
            out.push_str("</feed></m:inline></link>");
        }
    }
    out.push_str(&properties(entity));
    out.push_str("</entry>");
    out
}

fn xml(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/atom+xml;type=feed;charset=utf-8",
        )],
        body,
    )
        .into_response()
}

pub fn entry_response(entity: &Value) -> Response {
    xml(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>{}",
        entry(entity, true)
    ))
}

pub fn feed_response(entities: &[Value], count: Option<usize>) -> Response {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed {NS}><title type=\"text\">A_Product</title>"
    );
    if let Some(count) = count {
        out.push_str(&format!("<m:count>{count}</m:count>"));
    }
    for entity in entities {
        out.push_str(&entry(entity, false));
    }
    out.push_str("</feed>");
    xml(out)
}
