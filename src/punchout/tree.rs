//! A cXML document read into a small element tree with quick-xml, so that the documents can be
//! read by path rather than by a state machine per document type.
//!
//! Nothing is ever fetched or expanded: a `DOCTYPE` naming the public DTD is accepted and
//! ignored, one with an internal subset (where entities are declared) is refused before any
//! element is read, and a reference to an entity the XML standard does not predefine is a parse
//! error. Depth and element count are bounded, so a hostile document costs little.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Deepest nesting accepted; real cXML documents stay under 15.
const MAX_DEPTH: usize = 32;
/// Most elements accepted in one document.
const MAX_ELEMENTS: usize = 20_000;

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not well-formed XML (or not UTF-8, or truncated).
    #[error("the document is not well-formed XML: {0}")]
    Malformed(String),
    /// A DOCTYPE that declares entities or an internal subset.
    #[error("a DOCTYPE with an internal subset or entity declarations is not accepted")]
    ForbiddenDoctype,
    /// Deeper or larger than any cXML document needs.
    #[error("the document is nested too deeply or has too many elements")]
    TooLarge,
}

/// One element: its name (without namespace prefix handling: cXML uses none), attributes,
/// children and the text directly inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of child names.
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The trimmed text at a path of child names.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|e| e.text.trim())
            .filter(|t| !t.is_empty())
    }
}

/// Reads a whole document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, ReadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|e| malformed(&e.to_string()))?;
        match event {
            Event::DocType(doctype) => {
                let decl = String::from_utf8_lossy(doctype.as_ref()).to_string();
                if decl.contains('[') || decl.to_ascii_uppercase().contains("ENTITY") {
                    return Err(ReadError::ForbiddenDoctype);
                }
            }
            Event::Start(start) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(ReadError::TooLarge);
                }
                stack.push(element(&start)?);
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(ReadError::TooLarge);
                }
                close(&mut stack, &mut root, element(&start)?)?;
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| malformed("unbalanced end tag"))?;
                close(&mut stack, &mut root, done)?;
            }
            Event::Text(text) => {
                let decoded = text.decode().map_err(|e| malformed(&e.to_string()))?;
                let unescaped =
                    quick_xml::escape::unescape(&decoded).map_err(|e| malformed(&e.to_string()))?;
                append_text(&mut stack, &unescaped)?;
            }
            Event::GeneralRef(reference) => {
                let name = reference.decode().map_err(|e| malformed(&e.to_string()))?;
                let resolved = resolve_reference(&name)?;
                append_text(&mut stack, &resolved)?;
            }
            Event::CData(data) => {
                let text = std::str::from_utf8(data.as_ref())
                    .map_err(|_| malformed("CDATA is not UTF-8"))?
                    .to_string();
                append_text(&mut stack, &text)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed("the document ends inside an element"));
    }
    root.ok_or_else(|| malformed("no root element"))
}

fn malformed(why: &str) -> ReadError {
    ReadError::Malformed(why.to_string())
}

fn element(start: &BytesStart<'_>) -> Result<Element, ReadError> {
    let name = String::from_utf8_lossy(start.name().as_ref()).to_string();
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| malformed(&e.to_string()))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).to_string();
        let value = attr
            .unescape_value()
            .map_err(|e| malformed(&e.to_string()))?
            .to_string();
        attributes.push((key, value));
    }
    Ok(Element {
        name,
        attributes,
        ..Element::default()
    })
}

fn close(
    stack: &mut [Element],
    root: &mut Option<Element>,
    done: Element,
) -> Result<(), ReadError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None if root.is_none() => *root = Some(done),
        None => return Err(malformed("more than one root element")),
    }
    Ok(())
}

fn append_text(stack: &mut [Element], text: &str) -> Result<(), ReadError> {
    match stack.last_mut() {
        Some(open) => open.text.push_str(text),
        None if text.trim().is_empty() => {}
        None => return Err(malformed("text outside the root element")),
    }
    Ok(())
}

/// The five predefined entities and character references; anything else would need a DTD.
fn resolve_reference(name: &str) -> Result<String, ReadError> {
    let predefined = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    };
    if let Some(c) = predefined {
        return Ok(c.to_string());
    }
    let code = if let Some(hex) = name.strip_prefix("#x") {
        u32::from_str_radix(hex, 16).ok()
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.parse().ok()
    } else {
        None
    };
    code.and_then(char::from_u32)
        .map(String::from)
        .ok_or_else(|| malformed(&format!("unknown entity &{name};")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_and_text() {
        let doc = parse(
            br#"<?xml version="1.0"?>
            <!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
            <cXML payloadID="1"><A x="a&amp;b"><B>one &lt;two&gt; &#233;</B><B/></A></cXML>"#,
        )
        .unwrap();
        assert_eq!(doc.name, "cXML");
        assert_eq!(doc.child("A").unwrap().attr("x"), Some("a&b"));
        assert_eq!(doc.text_at(&["A", "B"]), Some("one <two> é"));
        assert_eq!(doc.child("A").unwrap().all("B").count(), 2);
    }

    #[test]
    fn refuses_entities_truncation_and_depth() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE cXML [<!ENTITY a "aaaa">]><cXML>&a;</cXML>"#;
        assert_eq!(parse(bomb), Err(ReadError::ForbiddenDoctype));
        let external = br#"<!DOCTYPE cXML SYSTEM "x.dtd" [<!ENTITY e SYSTEM "file:///etc/passwd">]><cXML>&e;</cXML>"#;
        assert_eq!(parse(external), Err(ReadError::ForbiddenDoctype));
        assert!(matches!(
            parse(b"<cXML>&undeclared;</cXML>"),
            Err(ReadError::Malformed(_))
        ));
        assert!(matches!(parse(b"<cXML><A>"), Err(ReadError::Malformed(_))));
        assert!(matches!(parse(b"not xml"), Err(ReadError::Malformed(_))));
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(parse(deep.as_bytes()), Err(ReadError::TooLarge));
    }
}
