//! The read-through layer: [`CachedErp`] wraps any adapter in one byte-bounded moka cache.
//!
//! The cache is an optimisation and never a source of truth: entries live seconds to minutes,
//! errors are never stored, writes pass straight through, and every customer-specific entry is
//! keyed by the customer so one buyer can never be served another's price, order or document.
//! Concurrent misses for one key are coalesced into one ERP call (moka's entry compute), and
//! price and availability misses of concurrent requests share batch calls (`batch`).
//! [`answers`] keeps finished response bodies built from these entries while they are fresh.

pub mod answers;
mod batch;
mod config;
mod key;
mod popular;
pub mod staleness;

use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use metrics::Counter;
use moka::Expiry;
use moka::future::Cache;
use moka::notification::RemovalCause;
use moka::ops::compute::{CompResult, Op};

use crate::domain::{
    Availability, CatalogQuery, Category, Customer, CustomerId, Document, IdempotencyKey, Invoice,
    InvoiceNumber, InvoiceSummary, NewOrder, Order, OrderNumber, OrderSummary, Price, Product,
    ProductPage, Sku,
};
use crate::erp::{Erp, ErpError, ErpLayer, ErpResult};
use crate::monitoring::{Collector, names};

pub use config::CacheConfig;

use batch::{Batcher, Fetch};
use key::{CacheKey, CacheValue, Kind};
use popular::{Popular, Prefetch};

/// The most SKUs put into one shared price or availability call (the HTTP adapter protocol
/// allows 200 per call).
const MAX_BATCH_SKUS: usize = 100;
/// SKUs that may wait for a batch call per group; beyond, misses are shed as `Overloaded`
/// (ten full calls: a queue longer than that only adds latency that the deadline cuts off).
const MAX_QUEUED_SKUS: usize = 10 * MAX_BATCH_SKUS;

/// The deepest ranking of asked-for SKUs `cache.popular_skus` may ask for: all that are counted.
pub const MAX_POPULAR_SKUS: u32 = popular::MAX_COUNTED as u32;

/// An [`Erp`] that answers reads from memory when it can and asks the wrapped adapter when not.
pub struct CachedErp {
    inner: Arc<dyn Erp>,
    cache: Cache<CacheKey, Stamped>,
    ttl: TtlPerKind,
    popular: Arc<Popular>,
    price_misses: Misses<CustomerId, Price>,
    availability_misses: Misses<(), Availability>,
    counts: Counts,
}

/// Pre-registered counters per kind, so that a hit costs one atomic add.
struct Counts {
    hits: PerKind,
    misses: PerKind,
    coalesced: PerKind,
    stale: PerKind,
}

impl Counts {
    fn new() -> Self {
        Self {
            hits: PerKind::new(names::CACHE_HITS),
            misses: PerKind::new(names::CACHE_MISSES),
            coalesced: PerKind::new(names::CACHE_COALESCED),
            stale: PerKind::new(names::CACHE_STALE),
        }
    }
}

struct PerKind([Counter; Kind::ALL.len()]);

impl PerKind {
    fn new(name: &'static str) -> Self {
        Self(Kind::ALL.map(|kind| metrics::counter!(name, "kind" => kind.name())))
    }

    fn count(&self, kind: Kind, n: usize) {
        self.0[kind as usize].increment(n as u64);
    }
}

/// Where the misses of one kind go: shared calls, which may also carry popular SKUs.
struct Misses<G, T> {
    batches: Arc<Batcher<G, T>>,
    prefetch: Arc<Prefetch<G>>,
}

impl<G, T> Misses<G, T>
where
    G: Clone + Eq + Hash + Send + Sync + 'static,
    T: HasSku + Send + Sync + 'static,
{
    fn new(config: &CacheConfig, popular: &Arc<Popular>) -> Self {
        Self {
            batches: Batcher::new(
                usize::from(config.batch_calls_in_flight),
                MAX_BATCH_SKUS,
                MAX_QUEUED_SKUS,
            ),
            prefetch: Arc::new(Prefetch::new(
                popular.clone(),
                usize::from(config.prefetch_skus),
            )),
        }
    }
}

impl CachedErp {
    /// Wraps `inner` with a cache bounded to `config.max_bytes`.
    pub fn new(inner: Arc<dyn Erp>, config: &CacheConfig) -> Self {
        let cache = Cache::builder()
            .name("erp")
            .max_capacity(config.max_bytes)
            .weigher(|key: &CacheKey, entry: &Stamped| {
                u32::try_from(key.weight() + entry.value.weight()).unwrap_or(u32::MAX)
            })
            .expire_after(TtlPerKind(config.clone()))
            .eviction_listener(|key: Arc<CacheKey>, _, cause| {
                let cause = match cause {
                    RemovalCause::Size => "size",
                    RemovalCause::Expired => "expired",
                    RemovalCause::Explicit => "removed",
                    RemovalCause::Replaced => return,
                };
                metrics::counter!(names::CACHE_EVICTIONS, "kind" => key.kind().name(), "cause" => cause)
                    .increment(1);
            })
            .build();
        let popular = Arc::new(Popular::new(config.popular_skus as usize));
        Self {
            inner,
            cache,
            ttl: TtlPerKind(config.clone()),
            price_misses: Misses::new(config, &popular),
            availability_misses: Misses::new(config, &popular),
            popular,
            counts: Counts::new(),
        }
    }

    /// Reads the bytes held and the bound into their gauges, at scrape time.
    pub fn collector(self: &Arc<Self>, bound: u64) -> Collector {
        let cache = self.cache.clone();
        Box::new(move || {
            #[expect(clippy::cast_precision_loss, reason = "bytes, far below 2^52")]
            {
                metrics::gauge!(names::CACHE_BYTES, "cache" => "erp")
                    .set(cache.weighted_size() as f64);
                metrics::gauge!(names::CACHE_BYTES_LIMIT, "cache" => "erp").set(bound as f64);
            }
        })
    }

    /// Approximate bytes held, after pending maintenance.
    pub async fn weighted_size(&self) -> u64 {
        self.cache.run_pending_tasks().await;
        self.cache.weighted_size()
    }

    fn is_fresh(&self, entry: &Stamped, kind: Kind) -> bool {
        entry.fetched.elapsed() < self.ttl.ttl(kind)
    }

    /// Tells the request when this answer stops being fresh (see [`staleness::measure`]).
    fn note_fresh(&self, entry: &Stamped, kind: Kind) {
        staleness::note_fresh_until(entry.fetched + self.ttl.ttl(kind));
    }

    /// A fresh answer from memory, or one ERP call for it (concurrent callers of one key wait
    /// for that call instead of making their own), or, when the ERP cannot be reached, the last
    /// good answer for kinds that may be shown stale.
    async fn read<F>(&self, key: CacheKey, load: F) -> ErpResult<CacheValue>
    where
        F: Future<Output = ErpResult<CacheValue>>,
    {
        let kind = key.kind();
        if let Some(hit) = self.cache.get(&key).await
            && self.is_fresh(&hit, kind)
        {
            self.counts.hits.count(kind, 1);
            self.note_fresh(&hit, kind);
            return Ok(hit.value);
        }
        let computed = self
            .cache
            .entry(key.clone())
            .and_try_compute_with(|current| async move {
                // Callers of one key pass here one at a time: all but the first find the answer
                // the first one loaded.
                if current.is_some_and(|c| self.is_fresh(c.value(), kind)) {
                    self.counts.coalesced.count(kind, 1);
                    return Ok::<_, ErpError>(Op::Nop);
                }
                self.counts.misses.count(kind, 1);
                Ok(Op::Put(Stamped::now(load.await?)))
            })
            .await;
        match computed {
            Ok(
                CompResult::Inserted(e) | CompResult::ReplacedWith(e) | CompResult::Unchanged(e),
            ) => {
                let entry = e.into_value();
                self.note_fresh(&entry, kind);
                Ok(entry.value)
            }
            Ok(CompResult::StillNone(_) | CompResult::Removed(_)) => {
                Err(ErpError::invalid_data("cache entry vanished while loading"))
            }
            Err(err) if err.is_unreachable() && self.ttl.may_serve_stale(kind) => {
                match self.cache.get(&key).await {
                    Some(old) => Ok(self.serve_stale(old, kind)),
                    None => Err(err),
                }
            }
            Err(err) => Err(err),
        }
    }

    fn serve_stale(&self, old: Stamped, kind: Kind) -> CacheValue {
        self.counts.stale.count(kind, 1);
        tracing::info!(cache.kind = kind.name(), fetched_at = %old.fetched_at, "ERP unreachable, serving last good answer");
        staleness::note_stale(old.fetched_at);
        old.value
    }

    /// Looks up many keys of one kind and fetches the missing ones from the ERP through
    /// `misses`, which puts concurrent misses of one group into shared calls that also carry
    /// popular SKUs not held fresh for the group.
    async fn read_batch<G, T>(
        &self,
        skus: &[Sku],
        kind: Kind,
        misses: &Misses<G, T>,
        group: G,
        key_for: fn(&G, &Sku) -> CacheKey,
        fetch: impl FnOnce(Vec<Sku>) -> BoxFuture<'static, ErpResult<Vec<T>>> + Send + 'static,
    ) -> ErpResult<Vec<T>>
    where
        G: Clone + Eq + Hash + Send + Sync + 'static,
        T: Clone + HasSku + Send + Sync + 'static,
        CacheValue: From<Option<Arc<T>>>,
        for<'a> &'a CacheValue: Into<Option<Option<Arc<T>>>>,
    {
        let mut wanted: Vec<Sku> = skus.to_vec();
        wanted.sort();
        wanted.dedup();
        let mut found: Vec<Arc<T>> = Vec::with_capacity(wanted.len());
        let mut missing = Vec::new();
        let mut stale = Vec::new();
        for sku in wanted {
            let entry = self.cache.get(&key_for(&group, &sku)).await;
            let known = entry.as_ref().and_then(|e| {
                let item: Option<Option<Arc<T>>> = (&e.value).into();
                item.map(|i| (i, e))
            });
            match known {
                Some((item, e)) if self.is_fresh(e, kind) => {
                    self.note_fresh(e, kind);
                    found.extend(item);
                }
                Some((_, old)) => {
                    stale.push(old.clone());
                    missing.push(sku);
                }
                None => missing.push(sku),
            }
        }
        self.counts.hits.count(kind, found.len());
        if missing.is_empty() {
            return Ok(found.iter().map(|i| T::clone(i)).collect());
        }
        self.counts.misses.count(kind, missing.len());
        let cache = self.cache.clone();
        let cache_group = group.clone();
        let prefetch = misses.prefetch.clone();
        let ttl = self.ttl.ttl(kind);
        let load: Fetch<T> = Box::new(move |mut skus: Vec<Sku>| {
            Box::pin(async move {
                let is_fresh = |sku: &Sku| -> BoxFuture<'static, bool> {
                    let (cache, key) = (cache.clone(), key_for(&cache_group, sku));
                    Box::pin(async move {
                        let entry = cache.get(&key).await;
                        entry.is_some_and(|e| e.fetched.elapsed() < ttl)
                    })
                };
                let popular = prefetch
                    .pick(&cache_group, &skus, MAX_BATCH_SKUS, is_fresh)
                    .await;
                skus.extend(popular);
                let items: Vec<Arc<T>> = fetch(skus.clone())
                    .await?
                    .into_iter()
                    .map(Arc::new)
                    .collect();
                // Remember answers and absences alike, so an unknown SKU costs one call.
                for sku in &skus {
                    let item = items.iter().find(|i| i.sku() == sku).cloned();
                    let key = key_for(&cache_group, sku);
                    cache
                        .insert(key, Stamped::now(CacheValue::from(item)))
                        .await;
                }
                Ok(items)
            })
        });
        let fetched_at = Instant::now();
        match misses.batches.load(group, missing.clone(), load).await {
            Ok(items) => {
                staleness::note_fresh_until(fetched_at + self.ttl.ttl(kind));
                found.extend(items);
            }
            // Every missing answer has a last good one: show those, labelled.
            Err(err)
                if err.is_unreachable()
                    && stale.len() == missing.len()
                    && self.ttl.may_serve_stale(kind) =>
            {
                for old in stale {
                    let item: Option<Option<Arc<T>>> = (&self.serve_stale(old, kind)).into();
                    found.extend(item.flatten());
                }
            }
            Err(err) => return Err(err),
        }
        Ok(found.iter().map(|i| T::clone(i)).collect())
    }
}

/// A cached answer with when it was fetched.
#[derive(Clone)]
struct Stamped {
    value: CacheValue,
    fetched: Instant,
    fetched_at: DateTime<Utc>,
}

impl Stamped {
    fn now(value: CacheValue) -> Self {
        Self {
            value,
            fetched: Instant::now(),
            fetched_at: Utc::now(),
        }
    }
}

/// Items answered in batches, found again by SKU.
pub trait HasSku {
    /// The SKU the item is about.
    fn sku(&self) -> &Sku;
}

impl HasSku for Price {
    fn sku(&self) -> &Sku {
        &self.sku
    }
}

impl HasSku for Availability {
    fn sku(&self) -> &Sku {
        &self.sku
    }
}

macro_rules! cached {
    ($self:ident, $key:expr, $variant:ident, $load:expr) => {{
        let value = $self
            .read($key, async {
                Ok(CacheValue::$variant(Arc::new($load.await?)))
            })
            .await?;
        match value {
            CacheValue::$variant(v) => Ok((*v).clone()),
            _ => Err(ErpError::invalid_data("cache held a value of another kind")),
        }
    }};
}

/// The cache's policy, operation by operation. Every operation not written out here passes
/// straight through, uncached: `health` and `find_order_by_key` must see the ERP as it is now,
/// and the service desk's cross-customer searches must be live.
///
/// | operation | key (customer-scoped where the data is the customer's) | TTL | stale while the ERP is down |
/// | --- | --- | --- | --- |
/// | `categories`, `search_products`, `product` | shared | `catalog_ttl_secs` | yes |
/// | `customer` | customer | `catalog_ttl_secs` | yes |
/// | `prices` | customer × SKU, batched | `price_ttl_secs` | yes |
/// | `availability` | SKU, batched | `availability_ttl_secs` | yes |
/// | `orders`, `order` | customer (× number) | `order_ttl_secs` | no |
/// | `invoices`, `invoice`, `invoice_document` | customer × number | `invoice_ttl_secs` | no |
/// | `create_order` | not cached; drops the customer's cached order list | | |
/// | `saved_cart`, `save_cart` | never cached: the saved cart is read at login and when a rep starts acting, and must be the one last written, from any instance | | no |
///
/// The TTLs and the stale rule live in [`TtlPerKind`], the kinds in `key.rs`.
#[async_trait]
impl ErpLayer for CachedErp {
    fn inner(&self) -> &dyn Erp {
        &*self.inner
    }

    async fn categories(&self) -> ErpResult<Vec<Category>> {
        cached!(
            self,
            CacheKey::Categories,
            Categories,
            self.inner.categories()
        )
    }

    async fn search_products(&self, query: &CatalogQuery) -> ErpResult<ProductPage> {
        let key = CacheKey::Search(query.clone());
        cached!(self, key, Search, self.inner.search_products(query))
    }

    async fn product(&self, sku: &Sku) -> ErpResult<Product> {
        cached!(
            self,
            CacheKey::Product(sku.clone()),
            Product,
            self.inner.product(sku)
        )
    }

    async fn prices(&self, customer: &CustomerId, skus: &[Sku]) -> ErpResult<Vec<Price>> {
        let inner = self.inner.clone();
        let for_customer = customer.clone();
        let prices = self
            .read_batch(
                skus,
                Kind::Price,
                &self.price_misses,
                customer.clone(),
                |customer, sku| CacheKey::Price(customer.clone(), sku.clone()),
                move |missing| Box::pin(async move { inner.prices(&for_customer, &missing).await }),
            )
            .await?;
        // Only SKUs the ERP priced count as asked for: made-up ones must not crowd the ranking.
        self.popular.record(prices.iter().map(|p| &p.sku));
        Ok(prices)
    }

    async fn availability(&self, skus: &[Sku]) -> ErpResult<Vec<Availability>> {
        let inner = self.inner.clone();
        self.read_batch(
            skus,
            Kind::Availability,
            &self.availability_misses,
            (),
            |(), sku| CacheKey::Availability(sku.clone()),
            move |missing| Box::pin(async move { inner.availability(&missing).await }),
        )
        .await
    }

    async fn customer(&self, customer: &CustomerId) -> ErpResult<Customer> {
        let key = CacheKey::Customer(customer.clone());
        cached!(self, key, Customer, self.inner.customer(customer))
    }

    async fn create_order(&self, key: &IdempotencyKey, order: &NewOrder) -> ErpResult<Order> {
        let result = self.inner.create_order(key, order).await;
        // Whatever happened, the buyer's next look at their orders must come from the ERP.
        self.cache
            .invalidate(&CacheKey::Orders(order.customer.clone()))
            .await;
        result
    }

    async fn orders(&self, customer: &CustomerId) -> ErpResult<Vec<OrderSummary>> {
        let key = CacheKey::Orders(customer.clone());
        cached!(self, key, Orders, self.inner.orders(customer))
    }

    async fn order(&self, customer: &CustomerId, number: &OrderNumber) -> ErpResult<Order> {
        let key = CacheKey::Order(customer.clone(), number.clone());
        cached!(self, key, Order, self.inner.order(customer, number))
    }

    async fn invoices(&self, customer: &CustomerId) -> ErpResult<Vec<InvoiceSummary>> {
        let key = CacheKey::Invoices(customer.clone());
        cached!(self, key, Invoices, self.inner.invoices(customer))
    }

    async fn invoice(&self, customer: &CustomerId, number: &InvoiceNumber) -> ErpResult<Invoice> {
        let key = CacheKey::Invoice(customer.clone(), number.clone());
        cached!(self, key, Invoice, self.inner.invoice(customer, number))
    }

    async fn invoice_document(
        &self,
        customer: &CustomerId,
        number: &InvoiceNumber,
    ) -> ErpResult<Document> {
        let key = CacheKey::Document(customer.clone(), number.clone());
        cached!(
            self,
            key,
            Document,
            self.inner.invoice_document(customer, number)
        )
    }
}

/// Each kind of data lives as long as its configured TTL; a replaced entry starts afresh.
struct TtlPerKind(CacheConfig);

impl TtlPerKind {
    fn ttl(&self, kind: Kind) -> Duration {
        let c = &self.0;
        let secs = match kind {
            Kind::Catalog => c.catalog_ttl_secs,
            Kind::Price => c.price_ttl_secs,
            Kind::Availability => c.availability_ttl_secs,
            Kind::Order => c.order_ttl_secs,
            Kind::Invoice => c.invoice_ttl_secs,
        };
        Duration::from_secs(secs)
    }

    /// Catalog data, prices and availability may stand in while the ERP is unreachable;
    /// orders and invoices must not (a buyer would act on an outdated status or balance).
    fn may_serve_stale(&self, kind: Kind) -> bool {
        self.0.max_stale_secs > 0
            && matches!(kind, Kind::Catalog | Kind::Price | Kind::Availability)
    }

    /// How long moka keeps an entry: its TTL, plus the stale window where that applies.
    fn keep(&self, kind: Kind) -> Duration {
        let stale = if self.may_serve_stale(kind) {
            self.0.max_stale_secs
        } else {
            0
        };
        self.ttl(kind) + Duration::from_secs(stale)
    }
}

impl Expiry<CacheKey, Stamped> for TtlPerKind {
    fn expire_after_create(&self, key: &CacheKey, _: &Stamped, _: Instant) -> Option<Duration> {
        Some(self.keep(key.kind()))
    }

    fn expire_after_update(
        &self,
        key: &CacheKey,
        _: &Stamped,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(self.keep(key.kind()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{CacheConfig, CachedErp, popular};
    use crate::domain::{CatalogQuery, CustomerId, Price, Sku};
    use crate::erp::Erp;
    use crate::erp::demo::DemoErp;

    fn cached(max_bytes: u64) -> CachedErp {
        let config = CacheConfig {
            max_bytes,
            ..CacheConfig::default()
        };
        CachedErp::new(Arc::new(DemoErp::embedded().unwrap()), &config)
    }

    #[tokio::test]
    async fn the_cache_stays_within_its_byte_bound() {
        let cache = cached(256 * 1024);
        for page in 1..=11 {
            for per_page in [10, 20, 30, 40] {
                let query = CatalogQuery::new(None, None, page, per_page);
                cache.search_products(&query).await.unwrap();
            }
        }
        let held = cache.weighted_size().await;
        assert!(held > 0 && held <= 256 * 1024, "held {held} bytes");
    }

    #[tokio::test]
    async fn prices_are_kept_per_customer() {
        let cache = cached(8 * 1024 * 1024);
        let page = cache
            .search_products(&CatalogQuery::new(None, None, 1, 5))
            .await
            .unwrap();
        let skus: Vec<Sku> = page.items.iter().map(|p| p.sku.clone()).collect();
        let northwind = CustomerId::parse("C-1000").unwrap();
        let globex = CustomerId::parse("C-2000").unwrap();
        let first = cache.prices(&northwind, &skus).await.unwrap();
        let other = cache.prices(&globex, &skus).await.unwrap();
        let again = cache.prices(&northwind, &skus).await.unwrap();
        assert_eq!(first.len(), skus.len());
        assert_eq!(first, again);
        let amounts = |prices: &[Price]| prices.iter().map(|p| p.base().amount).collect::<Vec<_>>();
        assert_ne!(
            amounts(&first),
            amounts(&other),
            "each customer gets their own prices, never a cached neighbour's"
        );
        let unknown = cache
            .prices(&northwind, &[Sku::parse("NO-SUCH").unwrap()])
            .await
            .unwrap();
        assert!(unknown.is_empty());
    }

    #[tokio::test]
    async fn only_skus_the_erp_prices_count_as_popular() {
        let cache = cached(8 * 1024 * 1024);
        let northwind = CustomerId::parse("C-1000").unwrap();
        let known = Sku::parse("FAS-1001").unwrap();
        let made_up: Vec<Sku> = (0..50)
            .map(|n| Sku::parse(format!("JUNK-{n}")).unwrap())
            .collect();
        for _ in 0..3 {
            cache.prices(&northwind, &made_up).await.unwrap();
        }
        cache
            .prices(&northwind, std::slice::from_ref(&known))
            .await
            .unwrap();
        // The ranking is rebuilt at most once a second.
        tokio::time::sleep(popular::REBUILD_EVERY).await;
        assert_eq!(*cache.popular.ranking(), vec![known]);
    }

    /// A buyer who leaves while a miss is loading must not leave the key (or the batch) locked
    /// for the next one.
    #[tokio::test(start_paused = true)]
    async fn a_read_dropped_while_loading_does_not_strand_its_key() {
        use std::time::Duration;
        let erp = crate::resilience::testing::Scripted::new();
        erp.delay(Duration::from_secs(60));
        let cache = CachedErp::new(erp.clone(), &CacheConfig::default());
        let northwind = CustomerId::parse("C-1000").unwrap();
        let skus = [Sku::parse("FAS-1001").unwrap()];
        let cut = Duration::from_millis(10);
        assert!(tokio::time::timeout(cut, cache.categories()).await.is_err());
        assert!(
            tokio::time::timeout(cut, cache.prices(&northwind, &skus))
                .await
                .is_err()
        );
        erp.delay(Duration::ZERO);
        let next = Duration::from_secs(1);
        let categories = tokio::time::timeout(next, cache.categories()).await;
        assert!(categories.expect("the key was left locked").is_ok());
        // The batch call already sent goes on for those who join it (60 s here); stranded, the
        // next caller would wait for ever.
        let after_it = Duration::from_secs(120);
        let prices = tokio::time::timeout(after_it, cache.prices(&northwind, &skus)).await;
        assert_eq!(
            prices.expect("the batch was left waiting").unwrap().len(),
            1
        );
    }
}
