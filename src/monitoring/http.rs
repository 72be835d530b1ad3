//! HTTP request counts and times by route template, method and status class.
//!
//! The route template is known only inside the router (axum's [`MatchedPath`]), the time and
//! final status only outside every layer: [`RouteTagLayer`] (on the router) hands the template
//! out on the response, and [`HttpMetricsLayer`] (outermost) counts. Handles are kept per
//! worker thread, so a request after the first of its kind costs a hash lookup and two atomic
//! adds: no lock, no allocation.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::http::Response;
use metrics::{Counter, Histogram};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use super::names;

/// Requests no route matched (404s, probes for random paths): one label value, not theirs.
const UNMATCHED: &str = "unmatched";

const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other",
];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

fn method_index(method: &Method) -> usize {
    match *method {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::DELETE => 4,
        Method::PATCH => 5,
        Method::OPTIONS => 6,
        _ => 7,
    }
}

type Handles = [[Option<(Counter, Histogram)>; CLASSES.len()]; METHODS.len()];

thread_local! {
    static HANDLES: RefCell<HashMap<Box<str>, Box<Handles>>> = RefCell::new(HashMap::new());
}

fn record(route: &str, method: usize, status: u16, started: Instant) {
    let class = usize::from(status / 100).clamp(1, 5) - 1;
    let seconds = started.elapsed().as_secs_f64();
    HANDLES.with_borrow_mut(|handles| {
        if !handles.contains_key(route) {
            handles.insert(route.into(), Box::default());
        }
        let slot = &mut handles.get_mut(route).expect("just inserted")[method][class];
        let (count, time) = slot.get_or_insert_with(|| {
            let labels = [
                ("route", route.to_string()),
                ("method", METHODS[method].to_string()),
                ("status_class", CLASSES[class].to_string()),
            ];
            (
                metrics::counter!(names::HTTP_REQUESTS, &labels),
                metrics::histogram!(names::HTTP_DURATION, &labels),
            )
        });
        count.increment(1);
        time.record(seconds);
    });
}

/// Counts every request, outermost.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpMetricsLayer;

impl<S> Layer<S> for HttpMetricsLayer {
    type Service = HttpMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpMetrics { inner }
    }
}

/// See [`HttpMetricsLayer`].
#[derive(Debug, Clone)]
pub struct HttpMetrics<S> {
    inner: S,
}

impl<S, B> Service<Request> for HttpMetrics<S>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Counted<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Counted {
            method: method_index(request.method()),
            started: Instant::now(),
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    /// The inner answer, counted when it is ready.
    pub struct Counted<F> {
        method: usize,
        started: Instant,
        #[pin]
        inner: F,
    }
}

impl<F, B, E> Future for Counted<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let output = std::task::ready!(this.inner.poll(cx));
        if let Ok(response) = &output {
            let route = response
                .extensions()
                .get::<MatchedPath>()
                .map_or(UNMATCHED, MatchedPath::as_str);
            record(
                route,
                *this.method,
                response.status().as_u16(),
                *this.started,
            );
        }
        Poll::Ready(output)
    }
}

/// Puts the matched route template on the response, for [`HttpMetricsLayer`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RouteTagLayer;

impl<S> Layer<S> for RouteTagLayer {
    type Service = RouteTag<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RouteTag { inner }
    }
}

/// See [`RouteTagLayer`].
#[derive(Debug, Clone)]
pub struct RouteTag<S> {
    inner: S,
}

impl<S, B> Service<Request> for RouteTag<S>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = Tagged<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Tagged {
            route: request.extensions().get::<MatchedPath>().cloned(),
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    /// The inner answer, tagged with its route.
    pub struct Tagged<F> {
        route: Option<MatchedPath>,
        #[pin]
        inner: F,
    }
}

impl<F, B, E> Future for Tagged<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut output = std::task::ready!(this.inner.poll(cx));
        if let (Ok(response), Some(route)) = (&mut output, this.route.take()) {
            response.extensions_mut().insert(route);
        }
        Poll::Ready(output)
    }
}
