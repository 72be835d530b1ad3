//! Opening the encrypted session and cart cookies. A browser sends the same cookie with every
//! request, and decrypting it (base64, a new AES-GCM key schedule, the cipher) costs more than
//! the rest of a cached page; so what a cookie value opened to is remembered, by that exact
//! value. Only a cache: the cookie stays the one record, a restart loses nothing, and a value
//! only ever opens to what it encrypts.

use std::sync::Arc;

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::Key;
use quick_cache::sync::Cache;

/// Cookie values opened recently, by their encrypted text, as what they were read into (the
/// decrypted text, or a parsed session). Looked up on every page request, so this is
/// quick_cache (a hit costs an atomic flag); values seen least lately make way for new.
pub struct OpenedCookies<T = Arc<str>> {
    cache: Cache<Box<str>, T>,
}

impl<T: Clone> OpenedCookies<T> {
    /// Remembers up to `entries` values.
    pub fn new(entries: usize) -> Self {
        Self {
            cache: Cache::new(entries.max(16)),
        }
    }

    /// The request's cookie `name`, decrypted with `key` and read by `read`, if it has one that
    /// `key` opens and `read` accepts.
    pub fn open(
        &self,
        headers: &HeaderMap,
        key: &Key,
        name: &str,
        read: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        let sealed = sealed_value(headers, name)?;
        if let Some(opened) = self.cache.get(sealed) {
            return Some(opened);
        }
        // Exactly this value, even if a browser sent the name twice.
        let mut only = HeaderMap::new();
        only.insert(
            COOKIE,
            HeaderValue::from_str(&format!("{name}={sealed}")).ok()?,
        );
        let opened = read(
            PrivateCookieJar::from_headers(&only, key.clone())
                .get(name)?
                .value(),
        )?;
        self.cache.insert(sealed.into(), opened.clone());
        Some(opened)
    }
}

/// The encrypted value of the first cookie called `name`.
fn sealed_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            (n == name).then_some(v)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum_extra::extract::cookie::Cookie;

    fn sealed(key: &Key, name: &'static str, value: &str) -> String {
        let jar = PrivateCookieJar::new(key.clone()).add(Cookie::new(name, value.to_string()));
        let cookie = jar.get(name).expect("just added");
        // What a browser sends back: the Set-Cookie value, as the jar encodes it.
        let response = axum::response::IntoResponse::into_response((jar, ()));
        let set = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(cookie.value(), value);
        set.split(';').next().unwrap().to_string()
    }

    #[test]
    fn a_value_opens_to_what_it_encrypts_and_nothing_else() {
        let key = Key::generate();
        let opened = OpenedCookies::new(100);
        let text = |t: &str| Some(Arc::<str>::from(t));
        let anna = sealed(&key, "s", "anna");
        let li = sealed(&key, "s", "li");
        let headers = |cookie: &str| {
            let mut h = HeaderMap::new();
            h.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
            h
        };
        for _ in 0..2 {
            assert_eq!(
                opened.open(&headers(&anna), &key, "s", text).as_deref(),
                Some("anna")
            );
            assert_eq!(
                opened
                    .open(&headers(&format!("x=1; {li}")), &key, "s", text)
                    .as_deref(),
                Some("li")
            );
        }
        let other_key = Key::generate();
        let fresh = OpenedCookies::new(100);
        let read_any = |t: &str| Some(Arc::<str>::from(t));
        assert!(
            fresh
                .open(&headers(&anna), &other_key, "s", read_any)
                .is_none(),
            "another key opens nothing"
        );
        assert!(
            fresh
                .open(&headers("s=forged"), &key, "s", read_any)
                .is_none()
        );
        assert!(fresh.open(&headers("t=1"), &key, "s", read_any).is_none());
    }
}
