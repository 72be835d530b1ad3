//! Every metric erpfront exports, in one place, so that names and their help texts cannot drift
//! apart (README "Operating erpfront" lists the same).

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

/// Gauge, always 1, labelled with the version.
pub const BUILD_INFO: &str = "erpfront_build_info";
/// Counter by `route` (template), `method`, `status_class`.
pub const HTTP_REQUESTS: &str = "erpfront_http_requests_total";
/// Histogram by `route`, `method`, `status_class`.
pub const HTTP_DURATION: &str = "erpfront_http_request_duration_seconds";
/// Counter by `adapter`, `operation`, `outcome`: calls that went to the ERP.
pub const ERP_CALLS: &str = "erpfront_erp_calls_total";
/// Histogram by `adapter`, `operation`, `outcome`.
pub const ERP_DURATION: &str = "erpfront_erp_call_duration_seconds";
/// Gauge: concurrency-limit permits held by calls at the ERP.
pub const ERP_IN_FLIGHT: &str = "erpfront_erp_calls_in_flight";
/// Gauge: the concurrency limit.
pub const ERP_IN_FLIGHT_LIMIT: &str = "erpfront_erp_calls_in_flight_limit";
/// Counter by `operation`: calls shed because no permit came free in time.
pub const ERP_SHED: &str = "erpfront_erp_calls_shed_total";
/// Counter by `operation`: calls refused at once by the open breaker.
pub const ERP_BREAKER_REFUSED: &str = "erpfront_erp_calls_breaker_refused_total";
/// Gauge by `state` (`closed`, `open`, `half_open`): 1 for the current state.
pub const BREAKER_STATE: &str = "erpfront_erp_breaker_state";
/// Counter by `to`: breaker state changes.
pub const BREAKER_TRANSITIONS: &str = "erpfront_erp_breaker_transitions_total";
/// Counter by `kind` (the ERP data kinds, and `answer` for finished answers): answers served
/// fresh from the cache.
pub const CACHE_HITS: &str = "erpfront_cache_hits_total";
/// Counter by `kind`: lookups that needed the ERP.
pub const CACHE_MISSES: &str = "erpfront_cache_misses_total";
/// Counter by `kind`: lookups that waited for another caller's ERP call instead of making one.
pub const CACHE_COALESCED: &str = "erpfront_cache_coalesced_waiters_total";
/// Counter by `kind`: last good answers served while the ERP was unreachable.
pub const CACHE_STALE: &str = "erpfront_cache_stale_served_total";
/// Counter by `kind`, `cause` (`size`, `expired`, `removed`).
pub const CACHE_EVICTIONS: &str = "erpfront_cache_evictions_total";
/// Gauge by `cache` (`erp`, `answers`): bytes held.
pub const CACHE_BYTES: &str = "erpfront_cache_bytes";
/// Gauge by `cache`: the byte bound.
pub const CACHE_BYTES_LIMIT: &str = "erpfront_cache_bytes_limit";
/// Counter by `outcome`: order submissions.
pub const ORDERS: &str = "erpfront_orders_total";
/// Counter by `when` (`before_create`, `after_lost_answer`): orders found by idempotency key.
pub const ORDERS_FOUND_BY_KEY: &str = "erpfront_orders_found_by_key_total";
/// Counter by `result` (`success`, `failure`, `throttled`, `busy`).
pub const LOGIN_ATTEMPTS: &str = "erpfront_login_attempts_total";

/// Counter by `trigger` (`signal`, `file_change`), `result` (`ok`, `rejected`): attempts to put
/// the users file in force again.
pub const USERS_RELOADS: &str = "erpfront_users_reloads_total";
/// Gauge: 1 if the last attempt to load the users file succeeded, 0 if it was rejected.
pub const USERS_LAST_RELOAD_OK: &str = "erpfront_users_last_reload_successful";

/// Registers the help texts and units.
pub(super) fn describe() {
    describe_gauge!(BUILD_INFO, "Build information; always 1.");
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered.");
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request."
    );
    describe_counter!(ERP_CALLS, "Calls that went to the ERP, by outcome.");
    describe_histogram!(ERP_DURATION, Unit::Seconds, "Time of one ERP call.");
    describe_gauge!(ERP_IN_FLIGHT, "ERP calls holding a concurrency permit.");
    describe_gauge!(ERP_IN_FLIGHT_LIMIT, "Concurrency permits for ERP calls.");
    describe_counter!(ERP_SHED, "ERP calls shed: no permit came free in time.");
    describe_counter!(
        ERP_BREAKER_REFUSED,
        "ERP calls refused at once by the open breaker."
    );
    describe_gauge!(BREAKER_STATE, "1 for the breaker's current state.");
    describe_counter!(BREAKER_TRANSITIONS, "Breaker state changes.");
    describe_counter!(CACHE_HITS, "Answers served fresh from the cache.");
    describe_counter!(CACHE_MISSES, "Cache lookups that needed the ERP.");
    describe_counter!(
        CACHE_COALESCED,
        "Cache misses that waited for another caller's ERP call."
    );
    describe_counter!(
        CACHE_STALE,
        "Last good answers served while the ERP was unreachable."
    );
    describe_counter!(CACHE_EVICTIONS, "Cache entries evicted.");
    describe_gauge!(CACHE_BYTES, Unit::Bytes, "Bytes held by a cache.");
    describe_gauge!(CACHE_BYTES_LIMIT, Unit::Bytes, "A cache's byte bound.");
    describe_counter!(ORDERS, "Order submissions by outcome.");
    describe_counter!(
        ORDERS_FOUND_BY_KEY,
        "Orders found in the ERP by their idempotency key."
    );
    describe_counter!(LOGIN_ATTEMPTS, "Password logins by result.");
    describe_counter!(
        USERS_RELOADS,
        "Attempts to put the users file in force again, by trigger and result."
    );
    describe_gauge!(
        USERS_LAST_RELOAD_OK,
        "1 if the users file last read was put in force, 0 if it was rejected."
    );
}
