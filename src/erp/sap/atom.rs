//! Atom XML, OData V2's default format, turned into the JSON shape V2 uses (`{"d": …}` with
//! `results`, `__count`, expanded navigation as `{"results": […]}`), so the same wire structs
//! read both. Documents with a DTD or entity declarations are refused before parsing, and
//! unknown entity references are an error: nothing is ever expanded.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::{Map, Value};

/// Why an Atom document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Atom XML: {0}")]
pub struct AtomError(pub String);

fn fail<T>(message: impl Into<String>) -> Result<T, AtomError> {
    Err(AtomError(message.into()))
}

/// Parses an Atom feed or entry into `{"d": …}`.
pub fn to_json(xml: &str) -> Result<Value, AtomError> {
    let upper = xml.to_ascii_uppercase();
    if upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY") {
        return fail("document type declarations are refused");
    }
    let mut reader = Reader::from_str(xml);
    loop {
        match next(&mut reader)? {
            Event::Start(start) => {
                let d = match start.local_name().as_ref() {
                    b"feed" => feed(&mut reader)?,
                    b"entry" => entry(&mut reader)?,
                    other => return fail(format!("unexpected root <{}>", lossy(other))),
                };
                return Ok(Value::Object(Map::from_iter([("d".to_owned(), d)])));
            }
            Event::Eof => return fail("no feed or entry"),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::Text(_) => {}
            other => return fail(format!("unexpected {other:?} before the root")),
        }
    }
}

fn next<'a>(reader: &mut Reader<&'a [u8]>) -> Result<Event<'a>, AtomError> {
    match reader.read_event() {
        Ok(Event::DocType(_)) => fail("document type declarations are refused"),
        Ok(event) => Ok(event),
        Err(e) => fail(format!(
            "malformed at byte {}: {e}",
            reader.buffer_position()
        )),
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The value of the attribute with this local name.
fn attribute(start: &BytesStart<'_>, local: &[u8]) -> Result<Option<String>, AtomError> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| AtomError(format!("bad attribute: {e}")))?;
        if attr.key.local_name().as_ref() == local {
            let value = attr
                .unescape_value()
                .map_err(|e| AtomError(format!("bad attribute value: {e}")))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

/// Skips an element whose start was just read.
fn skip(reader: &mut Reader<&[u8]>, start: &BytesStart<'_>) -> Result<(), AtomError> {
    reader
        .read_to_end(start.name())
        .map(drop)
        .map_err(|e| AtomError(format!("malformed: {e}")))
}

fn feed(reader: &mut Reader<&[u8]>) -> Result<Value, AtomError> {
    let mut results = Vec::new();
    let mut body = Map::new();
    loop {
        match next(reader)? {
            Event::Start(start) => match start.local_name().as_ref() {
                b"entry" => results.push(entry(reader)?),
                b"count" => {
                    body.insert("__count".into(), Value::String(text(reader)?));
                }
                _ => skip(reader, &start)?,
            },
            Event::End(end) if end.local_name().as_ref() == b"feed" => break,
            Event::Eof => return fail("feed not closed"),
            _ => {}
        }
    }
    body.insert("results".into(), Value::Array(results));
    Ok(Value::Object(body))
}

fn entry(reader: &mut Reader<&[u8]>) -> Result<Value, AtomError> {
    let mut fields = Map::new();
    loop {
        match next(reader)? {
            Event::Start(start) => match start.local_name().as_ref() {
                b"link" => {
                    let title = attribute(&start, b"title")?;
                    let related =
                        attribute(&start, b"rel")?.is_some_and(|rel| rel.contains("/related/"));
                    match (title, related) {
                        (Some(title), true) => {
                            if let Some(inline) = link(reader)? {
                                fields.insert(title, inline);
                            }
                        }
                        _ => skip(reader, &start)?,
                    }
                }
                b"content" => {}
                b"properties" => properties(reader, &mut fields, b"properties")?,
                _ => skip(reader, &start)?,
            },
            Event::End(end) if end.local_name().as_ref() == b"entry" => break,
            Event::Eof => return fail("entry not closed"),
            _ => {}
        }
    }
    Ok(Value::Object(fields))
}

/// The inline content of a navigation link, if it was expanded.
fn link(reader: &mut Reader<&[u8]>) -> Result<Option<Value>, AtomError> {
    let mut found = None;
    loop {
        match next(reader)? {
            Event::Start(start) => match start.local_name().as_ref() {
                b"inline" => {}
                b"feed" => found = Some(feed(reader)?),
                b"entry" => found = Some(entry(reader)?),
                _ => skip(reader, &start)?,
            },
            Event::Empty(start) if start.local_name().as_ref() == b"inline" => {
                found = Some(Value::Null);
            }
            Event::End(end) if end.local_name().as_ref() == b"link" => return Ok(found),
            Event::Eof => return fail("link not closed"),
            _ => {}
        }
    }
}

/// Reads `<d:Name m:type="…">value</d:Name>` children until the end of `closing`.
fn properties(
    reader: &mut Reader<&[u8]>,
    fields: &mut Map<String, Value>,
    closing: &[u8],
) -> Result<(), AtomError> {
    loop {
        match next(reader)? {
            Event::Start(start) => {
                let name = lossy(start.local_name().as_ref());
                let kind = attribute(&start, b"type")?.unwrap_or_default();
                let value = property(reader, &start, &kind)?;
                fields.insert(name, value);
            }
            Event::Empty(start) => {
                let name = lossy(start.local_name().as_ref());
                let null = attribute(&start, b"null")?.as_deref() == Some("true");
                let value = if null {
                    Value::Null
                } else {
                    Value::String(String::new())
                };
                fields.insert(name, value);
            }
            Event::End(end) if end.local_name().as_ref() == closing => return Ok(()),
            Event::Eof => return fail("properties not closed"),
            _ => {}
        }
    }
}

/// One property's value: text typed by `m:type`, or a complex value of nested properties.
fn property(
    reader: &mut Reader<&[u8]>,
    start: &BytesStart<'_>,
    kind: &str,
) -> Result<Value, AtomError> {
    let local = start.local_name().as_ref().to_vec();
    let mut raw = String::new();
    loop {
        match next(reader)? {
            Event::Text(t) => raw.push_str(
                &t.decode()
                    .map_err(|e| AtomError(format!("bad text: {e}")))?,
            ),
            Event::CData(c) => raw.push_str(
                &c.decode()
                    .map_err(|e| AtomError(format!("bad CDATA: {e}")))?,
            ),
            Event::GeneralRef(r) => raw.push(resolve(&r)?),
            Event::Start(_) | Event::Empty(_) => {
                return fail(format!(
                    "property {} holds elements; complex values are not read",
                    lossy(&local)
                ));
            }
            Event::End(end) if end.local_name().as_ref() == local.as_slice() => break,
            Event::Eof => return fail("property not closed"),
            _ => {}
        }
    }
    Ok(match kind {
        "Edm.Boolean" => match raw.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return fail(format!("{raw:?} is not a boolean")),
        },
        "Edm.Int16" | "Edm.Int32" | "Edm.Byte" | "Edm.SByte" => raw
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| AtomError(format!("{raw:?} is not an integer")))?,
        _ => Value::String(raw),
    })
}

/// The five predefined entities and character references; anything else is refused.
fn resolve(reference: &quick_xml::events::BytesRef<'_>) -> Result<char, AtomError> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Ok(c);
    }
    let name = reference
        .decode()
        .map_err(|e| AtomError(format!("bad reference: {e}")))?;
    Ok(match name.as_ref() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        other => return fail(format!("unknown entity &{other}; refused")),
    })
}

fn text(reader: &mut Reader<&[u8]>) -> Result<String, AtomError> {
    let mut raw = String::new();
    loop {
        match next(reader)? {
            Event::Text(t) => raw.push_str(
                &t.decode()
                    .map_err(|e| AtomError(format!("bad text: {e}")))?,
            ),
            Event::GeneralRef(r) => raw.push(resolve(&r)?),
            Event::End(_) => return Ok(raw.trim().to_owned()),
            Event::Eof => return fail("element not closed"),
            _ => {}
        }
    }
}
