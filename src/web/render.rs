//! Turning templates and errors into responses. Errors from every area meet here, so a buyer
//! always gets a polite page (or a JSON body on the API) with the support contact, never a raw
//! message from axum, the ERP or a bug.

use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::layout::Layout;
use super::session::Session;
use super::{AppError, AppState};

/// A page ready to render.
pub struct HtmlPage<T>(pub T);

impl<T: Template> IntoResponse for HtmlPage<T> {
    fn into_response(self) -> Response {
        match self.0.render() {
            Ok(html) => Html(html).into_response(),
            Err(err) => AppError::Internal(format!("template: {err}")).into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
    show_login: bool,
}

/// Renders every error response: HTML pages for browsers, JSON under `/api/`.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let csrf = request
        .extensions()
        .get::<Session>()
        .map(|s| s.csrf.clone())
        .unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<Arc<AppError>>() {
        Some(error) => (*error).clone(),
        // A page or JSON body a handler made on purpose (a form shown again with its error).
        None if is_rendered(&parts.headers) => return Response::from_parts(parts, body),
        None => error_for_status(status, body, is_api).await,
    };
    error.log();
    let mut rendered = if is_api {
        api_body(&error, &state)
    } else {
        html_body(&error, &state, csrf)
    };
    // Keep headers such as WWW-Authenticate, Retry-After and Set-Cookie.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().append(name.clone(), value.clone());
        }
    }
    *rendered.status_mut() = error.status();
    rendered
}

fn is_rendered(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"))
}

/// An error response made by axum or a layer rather than a handler.
async fn error_for_status(status: StatusCode, body: Body, is_api: bool) -> AppError {
    match status {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => AppError::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::BadRequest("The request is too large.".into()),
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => AppError::ErpTimeout,
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        s if s.is_client_error() => {
            // Rejection texts (a JSON syntax error, a missing field) help an integrator fix
            // their call; in a browser they would only confuse.
            let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
            let detail = String::from_utf8_lossy(&text);
            if is_api && !detail.is_empty() {
                AppError::BadRequest(detail.into_owned())
            } else {
                AppError::BadRequest("The form or request could not be read. Please check what you entered and try again.".into())
            }
        }
        s => AppError::Internal(format!("unhandled status {s}")),
    }
}

fn api_body(error: &AppError, state: &AppState) -> Response {
    let support = &state.site.support;
    let body = json!({
        "error": {
            "code": error.code(),
            "message": error.public_message(),
            "support": { "phone": support.phone, "email": support.email },
        }
    });
    axum::Json(body).into_response()
}

fn html_body(error: &AppError, state: &AppState, csrf: String) -> Response {
    let page = ErrorPage {
        layout: Layout::anonymous(state, error.title(), csrf),
        status: error.status().as_u16(),
        heading: error.title(),
        message: error.public_message(),
        show_login: matches!(error, AppError::Unauthorized),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        // The error page itself failed: still never show anything internal.
        Err(_) => "Sorry, something went wrong. Please try again.".into_response(),
    }
}
