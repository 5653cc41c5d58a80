//! Which scanned items go to the review queue: [`vigil_review::route`] for
//! each decision, as store entries written in the decision's own
//! transaction. The server's scans, its job workers and `vigil scan` all
//! call [`review_entry`], so an item routes the same way whoever scans it.

use vigil_core::{Decision, Item};
use vigil_policy::Policy;
use vigil_store::{NewReview, ReviewBucket};

/// The queue entry `decision` routes to under `policy`, carrying `item`
/// (reviewers must see the content); `None` when it is not queued.
pub fn review_entry(policy: &Policy, decision: &Decision, item: &Item) -> Option<NewReview> {
    let settings = &policy.review;
    let routed = vigil_review::route::route(decision, &item.meta, settings)?;
    Some(NewReview {
        item: item.clone(),
        decision_id: decision.id,
        reason: routed.reason,
        priority: routed.priority,
        required_reviews: routed.required_reviews,
        bucket: routed.bucket.map(|name| ReviewBucket {
            name,
            max_open: settings.active_learning_per_bucket,
        }),
    })
}

/// [`review_entry`] for decisions and the items they decided, in order.
pub fn review_entries(policy: &Policy, decisions: &[Decision], items: &[Item]) -> Vec<NewReview> {
    decisions
        .iter()
        .zip(items)
        .filter_map(|(d, item)| review_entry(policy, d, item))
        .collect()
}
