//! `POST $batch` as OData V2 defines it (part 1, "Batch Requests") and SAP Gateway answers it:
//! a `multipart/mixed` body (read with `multer`, an implementation the adapter does not share)
//! whose parts are single `GET`s (`application/http`) or changesets (nested `multipart/mixed`)
//! of modifying requests. Each inner request goes through the same definition checks and
//! handlers as one sent on its own; the answer is `202` with one part per part sent, and a
//! changeset that fails answers with its single error response instead of its responses.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::handler::{dispatch, error};
use super::query::{percent_decode, unquote};
use super::state::State;

fn refuse(state: &State, service: &str, message: &str) -> Response {
    state
        .violations
        .lock()
        .unwrap()
        .push(format!("request POST {service}/$batch: {message}"));
    error(
        StatusCode::BAD_REQUEST,
        "/IWBEP/CM_MGW_RT/022",
        message,
        vec![],
    )
}

/// The parts of a `multipart/mixed` body, each with its headers.
async fn parts(content_type: &str, body: Bytes) -> Result<Vec<(HeaderMap, Bytes)>, String> {
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/mixed")
    {
        return Err(format!("$batch with content type {content_type:?}"));
    }
    // `multer::parse_boundary` accepts only form-data; the boundary parameter is the same.
    let parsed: mime::Mime = content_type.parse().map_err(|_| "malformed content type")?;
    let boundary = parsed
        .get_param(mime::BOUNDARY)
        .ok_or("multipart/mixed without a boundary")?
        .to_string();
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let headers = field.headers().clone();
        let bytes = field.bytes().await.map_err(|e| e.to_string())?;
        parts.push((headers, bytes));
    }
    Ok(parts)
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// An `application/http` part's request: method, path (relative to the service root), query,
/// headers, body.
struct Inner {
    method: Method,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
}

fn inner(headers: &HeaderMap, content: &[u8]) -> Result<Inner, String> {
    if !content_type(headers).starts_with("application/http") {
        return Err(format!(
            "a batch part of type {:?}, not application/http",
            content_type(headers)
        ));
    }
    let encoding = headers
        .get("content-transfer-encoding")
        .and_then(|v| v.to_str().ok());
    if encoding != Some("binary") {
        return Err("an application/http part without Content-Transfer-Encoding: binary".into());
    }
    let mut parsed = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut parsed);
    let offset = match request.parse(content) {
        Ok(httparse::Status::Complete(offset)) => offset,
        _ => return Err("a batch part that is not an HTTP request".into()),
    };
    let method = Method::from_bytes(request.method.unwrap_or("").as_bytes())
        .map_err(|_| "a batch request without a method")?;
    let target = request.path.unwrap_or("");
    if target.starts_with('/') || target.contains("://") {
        return Err(format!(
            "batch request {target}: not relative to the service root"
        ));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut inner_headers = HeaderMap::new();
    for h in request.headers.iter() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(h.name.as_bytes()),
            HeaderValue::from_bytes(h.value),
        ) {
            inner_headers.append(name, value);
        }
    }
    let mut body = &content[offset..];
    if let Some(length) = inner_headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if length > body.len() {
            return Err("a batch request shorter than its Content-Length".into());
        }
        body = &body[..length];
    }
    Ok(Inner {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        headers: inner_headers,
        body: Bytes::copy_from_slice(body),
    })
}

/// Runs one inner request and writes its answer as an `application/http` part.
async fn run(
    state: &State,
    service: &str,
    outer: &[(String, String)],
    request: Inner,
) -> (bool, String) {
    let resource = percent_decode(&request.path);
    let (set, key) = match resource.split_once('(') {
        Some((set, key)) => (set.to_owned(), key.strip_suffix(')').and_then(unquote)),
        None => (resource.clone(), None),
    };
    *state
        .requests
        .lock()
        .unwrap()
        .entry(format!("$batch {} {set}", request.method))
        .or_default() += 1;
    let mut options: Vec<(String, String)> =
        serde_urlencoded::from_str(&request.query).unwrap_or_default();
    // The batch's own `sap-client` and `sap-language` hold for every request in it.
    options.extend(outer.iter().cloned());
    let response = dispatch(
        state,
        &request.method,
        service,
        &set,
        key.as_deref(),
        options,
        &request.headers,
        &request.body,
    )
    .await;
    let status = response.status();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20).await.unwrap();
    let mut text = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH {
            text.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
        }
    }
    text.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    text.push_str(&String::from_utf8_lossy(&body));
    (status.is_success(), text)
}

fn http_part(boundary: &str, http: &str) -> String {
    format!(
        "--{boundary}\r\nContent-Type: application/http\r\nContent-Length: {}\r\ncontent-transfer-encoding: binary\r\n\r\n{http}\r\n",
        http.len()
    )
}

pub async fn handle(
    state: &State,
    method: &Method,
    service: &str,
    options: &[(String, String)],
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    if *method != Method::POST {
        return refuse(state, service, "$batch is sent with POST");
    }
    if let Some((name, _)) = options
        .iter()
        .find(|(k, _)| !matches!(k.as_str(), "sap-client" | "sap-language"))
    {
        return refuse(
            state,
            service,
            &format!("$batch takes no query option {name}"),
        );
    }
    let outer = match parts(content_type(headers), body).await {
        Ok(parts) => parts,
        Err(message) => return refuse(state, service, &message),
    };
    let boundary = format!("batch_{}", uuid::Uuid::new_v4().simple());
    let mut answer = String::new();
    for (part_headers, content) in outer {
        if content_type(&part_headers).starts_with("multipart/mixed") {
            let requests = match parts(content_type(&part_headers), content).await {
                Ok(parts) => parts,
                Err(message) => return refuse(state, service, &message),
            };
            let changeset = format!("changeset_{}", uuid::Uuid::new_v4().simple());
            let mut responses = String::new();
            let mut failed = None;
            for (request_headers, request) in requests {
                let request = match inner(&request_headers, &request) {
                    Ok(request) => request,
                    Err(message) => return refuse(state, service, &message),
                };
                if matches!(request.method, Method::GET | Method::HEAD) {
                    return refuse(state, service, "a changeset holds no GET");
                }
                let (ok, http) = run(state, service, options, request).await;
                if !ok {
                    failed = Some(http);
                    break;
                }
                responses.push_str(&http_part(&changeset, &http));
            }
            match failed {
                // A failed changeset is undone and answers with its error alone.
                Some(http) => answer.push_str(&http_part(&boundary, &http)),
                None => {
                    let nested = format!("{responses}--{changeset}--\r\n");
                    answer.push_str(&format!(
                        "--{boundary}\r\nContent-Type: multipart/mixed; boundary={changeset}\r\nContent-Length: {}\r\n\r\n{nested}\r\n",
                        nested.len()
                    ));
                }
            }
        } else {
            let request = match inner(&part_headers, &content) {
                Ok(request) => request,
                Err(message) => return refuse(state, service, &message),
            };
            if !matches!(request.method, Method::GET) {
                return refuse(state, service, "a change outside a changeset");
            }
            let (_, http) = run(state, service, options, request).await;
            answer.push_str(&http_part(&boundary, &http));
        }
    }
    answer.push_str(&format!("--{boundary}--\r\n"));
    (
        StatusCode::ACCEPTED,
        [(
            header::CONTENT_TYPE,
            format!("multipart/mixed; boundary={boundary}"),
        )],
        answer,
    )
        .into_response()
}
