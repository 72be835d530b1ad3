//! Which SKUs buyers ask prices for most, so that a price or availability call the ERP must
//! answer anyway can also carry what the next buyers are likely to ask for (`cache.prefetch_skus`).
//!
//! Under real traffic most views go to a few products, but each customer meets each product for
//! the first time on its own, so per-customer prices would otherwise miss one by one. Only SKUs
//! are counted (catalog identifiers, never who asked), in memory, and old counts fade.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;

use crate::domain::Sku;

/// At most this many distinct SKUs are counted; further ones wait until old counts fade.
pub(super) const MAX_COUNTED: usize = 50_000;
/// The ranking is rebuilt at most this often.
pub(super) const REBUILD_EVERY: Duration = Duration::from_secs(1);
/// Counts halve this often, so the ranking follows what buyers look at now.
const FADE_EVERY: Duration = Duration::from_secs(60);

/// Counts of asked-for SKUs and a ranking of them, most asked first.
pub(super) struct Popular {
    /// Only the top of the ranking is prefetched: what most views go to, and what fits in
    /// memory for every customer (50 customers' prices of 500 products take about 13 MB).
    ranked: usize,
    counts: Mutex<Counts>,
    ranking: Mutex<Ranking>,
}

struct Counts {
    by_sku: HashMap<Sku, u32>,
    faded: Instant,
}

struct Ranking {
    skus: Arc<Vec<Sku>>,
    built: Instant,
}

impl Popular {
    /// Ranks the `ranked` most asked-for SKUs.
    pub(super) fn new(ranked: usize) -> Self {
        let now = Instant::now();
        Self {
            ranked: ranked.max(1),
            counts: Mutex::new(Counts {
                by_sku: HashMap::new(),
                faded: now,
            }),
            ranking: Mutex::new(Ranking {
                skus: Arc::new(Vec::new()),
                built: now.checked_sub(REBUILD_EVERY).unwrap_or(now),
            }),
        }
    }

    /// A buyer asked about these SKUs, and the ERP knows them.
    pub(super) fn record<'a>(&self, skus: impl IntoIterator<Item = &'a Sku>) {
        let mut counts = lock(&self.counts);
        for sku in skus {
            if let Some(count) = counts.by_sku.get_mut(sku) {
                *count = count.saturating_add(1);
            } else if counts.by_sku.len() < MAX_COUNTED {
                counts.by_sku.insert(sku.clone(), 1);
            }
        }
    }

    /// The most asked-for SKUs, most asked first (as of at most a second ago).
    pub(super) fn ranking(&self) -> Arc<Vec<Sku>> {
        let mut ranking = lock(&self.ranking);
        if ranking.built.elapsed() >= REBUILD_EVERY {
            ranking.skus = Arc::new(self.rank());
            ranking.built = Instant::now();
        }
        ranking.skus.clone()
    }

    fn rank(&self) -> Vec<Sku> {
        let mut counted: Vec<(Sku, u32)> = {
            let mut counts = lock(&self.counts);
            if counts.faded.elapsed() >= FADE_EVERY {
                counts.by_sku.retain(|_, count| {
                    *count /= 2;
                    *count > 0
                });
                counts.faded = Instant::now();
            }
            counts
                .by_sku
                .iter()
                .map(|(sku, count)| (sku.clone(), *count))
                .collect()
        };
        let order = |a: &(Sku, u32), b: &(Sku, u32)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
        if counted.len() > self.ranked {
            counted.select_nth_unstable_by(self.ranked, order);
            counted.truncate(self.ranked);
        }
        counted.sort_unstable_by(order);
        counted.into_iter().map(|(sku, _)| sku).collect()
    }
}

/// Picks popular SKUs a call of one group may carry besides the ones asked for. Each group
/// remembers where its last pick stopped in the ranking, so its picks reach ever further down,
/// then start over at the top (where the first picks are due again by then).
pub(super) struct Prefetch<G> {
    popular: Arc<Popular>,
    per_call: usize,
    cursors: Mutex<HashMap<G, Cursor>>,
}

struct Cursor {
    /// Where the next pick starts.
    at: usize,
    /// The ranking on which the last pick found nothing to fetch.
    all_fresh: Option<Arc<Vec<Sku>>>,
}

impl<G: Eq + Hash + Clone> Prefetch<G> {
    /// Only a memory of progress: forgotten wholesale when it grows past this many groups.
    const MAX_GROUPS: usize = 10_000;

    /// Up to `per_call` SKUs per call, never more than `max_skus` in all.
    pub(super) fn new(popular: Arc<Popular>, per_call: usize) -> Self {
        Self {
            popular,
            per_call,
            cursors: Mutex::new(HashMap::new()),
        }
    }

    /// SKUs from the ranking, not among `asked`, that `is_fresh` says are not held fresh for
    /// `group`: as many as fit beside `asked` in a call of at most `max_skus`.
    pub(super) async fn pick(
        &self,
        group: &G,
        asked: &[Sku],
        max_skus: usize,
        is_fresh: impl Fn(&Sku) -> BoxFuture<'static, bool>,
    ) -> Vec<Sku> {
        let room = self.per_call.min(max_skus.saturating_sub(asked.len()));
        let ranking = self.popular.ranking();
        if room == 0 || ranking.is_empty() {
            return Vec::new();
        }
        let asked: HashSet<&Sku> = asked.iter().collect();
        let depth = ranking.len();
        let mut at = match lock(&self.cursors).get(group) {
            // Everything on this ranking was fresh a moment ago: no need to look again.
            Some(cursor)
                if cursor
                    .all_fresh
                    .as_ref()
                    .is_some_and(|r| Arc::ptr_eq(r, &ranking)) =>
            {
                return Vec::new();
            }
            Some(cursor) => cursor.at % depth,
            None => 0,
        };
        let mut picked = Vec::new();
        for _ in 0..depth {
            let sku = &ranking[at];
            at = (at + 1) % depth;
            if !asked.contains(sku) && !is_fresh(sku).await {
                picked.push(sku.clone());
                if picked.len() == room {
                    break;
                }
            }
        }
        let all_fresh = picked.is_empty().then(|| ranking.clone());
        let mut cursors = lock(&self.cursors);
        if cursors.len() >= Self::MAX_GROUPS && !cursors.contains_key(group) {
            cursors.clear();
        }
        cursors.insert(group.clone(), Cursor { at, all_fresh });
        picked
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these locks; a poisoned value is still consistent.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skus(names: &[&str]) -> Vec<Sku> {
        names.iter().map(|n| Sku::parse(*n).unwrap()).collect()
    }

    #[test]
    fn the_most_asked_for_come_first() {
        let popular = Popular::new(500);
        popular.record(&skus(&["A-1", "B-2"]));
        popular.record(&skus(&["B-2", "C-3"]));
        popular.record(&skus(&["B-2"]));
        popular.record(&skus(&["C-3"]));
        assert_eq!(*popular.ranking(), skus(&["B-2", "C-3", "A-1"]));
    }

    #[test]
    fn only_the_top_is_ranked() {
        let popular = Popular::new(50);
        for n in 0..150 {
            let sku = Sku::parse(format!("P-{n:04}")).unwrap();
            for _ in 0..=(n % 7) {
                popular.record(std::slice::from_ref(&sku));
            }
        }
        let ranking = popular.ranking();
        assert_eq!(ranking.len(), 50);
        assert_eq!(
            ranking[0].as_str(),
            "P-0006",
            "seven asks, the lowest SKU of those first"
        );
        let asks = |sku: &Sku| sku.as_str()[2..].parse::<usize>().unwrap() % 7 + 1;
        assert!(
            ranking.iter().all(|sku| asks(sku) > 1),
            "what was asked for once is below the top here"
        );
    }

    #[test]
    fn the_ranking_is_rebuilt_at_most_once_a_second() {
        let popular = Popular::new(500);
        popular.record(&skus(&["A-1"]));
        assert_eq!(*popular.ranking(), skus(&["A-1"]));
        popular.record(&skus(&["B-2", "B-2"]));
        popular.record(&skus(&["B-2"]));
        assert_eq!(
            *popular.ranking(),
            skus(&["A-1"]),
            "within a second the last ranking stands"
        );
    }

    #[tokio::test]
    async fn picks_go_on_down_the_ranking_and_skip_what_is_asked_or_fresh() {
        let popular = Arc::new(Popular::new(500));
        for (n, sku) in ["A-1", "B-2", "C-3", "D-4", "E-5"].iter().enumerate() {
            for _ in 0..(10 - n) {
                popular.record(&skus(&[sku]));
            }
        }
        let prefetch = Prefetch::new(popular, 2);
        let is_fresh = |sku: &Sku| -> BoxFuture<'static, bool> {
            let fresh = sku.as_str() == "B-2";
            Box::pin(async move { fresh })
        };
        let first = prefetch.pick(&1, &skus(&["C-3"]), 100, &is_fresh).await;
        assert_eq!(first, skus(&["A-1", "D-4"]));
        let next = prefetch.pick(&1, &[], 100, &is_fresh).await;
        assert_eq!(
            next,
            skus(&["E-5", "A-1"]),
            "on from where the last pick stopped"
        );
        let other = prefetch.pick(&2, &[], 100, &is_fresh).await;
        assert_eq!(other, skus(&["A-1", "C-3"]), "each group has its own place");
        let full = prefetch
            .pick(&2, &skus(&["X-1"; 100]), 100, &is_fresh)
            .await;
        assert!(full.is_empty(), "a full call takes nothing more");
    }

    #[tokio::test]
    async fn a_ranking_found_all_fresh_is_not_looked_through_again() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let popular = Arc::new(Popular::new(500));
        popular.record(&skus(&["A-1", "B-2"]));
        let prefetch = Prefetch::new(popular, 10);
        let looked = Arc::new(AtomicUsize::new(0));
        let all_fresh = |_: &Sku| -> BoxFuture<'static, bool> {
            looked.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { true })
        };
        assert!(prefetch.pick(&1, &[], 100, &all_fresh).await.is_empty());
        assert_eq!(looked.load(Ordering::SeqCst), 2);
        assert!(prefetch.pick(&1, &[], 100, &all_fresh).await.is_empty());
        assert_eq!(
            looked.load(Ordering::SeqCst),
            2,
            "the same ranking is not looked through twice"
        );
        assert!(prefetch.pick(&2, &[], 100, &all_fresh).await.is_empty());
        assert_eq!(
            looked.load(Ordering::SeqCst),
            4,
            "another group looks for itself"
        );
    }
}
