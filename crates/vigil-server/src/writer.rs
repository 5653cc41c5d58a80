//! Group commit for the decision log: concurrent scans hand their decisions
//! to one writer task, which commits whatever has queued up in a single
//! transaction and then acknowledges each. A scan's response is sent only
//! after its acknowledgement, so every decision a client has seen is stored.

use tokio::sync::{mpsc, oneshot};
use vigil_core::{Decision, DecisionId, Item};
use vigil_store::{NewReview, Store};

/// Most decisions committed in one transaction.
const MAX_GROUP: usize = 512;

struct Pending {
    decisions: Vec<Decision>,
    contents: Vec<(DecisionId, Item)>,
    reviews: Vec<NewReview>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The handle scans use to store decisions.
#[derive(Clone)]
pub struct DecisionWriter {
    tx: mpsc::Sender<Pending>,
}

impl DecisionWriter {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store) -> DecisionWriter {
        let (tx, rx) = mpsc::channel(8192);
        tokio::spawn(run(store, rx));
        DecisionWriter { tx }
    }

    /// Stores decisions, the items the policy asks to keep and the review
    /// queue entries the decisions route to; returns once they are
    /// committed, together.
    pub async fn write(
        &self,
        decisions: Vec<Decision>,
        contents: Vec<(DecisionId, Item)>,
        reviews: Vec<NewReview>,
    ) -> Result<(), String> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Pending {
                decisions,
                contents,
                reviews,
                done,
            })
            .await
            .map_err(|_| "the decision writer has stopped".to_owned())?;
        wait.await
            .map_err(|_| "the decision writer stopped before committing".to_owned())?
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Pending>) {
    let mut group: Vec<Pending> = Vec::new();
    while let Some(first) = rx.recv().await {
        group.push(first);
        let mut count = group[0].decisions.len();
        while count < MAX_GROUP {
            match rx.try_recv() {
                Ok(p) => {
                    count += p.decisions.len();
                    group.push(p);
                }
                Err(_) => break,
            }
        }
        let all: Vec<Decision> = group.iter().flat_map(|p| p.decisions.clone()).collect();
        let contents: Vec<(DecisionId, &Item)> = group
            .iter()
            .flat_map(|p| p.contents.iter().map(|(id, item)| (*id, item)))
            .collect();
        // By reference: an entry carries the item's content, media inline.
        let reviews: Vec<&NewReview> = group.iter().flat_map(|p| &p.reviews).collect();
        match store.log_decisions(&all, &contents, &reviews).await {
            Ok(_queued) => {
                for p in group.drain(..) {
                    let _ = p.done.send(Ok(()));
                }
            }
            // One bad decision must not fail its neighbours: retry each
            // request's decisions on their own.
            Err(_) => {
                for p in group.drain(..) {
                    let contents: Vec<(DecisionId, &Item)> =
                        p.contents.iter().map(|(id, item)| (*id, item)).collect();
                    let result = store
                        .log_decisions(
                            &p.decisions,
                            &contents,
                            &p.reviews.iter().collect::<Vec<_>>(),
                        )
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string());
                    let _ = p.done.send(result);
                }
            }
        }
    }
}
