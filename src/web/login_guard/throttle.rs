//! Counting wrong passwords per login and per client address, in memory, with exponential
//! back-off: after a few free tries each further one must wait twice as long as the last, up to
//! a cap. Per instance only, and bounded: the least-used entries make way when it is full.

use std::net::IpAddr;
use std::time::Duration;

use quick_cache::sync::Cache;
use tokio::time::Instant;

use crate::config::LoginConfig;

/// Most logins and addresses remembered at once (about 100 bytes each).
const REMEMBERED: usize = 50_000;

/// A day after its last wrong password, a login or address starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Subject {
    Login(Box<str>),
    Address(IpAddr),
}

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// See the module documentation.
pub struct Throttle {
    failures: Cache<Subject, Failures>,
    free_per_login: u32,
    free_per_address: u32,
    base: Duration,
    max: Duration,
}

impl Throttle {
    /// A throttle with the configured allowances.
    pub fn new(config: &LoginConfig) -> Self {
        Self {
            failures: Cache::new(REMEMBERED),
            free_per_login: config.free_attempts_per_login,
            free_per_address: config.free_attempts_per_address,
            base: Duration::from_millis(config.backoff_base_ms),
            max: Duration::from_secs(config.backoff_max_secs),
        }
    }

    /// How long `login` from `client` must still wait before its next try, if at all.
    pub fn wait(&self, login: &str, client: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let by_login = self.remaining(&Subject::Login(key(login)), self.free_per_login, now);
        let by_address = client.and_then(|addr| {
            self.remaining(&Subject::Address(network(addr)), self.free_per_address, now)
        });
        by_login.max(by_address)
    }

    /// A wrong password for `login` from `client`.
    pub fn failed(&self, login: &str, client: Option<IpAddr>) {
        self.count(Subject::Login(key(login)));
        if let Some(addr) = client {
            self.count(Subject::Address(network(addr)));
        }
    }

    /// `login` proved its password: its own count starts afresh (the address's does not, or
    /// one valid account would reset an address that guesses others).
    pub fn succeeded(&self, login: &str) {
        self.failures.remove(&Subject::Login(key(login)));
    }

    fn count(&self, subject: Subject) {
        let now = Instant::now();
        let count = match self.failures.get(&subject) {
            Some(f) if now.duration_since(f.last) < FORGET_AFTER => f.count.saturating_add(1),
            _ => 1,
        };
        self.failures.insert(subject, Failures { count, last: now });
    }

    fn remaining(&self, subject: &Subject, free: u32, now: Instant) -> Option<Duration> {
        let failures = self.failures.get(subject)?;
        if failures.count < free {
            return None;
        }
        let doublings = (failures.count - free).min(30);
        let backoff = self.base.saturating_mul(1 << doublings).min(self.max);
        (failures.last + backoff)
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
    }
}

fn key(login: &str) -> Box<str> {
    login.trim().to_lowercase().into()
}

/// IPv6 clients are counted by /64, the block one subscriber usually has.
fn network(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, 64)
            .map(|net| IpAddr::V6(net.network()))
            .unwrap_or(addr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::new(&LoginConfig {
            free_attempts_per_login: 3,
            free_attempts_per_address: 5,
            backoff_base_ms: 1000,
            backoff_max_secs: 8,
            ..LoginConfig::default()
        })
    }

    #[tokio::test(start_paused = true)]
    async fn waits_double_after_the_free_tries_and_reset_on_success() {
        let t = throttle();
        let addr: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..2 {
            t.failed("Anna", Some(addr));
            assert_eq!(t.wait("anna", Some(addr)), None);
        }
        t.failed("anna", Some(addr));
        assert_eq!(t.wait("anna", None), Some(Duration::from_secs(1)));
        t.failed("anna", None);
        assert_eq!(t.wait("anna", None), Some(Duration::from_secs(2)));
        for _ in 0..5 {
            t.failed("anna", None);
        }
        assert_eq!(t.wait("anna", None), Some(Duration::from_secs(8)), "capped");
        tokio::time::advance(Duration::from_secs(8)).await;
        assert_eq!(t.wait("anna", None), None, "waited long enough");
        t.succeeded("anna");
        t.failed("anna", None);
        assert_eq!(t.wait("anna", None), None, "afresh after a success");
    }

    #[tokio::test(start_paused = true)]
    async fn an_address_guessing_many_logins_is_slowed_too() {
        let t = throttle();
        let addr: IpAddr = "2001:db8::1".parse().unwrap();
        let neighbour: IpAddr = "2001:db8::2".parse().unwrap();
        for n in 0..5 {
            t.failed(&format!("user{n}"), Some(addr));
        }
        assert!(
            t.wait("someone-else", Some(neighbour)).is_some(),
            "same /64"
        );
        assert!(t.wait("someone-else", None).is_none());
    }
}
