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
use axum::http::{self, HeaderMap, HeaderValue, Method, Request, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use futures_util::future::BoxFuture;
use pin_project_lite::pin_project;
use serde_json::json;
use tower::{Layer, Service};

use super::layout::Layout;
use super::{AppError, AppState, viewer};

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
    /// The ERP is not answering: the page says what still works.
    outage: bool,
    /// The failed page itself, when asking for it again may help (a GET).
    retry: Option<String>,
    /// Where the "Back" button leads: never the page that failed.
    home: Option<(&'static str, &'static str)>,
}

/// What the error page needs to know about the request that failed, taken before the request
/// goes in: its cookies (whose header to show) and which page it asked for.
struct Asked {
    cookies: Vec<HeaderValue>,
    method: Method,
    uri: Uri,
}

impl Asked {
    fn of<B>(request: &Request<B>) -> Self {
        Self {
            cookies: request
                .headers()
                .get_all(header::COOKIE)
                .iter()
                .cloned()
                .collect(),
            method: request.method().clone(),
            uri: request.uri().clone(),
        }
    }

    fn cookie_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in &self.cookies {
            headers.append(header::COOKIE, value.clone());
        }
        headers
    }
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
        // An HTML error page shows the visitor's own header: keep what it takes to build it.
        let asked = (!is_api).then(|| Asked::of(&request));
        RenderErrorsFuture::Waiting {
            inner: self.inner.call(request),
            asked,
            state: Some(self.state.clone()),
        }
    }
}

pin_project! {
    #[project = RenderProj]
    pub enum RenderErrorsFuture<F> {
        Waiting { #[pin] inner: F, asked: Option<Asked>, state: Option<AppState> },
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
                    asked,
                    state,
                } => {
                    let Ok(response) = ready!(inner.poll(cx));
                    let response = response.map(Body::new);
                    let status = response.status();
                    if !(status.is_client_error() || status.is_server_error()) {
                        return Poll::Ready(Ok(response));
                    }
                    let (asked, state) =
                        (asked.take(), state.take().expect("polled after completion"));
                    let rendering = Box::pin(render_error(response, asked, state));
                    self.set(RenderErrorsFuture::Rendering { rendering });
                }
                RenderProj::Rendering { rendering } => {
                    return rendering.as_mut().poll(cx).map(Ok);
                }
            }
        }
    }
}

/// `asked` is `None` for the API.
async fn render_error(response: Response, asked: Option<Asked>, state: AppState) -> Response {
    let is_api = asked.is_none();
    let status = response.status();
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<Arc<AppError>>() {
        Some(error) => (*error).clone(),
        // A page or JSON body a handler made on purpose (a form shown again with its error).
        None if is_rendered(&parts.headers) => return Response::from_parts(parts, body),
        // Procurement systems read cXML, even about a body the size limit refused.
        None => match asked
            .as_ref()
            .and_then(|a| super::punchout::layer_error_as_cxml(a.uri.path(), status))
        {
            Some(cxml) => return cxml,
            None => error_for_status(status, body, is_api).await,
        },
    };
    error.log();
    let mut rendered = match &asked {
        None => api_body(&error, &state),
        Some(asked) => html_body(&error, &state, asked),
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
        .is_some_and(|v| {
            v.starts_with("text/html")
                || v.starts_with("application/json")
                || v.starts_with("text/xml")
        })
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

/// The failed page's own address, when asking again may help: a read that failed on our side.
/// Never a `//host` address, which a browser would take for another site.
fn retry_link(error: &AppError, asked: &Asked) -> Option<String> {
    let target = asked.uri.path_and_query()?.as_str();
    let may_help = error.status().is_server_error() && asked.method == Method::GET;
    (may_help && !target.starts_with("//")).then(|| target.to_string())
}

fn html_body(error: &AppError, state: &AppState, asked: &Asked) -> Response {
    let layout = viewer::layout(state, &asked.cookie_headers(), error.title());
    let path = asked.uri.path();
    // Reps not acting for anyone work at the desk; everyone else shops from the catalog.
    let home = match &layout.user {
        Some(user) if !user.shopping => ("/service-desk", "Back to the service desk"),
        _ => ("/catalog", "Back to the catalog"),
    };
    let page = ErrorPage {
        status: error.status().as_u16(),
        heading: error.title(),
        message: error.public_message(),
        show_login: matches!(error, AppError::Unauthorized),
        outage: error.is_erp_outage(),
        retry: retry_link(error, asked),
        home: (path != home.0).then_some(home),
        layout,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        // The error page itself failed: still never show anything internal.
        Err(_) => "Sorry, something went wrong. Please try again.".into_response(),
    }
}
