//! Lets API callers (and tests) see that part of an answer is the last good one, and from when:
//! the `erpfront-stale-since` header. Pages say it in words (see `Layout::stale_since`).

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::http::{HeaderName, HeaderValue, Request};
use axum::response::Response;
use pin_project_lite::pin_project;
use tokio::task::futures::TaskLocalFuture;
use tower::{Layer, Service};

use crate::cache::staleness::{self, Tracker};

const HEADER: HeaderName = HeaderName::from_static("erpfront-stale-since");

/// Tracks, per request, whether any answer shown is older than its freshness.
#[derive(Clone, Copy, Default)]
pub struct StaleHeaderLayer;

impl<S> Layer<S> for StaleHeaderLayer {
    type Service = StaleHeader<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StaleHeader { inner }
    }
}

#[derive(Clone)]
pub struct StaleHeader<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for StaleHeader<S>
where
    S: Service<Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = StaleHeaderFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        StaleHeaderFuture {
            inner: staleness::tracked(self.inner.call(request)),
        }
    }
}

pin_project! {
    pub struct StaleHeaderFuture<F: Future> {
        #[pin]
        inner: TaskLocalFuture<Tracker, F>,
    }
}

impl<F, E> Future for StaleHeaderFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut inner = self.project().inner;
        let mut response = ready!(inner.as_mut().poll(cx))?;
        let since = inner.take_value().and_then(|tracker| tracker.stale_since());
        if let Some(since) = since
            && let Ok(value) = HeaderValue::from_str(&since.to_rfc3339())
        {
            response.headers_mut().insert(HEADER, value);
        }
        Poll::Ready(Ok(response))
    }
}
