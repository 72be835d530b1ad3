//! Finished answers: the encoded body of a response, kept for exactly as long as every cached
//! answer it was built from stays fresh, so a repeated request costs one lookup instead of
//! several lookups, copies and an encoding. Keys name the customer whenever the body holds
//! anything of theirs (their prices), like every other cache key.
//!
//! A body built from any stale answer (served while the ERP was unreachable) is never kept: it
//! must be rebuilt, and labelled, each time.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use metrics::Counter;

use super::staleness;
use crate::domain::{CustomerId, Sku};
use crate::monitoring::{Collector, names};

/// Which answer, for whom.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnswerKey {
    /// `GET /api/v1/products/{sku}` for a customer.
    ApiProduct(CustomerId, Sku),
    /// The product page's product part (all but the session's forms) for a customer.
    ProductPage(CustomerId, Sku),
    /// A customer's name for page headers (in the title).
    CustomerName(CustomerId),
}

impl AnswerKey {
    fn weight(&self) -> usize {
        match self {
            Self::ApiProduct(customer, sku) | Self::ProductPage(customer, sku) => {
                customer.as_str().len() + sku.as_str().len()
            }
            Self::CustomerName(customer) => customer.as_str().len(),
        }
    }
}

/// A finished answer: its encoded body, and a title for pages that need one.
#[derive(Debug, Clone, Default)]
pub struct Finished {
    /// The encoded body (JSON, or an HTML fragment).
    pub body: Bytes,
    /// What a page built around the body is titled.
    pub title: Arc<str>,
}

impl From<Bytes> for Finished {
    fn from(body: Bytes) -> Self {
        Self {
            body,
            title: Arc::from(""),
        }
    }
}

#[derive(Clone)]
struct Answer {
    finished: Finished,
    fresh_until: Instant,
}

/// Encoded answers, bounded in bytes. A lookup is on every cached request's path, so this is
/// quick_cache (a hit costs an atomic flag) rather than moka (a hit is also recorded for its
/// admission policy); an answer past its time is passed over on reading and replaced when it is
/// rebuilt, or pushed out by newer ones.
pub struct Answers {
    cache: Arc<Cache<AnswerKey, Answer, AnswerBytes>>,
    hits: Counter,
    misses: Counter,
}

/// Heap an entry takes besides its key and body (the cache's slot, allocator headers).
const ENTRY_OVERHEAD: usize = 256;
/// Answers are a few kilobytes; the count only sizes the table up front.
const TYPICAL_ANSWER_BYTES: u64 = 2048;

#[derive(Clone)]
struct AnswerBytes;

impl Weighter<AnswerKey, Answer> for AnswerBytes {
    fn weight(&self, key: &AnswerKey, answer: &Answer) -> u64 {
        let size = answer.finished.body.len() + answer.finished.title.len();
        (ENTRY_OVERHEAD + key.weight() + size) as u64
    }
}

impl Answers {
    /// Holds at most about `max_bytes` of answers.
    pub fn new(max_bytes: u64) -> Self {
        let items = usize::try_from(max_bytes / TYPICAL_ANSWER_BYTES).unwrap_or(usize::MAX);
        Self {
            cache: Arc::new(Cache::with_weighter(items.max(16), max_bytes, AnswerBytes)),
            hits: metrics::counter!(names::CACHE_HITS, "kind" => "answer"),
            misses: metrics::counter!(names::CACHE_MISSES, "kind" => "answer"),
        }
    }

    /// Reads the bytes held and the bound into their gauges, at scrape time.
    pub fn collector(&self) -> Collector {
        let cache = self.cache.clone();
        Box::new(move || {
            #[expect(clippy::cast_precision_loss, reason = "bytes, far below 2^52")]
            {
                metrics::gauge!(names::CACHE_BYTES, "cache" => "answers")
                    .set(cache.weight() as f64);
                metrics::gauge!(names::CACHE_BYTES_LIMIT, "cache" => "answers")
                    .set(cache.capacity() as f64);
            }
        })
    }

    /// The kept answer, while it is fresh.
    pub fn get(&self, key: &AnswerKey) -> Option<Finished> {
        self.cache
            .get(key)
            .filter(|answer| answer.fresh_until > Instant::now())
            .map(|answer| answer.finished)
    }

    /// The kept answer, or `build`'s, which is kept if it was built only from fresh answers.
    pub async fn get_or_build<E>(
        &self,
        key: AnswerKey,
        build: impl Future<Output = Result<Finished, E>>,
    ) -> Result<Finished, E> {
        if let Some(finished) = self.get(&key) {
            self.hits.increment(1);
            return Ok(finished);
        }
        self.misses.increment(1);
        let (built, seen) = staleness::measure(build).await;
        let finished = built?;
        if seen.stale_since().is_none()
            && let Some(fresh_until) = seen.fresh_until()
            && fresh_until > Instant::now()
        {
            self.cache.insert(
                key,
                Answer {
                    finished: finished.clone(),
                    fresh_until,
                },
            );
        }
        Ok(finished)
    }
}
