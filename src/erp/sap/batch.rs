//! OData V2 `$batch`: several requests in one HTTP round trip, as `multipart/mixed` (OData V2
//! part 1, "Batch Requests"; SAP Gateway serves `$batch` on every OData V2 service, and the
//! Business Accelerator Hub definition of the simulation service lists it).
//!
//! Each request goes into a changeset of its own, so that SAP answers each one separately: a
//! changeset that fails answers with a single error response in its place and the others are
//! unaffected.
//!
//! The answer is read here rather than with a multipart crate: the maintained ones (`multer`,
//! `multipart`) are built for `multipart/form-data` uploads as a stream, while a batch answer is
//! a small, already bounded body with nested `multipart/mixed` parts whose content is an HTTP
//! response. Boundaries come from `mime`; the status lines and headers are read with `httparse`.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// The `Content-Type` of a batch request with this boundary.
pub fn content_type(boundary: &str) -> String {
    format!("multipart/mixed; boundary={boundary}")
}

/// The body of a batch of `POST`s, one changeset each. `requests` are (resource path relative to
/// the service root, JSON body).
pub fn request_body(boundary: &str, requests: &[(&str, &Value)]) -> String {
    let mut out = String::new();
    for (index, (path, body)) in requests.iter().enumerate() {
        let changeset = format!("changeset_{index}_{boundary}");
        let json = body.to_string();
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: {}\r\n\r\n",
            content_type(&changeset)
        ));
        out.push_str(&format!(
            "--{changeset}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        ));
        out.push_str(&format!(
            "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{json}\r\n",
            json.len()
        ));
        out.push_str(&format!("--{changeset}--\r\n\r\n"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// One response inside a batch answer.
#[derive(Debug)]
pub struct Part {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The responses of a batch answer, one group per request or changeset sent, in order: a
/// changeset's responses, or the one response that stands for a failed changeset.
pub fn read_answer(content_type: &str, body: &[u8]) -> Result<Vec<Vec<Part>>, String> {
    let outer = boundary(content_type)?;
    split(body, &outer)?
        .into_iter()
        .map(|part| {
            let (headers, content) = mime_part(part)?;
            let kind = header(&headers, "content-type");
            if kind.to_ascii_lowercase().starts_with("multipart/mixed") {
                split(content, &boundary(kind)?)?
                    .into_iter()
                    .map(|inner| mime_part(inner).and_then(|(_, http)| response(http)))
                    .collect()
            } else {
                Ok(vec![response(content)?])
            }
        })
        .collect()
}

/// The `boundary` parameter of a `multipart/mixed` content type.
pub fn boundary(content_type: &str) -> Result<String, String> {
    let parsed: mime::Mime = content_type
        .parse()
        .map_err(|_| format!("content type {content_type:?} is malformed"))?;
    if parsed.type_() != mime::MULTIPART || parsed.subtype() != "mixed" {
        return Err(format!(
            "content type {content_type:?} is not multipart/mixed"
        ));
    }
    parsed
        .get_param(mime::BOUNDARY)
        .map(|b| b.as_str().to_owned())
        .filter(|b| !b.is_empty())
        .ok_or_else(|| format!("content type {content_type:?} has no boundary"))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The parts between the delimiters `--boundary` (RFC 2046 5.1.1): the preamble before the
/// first and the epilogue after the closing `--boundary--` are ignored, and the line break
/// before each delimiter belongs to the delimiter. Line breaks may be CRLF or a bare LF.
fn split<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // Where each delimiter line starts.
    let mut starts = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&body[at..], delimiter) {
        let position = at + found;
        if position == 0 || body[position - 1] == b'\n' {
            starts.push(position);
        }
        at = position + delimiter.len();
    }
    let mut parts = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let after = &body[start + delimiter.len()..];
        if after.starts_with(b"--") {
            return Ok(parts);
        }
        let Some(line_end) = after.iter().position(|&b| b == b'\n') else {
            break;
        };
        let content_start = start + delimiter.len() + line_end + 1;
        let Some(&next) = starts.get(i + 1) else {
            break;
        };
        let mut content = &body[content_start.min(next)..next];
        content = content.strip_suffix(b"\n").unwrap_or(content);
        content = content.strip_suffix(b"\r").unwrap_or(content);
        parts.push(content);
    }
    Err(format!("multipart body without its closing --{boundary}--"))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Most headers a part or an inner response may carry.
const MAX_HEADERS: usize = 64;

fn header_map(parsed: &[httparse::Header<'_>]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for h in parsed {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(h.name.as_bytes()),
            HeaderValue::from_bytes(h.value),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

/// A MIME part's headers and its content.
fn mime_part(part: &[u8]) -> Result<(HeaderMap, &[u8]), String> {
    let mut parsed = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::parse_headers(part, &mut parsed) {
        Ok(httparse::Status::Complete((offset, headers))) => {
            Ok((header_map(headers), &part[offset..]))
        }
        Ok(httparse::Status::Partial) => Err("a batch part ends inside its headers".into()),
        Err(e) => Err(format!("a batch part's headers are malformed: {e}")),
    }
}

/// An `application/http` part: status line, headers, body.
fn response(http: &[u8]) -> Result<Part, String> {
    let mut parsed = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut parsed);
    let offset = match response.parse(http) {
        Ok(httparse::Status::Complete(offset)) => offset,
        Ok(httparse::Status::Partial) => return Err("a batch response ends inside its head".into()),
        Err(e) => return Err(format!("a batch response is malformed: {e}")),
    };
    let status = response
        .code
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or("a batch response without a status")?;
    let headers = header_map(response.headers);
    let mut body = &http[offset..];
    // A stated length is what belongs to the response; anything after it is padding.
    if let Ok(length) = header(&headers, "content-length").trim().parse::<usize>() {
        body = &body[..length.min(body.len())];
    }
    Ok(Part {
        status,
        headers,
        body: Bytes::copy_from_slice(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A batch answer as SAP Gateway writes it (CRLF, a `Content-Length` on each part, a
    /// changeset that succeeded, one that failed and so answers with one response in its
    /// place), with a preamble and an epilogue that must be skipped.
    const ANSWER: &str = "preamble\r\n--batch_1\r\nContent-Type: multipart/mixed; boundary=changeset_a\r\nContent-Length: 222\r\n\r\n--changeset_a\r\nContent-Type: application/http\r\nContent-Length: 120\r\ncontent-transfer-encoding: binary\r\n\r\nHTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 20\r\ndataserviceversion: 2.0\r\n\r\n{\"d\":{\"Q\":\"1.000\"}}\r\n--changeset_a--\r\n\r\n--batch_1\r\nContent-Type: application/http\r\nContent-Length: 99\r\ncontent-transfer-encoding: binary\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":\"V1/390\"}}\r\n--batch_1--\r\nepilogue";

    #[test]
    fn an_answer_is_read_per_changeset_with_each_status() {
        let groups = read_answer("multipart/mixed; boundary=batch_1", ANSWER.as_bytes()).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].len(), 1);
        assert_eq!(groups[0][0].status, StatusCode::CREATED);
        assert_eq!(&groups[0][0].body[..], br#"{"d":{"Q":"1.000"}}"#);
        assert_eq!(groups[1][0].status, StatusCode::BAD_REQUEST);
        assert_eq!(&groups[1][0].body[..], br#"{"error":{"code":"V1/390"}}"#);
        assert_eq!(
            groups[1][0].headers.get("content-type").unwrap(),
            "application/json"
        );
    }

    #[test]
    fn bare_line_feeds_and_quoted_boundaries_are_read_too() {
        // The shape of the example in SAP's published definition of the service.
        let answer = "--response-separator\nContent-Type: application/http\n\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"d\":{}}\n--response-separator--";
        let groups = read_answer(
            "multipart/mixed; boundary=\"response-separator\"",
            answer.as_bytes(),
        )
        .unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0][0].status, StatusCode::OK);
        assert_eq!(&groups[0][0].body[..], b"{\"d\":{}}");
    }

    #[test]
    fn broken_answers_are_errors_not_panics() {
        let ct = "multipart/mixed; boundary=b";
        assert!(
            read_answer(
                ct,
                b"--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}"
            )
            .is_err()
        );
        assert!(
            read_answer(
                ct,
                b"--b\r\nContent-Type: application/http\r\n\r\nnot http\r\n--b--"
            )
            .is_err()
        );
        assert!(read_answer("application/json", b"{}").is_err());
        assert!(read_answer("multipart/mixed", b"").is_err());
        assert!(read_answer(ct, b"").is_err());
        assert!(read_answer(ct, b"--b").is_err());
        // A boundary string inside a body is no delimiter unless it starts a line.
        let inside =
            "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\nx--b y\r\n--b--";
        let groups = read_answer(ct, inside.as_bytes()).unwrap();
        assert_eq!(&groups[0][0].body[..], b"x--b y");
    }

    #[test]
    fn a_request_puts_each_post_in_a_changeset_of_its_own() {
        let first = json!({"A": "1"});
        let second = json!({"A": "2"});
        let body = request_body("batch_x", &[("Set", &first), ("Set", &second)]);
        assert_eq!(
            body.matches("Content-Type: multipart/mixed; boundary=changeset_")
                .count(),
            2
        );
        assert_eq!(body.matches("POST Set HTTP/1.1\r\n").count(), 2);
        assert!(body.contains("Content-Length: 9\r\n\r\n{\"A\":\"1\"}\r\n--changeset_0_batch_x--"));
        assert!(body.ends_with("--batch_x--\r\n"));
    }
}
