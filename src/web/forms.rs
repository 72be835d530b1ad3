//! Guards every state-changing request (anything but GET and HEAD) of the storefront and the
//! service desk: the form must carry the session's CSRF token and must not come from another
//! site; and, where asked for, every change a rep makes while acting for a customer is
//! recorded in the audit log with its outcome. Reads pass straight through, untouched and
//! without cost.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use futures_util::future::{BoxFuture, Either};
use tower::{Layer, Service, ServiceExt};

use super::session::Session;
use super::{AppError, MAX_BODY_BYTES, audit};

/// See the module documentation.
#[derive(Clone, Copy, Default)]
pub struct FormGuardLayer {
    audited: bool,
}

impl FormGuardLayer {
    /// Checks CSRF on every change.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also records every change made while a rep acts for a customer.
    pub fn audited(self) -> Self {
        Self { audited: true }
    }
}

impl<S> Layer<S> for FormGuardLayer {
    type Service = FormGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FormGuard {
            inner,
            audited: self.audited,
        }
    }
}

#[derive(Clone)]
pub struct FormGuard<S> {
    inner: S,
    audited: bool,
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
        Either::Right(Box::pin(guard_change(inner, request, self.audited)))
    }
}

async fn guard_change<S>(inner: S, request: Request, audited: bool) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let acting = request
        .extensions()
        .get::<Session>()
        .and_then(|s| Some((s.login.clone()?, s.acting_for.clone()?)))
        .filter(|_| audited);
    let path = request.uri().path().to_string();
    let response = match verify_csrf(request).await {
        Ok(request) => inner.oneshot(request).await?,
        Err(refused) => refused.into_response(),
    };
    if let Some((rep, customer)) = acting {
        let action = format!("POST {path} -> {}", response.status().as_u16());
        audit::record(&rep, &customer, &action, None);
    }
    Ok(response)
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
