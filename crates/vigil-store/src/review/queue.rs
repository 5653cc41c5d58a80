//! Queueing items, claiming them under a lease, and recording verdicts.

use std::time::Duration;

use sqlx::{Sqlite, Transaction};
use time::OffsetDateTime;
use vigil_core::{AppealOutcome, Item, Labels, QueueReason, Verdict};

use super::rows::{self, get};
use super::{
    sql, NewReview, ReviewError, ReviewItem, ReviewItemId, ReviewStatus, Submitted,
    MAX_REQUIRED_REVIEWS,
};
use crate::banks::{format_time, now_in_whole_seconds};
use crate::codec::unix_ms;
use crate::store::Backend;
use crate::{notices, Store, StoreError};

/// A review item as inserted, checked and serialised.
pub(crate) struct ItemRow {
    pub(crate) id: ReviewItemId,
    decision_id: Option<String>,
    item_id: String,
    reason: QueueReason,
    priority: f64,
    required_reviews: u32,
    item: String,
    gold_labels: Option<String>,
    /// Active learning: the bucket and its cap on open items.
    bucket: Option<(String, u32)>,
}

impl ItemRow {
    /// Checks and serialises an item to queue.
    pub(crate) fn new(
        item: &Item,
        decision_id: Option<String>,
        reason: QueueReason,
        priority: f64,
        required_reviews: u32,
        gold_labels: Option<&Labels>,
    ) -> Result<ItemRow, ReviewError> {
        if !priority.is_finite() {
            return Err(ReviewError::Invalid(format!(
                "priority {priority} is not a finite number"
            )));
        }
        if !(1..=MAX_REQUIRED_REVIEWS).contains(&required_reviews) {
            return Err(ReviewError::Invalid(format!(
                "required_reviews {required_reviews} is not 1 to {MAX_REQUIRED_REVIEWS}"
            )));
        }
        let json = |what: &str, e: serde_json::Error| {
            ReviewError::Invalid(format!(
                "item `{}`: {what} does not serialise: {e}",
                item.id
            ))
        };
        Ok(ItemRow {
            id: ReviewItemId::new(),
            decision_id,
            item_id: item.id.clone(),
            reason,
            priority,
            required_reviews,
            item: serde_json::to_string(item).map_err(|e| json("the item", e))?,
            gold_labels: gold_labels
                .map(|l| serde_json::to_string(l).map_err(|e| json("the labels", e)))
                .transpose()?,
            bucket: None,
        })
    }

    /// Checks and serialises a decision's item to queue
    /// ([`Store::enqueue_review`], and beside decisions as they are logged).
    pub(crate) fn for_decision(new: &NewReview) -> Result<ItemRow, ReviewError> {
        if [QueueReason::Appeal, QueueReason::Gold, QueueReason::Notice].contains(&new.reason) {
            return Err(ReviewError::Invalid(format!(
                "reason `{}` is queued by its own method (file_appeal, enqueue_gold, file_notice)",
                new.reason
            )));
        }
        let row = ItemRow::new(
            &new.item,
            Some(new.decision_id.to_string()),
            new.reason,
            new.priority,
            new.required_reviews,
            None,
        )?;
        Ok(row.in_bucket(new.bucket.as_ref().map(|b| (b.name.clone(), b.max_open))))
    }

    /// Queue it only while `bucket` holds fewer than `max_open` open items.
    pub(crate) fn in_bucket(mut self, bucket: Option<(String, u32)>) -> ItemRow {
        self.bucket = bucket;
        self
    }

    /// Inserts the row inside `tx`, so that it commits with whatever else
    /// the transaction writes (a decision, an appeal).
    /// Returns whether it was queued (a full bucket refuses it).
    pub(crate) async fn insert(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
    ) -> Result<bool, StoreError> {
        let (bucket, cap) = match &self.bucket {
            Some((name, cap)) => (Some(name.as_str()), i64::from(*cap)),
            None => (None, 0),
        };
        let inserted = sqlx::query(sql::INSERT_ITEM)
            .bind(self.id.to_string())
            .bind(self.decision_id.as_deref())
            .bind(&self.item_id)
            .bind(self.reason.as_str())
            .bind(self.priority)
            .bind(i64::from(self.required_reviews))
            .bind(&self.item)
            .bind(self.gold_labels.as_deref())
            .bind(format_time(now_in_whole_seconds()))
            .bind(bucket)
            .bind(cap)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query("queue a review item"))?
            .rows_affected();
        Ok(inserted == 1)
    }
}

impl Store {
    /// Queues a decision's item for review; returns the review item's id,
    /// or `None` when its active-learning bucket is full. The reason must be
    /// `policy`, `active_learning`, `prevalence` or `audit`.
    pub async fn enqueue_review(
        &self,
        new: &NewReview,
    ) -> Result<Option<ReviewItemId>, ReviewError> {
        let row = ItemRow::for_decision(new)?;
        Ok(self.insert_alone(&row).await?.then_some(row.id))
    }

    /// Queues a gold item: content whose right answers, `labels`, are known,
    /// to measure reviewers against.
    pub async fn enqueue_gold(
        &self,
        item: &Item,
        labels: &Labels,
        priority: f64,
        required_reviews: u32,
    ) -> Result<ReviewItemId, ReviewError> {
        if labels.is_empty() {
            return Err(ReviewError::Invalid(
                "a gold item needs at least one known label".to_owned(),
            ));
        }
        let row = ItemRow::new(
            item,
            None,
            QueueReason::Gold,
            priority,
            required_reviews,
            Some(labels),
        )?;
        self.insert_alone(&row).await?;
        Ok(row.id)
    }

    async fn insert_alone(&self, row: &ItemRow) -> Result<bool, StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin queue a review item"))?;
                let inserted = row.insert(&mut tx).await?;
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit queue a review item"))?;
                Ok(inserted)
            }
        }
    }

    /// Claims for `reviewer` the highest-priority open item (oldest first
    /// among equals) of one of `reasons` (any when empty) that `reviewer` has not
    /// reviewed and no one else holds, until `lease` from now; `None` when
    /// there is none. An item `reviewer` holds already may come back, its
    /// lease renewed.
    ///
    /// Atomic: two reviewers never hold the same item.
    pub async fn claim_next_review(
        &self,
        reviewer: &str,
        lease: Duration,
        reasons: &[QueueReason],
    ) -> Result<Option<ReviewItem>, ReviewError> {
        let now = OffsetDateTime::now_utc();
        let claimed: Option<String> = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query_scalar(sql::CLAIM_NEXT)
                .bind(reviewer)
                .bind(unix_ms(now))
                .bind(lease_until(now, lease))
                .bind(reason_set(reasons))
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("claim the next review item"))?,
        };
        match claimed {
            Some(id) => self.get_review_item(rows::parse_item_id(&id)?).await,
            None => Ok(None),
        }
    }

    /// Claims item `id` for `reviewer` until `lease` from now (renewing a
    /// claim `reviewer` holds). [`ReviewError::ClaimHeld`] when another
    /// reviewer holds it; also refused when the item is unknown, done, or
    /// already reviewed by `reviewer`.
    pub async fn claim_review(
        &self,
        id: ReviewItemId,
        reviewer: &str,
        lease: Duration,
    ) -> Result<ReviewItem, ReviewError> {
        let now = OffsetDateTime::now_utc();
        let claimed: Option<String> = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query_scalar(sql::CLAIM_ITEM)
                .bind(reviewer)
                .bind(unix_ms(now))
                .bind(lease_until(now, lease))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("claim a review item"))?,
        };
        if claimed.is_none() {
            return Err(self.why_not_held(id, reviewer).await);
        }
        self.get_review_item(id)
            .await?
            .ok_or(ReviewError::NotFound(id))
    }

    /// Gives up `reviewer`'s claim on item `id` (live or run out), so that
    /// another reviewer can take it. [`ReviewError::NoClaim`] when they hold
    /// none.
    pub async fn release_review(
        &self,
        id: ReviewItemId,
        reviewer: &str,
    ) -> Result<(), ReviewError> {
        let changed = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::RELEASE)
                .bind(id.to_string())
                .bind(reviewer)
                .execute(pool)
                .await
                .map_err(StoreError::query("release a review claim"))?
                .rows_affected(),
        };
        if changed == 1 {
            Ok(())
        } else {
            Err(self.why_not_held(id, reviewer).await)
        }
    }

    /// Records `reviewer`'s verdict on item `id`, which they must hold under
    /// a live claim, and releases the claim. The item is done at its k-th
    /// verdict. `outcome` is required for an appeal and refused otherwise;
    /// when an appeal is done its outcome is the majority's (a tie upholds
    /// the decision), recorded on the appeal in the same transaction, as is a notice's outcome.
    pub async fn submit_review(
        &self,
        id: ReviewItemId,
        reviewer: &str,
        verdict: &Verdict,
        outcome: Option<AppealOutcome>,
    ) -> Result<Submitted, ReviewError> {
        let verdict_json = serde_json::to_string(verdict)
            .map_err(|e| ReviewError::Invalid(format!("the verdict does not serialise: {e}")))?;
        let result = match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin record a verdict"))?;
                let done = record(&mut tx, id, reviewer, verdict, &verdict_json, outcome).await?;
                if let Some(submitted) = done {
                    tx.commit()
                        .await
                        .map_err(StoreError::query("commit record a verdict"))?;
                    Some(submitted)
                } else {
                    None
                }
            }
        };
        match result {
            Some(submitted) => Ok(submitted),
            None => Err(self.why_not_held(id, reviewer).await),
        }
    }

    /// Why `reviewer` could not claim, release or review item `id`.
    async fn why_not_held(&self, id: ReviewItemId, reviewer: &str) -> ReviewError {
        match self.diagnose(id, reviewer).await {
            Ok(e) | Err(e) => e,
        }
    }

    async fn diagnose(&self, id: ReviewItemId, reviewer: &str) -> Result<ReviewError, ReviewError> {
        let Backend::Sqlite(pool) = &self.backend;
        let id_text = id.to_string();
        let state = sqlx::query(sql::GET_REASON_STATUS)
            .bind(&id_text)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::query("read a review item"))?;
        let Some(state) = state else {
            return Ok(ReviewError::NotFound(id));
        };
        if get::<String>(&state, "status", "read a review item")? == "done" {
            return Ok(ReviewError::Done(id));
        }
        let reviewed: i64 = sqlx::query_scalar(sql::HAS_REVIEWED)
            .bind(&id_text)
            .bind(reviewer)
            .fetch_one(pool)
            .await
            .map_err(StoreError::query("read a review item"))?;
        if reviewed > 0 {
            return Ok(ReviewError::AlreadyReviewed {
                id,
                reviewer: reviewer.to_owned(),
            });
        }
        let claim = sqlx::query(sql::GET_CLAIM)
            .bind(&id_text)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::query("read a review claim"))?;
        let claim = claim
            .map(|row| rows::claim_from_row(&id_text, &row))
            .transpose()?;
        let now = OffsetDateTime::now_utc();
        Ok(match claim {
            Some(c) if c.reviewer == reviewer => ReviewError::LeaseExpired {
                id,
                reviewer: reviewer.to_owned(),
            },
            Some(c) if c.lease_until > now => ReviewError::ClaimHeld {
                id,
                lease_until: c.lease_until,
            },
            _ => ReviewError::NoClaim {
                id,
                reviewer: reviewer.to_owned(),
            },
        })
    }
}

/// Records the verdict inside `tx`; `None` (and nothing written) when
/// `reviewer` holds no live claim on the item.
async fn record(
    tx: &mut Transaction<'_, Sqlite>,
    id: ReviewItemId,
    reviewer: &str,
    verdict: &Verdict,
    verdict_json: &str,
    outcome: Option<AppealOutcome>,
) -> Result<Option<Submitted>, ReviewError> {
    let id_text = id.to_string();
    let now = OffsetDateTime::now_utc();
    // A write first, so SQLite takes the write lock before this
    // transaction reads anything.
    let claimed_at: Option<i64> = sqlx::query_scalar(sql::TAKE_CLAIM)
        .bind(&id_text)
        .bind(reviewer)
        .bind(unix_ms(now))
        .fetch_optional(&mut **tx)
        .await
        .map_err(StoreError::query("take a review claim"))?;
    let Some(claimed_at) = claimed_at else {
        return Ok(None);
    };
    let state = sqlx::query(sql::GET_REASON_STATUS)
        .bind(&id_text)
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::query("read a review item"))?;
    let reason = rows::parse_reason(
        &id_text,
        &get::<String>(&state, "reason", "read a review item")?,
    )?;
    check_outcome(reason, outcome)?;
    let review_id = uuid::Uuid::now_v7().to_string();
    let seconds = (unix_ms(now) - claimed_at).max(0) / 1000;
    let stamp = format_time(now_in_whole_seconds());
    sqlx::query(sql::INSERT_REVIEW)
        .bind(&review_id)
        .bind(&id_text)
        .bind(reviewer)
        .bind(verdict_json)
        .bind(verdict.action.as_str())
        .bind(outcome.map(AppealOutcome::as_str))
        .bind(seconds)
        .bind(&stamp)
        .execute(&mut **tx)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => ReviewError::AlreadyReviewed {
                id,
                reviewer: reviewer.to_owned(),
            },
            e => StoreError::query("record a verdict")(e).into(),
        })?;
    for (category, positive) in verdict.labels.iter() {
        sqlx::query(sql::INSERT_LABEL)
            .bind(&review_id)
            .bind(category.as_str())
            .bind(i64::from(positive))
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query("record a verdict's labels"))?;
    }
    let counted = sqlx::query(sql::COUNT_REVIEW)
        .bind(&stamp)
        .bind(&id_text)
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::query("count a verdict"))?;
    let status = if get::<String>(&counted, "status", "count a verdict")? == "done" {
        ReviewStatus::Done
    } else {
        ReviewStatus::Open
    };
    match (status, reason) {
        (ReviewStatus::Done, QueueReason::Appeal) => decide_appeal(tx, &id_text, &stamp).await?,
        (ReviewStatus::Done, QueueReason::Notice) => notices::decide_notice(tx, &id_text).await?,
        _ => {}
    }
    Ok(Some(Submitted {
        id,
        reviews_done: rows::count(get(&counted, "reviews_done", "count a verdict")?),
        required_reviews: rows::count(get(&counted, "required_reviews", "count a verdict")?),
        status,
    }))
}

/// An outcome is given for an appeal, and only for one.
fn check_outcome(reason: QueueReason, outcome: Option<AppealOutcome>) -> Result<(), ReviewError> {
    match (reason, outcome) {
        (QueueReason::Appeal, None) => Err(ReviewError::OutcomeMismatch(
            "this item is an appeal: the verdict needs an outcome, `upheld` or `overturned`"
                .to_owned(),
        )),
        (QueueReason::Appeal, Some(_)) | (_, None) => Ok(()),
        (other, Some(_)) => Err(ReviewError::OutcomeMismatch(format!(
            "this item is queued for `{other}`, not an appeal: a verdict on it takes no outcome"
        ))),
    }
}

/// Ends the appeal reviewed as item `id`: overturned when most of its
/// reviews overturned it, else upheld.
async fn decide_appeal(
    tx: &mut Transaction<'_, Sqlite>,
    id: &str,
    stamp: &str,
) -> Result<(), ReviewError> {
    let outcomes: Vec<String> = sqlx::query_scalar(sql::OUTCOMES)
        .bind(id)
        .fetch_all(&mut **tx)
        .await
        .map_err(StoreError::query("read an appeal's outcomes"))?;
    let overturned = outcomes.iter().filter(|o| *o == "overturned").count();
    let outcome = if overturned * 2 > outcomes.len() {
        AppealOutcome::Overturned
    } else {
        AppealOutcome::Upheld
    };
    sqlx::query(sql::DECIDE_APPEAL)
        .bind(outcome.as_str())
        .bind(stamp)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("decide an appeal"))?;
    Ok(())
}

/// Unix ms `lease` after `now`.
fn lease_until(now: OffsetDateTime, lease: Duration) -> i64 {
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    unix_ms(now).saturating_add(lease_ms)
}

/// `reasons` as the JSON array the queue queries match against, `None`
/// (any reason) when empty.
pub(crate) fn reason_set(reasons: &[QueueReason]) -> Option<String> {
    (!reasons.is_empty()).then(|| {
        serde_json::Value::from(reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>()).to_string()
    })
}
