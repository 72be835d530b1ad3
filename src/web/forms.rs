//! Guards every state-changing request (anything but GET and HEAD) of the storefront and the
//! service desk: the form must carry the session's CSRF token and must not come from another
//! site. Reads pass straight through, untouched and without cost.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use futures_util::future::{BoxFuture, Either};
use tower::{Layer, Service, ServiceExt};

use super::session::Session;
use super::{AppError, MAX_BODY_BYTES};

/// See the module documentation.
#[derive(Clone, Copy, Default)]
pub struct FormGuardLayer;

impl<S> Layer<S> for FormGuardLayer {
    type Service = FormGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FormGuard { inner }
    }
}

#[derive(Clone)]
pub struct FormGuard<S> {
    inner: S,
}

impl<S> Service<Request> for FormGuard<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if matches!(*request.method(), Method::GET | Method::HEAD) {
            return Either::Left(self.inner.call(request));
        }
        let inner = self.inner.clone();
        Either::Right(Box::pin(guard_change(inner, request)))
    }
}

async fn guard_change<S>(inner: S, request: Request) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    match verify_csrf(request).await {
        Ok(request) => inner.oneshot(request).await,
        Err(refused) => Ok(refused.into_response()),
    }
}

/// Refuses a change whose form does not carry the session's CSRF token, or that a browser says
/// comes from another site; hands the request on with its body read.
async fn verify_csrf(request: Request) -> Result<Request, AppError> {
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    let session = request.extensions().get::<Session>().cloned();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|e| AppError::unreadable_body(&e))?;
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    let valid = match (session, token) {
        (Some(session), Some(token)) => session.csrf_matches(&token),
        _ => false,
    };
    if cross_site || !valid {
        tracing::info!(path = %parts.uri.path(), "form refused: CSRF token missing or wrong");
        return Err(AppError::ExpiredForm);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::StatusCode;

    use super::*;

    /// What the handler behind the guard received: how often it was called, and the last body.
    #[derive(Clone, Default)]
    struct Seen {
        calls: Arc<AtomicUsize>,
        body: Arc<std::sync::Mutex<String>>,
    }

    async fn send(
        method: Method,
        session: Option<&Session>,
        body: &str,
        site: &str,
    ) -> (StatusCode, Seen) {
        let seen = Seen::default();
        let handler = {
            let seen = seen.clone();
            tower::service_fn(move |request: Request| {
                let seen = seen.clone();
                async move {
                    seen.calls.fetch_add(1, Ordering::SeqCst);
                    let bytes = axum::body::to_bytes(request.into_body(), usize::MAX)
                        .await
                        .unwrap();
                    *seen.body.lock().unwrap() = String::from_utf8_lossy(&bytes).into_owned();
                    Ok::<_, Infallible>(StatusCode::SEE_OTHER.into_response())
                }
            })
        };
        let mut request = Request::builder()
            .method(method)
            .uri("/cart/add")
            .header("sec-fetch-site", site)
            .body(Body::from(body.to_string()))
            .unwrap();
        if let Some(session) = session {
            request.extensions_mut().insert(session.clone());
        }
        let response = FormGuardLayer
            .layer(handler)
            .oneshot(request)
            .await
            .unwrap();
        (response.status(), seen)
    }

    #[tokio::test]
    async fn a_change_with_the_sessions_token_reaches_the_handler_with_its_body() {
        let session = Session::anonymous();
        let form = format!("csrf={}&sku=FAS-1001&quantity=2", session.csrf);
        let (status, seen) = send(Method::POST, Some(&session), &form, "same-origin").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            *seen.body.lock().unwrap(),
            form,
            "the body is handed on whole"
        );
    }

    #[tokio::test]
    async fn a_change_without_the_right_token_or_from_another_site_never_reaches_the_handler() {
        let session = Session::anonymous();
        let other = Session::anonymous();
        let good = format!("csrf={}&sku=FAS-1001", session.csrf);
        let cases = [
            (Some(&session), "sku=FAS-1001".to_string(), "same-origin"),
            (
                Some(&session),
                "csrf=forged&sku=FAS-1001".into(),
                "same-origin",
            ),
            (
                Some(&session),
                format!("csrf={}", other.csrf),
                "same-origin",
            ),
            (Some(&session), good.clone(), "cross-site"),
            (None, good, "same-origin"),
        ];
        for (session, body, site) in cases {
            let (status, seen) = send(Method::POST, session, &body, site).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body} from {site}");
            assert_eq!(seen.calls.load(Ordering::SeqCst), 0, "{body} from {site}");
        }
    }

    #[tokio::test]
    async fn reads_pass_without_a_token() {
        let (status, seen) = send(Method::GET, None, "", "cross-site").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    }
}
