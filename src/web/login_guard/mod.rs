//! Checking passwords without letting guessing or a flood of logins hurt anyone: wrong
//! passwords are throttled per login and per client address (429 with `Retry-After`), and
//! argon2 runs for a bounded number of logins at once, each taking ~19 MiB and a core for tens of
//! milliseconds, so a login flood can neither grow memory nor starve cached pages. Every
//! attempt is an audit event naming the login and the client address.

mod throttle;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::config::LoginConfig;
use crate::monitoring::names;
use crate::users::{User, Users};
use crate::web::{AppError, audit};
use throttle::Throttle;

/// Memory one argon2 check with the default parameters takes, in MiB (m = 19456 KiB).
const MIB_PER_CHECK: u64 = 19;

/// See the module documentation.
pub struct LoginGuard {
    throttle: Throttle,
    checks: Arc<Semaphore>,
    queue_timeout: Duration,
}

impl LoginGuard {
    /// A guard sized from the configuration and the machine's cores.
    pub fn new(config: &LoginConfig) -> Self {
        let permits = concurrent_checks(config.password_check_memory_mib);
        tracing::debug!(login.concurrent_checks = permits, "password checks sized");
        Self {
            throttle: Throttle::new(config),
            checks: Arc::new(Semaphore::new(permits)),
            queue_timeout: Duration::from_millis(config.password_check_queue_ms),
        }
    }

    /// The user `login` names, if `password` is theirs. Refuses with 429 while the login or the
    /// client address must wait, and with 503 when every password-check slot stays taken.
    pub async fn attempt(
        &self,
        users: &Arc<Users>,
        login: &str,
        password: String,
        client: Option<IpAddr>,
    ) -> Result<Option<Arc<User>>, AppError> {
        let (users, checked) = (users.clone(), login.to_string());
        let user = self
            .check(login, client, move || {
                users.authenticate(&checked, &password)
            })
            .await?;
        if let Some(user) = &user {
            let client_text = client.map(|a| a.to_string()).unwrap_or_default();
            audit::login(&user.login, &client_text, "login");
        }
        Ok(user)
    }

    /// Runs `verify` (an argon2 check for `subject`, a login or another secret's holder) under
    /// the same throttle and bound as a login; a `None` counts as a failed attempt and is
    /// audited. The caller audits a success, under the name it knows.
    pub async fn check<T: Send + 'static>(
        &self,
        subject: &str,
        client: Option<IpAddr>,
        verify: impl FnOnce() -> Option<T> + Send + 'static,
    ) -> Result<Option<T>, AppError> {
        let client_text = client.map(|a| a.to_string()).unwrap_or_default();
        self.refuse_if_throttled(subject, client, &client_text)?;
        let permit = tokio::time::timeout(self.queue_timeout, self.checks.clone().acquire_owned())
            .await
            .map_err(|_| {
                count("busy");
                AppError::Busy
            })?
            .map_err(|_| AppError::Internal("password checks closed".into()))?;
        // Attempts that queued behind others may have become throttled meanwhile.
        self.refuse_if_throttled(subject, client, &client_text)?;
        let verified = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            verify()
        })
        .await
        .map_err(|e| AppError::Internal(format!("password check: {e}")))?;
        match &verified {
            Some(_) => {
                self.throttle.succeeded(subject);
                count("success");
            }
            None => {
                self.throttle.failed(subject, client);
                count("failure");
                audit::login(subject, &client_text, "login_failed");
            }
        }
        Ok(verified)
    }

    fn refuse_if_throttled(
        &self,
        login: &str,
        client: Option<IpAddr>,
        client_text: &str,
    ) -> Result<(), AppError> {
        match self.throttle.wait(login, client) {
            Some(wait) => {
                count("throttled");
                audit::login(login, client_text, "login_throttled");
                Err(AppError::TooManyAttempts {
                    retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                })
            }
            None => Ok(()),
        }
    }
}

/// Counts a password login by its result (never by login: that would be unbounded).
fn count(result: &'static str) {
    metrics::counter!(names::LOGIN_ATTEMPTS, "result" => result).increment(1);
}

/// How many password checks may run at once: as many as the memory budget holds, but at most
/// half the cores, so pages always keep the other half.
fn concurrent_checks(memory_mib: u64) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let by_memory = usize::try_from(memory_mib / MIB_PER_CHECK).unwrap_or(usize::MAX);
    by_memory.min(cores / 2).max(1)
}
