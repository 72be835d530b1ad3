//! The longest any request may take: past it the answer is `504 Gateway Timeout`, rendered as
//! a polite page (or JSON) like every other error, so nothing ever hangs.
//!
//! Unlike `tower_http::timeout`, the timer is only armed once the request actually waits for
//! something: most requests are answered from memory in their first poll, and arming a timer
//! for each of them cost a timer-wheel entry and a wake-up of the I/O driver per request.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep, sleep_until};
use tower::{Layer, Service};

/// Answers `504` when a request takes longer than `timeout`.
#[derive(Clone, Copy)]
pub struct DeadlineLayer {
    timeout: Duration,
}

impl DeadlineLayer {
    pub fn new(timeout: Duration) -> Self {
        Self { timeout }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline {
            inner,
            timeout: self.timeout,
        }
    }
}

#[derive(Clone)]
pub struct Deadline<S> {
    inner: S,
    timeout: Duration,
}

impl<S, B, RB> Service<Request<B>> for Deadline<S>
where
    S: Service<Request<B>, Response = Response<RB>>,
    RB: Default,
{
    type Response = Response<RB>;
    type Error = S::Error;
    type Future = DeadlineFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        DeadlineFuture {
            inner: self.inner.call(request),
            deadline: Instant::now() + self.timeout,
            timer: None,
        }
    }
}

pin_project! {
    pub struct DeadlineFuture<F> {
        #[pin]
        inner: F,
        deadline: Instant,
        #[pin]
        timer: Option<Sleep>,
    }
}

impl<F, RB, E> Future for DeadlineFuture<F>
where
    F: Future<Output = Result<Response<RB>, E>>,
    RB: Default,
{
    type Output = Result<Response<RB>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(answer) = this.inner.poll(cx) {
            return Poll::Ready(answer);
        }
        if this.timer.is_none() {
            this.timer.set(Some(sleep_until(*this.deadline)));
        }
        match this.timer.as_pin_mut().map(|timer| timer.poll(cx)) {
            Some(Poll::Ready(())) => {
                let mut timed_out = Response::new(RB::default());
                *timed_out.status_mut() = StatusCode::GATEWAY_TIMEOUT;
                Poll::Ready(Ok(timed_out))
            }
            _ => Poll::Pending,
        }
    }
}
