//! Who is at the other end of a request: the TCP peer, or, behind a trusted proxy, the client
//! that proxy names in `X-Forwarded-For`. Only proxies named in `server.trusted_proxies` are
//! believed; anyone else could write any address there.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use super::AppState;

/// The client's address as far as it can be known (see the module documentation).
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts.extensions.get::<PeerAddr>().map(|p| p.0.ip());
        Ok(Self(
            state.trusted_proxies.client_addr(peer, &parts.headers),
        ))
    }
}

/// The TCP peer of a request's connection, put in its extensions by the server.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub SocketAddr);

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Trusts these networks.
    pub fn new(nets: Vec<IpNet>) -> Self {
        Self(nets)
    }

    pub(crate) fn trusts(&self, addr: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&addr))
    }

    /// The client's address: walking `X-Forwarded-For` from the right (the entry our own proxy
    /// added) past trusted proxies, the first address no trusted proxy owns. The peer itself
    /// when it is not a trusted proxy or sent no usable header.
    pub fn client_addr(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let mut client = peer;
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>();
        for entry in forwarded.iter().rev() {
            let Ok(addr) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            client = addr;
            if !self.trusts(addr) {
                break;
            }
        }
        Some(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let none = TrustedProxies::default();
        let lb = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let h = headers("1.2.3.4, 203.0.113.9");
        assert_eq!(
            none.client_addr(Some(ip("10.0.0.5")), &h),
            Some(ip("10.0.0.5"))
        );
        assert_eq!(
            lb.client_addr(Some(ip("198.51.100.1")), &h),
            Some(ip("198.51.100.1"))
        );
        assert_eq!(
            lb.client_addr(Some(ip("10.0.0.5")), &h),
            Some(ip("203.0.113.9"))
        );
        let chained = headers("1.2.3.4, 203.0.113.9, 10.0.0.7");
        assert_eq!(
            lb.client_addr(Some(ip("10.0.0.5")), &chained),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            lb.client_addr(Some(ip("10.0.0.5")), &HeaderMap::new()),
            Some(ip("10.0.0.5"))
        );
        assert_eq!(
            lb.client_addr(Some(ip("10.0.0.5")), &headers("junk")),
            Some(ip("10.0.0.5"))
        );
    }
}
