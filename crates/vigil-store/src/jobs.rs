//! Scan jobs: items queued for a worker because they take too long to scan
//! inside a request (large audio and video).
//!
//! A job is `queued`, then `running` under a lease held by one worker, then
//! `done` (with its decision, stored in the same transaction) or `failed`
//! (with the scan error's kind and message). A worker that crashes or
//! stalls lets its lease run out, and the job is claimed again, at most
//! [`MAX_JOB_ATTEMPTS`] times in all; after that it fails with
//! [`ATTEMPTS_EXHAUSTED`]. The item is kept only while the job can still
//! run.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_core::{Decision, DecisionId, Item};

use crate::codec::{decode_body, unix_ms, DecisionRow};
use crate::review::ItemRow;
use crate::store::Backend;
use crate::{sql, sqlite, NewReview, Store, StoreError};

/// How many times a job is claimed before it fails: a job whose worker
/// crashes this many times is more likely to crash the next one too.
pub const MAX_JOB_ATTEMPTS: u32 = 3;

/// The error kind of a job whose lease ran out after its last attempt.
pub const ATTEMPTS_EXHAUSTED: &str = "attempts_exhausted";

/// A scan job's id: a UUIDv7, so ids sort by the time the job was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub uuid::Uuid);

impl JobId {
    /// A fresh id for a job queued now.
    pub fn new() -> JobId {
        JobId(uuid::Uuid::now_v7())
    }
}

impl Default for JobId {
    fn default() -> Self {
        JobId::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for JobId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(JobId)
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// A worker holds it (or held it, and its lease has not been taken over).
    Running,
    /// Scanned; the decision is stored.
    Done,
    /// Given up: the scan refused the item, or no worker finished it.
    Failed,
}

impl JobState {
    /// Every state, in the order a job goes through them.
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
    ];

    /// The state as stored and as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(id: &str, value: &str) -> Result<JobState, StoreError> {
        JobState::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| StoreError::CorruptJob {
                id: id.to_owned(),
                reason: format!("unknown status `{value}`"),
            })
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job a worker has claimed: scan the item, then
/// [`Store::complete_job`] or [`Store::fail_job`].
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The job.
    pub id: JobId,
    /// The item to scan, media inline.
    pub item: Item,
    /// This claim's number, from 1.
    pub attempts: u32,
}

/// Why a job failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobError {
    /// A stable name: the scan error's kind (`corrupt_media`, …) or
    /// [`ATTEMPTS_EXHAUSTED`].
    pub kind: String,
    /// What went wrong.
    pub message: String,
}

/// A job as [`Store::get_job`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    /// The job.
    pub id: JobId,
    /// Where it stands.
    pub state: JobState,
    /// How many times a worker claimed it.
    pub attempts: u32,
    /// The decision of a done job; `None` when retention has deleted it.
    pub decision: Option<Decision>,
    /// The decision's id, for a done job.
    pub decision_id: Option<DecisionId>,
    /// Why a failed job failed.
    pub error: Option<JobError>,
    /// When it was queued.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

impl Store {
    /// Queues `item` (media inline) for a worker; returns the job's id.
    pub async fn enqueue_job(&self, item: &Item) -> Result<JobId, StoreError> {
        let json = serde_json::to_string(item).map_err(|e| StoreError::InvalidJob {
            item_id: item.id.clone(),
            reason: format!("the item does not serialise: {e}"),
        })?;
        let id = JobId::new();
        match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::INSERT_JOB)
                .bind(id.to_string())
                .bind(json)
                .bind(now_text(OffsetDateTime::now_utc()))
                .execute(pool)
                .await
                .map_err(StoreError::query("queue a scan job"))?,
        };
        Ok(id)
    }

    /// Claims the oldest job that is queued, or running under a lease that
    /// has run out, for `owner` (a name unique to the worker) until `lease`
    /// from now; `None` when there is none.
    ///
    /// Atomic: two workers never hold the same job. Running jobs whose lease
    /// ran out after their last attempt are failed first, with
    /// [`ATTEMPTS_EXHAUSTED`]. A worker whose scan may outlast the lease
    /// calls [`Store::extend_job_lease`] while it works.
    pub async fn claim_job(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedJob>, StoreError> {
        let now = OffsetDateTime::now_utc();
        let now_ms = unix_ms(now);
        let row = match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin claim a scan job"))?;
                sqlx::query(sql::FAIL_EXHAUSTED_JOBS)
                    .bind(now_ms)
                    .bind(i64::from(MAX_JOB_ATTEMPTS))
                    .bind(ATTEMPTS_EXHAUSTED)
                    .bind(format!(
                        "the job was claimed {MAX_JOB_ATTEMPTS} times and no worker finished it \
                         (each lost its lease: it crashed, stalled or was stopped)"
                    ))
                    .bind(now_text(now))
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("fail exhausted scan jobs"))?;
                let row = sqlx::query(sql::CLAIM_JOB)
                    .bind(now_ms)
                    .bind(owner)
                    .bind(lease_until(now, lease))
                    .bind(now_text(now))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::query("claim a scan job"))?;
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit claim a scan job"))?;
                row
            }
        };
        row.as_ref().map(claimed_from_row).transpose()
    }

    /// Extends `owner`'s lease on job `id` to `lease` from now.
    /// [`StoreError::JobLeaseLost`] when `owner` no longer holds it.
    pub async fn extend_job_lease(
        &self,
        id: JobId,
        owner: &str,
        lease: Duration,
    ) -> Result<(), StoreError> {
        let now = OffsetDateTime::now_utc();
        let changed = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::EXTEND_JOB_LEASE)
                .bind(id.to_string())
                .bind(owner)
                .bind(lease_until(now, lease))
                .bind(now_text(now))
                .execute(pool)
                .await
                .map_err(StoreError::query("extend a scan job's lease"))?
                .rows_affected(),
        };
        held(changed, id, owner)
    }

    /// Marks job `id` done and stores its decision, in one transaction,
    /// with the same insert as the decision log; with `keep_content`, the
    /// job's item is stored beside the decision (as the policy's
    /// `[log] store_content` asks of every scan).
    ///
    /// Only the worker holding the job can complete it: after another has
    /// claimed it, or it has failed, this is [`StoreError::JobLeaseLost`]
    /// and nothing is stored. A lease that ran out but was not yet taken
    /// over still counts as held. `review`, the queue entry the decision
    /// routes to, is queued in the same transaction.
    pub async fn complete_job(
        &self,
        id: JobId,
        owner: &str,
        decision: &Decision,
        keep_content: bool,
        review: Option<&NewReview>,
    ) -> Result<(), StoreError> {
        let row = DecisionRow::from_decision(decision)?;
        let review = review
            .map(|r| {
                ItemRow::for_decision(r).map_err(|e| StoreError::Invalid {
                    id: decision.id,
                    reason: format!("its review entry: {e}"),
                })
            })
            .transpose()?;
        let id_text = id.to_string();
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin complete a scan job"))?;
                // Read the item before the update clears it.
                let item: Option<String> = if keep_content {
                    sqlx::query_scalar(sql::GET_JOB_ITEM)
                        .bind(&id_text)
                        .bind(owner)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(StoreError::query("read a scan job's item"))?
                        .flatten()
                } else {
                    None
                };
                let changed = sqlx::query(sql::COMPLETE_JOB)
                    .bind(&id_text)
                    .bind(owner)
                    .bind(&row.id_text)
                    .bind(now_text(OffsetDateTime::now_utc()))
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("complete a scan job"))?
                    .rows_affected();
                held(changed, id, owner)?;
                sqlite::insert_row(&mut tx, &row).await?;
                if let Some(item) = item {
                    sqlx::query(sql::INSERT_CONTENT)
                        .bind(&row.id_text)
                        .bind(item)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query("insert decision content"))?;
                }
                if let Some(review) = &review {
                    review.insert(&mut tx).await?;
                }
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit complete a scan job"))
            }
        }
    }

    /// Marks job `id` failed with the scan error's `kind` and `message`; as
    /// [`Store::complete_job`], only its holder can.
    pub async fn fail_job(
        &self,
        id: JobId,
        owner: &str,
        kind: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        let changed = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::FAIL_JOB)
                .bind(id.to_string())
                .bind(owner)
                .bind(kind)
                .bind(message)
                .bind(now_text(OffsetDateTime::now_utc()))
                .execute(pool)
                .await
                .map_err(StoreError::query("fail a scan job"))?
                .rows_affected(),
        };
        held(changed, id, owner)
    }

    /// Job `id`, with its decision when done; `None` when there is no such
    /// job.
    pub async fn get_job(&self, id: JobId) -> Result<Option<JobStatus>, StoreError> {
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::GET_JOB)
                .bind(id.to_string())
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("get a scan job"))?,
        };
        row.as_ref().map(status_from_row).transpose()
    }

    /// How many jobs are in each state, every state listed.
    pub async fn count_jobs_by_state(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::COUNT_JOBS_BY_STATUS)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("count scan jobs"))?,
        };
        let mut counts: Vec<(JobState, u64)> = JobState::ALL.iter().map(|&s| (s, 0)).collect();
        for row in &rows {
            let status: String = row
                .try_get(0)
                .map_err(StoreError::query("count scan jobs"))?;
            let count: i64 = row
                .try_get(1)
                .map_err(StoreError::query("count scan jobs"))?;
            let state = JobState::parse("(count)", &status)?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
                // COUNT(*) is never negative.
                slot.1 = u64::try_from(count).unwrap_or(0);
            }
        }
        Ok(counts)
    }
}

/// `Ok` when one row changed: the worker held the job.
fn held(changed: u64, id: JobId, owner: &str) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::JobLeaseLost {
            id: id.to_string(),
            owner: owner.to_owned(),
        })
    }
}

fn now_text(now: OffsetDateTime) -> String {
    crate::banks::format_time(now)
}

fn lease_until(now: OffsetDateTime, lease: Duration) -> i64 {
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    unix_ms(now).saturating_add(lease_ms)
}

fn claimed_from_row(row: &SqliteRow) -> Result<ClaimedJob, StoreError> {
    let read = StoreError::query("read a claimed scan job");
    let id_text: String = row.try_get("id").map_err(read)?;
    let corrupt = |reason: String| StoreError::CorruptJob {
        id: id_text.clone(),
        reason,
    };
    let item: Option<String> = row
        .try_get("item")
        .map_err(StoreError::query("read a claimed scan job"))?;
    let item = item.ok_or_else(|| corrupt("a queued job without its item".to_owned()))?;
    let item: Item = serde_json::from_str(&item)
        .map_err(|e| corrupt(format!("its item does not read back: {e}")))?;
    let attempts: i64 = row
        .try_get("attempts")
        .map_err(StoreError::query("read a claimed scan job"))?;
    Ok(ClaimedJob {
        id: parse_id(&id_text)?,
        item,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    })
}

fn status_from_row(row: &SqliteRow) -> Result<JobStatus, StoreError> {
    let get = |column: &'static str| -> Result<Option<String>, StoreError> {
        row.try_get(column)
            .map_err(StoreError::query("read a scan job"))
    };
    let id_text = get("id")?.unwrap_or_default();
    let corrupt = |reason: String| StoreError::CorruptJob {
        id: id_text.clone(),
        reason,
    };
    let state = JobState::parse(&id_text, &get("status")?.unwrap_or_default())?;
    let attempts: i64 = row
        .try_get("attempts")
        .map_err(StoreError::query("read a scan job"))?;
    let decision_id = get("decision_id")?
        .map(|d| {
            d.parse::<DecisionId>()
                .map_err(|_| corrupt(format!("decision id `{d}` is not a UUID")))
        })
        .transpose()?;
    let decision = match (&decision_id, get("body")?) {
        (Some(d), Some(body)) => Some(decode_body(&d.to_string(), &body)?),
        _ => None,
    };
    let error = match (get("error_kind")?, get("error_message")?) {
        (Some(kind), Some(message)) => Some(JobError { kind, message }),
        _ => None,
    };
    let time = |column: &'static str| -> Result<OffsetDateTime, StoreError> {
        let text = get(column)?.unwrap_or_default();
        OffsetDateTime::parse(&text, &Rfc3339)
            .map_err(|e| corrupt(format!("its {column} `{text}` is not RFC 3339: {e}")))
    };
    Ok(JobStatus {
        id: parse_id(&id_text)?,
        state,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        decision,
        decision_id,
        error,
        created_at: time("created_at")?,
        updated_at: time("updated_at")?,
    })
}

fn parse_id(text: &str) -> Result<JobId, StoreError> {
    text.parse().map_err(|_| StoreError::CorruptJob {
        id: text.to_owned(),
        reason: "the id is not a UUID".to_owned(),
    })
}
