//! The longest a client may take to send a request's body: past it the answer is
//! `408 Request Timeout`, whatever the handler made of the broken body. Requests without a body
//! (every GET) pass untouched, and the timer is only armed when a read actually has to wait.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::Response;
use axum::response::IntoResponse;
use futures_util::future::Either;
use http_body::Frame;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep, sleep_until};
use tower::{Layer, Service};

use super::AppError;

/// See the module documentation.
#[derive(Clone, Copy)]
pub struct BodyDeadlineLayer {
    timeout: Duration,
}

impl BodyDeadlineLayer {
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

impl<S> Layer<S> for BodyDeadlineLayer {
    type Service = BodyDeadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BodyDeadline {
            inner,
            timeout: self.timeout,
        }
    }
}

#[derive(Clone)]
pub struct BodyDeadline<S> {
    inner: S,
    timeout: Duration,
}

impl<S, B> Service<axum::http::Request<B>> for BodyDeadline<S>
where
    S: Service<Request, Response = axum::response::Response>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = axum::response::Response;
    type Error = S::Error;
    type Future = Either<S::Future, TimedAnswer<S::Future>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        if request.body().is_end_stream() {
            return Either::Left(self.inner.call(request.map(Body::new)));
        }
        let expired = Arc::new(AtomicBool::new(false));
        let deadline = Instant::now() + self.timeout;
        let request = request.map(|body| {
            Body::new(TimedBody {
                inner: Body::new(body),
                deadline,
                timer: None,
                expired: expired.clone(),
            })
        });
        Either::Right(TimedAnswer {
            inner: self.inner.call(request),
            expired,
        })
    }
}

/// The body was not sent in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not sent in time")]
pub struct BodyTimedOut;

pin_project! {
    struct TimedBody {
        #[pin]
        inner: Body,
        deadline: Instant,
        #[pin]
        timer: Option<Sleep>,
        expired: Arc<AtomicBool>,
    }
}

impl HttpBody for TimedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let mut this = self.project();
        if let Poll::Ready(frame) = this.inner.poll_frame(cx) {
            // Unwrapped, so that extractors still recognise a body over the size limit.
            return Poll::Ready(frame.map(|f| f.map_err(axum::Error::into_inner)));
        }
        if this.timer.is_none() {
            this.timer.set(Some(sleep_until(*this.deadline)));
        }
        match this.timer.as_pin_mut().map(|timer| timer.poll(cx)) {
            Some(Poll::Ready(())) => {
                this.expired.store(true, Ordering::Release);
                Poll::Ready(Some(Err(Box::new(BodyTimedOut))))
            }
            _ => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

pin_project! {
    pub struct TimedAnswer<F> {
        #[pin]
        inner: F,
        expired: Arc<AtomicBool>,
    }
}

impl<F, E> Future for TimedAnswer<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = std::task::ready!(this.inner.poll(cx));
        if this.expired.load(Ordering::Acquire) {
            return Poll::Ready(Ok(AppError::RequestTimeout.into_response()));
        }
        Poll::Ready(answer)
    }
}
