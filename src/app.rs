//! The composition root: builds the adapter, the cache, the users and the router from config,
//! binds the listener, and serves until told to stop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum_extra::extract::cookie::Key;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::cache::CachedErp;
use crate::cache::answers::Answers;
use crate::config::{CacheConfig, Config, ConfigError};
use crate::erp::{self, Erp};
use crate::isolation::CustomerGuard;
use crate::monitoring::{self, AbortOnDrop, MetricsServer};
use crate::ordering::Ordering;
use crate::resilience;
use crate::server::{self, ConnectionLimits};
use crate::users::{LiveUsers, Users, UsersError};
use crate::users_reload::{self, UsersReloader};
use crate::web::login_guard::LoginGuard;
use crate::web::{self, App, AppState, OpenedCookies, Shared, Site, TrustedProxies};
use crate::web::{RENEW_EVERY_SECS, Readiness, Revocations};

/// Why erpfront could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The users file is unusable.
    #[error(transparent)]
    Users(#[from] UsersError),
    /// The ERP adapter could not be set up.
    #[error("ERP adapter: {0}")]
    Erp(String),
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// The users file in force and how to notice it changed.
struct UsersFile {
    path: PathBuf,
    /// SHA-256 of the content the users in force came from.
    digest: [u8; 32],
    watch_every: Option<Duration>,
}

/// A bound, ready-to-serve erpfront.
pub struct Application {
    listener: TcpListener,
    app: App,
    limits: ConnectionLimits,
    readiness: Readiness,
    shutdown_delay: Duration,
    users: Arc<LiveUsers>,
    /// Where the users came from, read again on SIGHUP and when it changes; none for the
    /// demo's built-in users.
    users_file: Option<UsersFile>,
    metrics: Option<MetricsServer>,
}

impl Application {
    /// Builds everything the configuration names.
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        let erp = erp::connect(&config.erp).map_err(|e| StartError::Erp(e.to_string()))?;
        let (users, digest) = users_reload::load(&config.users.file)?;
        let mut app = Self::with_parts(config, erp, users).await?;
        app.users_file = Some(UsersFile {
            path: config.users.file.clone(),
            digest,
            watch_every: config.users.watch_interval(),
        });
        Ok(app)
    }

    /// Builds around a given adapter and users (the demo, and tests with a counting adapter).
    pub async fn with_parts(
        config: &Config,
        erp: Arc<dyn Erp>,
        users: Users,
    ) -> Result<Self, StartError> {
        config.validate()?;
        if config.metrics.enabled {
            // Before anything below registers its counters.
            monitoring::install();
        }
        let key = Key::from(&config.session.key_bytes()?);
        // Right on the adapter: a record of another customer is refused before resilience
        // counts it or the cache keeps it.
        let guarded: Arc<dyn Erp> = Arc::new(CustomerGuard::new(erp));
        let protected = resilience::protect(guarded, &config.resilience);
        let health = protected.health;
        // One byte bound for both: an eighth for finished answers, the rest for ERP answers.
        let answer_bytes = config.cache.max_bytes / 8;
        let data_config = CacheConfig {
            max_bytes: config.cache.max_bytes - answer_bytes,
            ..config.cache.clone()
        };
        let cached = Arc::new(CachedErp::new(protected.erp, &data_config));
        let answers = Answers::new(answer_bytes);
        let collectors = vec![
            protected.collect,
            cached.collector(data_config.max_bytes),
            answers.collector(),
        ];
        let cached: Arc<dyn Erp> = cached;
        let trusted_proxies = TrustedProxies::new(config.server.trusted_proxy_nets()?);
        let idle_timeout = Duration::from_secs(u64::from(config.session.idle_minutes) * 60);
        // A revoked cookie could have been renewed just before its log-out: it dies of idleness
        // at most one renewal interval after the idle timeout.
        let revoked_for = idle_timeout + Duration::from_secs(RENEW_EVERY_SECS.unsigned_abs());
        let revocations = match &config.session.revocation_store {
            Some(url) => Revocations::shared(revoked_for, url.expose_secret())
                .await
                .map_err(|e| StartError::Config(ConfigError::Invalid(e)))?,
            None => Revocations::new(revoked_for),
        };
        let users = Arc::new(LiveUsers::new(users));
        let readiness = Readiness::default();
        let state = AppState::new(Shared {
            // Orders go through the cache layer, which passes them on and drops the customer's
            // cached order list so the new order shows at once.
            ordering: Arc::new(Ordering::new(cached.clone())),
            erp: cached,
            answers,
            users: users.clone(),
            health,
            cookie_key: key,
            carts: OpenedCookies::new(10_000),
            sessions: OpenedCookies::new(10_000),
            site: Arc::new(Site {
                support: Arc::new(config.support.clone()),
                secure_cookies: config.server.secure_cookies,
                session_max_age: Duration::from_secs(
                    u64::from(config.session.max_age_hours) * 3600,
                ),
                session_idle_timeout: idle_timeout,
                request_timeout: Duration::from_secs(config.server.request_timeout_secs),
                status_tokens: config.status.token_hashes()?,
                body_read_timeout: Duration::from_secs(
                    config
                        .server
                        .body_read_timeout_secs
                        .min(config.server.request_timeout_secs),
                ),
            }),
            logins: LoginGuard::new(&config.login),
            revocations,
            trusted_proxies,
            punchout_starts: web::OpenedStarts::default(),
            readiness: readiness.clone(),
        });
        let addr = config.server.listen;
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Listen { addr, source })?;
        let metrics = if config.metrics.enabled {
            let addr = config.metrics.listen;
            let bound = MetricsServer::bind(addr, collectors).await;
            Some(bound.map_err(|source| StartError::Listen { addr, source })?)
        } else {
            None
        };
        Ok(Self {
            listener,
            app: web::app(state),
            limits: ConnectionLimits::from_config(&config.server),
            readiness,
            shutdown_delay: Duration::from_secs(config.server.shutdown_delay_secs),
            users,
            users_file: None,
            metrics,
        })
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The address `/metrics` is served on, when enabled.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|m| m.local_addr().ok())
    }

    /// Serves until `shutdown` resolves, then drains: `/readyz` answers 503 at once, new
    /// connections are still taken for `server.shutdown_delay_secs`, then refused, and the
    /// requests under way get `server.shutdown_grace_secs` to finish. Meanwhile SIGHUP, and a
    /// change of its content, reload the users file.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The metrics listener lives exactly as long as the public one.
        let _metrics = self.metrics.map(|m| AbortOnDrop(tokio::spawn(m.serve())));
        // Reloading, too, lives as long as serving.
        let mut _reloading = Vec::new();
        if let Some(file) = self.users_file {
            let reloader = Arc::new(UsersReloader::new(self.users, file.path, Some(file.digest)));
            _reloading.push(AbortOnDrop(reloader.clone().on_hangup()?));
            if let Some(every) = file.watch_every {
                _reloading.push(AbortOnDrop(reloader.watch(every)));
            }
        }
        let (readiness, delay) = (self.readiness, self.shutdown_delay);
        let draining = async move {
            shutdown.await;
            readiness.begin_draining();
            tracing::info!(
                delay_secs = delay.as_secs(),
                "shutting down: /readyz now answers 503"
            );
            tokio::time::sleep(delay).await;
        };
        server::serve(self.listener, self.app, self.limits, draining).await
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
