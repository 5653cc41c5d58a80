//! Shadow mode: a candidate text model scores the text of every item the
//! service decides, beside the active model, and its scores are stored
//! with the decision's id (`shadow_scores`) for `vigil models
//! shadow-report` to compare online.
//!
//! The candidate never touches the answer: a decision is stored and
//! answered exactly as without shadowing, and only then is the item's text
//! offered to a bounded queue. One task drains it in batches, scores them
//! on the blocking pool and writes each batch in one transaction. When the
//! queue is full the item is not shadowed (counted and logged), so a slow
//! candidate or store never slows scanning down.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::mpsc;
use vigil_core::{Category, Decision};
use vigil_engine::TextScorer;
use vigil_store::{ShadowScore, Store};

use crate::log;

/// Items waiting to be shadowed; more are dropped.
const QUEUE_ITEMS: usize = 4096;

/// Most items scored and written together.
const BATCH_ITEMS: usize = 256;

/// A candidate model to run in shadow.
pub struct ShadowModel {
    scorer: TextScorer,
    name: String,
    version: String,
}

impl ShadowModel {
    /// The candidate `scorer`, recorded under its own name and version.
    pub fn new(scorer: TextScorer) -> ShadowModel {
        let (name, version) = scorer.name_version();
        ShadowModel {
            scorer,
            name,
            version,
        }
    }

    /// The candidate's name and version, as the shadow scores record them.
    pub fn name_version(&self) -> (&str, &str) {
        (&self.name, &self.version)
    }
}

impl fmt::Debug for ShadowModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShadowModel")
            .field("name", &self.name)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// One decided item to score in shadow.
struct ShadowItem {
    decision: Decision,
    text: String,
}

/// The handle the scan path offers decided items to.
#[derive(Clone)]
pub(crate) struct ShadowQueue {
    tx: mpsc::Sender<ShadowItem>,
    dropped: Arc<AtomicU64>,
}

impl ShadowQueue {
    /// Starts the task that scores and stores what is offered; must be
    /// called inside a Tokio runtime.
    pub(crate) fn start(model: Arc<ShadowModel>, store: Store) -> ShadowQueue {
        let (tx, rx) = mpsc::channel(QUEUE_ITEMS);
        tokio::spawn(drain(model, store, rx));
        ShadowQueue {
            tx,
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Offers a stored decision and the text it was taken on; never waits.
    pub(crate) fn offer(&self, decision: &Decision, text: &str) {
        let item = ShadowItem {
            decision: decision.clone(),
            text: text.to_owned(),
        };
        if self.tx.try_send(item).is_err() {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            // The first drop and then one line per thousand: enough to see.
            if n == 1 || n.is_multiple_of(1000) {
                log(
                    "warn",
                    format_args!("shadow scoring is behind: {n} items not shadowed so far"),
                );
            }
        }
    }
}

/// Scores and stores batches until every sender is gone.
async fn drain(model: Arc<ShadowModel>, store: Store, mut rx: mpsc::Receiver<ShadowItem>) {
    let mut batch = Vec::with_capacity(BATCH_ITEMS);
    while rx.recv_many(&mut batch, BATCH_ITEMS).await > 0 {
        let items = std::mem::take(&mut batch);
        let scorer = model.clone();
        let scored = tokio::task::spawn_blocking(move || score(&scorer, &items)).await;
        let rows = match scored {
            Ok(rows) => rows,
            Err(e) => {
                log("error", format_args!("shadow scoring failed: {e}"));
                continue;
            }
        };
        let (name, version) = model.name_version();
        if let Err(e) = store.insert_shadow_scores((name, version), &rows).await {
            log(
                "error",
                format_args!("shadow scores of {name}@{version} not stored: {e}"),
            );
        }
    }
}

/// The candidate's score beside the decision's for every category both have.
fn score(model: &ShadowModel, items: &[ShadowItem]) -> Vec<ShadowScore> {
    let outputs: &[Category] = model.scorer.outputs();
    let mut rows = Vec::new();
    for item in items {
        let scores = match model.scorer.score_one(&item.text) {
            Ok(s) => s,
            Err(e) => {
                log(
                    "warn",
                    format_args!("shadow model failed on decision {}: {e}", item.decision.id),
                );
                continue;
            }
        };
        for c in &item.decision.categories {
            let Some(o) = outputs.iter().position(|x| *x == c.category) else {
                continue;
            };
            rows.push(ShadowScore {
                decision_id: item.decision.id,
                category: c.category.as_str().to_owned(),
                active_score: f64::from(c.score.get()),
                candidate_score: f64::from(scores.probs[o]),
            });
        }
    }
    rows
}
