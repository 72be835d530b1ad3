//! Every request gets an id: the one a trusted proxy sent in `X-Request-Id`, or a new one. It
//! is echoed in the answer, named in every log line of the request (the `request` span), and
//! sent with the ERP calls made for it ([`crate::erp::request_id`]). Anyone else's header is
//! replaced: a client must not be able to make its requests look like someone else's in the
//! logs, nor write arbitrary text into them.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::Response;
use pin_project_lite::pin_project;
use tokio::task::futures::TaskLocalFuture;
use tower::{Layer, Service};
use tracing::Instrument;
use tracing::instrument::Instrumented;

use super::{PeerAddr, TrustedProxies};
use crate::erp::request_id::{self, HEADER};

/// Longest id taken from a proxy; longer ones are replaced.
const MAX_LEN: usize = 128;

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct RequestIdLayer {
    trusted: TrustedProxies,
}

impl RequestIdLayer {
    /// Takes ids only from `trusted` peers.
    pub fn new(trusted: TrustedProxies) -> Self {
        Self { trusted }
    }
}

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIds<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIds {
            inner,
            trusted: self.trusted.clone(),
        }
    }
}

/// See [`RequestIdLayer`].
#[derive(Debug, Clone)]
pub struct RequestIds<S> {
    inner: S,
    trusted: TrustedProxies,
}

impl<S> RequestIds<S> {
    /// The proxy's id if the peer is trusted and the id is printable and short, else a new one.
    fn id_for(&self, request: &Request) -> HeaderValue {
        let from_proxy = request
            .extensions()
            .get::<PeerAddr>()
            .is_some_and(|peer| self.trusted.trusts(peer.0.ip()));
        if from_proxy
            && let Some(id) = request.headers().get(HEADER)
            && (1..=MAX_LEN).contains(&id.len())
            && id.as_bytes().iter().all(|b| b.is_ascii_graphic())
        {
            return id.clone();
        }
        let mut text = uuid::Uuid::encode_buffer();
        let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut text);
        HeaderValue::from_str(text).expect("a UUID is a valid header value")
    }
}

impl<S, B> Service<Request> for RequestIds<S>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Echoed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let id = self.id_for(&request);
        let span = tracing::info_span!("request", request_id = id.to_str().unwrap_or_default());
        request.headers_mut().insert(HEADER, id.clone());
        // Inner spans (the trace layer's) are made in `call`: inside ours, so that log lines
        // list ours among their parents.
        let inner = span.in_scope(|| self.inner.call(request));
        let inner = request_id::scope(id.clone(), inner).instrument(span);
        Echoed {
            id: Some(id),
            inner,
        }
    }
}

pin_project! {
    /// The inner answer with the id in its headers.
    pub struct Echoed<F> {
        id: Option<HeaderValue>,
        #[pin]
        inner: Instrumented<TaskLocalFuture<HeaderValue, F>>,
    }
}

impl<F, B, E> Future for Echoed<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut output = std::task::ready!(this.inner.poll(cx));
        if let (Ok(response), Some(id)) = (&mut output, this.id.take()) {
            response.headers_mut().insert(HEADER, id);
        }
        Poll::Ready(output)
    }
}
