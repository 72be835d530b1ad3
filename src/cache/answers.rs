//! Finished answers: the encoded body of a response, kept for exactly as long as every cached
//! answer it was built from stays fresh, so a repeated request costs one lookup instead of
//! several lookups, copies and an encoding. Keys name the customer whenever the body holds
//! anything of theirs (their prices), like every other cache key.
//!
//! A body built from any stale answer (served while the ERP was unreachable) is never kept: it
//! must be rebuilt, and labelled, each time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::Expiry;
use moka::sync::Cache;

use super::staleness;
use crate::domain::{CustomerId, Sku};

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

/// Encoded answers, bounded in bytes.
pub struct Answers {
    cache: Cache<AnswerKey, Answer>,
}

/// Heap an entry takes besides its key and body (moka's node and lists, allocator headers).
const ENTRY_OVERHEAD: usize = 256;

impl Answers {
    /// Holds at most about `max_bytes` of answers.
    pub fn new(max_bytes: u64) -> Self {
        let cache = Cache::builder()
            .name("answers")
            .max_capacity(max_bytes)
            .weigher(|key: &AnswerKey, answer: &Answer| {
                let size = answer.finished.body.len() + answer.finished.title.len();
                u32::try_from(ENTRY_OVERHEAD + key.weight() + size).unwrap_or(u32::MAX)
            })
            .expire_after(UntilStale)
            .build();
        Self { cache }
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
            return Ok(finished);
        }
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

/// An answer lives until the first answer it was built from stops being fresh.
struct UntilStale;

impl Expiry<AnswerKey, Answer> for UntilStale {
    fn expire_after_create(
        &self,
        _: &AnswerKey,
        answer: &Answer,
        now: Instant,
    ) -> Option<Duration> {
        Some(answer.fresh_until.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _: &AnswerKey,
        answer: &Answer,
        now: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(answer.fresh_until.saturating_duration_since(now))
    }
}
