//! Notices (EU DSA Art. 16): who reported which item, the review item that
//! puts it before a person, and what was done about it and when
//! (docs/notices.md).
//!
//! [`Store::file_notice`] records a notice and, in the same transaction,
//! queues its item with reason `notice` — or, after a rescan, records what
//! the rescan decided. When the queued item gets its last verdict,
//! [`Store::submit_review`] records the notice's outcome and `acted_at` in
//! the verdict's transaction, so the time to act is never missing.

mod rows;
mod sql;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::{Sqlite, Transaction};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use vigil_core::{
    Action, Category, Decision, DecisionId, Item, NoticeOutcome, QueueReason, ReporterType,
};

use self::rows::from_row;
use crate::codec::DecisionRow;
use crate::review::{ItemRow, ReviewError, ReviewItemId};
use crate::store::Backend;
use crate::{Store, StoreError, MAX_REQUIRED_REVIEWS};

/// A notice's id: a UUIDv7, so ids sort by when it was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct NoticeId(pub uuid::Uuid);

impl fmt::Display for NoticeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for NoticeId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(NoticeId)
    }
}

/// A notice as received, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// The caller's id of the item reported.
    pub item_id: String,
    /// The decision the notice is about, when the item was scanned.
    pub decision_id: Option<DecisionId>,
    /// Who sent it.
    pub reporter_type: ReporterType,
    /// The platform's id of the reporter.
    pub reporter_id: Option<String>,
    /// The reporter's name (a trusted flagger's or an authority's).
    pub reporter_name: Option<String>,
    /// The category the reporter claims.
    pub category: Category,
    /// The law the reporter says is broken.
    pub legal_ground: Option<String>,
    /// Why, in the reporter's words.
    pub explanation: String,
}

/// What became of a notice as it was filed.
#[derive(Debug, Clone, Copy)]
pub enum NoticeRoute<'a> {
    /// Queue `content` for a person with reason `notice`.
    Review {
        /// The item, media inline.
        content: &'a Item,
        /// Higher is served first.
        priority: f64,
        /// How many reviewers must judge it.
        required_reviews: u32,
    },
    /// The item was scanned again: `decision` is logged in the notice's
    /// own transaction (with `content` beside it when `keep_content`); when
    /// it says `review`, `content` is queued as above, otherwise the notice
    /// is decided now by the decision's action.
    Rescanned {
        /// The rescan's decision, not yet in the decision log.
        decision: &'a Decision,
        /// The item, media inline.
        content: &'a Item,
        /// Keep `content` beside the decision (`[log] store_content`).
        keep_content: bool,
        /// Higher is served first.
        priority: f64,
        /// How many reviewers must judge it.
        required_reviews: u32,
    },
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    /// Waiting for a reviewer's verdict.
    InReview,
    /// Acted on: its outcome is recorded.
    Decided,
}

impl NoticeStatus {
    fn as_str(self) -> &'static str {
        match self {
            NoticeStatus::InReview => "in_review",
            NoticeStatus::Decided => "decided",
        }
    }
}

/// A stored notice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// The notice.
    pub id: NoticeId,
    /// The caller's item id.
    pub item_id: String,
    /// The decision the notice is about, if any.
    pub decision_id: Option<DecisionId>,
    /// Who sent it.
    pub reporter_type: ReporterType,
    /// The platform's id of the reporter.
    pub reporter_id: Option<String>,
    /// The reporter's name.
    pub reporter_name: Option<String>,
    /// The category claimed.
    pub category: Category,
    /// The law claimed broken.
    pub legal_ground: Option<String>,
    /// The reporter's explanation.
    pub explanation: String,
    /// When it was received (to the millisecond).
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// In review or decided.
    pub status: NoticeStatus,
    /// The review item that puts it before a person, if queued.
    pub review_item: Option<ReviewItemId>,
    /// The rescan's decision, when the policy asked for a rescan.
    pub rescan_decision: Option<DecisionId>,
    /// What was done.
    pub outcome: Option<NoticeOutcome>,
    /// The action taken on the item (`allow` when none was).
    pub action: Option<Action>,
    /// When it was acted on.
    #[serde(with = "time::serde::rfc3339::option")]
    pub acted_at: Option<OffsetDateTime>,
}

impl Notice {
    /// `acted_at − received_at`, once acted on.
    pub fn time_to_act(&self) -> Option<Duration> {
        self.acted_at.map(|t| t - self.received_at)
    }
}

/// A refused notice, or the store failing under it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeError {
    /// A field out of bounds (checked again at the edge, with the field's name).
    #[error("invalid notice: {0}")]
    Invalid(String),
    /// Queuing the item failed.
    #[error(transparent)]
    Review(#[from] ReviewError),
    /// A stored notice does not read back.
    #[error("stored notice `{id}` is corrupt: {reason}")]
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

impl Store {
    /// Records `notice` as received now and routes it as `route` says, in
    /// one transaction: a notice is never stored without its review item or
    /// its rescan's decision, nor an item queued or a rescan logged without
    /// the notice.
    pub async fn file_notice(
        &self,
        notice: &NewNotice,
        route: NoticeRoute<'_>,
    ) -> Result<Notice, NoticeError> {
        if notice.item_id.trim().is_empty() || notice.explanation.trim().is_empty() {
            return Err(NoticeError::Invalid(
                "a notice needs an item id and an explanation".to_owned(),
            ));
        }
        let received_at = now_ms();
        let (content, priority, k, rescan, keep) = match route {
            NoticeRoute::Review {
                content,
                priority,
                required_reviews,
            } => (content, priority, required_reviews, None, false),
            NoticeRoute::Rescanned {
                decision,
                content,
                priority,
                required_reviews,
                keep_content,
            } => (
                content,
                priority,
                required_reviews,
                Some(decision),
                keep_content,
            ),
        };
        if content.id != notice.item_id {
            return Err(NoticeError::Invalid(format!(
                "the content's id is `{}`, the notice's item `{}`",
                content.id, notice.item_id
            )));
        }
        let queue = rescan.is_none_or(|d| d.action == Action::Review);
        let row = if queue {
            let k = k.clamp(1, MAX_REQUIRED_REVIEWS);
            let decision = notice.decision_id.or(rescan.map(|d| d.id));
            Some(ItemRow::new(
                content,
                decision.map(|d| d.to_string()),
                QueueReason::Notice,
                priority,
                k,
                None,
            )?)
        } else {
            None
        };
        let decided = rescan
            .filter(|_| !queue)
            .map(|d| (outcome_of(d.action), d.action));
        let stored = Notice {
            id: NoticeId(uuid::Uuid::now_v7()),
            item_id: notice.item_id.clone(),
            decision_id: notice.decision_id,
            reporter_type: notice.reporter_type,
            reporter_id: notice.reporter_id.clone(),
            reporter_name: notice.reporter_name.clone(),
            category: notice.category,
            legal_ground: notice.legal_ground.clone(),
            explanation: notice.explanation.clone(),
            received_at,
            status: if decided.is_some() {
                NoticeStatus::Decided
            } else {
                NoticeStatus::InReview
            },
            review_item: row.as_ref().map(|r| r.id),
            rescan_decision: rescan.map(|d| d.id),
            outcome: decided.map(|(o, _)| o),
            action: decided.map(|(_, a)| a),
            acted_at: decided.map(|_| received_at),
        };
        let Backend::Sqlite(pool) = &self.backend;
        let mut tx = pool
            .begin()
            .await
            .map_err(StoreError::query("begin file a notice"))?;
        if let Some(decision) = rescan {
            log_rescan(&mut tx, decision, keep.then_some(content)).await?;
        }
        if let Some(row) = &row {
            row.insert(&mut tx).await?;
        }
        insert(&mut tx, &stored).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit file a notice"))?;
        Ok(stored)
    }

    /// The notice with this id, if any.
    pub async fn get_notice(&self, id: NoticeId) -> Result<Option<Notice>, NoticeError> {
        self.notice_where(sql::GET_NOTICE, id.to_string()).await
    }

    /// The notice whose rescan took `decision`, if any: such a decision
    /// was taken because of the notice.
    pub async fn notice_for_rescan(
        &self,
        decision: DecisionId,
    ) -> Result<Option<Notice>, NoticeError> {
        self.notice_where(sql::GET_BY_RESCAN, decision.to_string())
            .await
    }

    /// The notice reviewed as review item `item`, if any.
    pub async fn notice_for_review_item(
        &self,
        item: ReviewItemId,
    ) -> Result<Option<Notice>, NoticeError> {
        self.notice_where(sql::GET_BY_REVIEW_ITEM, item.to_string())
            .await
    }

    /// The notices a reviewer's restrictive verdict acted on in
    /// `[since, until)` (by `acted_at`; open ends do not filter), in the
    /// order they were received: each owes a statement of reasons.
    pub async fn reviewed_notices_acted(
        &self,
        since: Option<OffsetDateTime>,
        until: Option<OffsetDateTime>,
    ) -> Result<Vec<Notice>, NoticeError> {
        let Backend::Sqlite(pool) = &self.backend;
        let rows = sqlx::query(sql::LIST_REVIEWED_ACTED)
            .fetch_all(pool)
            .await
            .map_err(StoreError::query("list notices acted on"))?;
        let mut acted = Vec::new();
        for row in &rows {
            let notice = from_row(row)?;
            let inside = notice
                .acted_at
                .is_some_and(|t| since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u));
            if inside {
                acted.push(notice);
            }
        }
        acted.sort_by_key(|n| (n.received_at, n.id));
        Ok(acted)
    }

    async fn notice_where(&self, query: &str, key: String) -> Result<Option<Notice>, NoticeError> {
        let Backend::Sqlite(pool) = &self.backend;
        let row = sqlx::query(query)
            .bind(key)
            .fetch_optional(pool)
            .await
            .map_err(StoreError::query("read a notice"))?;
        row.map(|r| from_row(&r)).transpose()
    }
}

/// Decides the notice reviewed as item `id`, done now (inside the verdict's
/// transaction): action taken when most verdicts restrict, with the
/// strictest action they chose; otherwise no action. A review item that is
/// no notice's changes nothing.
pub(crate) async fn decide_notice(
    tx: &mut Transaction<'_, Sqlite>,
    id: &str,
) -> Result<(), ReviewError> {
    let actions: Vec<String> = sqlx::query_scalar(sql::VERDICT_ACTIONS)
        .bind(id)
        .fetch_all(&mut **tx)
        .await
        .map_err(StoreError::query("read a notice's verdicts"))?;
    let actions: Vec<Action> = actions.iter().filter_map(|a| a.parse().ok()).collect();
    let restrictive: Vec<Action> = actions
        .iter()
        .copied()
        .filter(|a| a.is_restrictive())
        .collect();
    let action = if restrictive.len() * 2 > actions.len() {
        restrictive.into_iter().max().unwrap_or(Action::Allow)
    } else {
        Action::Allow
    };
    sqlx::query(sql::DECIDE_NOTICE)
        .bind(outcome_of(action).as_str())
        .bind(action.as_str())
        .bind(format_ms(now_ms()))
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("decide a notice"))?;
    Ok(())
}

fn outcome_of(action: Action) -> NoticeOutcome {
    if action.is_restrictive() {
        NoticeOutcome::ActionTaken
    } else {
        NoticeOutcome::NoAction
    }
}

/// The rescan's decision and its kept content, inside the notice's
/// transaction.
async fn log_rescan(
    tx: &mut Transaction<'_, Sqlite>,
    decision: &Decision,
    content: Option<&Item>,
) -> Result<(), StoreError> {
    let row = DecisionRow::from_decision(decision)?;
    crate::sqlite::insert_row(tx, &row).await?;
    if let Some(item) = content {
        let json = serde_json::to_string(item).map_err(|e| StoreError::Invalid {
            id: decision.id,
            reason: format!("the item does not serialise: {e}"),
        })?;
        sqlx::query(crate::sql::INSERT_CONTENT)
            .bind(decision.id.to_string())
            .bind(json)
            .execute(&mut **tx)
            .await
            .map_err(StoreError::query("insert decision content"))?;
    }
    Ok(())
}

async fn insert(tx: &mut Transaction<'_, Sqlite>, n: &Notice) -> Result<(), StoreError> {
    sqlx::query(sql::INSERT_NOTICE)
        .bind(n.id.to_string())
        .bind(&n.item_id)
        .bind(n.decision_id.map(|d| d.to_string()))
        .bind(n.reporter_type.as_str())
        .bind(n.reporter_id.as_deref())
        .bind(n.reporter_name.as_deref())
        .bind(n.category.as_str())
        .bind(n.legal_ground.as_deref())
        .bind(&n.explanation)
        .bind(format_ms(n.received_at))
        .bind(n.status.as_str())
        .bind(n.review_item.map(|r| r.to_string()))
        .bind(n.rescan_decision.map(|d| d.to_string()))
        .bind(n.outcome.map(NoticeOutcome::as_str))
        .bind(n.action.map(Action::as_str))
        .bind(n.acted_at.map(format_ms))
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("record a notice"))?;
    Ok(())
}

/// Now, to the millisecond: the resolution time to act is measured in.
fn now_ms() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now - Duration::nanoseconds(i64::from(now.nanosecond() % 1_000_000))
}

/// A time as stored: RFC 3339, UTC.
fn format_ms(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .expect("a current UTC time has a four-digit year, which RFC 3339 can write")
}
