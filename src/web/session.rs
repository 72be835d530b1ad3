//! Sessions in encrypted cookies, never in server memory: any instance can serve any request
//! and a restart logs nobody out. Every visitor gets a session, anonymous until login, so that
//! every form (the login form included) carries a CSRF token bound to it.
//!
//! A session ends after `session.idle_minutes` without a request (the cookie records when it
//! was last renewed, and is renewed at most once a minute so that cached pages stay cheap), after
//! `session.max_age_hours` however active, and at once when it is revoked (log-out, the end of
//! acting for a customer): see [`super::revocations`].

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::Utc;
use pin_project_lite::pin_project;
use serde::{Deserialize, Serialize};
use tower::{Layer, Service};

use super::{AppState, Site};
use crate::domain::CustomerId;

const SESSION_COOKIE: &str = "erpfront_session";

/// What the session cookie holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// The logged-in user, if any.
    pub login: Option<String>,
    /// The token every form must echo.
    pub csrf: String,
    /// A service rep acting for this customer.
    #[serde(default)]
    pub acting_for: Option<CustomerId>,
    /// When the session began (Unix seconds).
    pub issued_at: i64,
    /// A random id, by which the session can be revoked.
    #[serde(default)]
    pub id: String,
    /// When the cookie was last renewed (Unix seconds): the idle timeout counts from here.
    #[serde(default)]
    pub renewed_at: i64,
    /// Set while a buyer shops from their procurement system: where the cart goes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub punchout: Option<crate::punchout::PunchoutSession>,
}

/// A session's cookie is renewed (and its idle time restarted) at most this often, in seconds.
pub const RENEW_EVERY_SECS: i64 = 60;

impl Session {
    /// A new session for nobody in particular.
    pub fn anonymous() -> Self {
        let now = Utc::now().timestamp();
        Self {
            login: None,
            csrf: new_token(),
            acting_for: None,
            issued_at: now,
            id: new_token(),
            renewed_at: now,
            punchout: None,
        }
    }

    /// The same login (and CSRF token) under a new id, so that copies of the old cookie can
    /// be revoked: for a rep starting or stopping to act for a customer.
    pub fn reissued(&self, acting_for: Option<CustomerId>) -> Self {
        Self {
            acting_for,
            id: new_token(),
            renewed_at: Utc::now().timestamp(),
            ..self.clone()
        }
    }

    /// A new session for a user who just proved who they are; the CSRF token changes too.
    pub fn logged_in(login: &str) -> Self {
        Self {
            login: Some(login.to_string()),
            ..Self::anonymous()
        }
    }

    fn is_expired(&self, site: &Site, now: i64) -> bool {
        let age = now - self.issued_at;
        let idle = now - self.renewed_at;
        age < -60
            || idle < -60
            || age > secs(site.session_max_age)
            || idle > secs(site.session_idle_timeout)
    }

    /// Whether the cookie is old enough to be renewed on this request.
    fn wants_renewal(&self, now: i64) -> bool {
        now - self.renewed_at >= RENEW_EVERY_SECS
    }

    /// How long the browser should keep the cookie: until idle, within the absolute lifetime.
    fn cookie_max_age(&self, site: &Site, now: i64) -> u64 {
        let left = self.issued_at + secs(site.session_max_age) - now;
        u64::try_from(left.min(secs(site.session_idle_timeout))).unwrap_or(0)
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        let (a, b) = (self.csrf.as_bytes(), token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

fn secs(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The session the request's cookie holds, if it is still valid (not expired, not revoked).
pub fn current(state: &AppState, headers: &HeaderMap, now: i64) -> Option<Session> {
    state
        .sessions
        .open(headers, &state.cookie_key, SESSION_COOKIE, |text| {
            serde_json::from_str::<Session>(text).ok()
        })
        .filter(|s| !s.is_expired(&state.site, now) && !state.revocations.is_revoked(&s.id))
}

/// Put in a response's extensions by a handler that changes the session (login, logout).
#[derive(Clone)]
pub struct SetSession(pub Session);

/// Reads the session cookie into the request's extensions, and writes the cookie back when
/// the session is new or a handler changed it.
#[derive(Clone)]
pub struct SessionLayer {
    state: AppState,
}

impl SessionLayer {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl<S> Layer<S> for SessionLayer {
    type Service = LoadSession<S>;

    fn layer(&self, inner: S) -> Self::Service {
        LoadSession {
            inner,
            state: self.state.clone(),
        }
    }
}

#[derive(Clone)]
pub struct LoadSession<S> {
    inner: S,
    state: AppState,
}

impl<S> Service<Request> for LoadSession<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = SessionFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let state = &self.state;
        let now = Utc::now().timestamp();
        let current = current(state, request.headers(), now);
        // A punchout session's cookies must reach us inside the procurement system's frame.
        let in_punchout = current.as_ref().is_some_and(|s| s.punchout.is_some());
        let unsaved = match current {
            Some(session) if session.wants_renewal(now) => {
                if state.revocations.is_shared() {
                    // Off the request's path: a revocation found refuses the next request.
                    let (state, id) = (state.clone(), session.id.clone());
                    tokio::spawn(async move { state.revocations.learn(&id).await });
                }
                let renewed = Session {
                    renewed_at: now,
                    ..session
                };
                request.extensions_mut().insert(renewed.clone());
                Some(renewed)
            }
            Some(session) => {
                request.extensions_mut().insert(session);
                None
            }
            None => {
                let session = Session::anonymous();
                request.extensions_mut().insert(session.clone());
                Some(session)
            }
        };
        SessionFuture {
            inner: self.inner.call(request),
            unsaved,
            in_punchout,
            state: self.state.clone(),
        }
    }
}

pin_project! {
    pub struct SessionFuture<F> {
        #[pin]
        inner: F,
        unsaved: Option<Session>,
        in_punchout: bool,
        state: AppState,
    }
}

impl<F> Future for SessionFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(mut response) = ready!(this.inner.poll(cx));
        let write = match response.extensions_mut().remove::<SetSession>() {
            Some(SetSession(changed)) => Some(changed),
            None => this.unsaved.take(),
        };
        // The request began or ended a punchout session, or runs in one: every cookie it sets
        // (session and cart alike) must be accepted in a cross-site frame, and the last answer
        // of a punchout (the transfer) must still be able to end it there.
        let punchout = *this.in_punchout || write.as_ref().is_some_and(|s| s.punchout.is_some());
        let Some(session) = write else {
            if punchout {
                allow_cross_site(&mut response);
            }
            return Poll::Ready(Ok(response));
        };
        let site = &this.state.site;
        let value = serde_json::to_string(&session).unwrap_or_default();
        let max_age = session.cookie_max_age(site, Utc::now().timestamp());
        let cookie = cookie(site, SESSION_COOKIE, value, max_age);
        let jar = PrivateCookieJar::new(this.state.cookie_key.clone()).add(cookie);
        let mut response = (jar, response).into_response();
        if punchout {
            allow_cross_site(&mut response);
        }
        Poll::Ready(Ok(response))
    }
}

/// Marks every cookie the response sets `SameSite=None; Secure; Partitioned`, as browsers
/// require of cookies sent to a site shown in another site's frame (SAP SRM, Jaggaer):
/// `SameSite=None` needs `Secure`, and browsers that block third-party cookies still keep a
/// `Partitioned` (CHIPS) one, for that frame on that top-level site only. Only punchout sessions
/// get this: everywhere else `Lax` keeps other sites' forms from riding on a login.
fn allow_cross_site(response: &mut Response) {
    let headers = response.headers_mut();
    let set: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
    if set.is_empty() {
        return;
    }
    headers.remove(SET_COOKIE);
    for value in set {
        let rewritten = value
            .to_str()
            .ok()
            .and_then(|text| Cookie::parse(text.to_string()).ok())
            .and_then(|mut cookie| {
                cookie.set_same_site(SameSite::None);
                cookie.set_secure(true);
                cookie.set_partitioned(true);
                HeaderValue::from_str(&cookie.to_string()).ok()
            });
        headers.append(SET_COOKIE, rewritten.unwrap_or(value));
    }
}

/// A cookie with the attributes every erpfront cookie has.
pub fn cookie(
    site: &Site,
    name: &'static str,
    value: String,
    max_age_secs: u64,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(site.secure_cookies)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age_secs).unwrap_or(i64::MAX),
        ))
        .build()
}
