//! The integration suite: every test starts the real HTTP server on a loopback port, in front of
//! the demo ERP (wrapped to count calls), and talks to it with a real HTTP client. The
//! conformance tests run the adapter suite on adapters directly and through the real binary.

mod api;
mod caching;
mod conformance;
mod degraded;
mod isolation;
mod service_desk;
mod sessions;
mod storefront;
mod support;
