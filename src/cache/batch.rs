//! Misses that can share an ERP call travel together: all availability misses, and each
//! customer's price misses. Each group has at most `max_in_flight` calls out at once; misses
//! arriving meanwhile wait for the next call of their group and go in it together, and a miss
//! for a SKU already being fetched waits for that call instead of asking again. Under load the
//! ERP then sees a few calls with many SKUs instead of many calls with one; a lone miss goes out
//! at once, so it costs one ERP latency as before.
//!
//! Each call runs in its own task, so a buyer who gives up does not cancel the answer others
//! wait for, and the next waiting call starts as soon as one finishes. What waits is bounded:
//! at most `max_queued` SKUs per group (more is shed as `Overloaded`, which serves the last good
//! answers where there are any), and a waiting call whose every waiter has given up (the request
//! deadline, a closed tab) is dropped before it goes out.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tracing::Instrument;

use super::HasSku;
use crate::domain::Sku;
use crate::erp::request_id;
use crate::erp::{ErpError, ErpResult};

/// One ERP call for some SKUs: it answers the items found (unknown SKUs are left out).
pub(super) type Fetch<T> =
    Box<dyn FnOnce(Vec<Sku>) -> BoxFuture<'static, ErpResult<Vec<Arc<T>>>> + Send>;

type Answer<T> = Option<ErpResult<Arc<Vec<Arc<T>>>>>;

/// Where a call's answer will be published. Waiters subscribe to it; the book-keeping holds
/// the sender only, so the receiver count is the number of waiters still interested.
type Outlet<T> = Arc<watch::Sender<Answer<T>>>;

/// Gathers the misses of each group `G` into as few calls as the in-flight bound allows.
pub(super) struct Batcher<G, T> {
    max_in_flight: usize,
    max_skus: usize,
    max_queued: usize,
    groups: Mutex<HashMap<G, Group<T>>>,
}

struct Group<T> {
    in_flight: usize,
    waiting: VecDeque<Waiting<T>>,
    /// Every SKU out or waiting to go out, with the answer it will be in.
    coming: HashMap<Sku, Outlet<T>>,
}

impl<T> Default for Group<T> {
    fn default() -> Self {
        Self {
            in_flight: 0,
            waiting: VecDeque::new(),
            coming: HashMap::new(),
        }
    }
}

impl<T> Group<T> {
    /// Drops the waiting calls nobody waits for any more, and forgets their SKUs.
    fn drop_abandoned(&mut self) {
        let coming = &mut self.coming;
        self.waiting.retain(|call| {
            let wanted = call.answer.receiver_count() > 0;
            if !wanted {
                for sku in &call.skus {
                    if coming
                        .get(sku)
                        .is_some_and(|o| Arc::ptr_eq(o, &call.answer))
                    {
                        coming.remove(sku);
                    }
                }
            }
            wanted
        });
    }

    fn queued_skus(&self) -> usize {
        self.waiting.iter().map(|w| w.skus.len()).sum()
    }
}

struct Waiting<T> {
    skus: Vec<Sku>,
    answer: Outlet<T>,
    fetch: Fetch<T>,
}

impl<G, T> Batcher<G, T>
where
    G: Clone + Eq + Hash + Send + Sync + 'static,
    T: HasSku + Send + Sync + 'static,
{
    /// At most `max_in_flight` calls per group at once, each with at most `max_skus` SKUs
    /// (unless one request alone asks for more), and at most `max_queued` SKUs waiting.
    pub(super) fn new(max_in_flight: usize, max_skus: usize, max_queued: usize) -> Arc<Self> {
        Arc::new(Self {
            max_in_flight: max_in_flight.max(1),
            max_skus: max_skus.max(1),
            max_queued: max_queued.max(1),
            groups: Mutex::new(HashMap::new()),
        })
    }

    /// The items for `skus` (distinct, none cached) from the ERP, through `fetch` or through a
    /// call of the same group that already carries them.
    pub(super) async fn load(
        self: &Arc<Self>,
        group: G,
        skus: Vec<Sku>,
        fetch: Fetch<T>,
    ) -> ErpResult<Vec<Arc<T>>> {
        let answers = self.enqueue(group, &skus, fetch)?;
        let mut items = Vec::with_capacity(skus.len());
        for mut answer in answers {
            let ready = answer
                .wait_for(Option::is_some)
                .await
                .map_err(|_| ErpError::invalid_data("the ERP call for this batch was lost"))?;
            let batch = match ready.as_ref() {
                Some(Ok(batch)) => batch.clone(),
                Some(Err(err)) => return Err(err.clone()),
                None => unreachable!("waited for an answer"),
            };
            drop(ready);
            items.extend(batch.iter().filter(|i| skus.contains(i.sku())).cloned());
        }
        Ok(items)
    }

    /// Puts the SKUs nobody is fetching yet into a call (a new one, or the group's last
    /// waiting one) and returns every answer to wait for; `Overloaded` when the group's queue
    /// is full.
    fn enqueue(
        self: &Arc<Self>,
        group: G,
        skus: &[Sku],
        fetch: Fetch<T>,
    ) -> ErpResult<Vec<watch::Receiver<Answer<T>>>> {
        let mut groups = self.lock();
        let state = groups.entry(group.clone()).or_default();
        let mut outlets: Vec<Outlet<T>> = Vec::new();
        let mut new = Vec::new();
        let mut to_start = None;
        for sku in skus {
            match state.coming.get(sku) {
                Some(outlet) => {
                    if !outlets.iter().any(|o| Arc::ptr_eq(o, outlet)) {
                        outlets.push(outlet.clone());
                    }
                }
                None => new.push(sku.clone()),
            }
        }
        if !new.is_empty() {
            let must_wait = state.in_flight >= self.max_in_flight;
            if must_wait {
                state.drop_abandoned();
                if state.queued_skus() + new.len() > self.max_queued {
                    tracing::warn!(
                        queued = state.queued_skus(),
                        "ERP batch queue full: request shed"
                    );
                    return Err(ErpError::Overloaded);
                }
            }
            let joinable = state
                .waiting
                .back_mut()
                .filter(|last| last.skus.len() + new.len() <= self.max_skus);
            let outlet = match joinable {
                Some(last) => {
                    last.skus.extend(new.iter().cloned());
                    last.answer.clone()
                }
                None => {
                    let outlet: Outlet<T> = Arc::new(watch::channel(None).0);
                    let call = Waiting {
                        skus: new.clone(),
                        answer: outlet.clone(),
                        fetch,
                    };
                    if must_wait {
                        state.waiting.push_back(call);
                    } else {
                        state.in_flight += 1;
                        to_start = Some(call);
                    }
                    outlet
                }
            };
            for sku in new {
                state.coming.insert(sku, outlet.clone());
            }
            outlets.push(outlet);
        }
        // Subscribed under the lock, so no waiting call is dropped as abandoned meanwhile.
        let answers = outlets.iter().map(|o| o.subscribe()).collect();
        drop(groups);
        if let Some(call) = to_start {
            self.start(group, call);
        }
        Ok(answers)
    }

    fn start(self: &Arc<Self>, group: G, call: Waiting<T>) {
        let done = Finished {
            batcher: self.clone(),
            group,
            skus: call.skus.clone(),
        };
        let run = async move {
            let result = (call.fetch)(call.skus).await.map(Arc::new);
            call.answer.send_replace(Some(result));
            drop(done);
        };
        tokio::spawn(request_id::carried(run).in_current_span());
    }

    /// A call of `group` ended (or its task died): its SKUs are no longer coming, and the next
    /// waiting call may go. It starts after the lock is released: a runtime shutting down drops
    /// a spawned call at once, and its bookkeeping comes straight back here.
    fn finished(self: &Arc<Self>, group: &G, skus: &[Sku]) {
        let next = {
            let mut groups = self.lock();
            let Entry::Occupied(mut entry) = groups.entry(group.clone()) else {
                return;
            };
            let state = entry.get_mut();
            for sku in skus {
                state.coming.remove(sku);
            }
            state.drop_abandoned();
            let next = state.waiting.pop_front();
            if next.is_none() {
                state.in_flight -= 1;
                if state.in_flight == 0 {
                    entry.remove();
                }
            }
            next
        };
        if let Some(next) = next {
            self.start(group.clone(), next);
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<G, Group<T>>> {
        // Nothing panics while holding the lock; a poisoned map is still consistent.
        self.groups.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Ends a call's bookkeeping however its task ends, so a group never stays blocked.
struct Finished<G, T>
where
    G: Clone + Eq + Hash + Send + Sync + 'static,
    T: HasSku + Send + Sync + 'static,
{
    batcher: Arc<Batcher<G, T>>,
    group: G,
    skus: Vec<Sku>,
}

impl<G, T> Drop for Finished<G, T>
where
    G: Clone + Eq + Hash + Send + Sync + 'static,
    T: HasSku + Send + Sync + 'static,
{
    fn drop(&mut self) {
        self.batcher.finished(&self.group, &self.skus);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use chrono::Utc;
    use tokio::sync::Notify;

    use super::*;
    use crate::domain::Availability;

    type Calls = Arc<AtomicUsize>;

    fn sku(s: &str) -> Sku {
        Sku::parse(s).unwrap()
    }

    /// A fetch that counts its calls and answers every SKU once `gate` opens.
    fn gated(calls: &Calls, gate: &Arc<Notify>) -> Fetch<Availability> {
        let (calls, gate) = (calls.clone(), gate.clone());
        Box::new(move |skus: Vec<Sku>| {
            Box::pin(async move {
                calls.fetch_add(1, Ordering::SeqCst);
                gate.notified().await;
                Ok(skus
                    .into_iter()
                    .map(|sku| {
                        Arc::new(Availability {
                            sku,
                            available: 1,
                            next_date: None,
                            as_of: Utc::now(),
                        })
                    })
                    .collect())
            })
        })
    }

    async fn settle() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    #[tokio::test]
    async fn a_waiting_call_nobody_waits_for_any_more_never_goes_out() {
        let batcher = Batcher::<(), Availability>::new(1, 100, 1000);
        let (calls, gate) = (Calls::default(), Arc::new(Notify::new()));
        let first = tokio::spawn({
            let (b, f) = (batcher.clone(), gated(&calls, &gate));
            async move { b.load((), vec![sku("A")], f).await }
        });
        settle().await;
        let given_up = tokio::spawn({
            let (b, f) = (batcher.clone(), gated(&calls, &gate));
            async move { b.load((), vec![sku("B")], f).await }
        });
        settle().await;
        given_up.abort();
        settle().await;
        gate.notify_waiters();
        assert_eq!(first.await.unwrap().unwrap().len(), 1);
        settle().await;
        assert_eq!(calls.load(Ordering::SeqCst), 1, "B's call was dropped");
        assert!(batcher.lock().is_empty(), "nothing left behind");
    }

    #[tokio::test]
    async fn a_full_queue_sheds_instead_of_growing() {
        let batcher = Batcher::<(), Availability>::new(1, 100, 3);
        let (calls, gate) = (Calls::default(), Arc::new(Notify::new()));
        let load = |skus: &[&str]| {
            let (b, f) = (batcher.clone(), gated(&calls, &gate));
            let skus: Vec<Sku> = skus.iter().map(|s| sku(s)).collect();
            tokio::spawn(async move { b.load((), skus, f).await })
        };
        let out = load(&["A"]);
        settle().await;
        let queued = load(&["B", "C", "D"]);
        settle().await;
        let shed = tokio::time::timeout(Duration::from_secs(1), load(&["E"]))
            .await
            .expect("answered at once, not queued")
            .unwrap();
        assert!(matches!(shed, Err(ErpError::Overloaded)), "{shed:?}");
        // A SKU already coming is waited for, not queued again.
        let joined = load(&["B"]);
        settle().await;
        gate.notify_waiters();
        assert!(out.await.unwrap().is_ok());
        settle().await;
        gate.notify_waiters();
        assert_eq!(queued.await.unwrap().unwrap().len(), 3);
        assert_eq!(joined.await.unwrap().unwrap().len(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
