//! `erpfront demo`: the storefront on the embedded demo ERP with fixed logins, so a newcomer
//! (and every test) can try it with one command.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

use crate::config::{
    CacheConfig, Config, ErpConfig, LoginConfig, MetricsConfig, ResilienceConfig, ServerConfig,
    SessionConfig, StatusConfig, SupportConfig, UsersConfig,
};
use crate::users::{Users, UsersError};

/// The demo users file, built in.
pub const DEMO_USERS: &str = include_str!("../fixtures/demo/users.toml");

/// A fixed cookie key so a restarted demo keeps everyone logged in. Never use it in production:
/// `serve` requires a key of your own.
const DEMO_SESSION_KEY: &str = "ZGVtby1vbmx5LWtleS1mb3ItZXJwZnJvbnQtZGVtby1tb2RlLW5ldmVyLXVzZS1pbi1wcm9kdWN0aW9uLTEyMzQ1Njc4OTA=";

/// Demo logins: (login, password, role, customer, API token).
pub const DEMO_LOGINS: [(&str, &str, &str, &str, &str); 3] = [
    (
        "anna@northwind.example",
        "demo",
        "buyer",
        "Northwind Traders",
        "demo-northwind",
    ),
    (
        "li@globex.example",
        "demo",
        "buyer",
        "Globex Industrial",
        "demo-globex",
    ),
    (
        "sam@service.example",
        "demo",
        "service rep",
        "(any)",
        "demo-service",
    ),
];

/// The demo's operator token for the operators' part of `/status.json`.
pub const DEMO_OPERATOR_TOKEN: &str = "demo-operator";

/// The demo configuration, listening on `listen`.
pub fn config(listen: SocketAddr) -> Config {
    Config {
        server: ServerConfig {
            listen,
            ..ServerConfig::default()
        },
        session: SessionConfig {
            key: SecretString::from(DEMO_SESSION_KEY),
            max_age_hours: 12,
            idle_minutes: 30,
            revocation_store: None,
        },
        support: SupportConfig {
            company: "Demo Industrial Supply".into(),
            phone: "+49 30 555 0100".into(),
            email: "orders@demo-supply.example".into(),
        },
        users: UsersConfig {
            file: PathBuf::from("(built in)"),
            watch_interval_secs: 0,
        },
        erp: ErpConfig::Demo(crate::erp::demo::DemoConfig::default()),
        cache: CacheConfig::default(),
        resilience: ResilienceConfig::default(),
        status: StatusConfig {
            operator_token_sha256: vec![hex::encode(crate::users::token_hash(DEMO_OPERATOR_TOKEN))],
        },
        login: LoginConfig::default(),
        // Any free port: several demos (and tests) may run at once; `erpfront demo` names one.
        metrics: MetricsConfig {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        },
        log: crate::config::LogConfig::default(),
        conformance: None,
    }
}

/// The demo users.
pub fn users() -> Result<Users, UsersError> {
    Users::parse(DEMO_USERS)
}
