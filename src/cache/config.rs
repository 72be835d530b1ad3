//! The `[cache]` settings.

use serde::{Deserialize, Serialize};

use super::MAX_POPULAR_SKUS;

/// The read-through cache: a byte bound and a TTL per kind of data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Upper bound of what the cache holds, in bytes.
    pub max_bytes: u64,
    /// Catalog, categories and customer master data.
    pub catalog_ttl_secs: u64,
    /// Customer prices.
    pub price_ttl_secs: u64,
    /// Availability.
    pub availability_ttl_secs: u64,
    /// Order lists and orders.
    pub order_ttl_secs: u64,
    /// Invoice lists, invoices and their documents.
    pub invoice_ttl_secs: u64,
    /// How long after its TTL the last good catalog, price or availability answer may still be
    /// shown, labelled with its time, while the ERP cannot be reached. 0 turns this off.
    pub max_stale_secs: u64,
    /// Price misses of one customer, and availability misses, share ERP calls: at most this
    /// many such calls per customer (and for availability) are out at once, and misses arriving
    /// meanwhile go together in the next one.
    pub batch_calls_in_flight: u8,
    /// Such a call may also carry up to this many of the SKUs buyers ask for most that are not
    /// held fresh for its customer (or for availability), so that each customer's prices of
    /// popular products arrive in a few calls instead of one miss at a time. Calls stay within
    /// 100 SKUs. 0 turns this off.
    pub prefetch_skus: u8,
    /// How far down the ranking of most-asked SKUs prefetching reaches. Deeper rankings save
    /// more ERP calls but hold every customer's price of every ranked SKU, so they need room:
    /// about 530 bytes of `max_bytes` per customer and SKU.
    pub popular_skus: u32,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            catalog_ttl_secs: 300,
            price_ttl_secs: 60,
            availability_ttl_secs: 10,
            order_ttl_secs: 10,
            invoice_ttl_secs: 30,
            max_stale_secs: 3600,
            batch_calls_in_flight: 4,
            prefetch_skus: 99,
            popular_skus: 500,
        }
    }
}

impl CacheConfig {
    /// Checks what serde cannot; the message names the setting.
    pub fn check(&self) -> Result<(), String> {
        if self.max_bytes < 1024 * 1024 {
            return Err("cache.max_bytes must be at least 1 MiB".into());
        }
        if self.batch_calls_in_flight == 0 {
            return Err("cache.batch_calls_in_flight must be at least 1".into());
        }
        if !(1..=MAX_POPULAR_SKUS).contains(&self.popular_skus) {
            return Err(format!(
                "cache.popular_skus must be between 1 and {}",
                MAX_POPULAR_SKUS
            ));
        }
        Ok(())
    }
}
