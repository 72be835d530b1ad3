//! The integration suite: every test starts the real HTTP server on a loopback port, in front of
//! the demo ERP (wrapped to count calls), and talks to it with a real HTTP client. The `tryton*`
//! modules run the Tryton adapter against a real Tryton server that the suite provisions itself
//! (`tests/tryton/provision.sh`), and against a fake one for the failures.

mod api;
mod api_fuzz;
mod bench_smoke;
mod caching;
mod cart_edits;
mod catalog_pages;
mod chaos;
mod check_config;
mod checkout_outcomes;
mod conformance;
mod degraded;
mod deployment;
mod desk_search;
mod document_numbers;
mod erp_health;
mod erp_sim;
mod hostile;
mod http_adapter;
mod http_faults;
mod http_protocol;
mod http_search;
mod isolation;
mod lifecycle;
mod log_format;
mod network_faults;
mod no_storage_drivers;
mod nothing_at_rest;
mod ops_metrics;
mod outage_pages;
mod protocol_answers;
mod protocol_examples;
mod punchout;
mod racing_instances;
mod real_browser;
mod reference_adapter;
mod request_ids;
mod sap;
mod saved_cart;
mod service_desk;
mod sessions;
mod single_flight;
mod storefront;
mod support;
mod tryton_catalog;
mod tryton_documents;
mod tryton_faults;
mod tryton_orders;
mod tryton_saved_cart;
mod tryton_search;
mod tryton_storefront;
mod tryton_without_shipping;
mod users_reload;
