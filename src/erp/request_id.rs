//! The id of the request an ERP call is made for, sent to the ERP as `X-Request-Id` so that a
//! call in the ERP's logs can be matched with the request in ours. The web layer sets it for
//! the whole of a request ([`scope`]); adapters read it when they build a call
//! ([`WithRequestId`]). A call made outside any request (a health probe) goes without.

use reqwest::RequestBuilder;
use reqwest::header::HeaderValue;
use tokio::task::futures::TaskLocalFuture;

/// The header that carries the id, to the ERP and back to the client.
pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: HeaderValue;
}

/// Runs `work` as part of the request `id`.
pub fn scope<F: Future>(id: HeaderValue, work: F) -> TaskLocalFuture<HeaderValue, F> {
    CURRENT.scope(id, work)
}

/// The id of the request under way on this task, if any.
pub fn current() -> Option<HeaderValue> {
    CURRENT.try_with(HeaderValue::clone).ok()
}

/// `work`, still part of the current request when run on another task (a shared batch call).
pub fn carried<F: Future>(work: F) -> impl Future<Output = F::Output> {
    let id = current();
    async move {
        match id {
            Some(id) => CURRENT.scope(id, work).await,
            None => work.await,
        }
    }
}

/// Adds the current request's id to an outgoing ERP call.
pub trait WithRequestId {
    /// This call, with `X-Request-Id` when made for a request.
    #[must_use]
    fn with_request_id(self) -> Self;
}

impl WithRequestId for RequestBuilder {
    fn with_request_id(self) -> Self {
        match current() {
            Some(id) => self.header(HEADER, id),
            None => self,
        }
    }
}
