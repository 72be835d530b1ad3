//! erpfront: a stateless B2B commerce gateway in front of an ERP.
//!
//! # Layout
//! - [`domain`]: the ERP-neutral vocabulary (customers, products, prices, orders, invoices).
//! - [`erp`]: the [`erp::Erp`] trait, the one seam to an ERP, and one module per adapter.
//! - [`cache`]: the read-through layer, a byte-bounded cache keyed by customer, serving the last
//!   good answer (labelled) while the ERP cannot be reached.
//! - [`isolation`]: refuses any record an adapter returns for another customer than asked.
//! - [`resilience`]: timeouts, a concurrency limit, read retries and a circuit breaker per ERP.
//! - [`ordering`]: exactly-once order placement with idempotency keys kept in the ERP.
//! - [`server`]: accepting connections: timeouts for slow clients, a cap on open connections.
//! - [`web`]: the HTTP face, split by audience (storefront, JSON API, health).
//! - [`users`]: website access, the only local data.
//! - [`conformance`]: the rules every adapter must pass, run by tests and `erpfront check-adapter`.
//! - [`sim`]: the sandbox ERP, any adapter served over the HTTP adapter protocol with faults.
//! - [`monitoring`]: Prometheus metrics on their own listener.
//! - [`config`], [`telemetry`], [`app`] (composition root), [`demo`].

pub mod app;
pub mod cache;
pub mod check_config;
pub mod config;
pub mod conformance;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod erp;
pub mod isolation;
pub mod monitoring;
pub mod ordering;
pub mod punchout;
pub mod resilience;
pub mod server;
pub mod sim;
pub mod telemetry;
pub mod users;
pub mod users_reload;
pub mod web;
