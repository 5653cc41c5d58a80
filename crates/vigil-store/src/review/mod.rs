//! The human review queue: items waiting for reviewers, claims under a
//! lease, verdicts, gold items and appeals (docs/review.md).
//!
//! An item is queued with a [`QueueReason`], a priority and a number of
//! required reviews k ([`Store::enqueue_review`], [`Store::enqueue_gold`],
//! [`Store::file_appeal`]). A reviewer — an API key id — claims one
//! ([`Store::claim_next_review`], [`Store::claim_review`]): the store holds
//! at most one live claim per item, so two reviewers never judge the same
//! item at once, and a lease that runs out lets the next reviewer take it.
//! [`Store::submit_review`] records a verdict while the claim is held; the
//! item is done after k verdicts from k different reviewers.
//!
//! Unlike the decision log, the queue keeps the item's content, media
//! inline: reviewers must see what they judge. A done item's content is
//! cleared by [`Store::purge_review_content_done_before`], the queue's
//! retention.

mod appeals;
mod export;
mod queue;
mod read;
mod rows;
mod sql;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use vigil_core::{AppealOutcome, DecisionId, Item, Labels, QueueReason, Verdict};

#[cfg(doc)]
use crate::Store;
use crate::StoreError;

pub use export::{ExportRow, GoldResult};
pub(crate) use queue::ItemRow;

/// The priority of an appeal: above what routing gives (scores in [0, 1]),
/// since a user is waiting.
pub const APPEAL_PRIORITY: f64 = 1.0;

/// Most reviews one item can require.
pub const MAX_REQUIRED_REVIEWS: u32 = 10;

/// Longest appeal statement, in characters.
pub const MAX_STATEMENT_CHARS: usize = 10_000;

/// A review item's id: a UUIDv7, so ids sort by the time it was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReviewItemId(pub uuid::Uuid);

impl ReviewItemId {
    /// A fresh id for an item queued now.
    pub fn new() -> ReviewItemId {
        ReviewItemId(uuid::Uuid::now_v7())
    }
}

impl Default for ReviewItemId {
    fn default() -> Self {
        ReviewItemId::new()
    }
}

impl fmt::Display for ReviewItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ReviewItemId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(ReviewItemId)
    }
}

/// Whether an item still wants reviews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    /// Fewer than k reviews so far.
    Open,
    /// k reviews recorded.
    Done,
}

impl ReviewStatus {
    /// The status as stored and as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Open => "open",
            ReviewStatus::Done => "done",
        }
    }
}

/// An item to queue because of a decision ([`Store::enqueue_review`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    /// The content as scanned, media inline.
    pub item: Item,
    /// The decision that sends it to review.
    pub decision_id: DecisionId,
    /// Why: `policy`, `active_learning` or `prevalence` (appeals and gold
    /// items have their own methods).
    pub reason: QueueReason,
    /// Higher is served first; finite.
    pub priority: f64,
    /// k: how many different reviewers must judge it, 1 to
    /// [`MAX_REQUIRED_REVIEWS`].
    pub required_reviews: u32,
    /// Active learning: queue it only while its bucket has room.
    pub bucket: Option<ReviewBucket>,
}

/// A diversity bucket of active-learning items (category and language):
/// the queue holds at most `max_open` open items of one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewBucket {
    /// The bucket's name, `category/language`.
    pub name: String,
    /// Open items the bucket may hold.
    pub max_open: u32,
}

/// A queued item without its content, as the queue lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueEntry {
    /// The review item.
    pub id: ReviewItemId,
    /// The caller's item id.
    pub item_id: String,
    /// Why it is queued.
    pub reason: QueueReason,
    /// Higher is served first.
    pub priority: f64,
    /// k.
    pub required_reviews: u32,
    /// Verdicts so far.
    pub reviews_done: u32,
    /// Open or done.
    pub status: ReviewStatus,
    /// The decision that queued it; `None` for gold items.
    pub decision_id: Option<DecisionId>,
    /// Whether someone holds a live claim on it.
    pub claimed: bool,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The open queue: the first items by priority, and the open count of every
/// reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueListing {
    /// Open items per reason, every reason listed.
    pub counts: Vec<(QueueReason, u64)>,
    /// Open items, highest priority first, then oldest.
    pub items: Vec<QueueEntry>,
}

/// A live claim: who holds the item, since when, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// The reviewer (an API key id).
    pub reviewer: String,
    /// When this reviewer claimed it.
    #[serde(with = "time::serde::rfc3339")]
    pub claimed_at: OffsetDateTime,
    /// When the lease runs out.
    #[serde(with = "time::serde::rfc3339")]
    pub lease_until: OffsetDateTime,
}

/// One recorded verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRecord {
    /// The reviewer (an API key id).
    pub reviewer: String,
    /// What they answered.
    pub verdict: Verdict,
    /// Their outcome, for an appeal.
    pub outcome: Option<AppealOutcome>,
    /// From their claim to their verdict.
    pub seconds_spent: u64,
    /// When the verdict was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An appeal of a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appeal {
    /// The appeal (UUIDv7).
    pub id: uuid::Uuid,
    /// The decision appealed.
    pub decision_id: DecisionId,
    /// The user's words.
    pub statement: String,
    /// The review item that puts it before a reviewer.
    pub review_item: ReviewItemId,
    /// When it was filed.
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// How it ended, once reviewed.
    pub outcome: Option<AppealOutcome>,
    /// When it ended.
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

/// One queued item with everything about it ([`Store::get_review_item`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewItem {
    /// What the queue lists.
    #[serde(flatten)]
    pub entry: QueueEntry,
    /// The content, media inline; `None` once retention cleared a done item.
    pub content: Option<Item>,
    /// The known answers of a gold item.
    pub gold_labels: Option<Labels>,
    /// When it was done.
    #[serde(with = "time::serde::rfc3339::option")]
    pub done_at: Option<OffsetDateTime>,
    /// The live claim, if any.
    pub claim: Option<Claim>,
    /// The verdicts so far, oldest first.
    pub reviews: Vec<ReviewRecord>,
    /// The appeal, for an item of reason `appeal`.
    pub appeal: Option<Appeal>,
}

/// What [`Store::submit_review`] left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Submitted {
    /// The review item.
    pub id: ReviewItemId,
    /// Verdicts now recorded.
    pub reviews_done: u32,
    /// k.
    pub required_reviews: u32,
    /// Done once `reviews_done` reached k.
    pub status: ReviewStatus,
}

/// A refused review operation, or the store failing under it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    /// No review item has this id.
    #[error("no review item {0}")]
    NotFound(ReviewItemId),
    /// No decision has this id (never, or deleted by retention).
    #[error("no decision {0}")]
    DecisionNotFound(DecisionId),
    /// Another reviewer holds a live claim on the item.
    #[error("review item {id} is claimed by another reviewer until {lease_until}")]
    ClaimHeld {
        /// The item.
        id: ReviewItemId,
        /// When their lease runs out.
        lease_until: OffsetDateTime,
    },
    /// The reviewer holds no claim on the item (never claimed, released, or
    /// taken over after the lease ran out).
    #[error("reviewer `{reviewer}` holds no claim on review item {id}; claim it first")]
    NoClaim {
        /// The item.
        id: ReviewItemId,
        /// The reviewer.
        reviewer: String,
    },
    /// The reviewer's lease ran out before the verdict.
    #[error("reviewer `{reviewer}`'s lease on review item {id} ran out; claim it again")]
    LeaseExpired {
        /// The item.
        id: ReviewItemId,
        /// The reviewer.
        reviewer: String,
    },
    /// The reviewer already reviewed the item: k reviews need k reviewers.
    #[error("reviewer `{reviewer}` has already reviewed item {id}")]
    AlreadyReviewed {
        /// The item.
        id: ReviewItemId,
        /// The reviewer.
        reviewer: String,
    },
    /// The item has all its reviews.
    #[error("review item {0} is done")]
    Done(ReviewItemId),
    /// An appeal's verdict without an outcome, or an outcome for an item
    /// that is no appeal.
    #[error("{0}")]
    OutcomeMismatch(String),
    /// The decision was appealed already.
    #[error("decision {0} has been appealed already")]
    AlreadyAppealed(DecisionId),
    /// The decision log kept no content and the appeal carried none.
    #[error("the decision log kept no content for decision {0}; the appeal must carry the item")]
    ContentRequired(DecisionId),
    /// The item an appeal carried is not the one decided.
    #[error("the appeal's item is not the item of decision {decision}: {reason}")]
    ContentMismatch {
        /// The decision.
        decision: DecisionId,
        /// How they differ.
        reason: String,
    },
    /// An item, gold item or appeal that cannot be queued as given.
    #[error("cannot queue for review: {0}")]
    Invalid(String),
    /// A stored review row does not read back.
    #[error("stored review record `{id}` is corrupt: {reason}")]
    Corrupt {
        /// The row's id as stored.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReviewError {
    /// A stable machine-readable name for the API.
    pub fn kind(&self) -> &'static str {
        match self {
            ReviewError::NotFound(_) | ReviewError::DecisionNotFound(_) => "not_found",
            ReviewError::ClaimHeld { .. } => "claim_held",
            ReviewError::NoClaim { .. } => "no_claim",
            ReviewError::LeaseExpired { .. } => "lease_expired",
            ReviewError::AlreadyReviewed { .. } => "already_reviewed",
            ReviewError::Done(_) => "item_done",
            ReviewError::OutcomeMismatch(_) => "invalid_verdict",
            ReviewError::AlreadyAppealed(_) => "already_appealed",
            ReviewError::ContentRequired(_) => "content_required",
            ReviewError::ContentMismatch { .. } => "content_mismatch",
            ReviewError::Invalid(_) => "invalid_request",
            ReviewError::Corrupt { .. } | ReviewError::Store(_) => "store_unavailable",
        }
    }
}
