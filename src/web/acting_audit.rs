//! Records every change a service rep makes while acting for a customer in the audit log, with
//! its outcome: the address posted to and the status answered, refusals included. It sits
//! outside the form guard so that a refused form is recorded too. Reads, and requests of anyone
//! not acting for a customer, pass straight through, untouched and without cost.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::Method;
use axum::response::Response;
use futures_util::future::{BoxFuture, Either};
use tower::{Layer, Service};

use super::audit;
use super::session::Session;

/// See the module documentation.
#[derive(Clone, Copy, Default)]
pub struct ActingAuditLayer;

impl<S> Layer<S> for ActingAuditLayer {
    type Service = ActingAudit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ActingAudit { inner }
    }
}

#[derive(Clone)]
pub struct ActingAudit<S> {
    inner: S,
}

impl<S> Service<Request> for ActingAudit<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let acting = request
            .extensions()
            .get::<Session>()
            .and_then(|s| Some((s.login.clone()?, s.acting_for.clone()?)));
        let Some((rep, customer)) = acting.filter(|_| is_change(request.method())) else {
            return Either::Left(self.inner.call(request));
        };
        let path = request.uri().path().to_string();
        let answered = self.inner.call(request);
        Either::Right(Box::pin(async move {
            let response = answered.await?;
            let action = format!("POST {path} -> {}", response.status().as_u16());
            audit::record(&rep, &customer, &action, None);
            Ok(response)
        }))
    }
}

fn is_change(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use tower::ServiceExt;

    use super::*;
    use crate::domain::CustomerId;

    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The audit lines written while one request to a handler answering `status` is served.
    async fn audited(method: Method, session: Option<Session>, status: StatusCode) -> String {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(format!("{}=info", audit::TARGET))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let handler = tower::service_fn(move |_: Request| async move {
            Ok::<_, Infallible>(status.into_response())
        });
        let mut request = Request::builder()
            .method(method)
            .uri("/cart/add")
            .body(Body::empty())
            .unwrap();
        if let Some(session) = session {
            request.extensions_mut().insert(session);
        }
        let response = ActingAuditLayer.layer(handler).oneshot(request).await;
        assert_eq!(
            response.unwrap().status(),
            status,
            "the answer is untouched"
        );
        String::from_utf8(lines.0.lock().unwrap().clone()).unwrap()
    }

    fn acting_rep() -> Session {
        let customer: CustomerId = "C-1000".parse().unwrap();
        Session::logged_in("sam@service.example").reissued(Some(customer))
    }

    #[tokio::test]
    async fn a_change_made_while_acting_is_recorded_with_its_outcome() {
        let log = audited(Method::POST, Some(acting_rep()), StatusCode::SEE_OTHER).await;
        assert!(
            log.contains("sam@service.example")
                && log.contains("C-1000")
                && log.contains("POST /cart/add -> 303"),
            "{log}"
        );
        let log = audited(Method::POST, Some(acting_rep()), StatusCode::FORBIDDEN).await;
        assert!(
            log.contains("POST /cart/add -> 403"),
            "a refusal too: {log}"
        );
    }

    #[tokio::test]
    async fn reads_and_changes_by_anyone_not_acting_are_not_recorded() {
        let log = audited(Method::GET, Some(acting_rep()), StatusCode::OK).await;
        assert_eq!(log, "", "a read");
        let buyer = Session::logged_in("anna@northwind.example");
        let log = audited(Method::POST, Some(buyer), StatusCode::SEE_OTHER).await;
        assert_eq!(log, "", "a buyer's own change");
        let log = audited(Method::POST, None, StatusCode::SEE_OTHER).await;
        assert_eq!(log, "", "no session");
    }
}
