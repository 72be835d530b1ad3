//! Misses that can share an ERP call travel together: all availability misses, and each
//! customer's price misses. Each group has at most `max_in_flight` calls out at once; misses
//! arriving meanwhile wait for the next call of their group and go in it together, and a miss
//! for a SKU already being fetched waits for that call instead of asking again. Under load the
//! ERP then sees a few calls with many SKUs instead of many calls with one; a lone miss goes out
//! at once, so it costs one ERP latency as before.
//!
//! Each call runs in its own task, so a buyer who gives up does not cancel the answer others
//! wait for, and the next waiting call starts as soon as one finishes.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tracing::Instrument;

use super::HasSku;
use crate::domain::Sku;
use crate::erp::{ErpError, ErpResult};

/// One ERP call for some SKUs: it answers the items found (unknown SKUs are left out).
pub(super) type Fetch<T> =
    Box<dyn FnOnce(Vec<Sku>) -> BoxFuture<'static, ErpResult<Vec<Arc<T>>>> + Send>;

type Answer<T> = Option<ErpResult<Arc<Vec<Arc<T>>>>>;

/// Gathers the misses of each group `G` into as few calls as the in-flight bound allows.
pub(super) struct Batcher<G, T> {
    max_in_flight: usize,
    max_skus: usize,
    groups: Mutex<HashMap<G, Group<T>>>,
}

struct Group<T> {
    in_flight: usize,
    waiting: VecDeque<Waiting<T>>,
    /// Every SKU out or waiting to go out, with the answer it will be in.
    coming: HashMap<Sku, watch::Receiver<Answer<T>>>,
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

struct Waiting<T> {
    skus: Vec<Sku>,
    answer: watch::Sender<Answer<T>>,
    fetch: Fetch<T>,
}

impl<G, T> Batcher<G, T>
where
    G: Clone + Eq + Hash + Send + Sync + 'static,
    T: HasSku + Send + Sync + 'static,
{
    /// At most `max_in_flight` calls per group at once, each with at most `max_skus` SKUs
    /// (unless one request alone asks for more).
    pub(super) fn new(max_in_flight: usize, max_skus: usize) -> Arc<Self> {
        Arc::new(Self {
            max_in_flight: max_in_flight.max(1),
            max_skus: max_skus.max(1),
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
        let answers = self.enqueue(group, &skus, fetch);
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
    /// waiting one) and returns every answer to wait for.
    fn enqueue(
        self: &Arc<Self>,
        group: G,
        skus: &[Sku],
        fetch: Fetch<T>,
    ) -> Vec<watch::Receiver<Answer<T>>> {
        let mut groups = self.lock();
        let state = groups.entry(group.clone()).or_default();
        let mut answers: Vec<watch::Receiver<Answer<T>>> = Vec::new();
        let mut new = Vec::new();
        for sku in skus {
            match state.coming.get(sku) {
                Some(answer) => {
                    if !answers.iter().any(|a| a.same_channel(answer)) {
                        answers.push(answer.clone());
                    }
                }
                None => new.push(sku.clone()),
            }
        }
        if new.is_empty() {
            return answers;
        }
        let joinable = state
            .waiting
            .back_mut()
            .filter(|last| last.skus.len() + new.len() <= self.max_skus);
        let answer = match joinable {
            Some(last) => {
                last.skus.extend(new.iter().cloned());
                last.answer.subscribe()
            }
            None => {
                let (sender, answer) = watch::channel(None);
                let call = Waiting {
                    skus: new.clone(),
                    answer: sender,
                    fetch,
                };
                if state.in_flight < self.max_in_flight {
                    state.in_flight += 1;
                    self.start(group, call);
                } else {
                    state.waiting.push_back(call);
                }
                answer
            }
        };
        for sku in new {
            state.coming.insert(sku, answer.clone());
        }
        answers.push(answer);
        answers
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
        tokio::spawn(run.in_current_span());
    }

    /// A call of `group` ended (or its task died): its SKUs are no longer coming, and the next
    /// waiting call may go.
    fn finished(self: &Arc<Self>, group: &G, skus: &[Sku]) {
        let mut groups = self.lock();
        let Entry::Occupied(mut entry) = groups.entry(group.clone()) else {
            return;
        };
        let state = entry.get_mut();
        for sku in skus {
            state.coming.remove(sku);
        }
        match state.waiting.pop_front() {
            Some(next) => self.start(group.clone(), next),
            None => {
                state.in_flight -= 1;
                if state.in_flight == 0 {
                    entry.remove();
                }
            }
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
