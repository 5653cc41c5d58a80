//! Reading review rows back into their types; a row that does not read back
//! is [`ReviewError::Corrupt`], naming the row.

use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_core::{AppealOutcome, DecisionId, Item, Labels, QueueReason, Verdict};

use super::{
    Appeal, Claim, QueueEntry, ReviewError, ReviewItem, ReviewItemId, ReviewRecord, ReviewStatus,
};
use crate::StoreError;

/// A column of `row`, or the query error naming `what` was read.
pub(crate) fn get<'r, T>(
    row: &'r SqliteRow,
    column: &str,
    what: &'static str,
) -> Result<T, ReviewError>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column)
        .map_err(|e| ReviewError::Store(StoreError::query(what)(e)))
}

pub(crate) fn corrupt(id: &str, reason: impl Into<String>) -> ReviewError {
    ReviewError::Corrupt {
        id: id.to_owned(),
        reason: reason.into(),
    }
}

pub(crate) fn parse_time(id: &str, what: &str, text: &str) -> Result<OffsetDateTime, ReviewError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| corrupt(id, format!("its {what} `{text}` is not RFC 3339: {e}")))
}

pub(crate) fn from_unix_ms(id: &str, ms: i64) -> Result<OffsetDateTime, ReviewError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| corrupt(id, format!("time {ms} ms is out of range: {e}")))
}

pub(crate) fn parse_item_id(text: &str) -> Result<ReviewItemId, ReviewError> {
    text.parse()
        .map_err(|_| corrupt(text, "the review item id is not a UUID"))
}

fn parse_decision_id(id: &str, text: &str) -> Result<DecisionId, ReviewError> {
    text.parse()
        .map_err(|_| corrupt(id, format!("decision id `{text}` is not a UUID")))
}

pub(crate) fn parse_reason(id: &str, text: &str) -> Result<QueueReason, ReviewError> {
    text.parse().map_err(|e| corrupt(id, format!("{e}")))
}

pub(crate) fn parse_outcome(
    id: &str,
    text: Option<&str>,
) -> Result<Option<AppealOutcome>, ReviewError> {
    match text {
        None => Ok(None),
        Some("upheld") => Ok(Some(AppealOutcome::Upheld)),
        Some("overturned") => Ok(Some(AppealOutcome::Overturned)),
        Some(other) => Err(corrupt(id, format!("unknown appeal outcome `{other}`"))),
    }
}

pub(crate) fn parse_item(id: &str, json: &str) -> Result<Item, ReviewError> {
    serde_json::from_str(json).map_err(|e| corrupt(id, format!("its item does not read back: {e}")))
}

pub(crate) fn parse_labels(id: &str, json: &str) -> Result<Labels, ReviewError> {
    serde_json::from_str(json)
        .map_err(|e| corrupt(id, format!("its gold labels do not read back: {e}")))
}

pub(crate) fn parse_verdict(id: &str, json: &str) -> Result<Verdict, ReviewError> {
    serde_json::from_str(json)
        .map_err(|e| corrupt(id, format!("a verdict does not read back: {e}")))
}

/// A count or number of reviews as stored (never negative by the schema).
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A queue entry from the entry columns (`sql::entry_columns!`).
pub(crate) fn entry_from_row(row: &SqliteRow) -> Result<QueueEntry, ReviewError> {
    const WHAT: &str = "read a review item";
    let id: String = get(row, "id", WHAT)?;
    let status: String = get(row, "status", WHAT)?;
    let status = match status.as_str() {
        "open" => ReviewStatus::Open,
        "done" => ReviewStatus::Done,
        other => return Err(corrupt(&id, format!("unknown status `{other}`"))),
    };
    let decision_id: Option<String> = get(row, "decision_id", WHAT)?;
    let created_at: String = get(row, "created_at", WHAT)?;
    Ok(QueueEntry {
        item_id: get(row, "item_id", WHAT)?,
        reason: parse_reason(&id, &get::<String>(row, "reason", WHAT)?)?,
        priority: get(row, "priority", WHAT)?,
        required_reviews: count(get(row, "required_reviews", WHAT)?),
        reviews_done: count(get(row, "reviews_done", WHAT)?),
        status,
        decision_id: decision_id
            .map(|d| parse_decision_id(&id, &d))
            .transpose()?,
        claimed: get(row, "claimed", WHAT)?,
        created_at: parse_time(&id, "created_at", &created_at)?,
        id: parse_item_id(&id)?,
    })
}

/// A whole item from [`super::sql::GET_ITEM`]'s row, without its claim,
/// reviews and appeal.
pub(crate) fn item_from_row(row: &SqliteRow) -> Result<ReviewItem, ReviewError> {
    const WHAT: &str = "read a review item";
    let entry = entry_from_row(row)?;
    let id = entry.id.to_string();
    let content: Option<String> = get(row, "item", WHAT)?;
    let gold: Option<String> = get(row, "gold_labels", WHAT)?;
    let done_at: Option<String> = get(row, "done_at", WHAT)?;
    Ok(ReviewItem {
        entry,
        content: content.map(|c| parse_item(&id, &c)).transpose()?,
        gold_labels: gold.map(|g| parse_labels(&id, &g)).transpose()?,
        done_at: done_at
            .map(|t| parse_time(&id, "done_at", &t))
            .transpose()?,
        claim: None,
        reviews: Vec::new(),
        appeal: None,
    })
}

/// A claim row (`reviewer`, `claimed_at`, `lease_until`).
pub(crate) fn claim_from_row(item: &str, row: &SqliteRow) -> Result<Claim, ReviewError> {
    const WHAT: &str = "read a review claim";
    Ok(Claim {
        reviewer: get(row, "reviewer", WHAT)?,
        claimed_at: from_unix_ms(item, get(row, "claimed_at", WHAT)?)?,
        lease_until: from_unix_ms(item, get(row, "lease_until", WHAT)?)?,
    })
}

/// A verdict row (`reviewer`, `verdict`, `outcome`, `seconds_spent`,
/// `created_at`) of item `item`.
pub(crate) fn review_from_row(item: &str, row: &SqliteRow) -> Result<ReviewRecord, ReviewError> {
    const WHAT: &str = "read a review";
    let outcome: Option<String> = get(row, "outcome", WHAT)?;
    let seconds: i64 = get(row, "seconds_spent", WHAT)?;
    let created_at: String = get(row, "created_at", WHAT)?;
    Ok(ReviewRecord {
        reviewer: get(row, "reviewer", WHAT)?,
        verdict: parse_verdict(item, &get::<String>(row, "verdict", WHAT)?)?,
        outcome: parse_outcome(item, outcome.as_deref())?,
        seconds_spent: u64::try_from(seconds).unwrap_or(0),
        created_at: parse_time(item, "created_at", &created_at)?,
    })
}

/// An appeal row.
pub(crate) fn appeal_from_row(row: &SqliteRow) -> Result<Appeal, ReviewError> {
    const WHAT: &str = "read an appeal";
    let id: String = get(row, "id", WHAT)?;
    let decision: String = get(row, "decision_id", WHAT)?;
    let item: String = get(row, "review_item_id", WHAT)?;
    let submitted: String = get(row, "submitted_at", WHAT)?;
    let outcome: Option<String> = get(row, "outcome", WHAT)?;
    let decided: Option<String> = get(row, "decided_at", WHAT)?;
    Ok(Appeal {
        id: uuid::Uuid::parse_str(&id).map_err(|_| corrupt(&id, "the appeal id is not a UUID"))?,
        decision_id: parse_decision_id(&id, &decision)?,
        statement: get(row, "statement", WHAT)?,
        review_item: parse_item_id(&item)?,
        submitted_at: parse_time(&id, "submitted_at", &submitted)?,
        outcome: parse_outcome(&id, outcome.as_deref())?,
        decided_at: decided
            .map(|t| parse_time(&id, "decided_at", &t))
            .transpose()?,
    })
}
