//! Turning templates and errors into responses. Errors from every area meet here, so a buyer
//! always gets a polite page (or a JSON body on the API) with the support contact, never a raw
//! message from axum, the ERP or a bug.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use askama::Template;
use axum::BoxError;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{self, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use futures_util::future::BoxFuture;
use pin_project_lite::pin_project;
use serde_json::json;
use tower::{Layer, Service};

use super::layout::Layout;
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

/// Renders every error response: HTML pages for browsers, JSON under `/api/`. A hand-written
/// layer rather than `from_fn` because it sits on every request: it neither clones the inner
/// service nor boxes the successful path.
#[derive(Clone)]
pub struct RenderErrorsLayer {
    state: AppState,
}

impl RenderErrorsLayer {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl<S> Layer<S> for RenderErrorsLayer {
    type Service = RenderErrors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RenderErrors {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub struct RenderErrors<S> {
    inner: S,
    state: AppState,
}

impl<S, B, RB> Service<Request<B>> for RenderErrors<S>
where
    S: Service<Request<B>, Response = http::Response<RB>, Error = Infallible>,
    RB: HttpBody<Data = Bytes> + Send + 'static,
    RB::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = RenderErrorsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let is_api = request.uri().path().starts_with("/api/");
        RenderErrorsFuture::Waiting {
            inner: self.inner.call(request),
            is_api,
            state: Some(self.state.clone()),
        }
    }
}

pin_project! {
    #[project = RenderProj]
    pub enum RenderErrorsFuture<F> {
        Waiting { #[pin] inner: F, is_api: bool, state: Option<AppState> },
        // Errors are rare: their rendering may allocate.
        Rendering { rendering: BoxFuture<'static, Response> },
    }
}

impl<F, RB> Future for RenderErrorsFuture<F>
where
    F: Future<Output = Result<http::Response<RB>, Infallible>>,
    RB: HttpBody<Data = Bytes> + Send + 'static,
    RB::Error: Into<BoxError>,
{
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project() {
                RenderProj::Waiting {
                    inner,
                    is_api,
                    state,
                } => {
                    let Ok(response) = ready!(inner.poll(cx));
                    let response = response.map(Body::new);
                    let status = response.status();
                    if !(status.is_client_error() || status.is_server_error()) {
                        return Poll::Ready(Ok(response));
                    }
                    let (is_api, state) = (*is_api, state.take().expect("polled after completion"));
                    let rendering = Box::pin(render_error(response, is_api, state));
                    self.set(RenderErrorsFuture::Rendering { rendering });
                }
                RenderProj::Rendering { rendering } => {
                    return rendering.as_mut().poll(cx).map(Ok);
                }
            }
        }
    }
}

async fn render_error(response: Response, is_api: bool, state: AppState) -> Response {
    let status = response.status();
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
        html_body(&error, &state)
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
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => AppError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::REQUEST_TIMEOUT => AppError::RequestTimeout,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType,
        StatusCode::GATEWAY_TIMEOUT => AppError::ErpTimeout,
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

fn html_body(error: &AppError, state: &AppState) -> Response {
    let page = ErrorPage {
        // An error page shows no form, so it needs no CSRF token.
        layout: Layout::anonymous(state, error.title(), String::new()),
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
