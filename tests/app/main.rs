//! The integration suite: every test starts the real HTTP server on a loopback port, in front of
//! the demo ERP (wrapped to count calls), and talks to it with a real HTTP client. The
//! conformance tests run the adapter suite on adapters directly and through the real binary.

mod api;
mod caching;
mod conformance;
mod degraded;
mod erp_sim;
mod http_adapter;
mod http_faults;
mod http_protocol;
mod isolation;
mod reference_adapter;
mod service_desk;
mod sessions;
mod storefront;
mod support;
