//! What the reviews are for: training data (every done item with its
//! content, models and verdicts), reviewers measured on gold items, and the
//! retention that clears done items' content.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;
use vigil_core::{DecisionId, Item, Labels, QueueReason, VersionRef};

use super::rows::{self, get};
use super::{sql, ReviewError, ReviewItemId, ReviewRecord};
use crate::banks::format_time;
use crate::store::Backend;
use crate::{Store, StoreError};

/// One done item as training data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    /// The review item.
    pub id: ReviewItemId,
    /// The caller's item id.
    pub item_id: String,
    /// Why it was queued.
    pub reason: QueueReason,
    /// The content; `None` once retention cleared it.
    pub content: Option<Item>,
    /// The decision that queued it; `None` for gold items.
    pub decision_id: Option<DecisionId>,
    /// The models that decided it; empty for gold items and when retention
    /// deleted the decision.
    pub models: Vec<VersionRef>,
    /// The known answers of a gold item.
    pub gold_labels: Option<Labels>,
    /// When its last verdict came in.
    #[serde(with = "time::serde::rfc3339")]
    pub done_at: OffsetDateTime,
    /// Its verdicts, oldest first.
    pub reviews: Vec<ReviewRecord>,
}

/// How one reviewer's verdicts on gold items agree with the known labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoldResult {
    /// The reviewer (an API key id).
    pub reviewer: String,
    /// Gold items they reviewed.
    pub items: u64,
    /// Categories both they and the gold labels judged.
    pub labels_compared: u64,
    /// Of those, how many they got right.
    pub labels_agreed: u64,
}

impl GoldResult {
    /// `labels_agreed / labels_compared`; `None` when nothing was compared.
    pub fn accuracy(&self) -> Option<f64> {
        // Counts far below 2^53: exact as f64.
        (self.labels_compared > 0).then(|| self.labels_agreed as f64 / self.labels_compared as f64)
    }
}

impl Store {
    /// Done items after `after` (from the first when `None`), oldest first,
    /// at most `limit`, with their content, their decision's models, their
    /// verdicts and gold labels: the training data reviewers made.
    pub async fn export_reviews(
        &self,
        after: Option<ReviewItemId>,
        limit: u32,
    ) -> Result<Vec<ExportRow>, ReviewError> {
        let Backend::Sqlite(pool) = &self.backend;
        const WHAT: &str = "export reviews";
        let item_rows = sqlx::query(sql::EXPORT_ITEMS)
            .bind(after.map(|a| a.to_string()))
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(StoreError::query(WHAT))?;
        let mut out = Vec::with_capacity(item_rows.len());
        for row in &item_rows {
            let id: String = get(row, "id", WHAT)?;
            let content: Option<String> = get(row, "item", WHAT)?;
            let decision: Option<String> = get(row, "decision_id", WHAT)?;
            let gold: Option<String> = get(row, "gold_labels", WHAT)?;
            let done_at: Option<String> = get(row, "done_at", WHAT)?;
            let models: Option<String> = get(row, "models", WHAT)?;
            out.push(ExportRow {
                item_id: get(row, "item_id", WHAT)?,
                reason: rows::parse_reason(&id, &get::<String>(row, "reason", WHAT)?)?,
                content: content.map(|c| rows::parse_item(&id, &c)).transpose()?,
                decision_id: decision
                    .map(|d| {
                        d.parse()
                            .map_err(|_| rows::corrupt(&id, format!("decision id `{d}`")))
                    })
                    .transpose()?,
                models: models
                    .map(|m| {
                        serde_json::from_str(&m)
                            .map_err(|e| rows::corrupt(&id, format!("its decision's models: {e}")))
                    })
                    .transpose()?
                    .unwrap_or_default(),
                gold_labels: gold.map(|g| rows::parse_labels(&id, &g)).transpose()?,
                done_at: rows::parse_time(&id, "done_at", done_at.as_deref().unwrap_or(""))?,
                reviews: Vec::new(),
                id: rows::parse_item_id(&id)?,
            });
        }
        let (Some(first), Some(last)) = (out.first(), out.last()) else {
            return Ok(out);
        };
        let review_rows = sqlx::query(sql::EXPORT_REVIEWS)
            .bind(first.id.to_string())
            .bind(last.id.to_string())
            .fetch_all(pool)
            .await
            .map_err(StoreError::query(WHAT))?;
        let mut by_item: BTreeMap<String, Vec<ReviewRecord>> = BTreeMap::new();
        for row in &review_rows {
            let item: String = get(row, "item_id", WHAT)?;
            let review = rows::review_from_row(&item, row)?;
            by_item.entry(item).or_default().push(review);
        }
        for row in &mut out {
            row.reviews = by_item.remove(&row.id.to_string()).unwrap_or_default();
        }
        Ok(out)
    }

    /// Every reviewer who reviewed a gold item, with how their labels agree
    /// with the known ones, by reviewer id.
    pub async fn gold_results(&self) -> Result<Vec<GoldResult>, ReviewError> {
        let Backend::Sqlite(pool) = &self.backend;
        const WHAT: &str = "read gold reviews";
        let review_rows = sqlx::query(sql::GOLD_REVIEWS)
            .fetch_all(pool)
            .await
            .map_err(StoreError::query(WHAT))?;
        let mut results: Vec<GoldResult> = Vec::new();
        for row in &review_rows {
            let reviewer: String = get(row, "reviewer", WHAT)?;
            let item: String = get(row, "item_id", WHAT)?;
            let gold = rows::parse_labels(&item, &get::<String>(row, "gold_labels", WHAT)?)?;
            let verdict = rows::parse_verdict(&item, &get::<String>(row, "verdict", WHAT)?)?;
            // Rows come sorted by reviewer.
            if results.last().is_none_or(|r| r.reviewer != reviewer) {
                results.push(GoldResult {
                    reviewer,
                    items: 0,
                    labels_compared: 0,
                    labels_agreed: 0,
                });
            }
            let Some(result) = results.last_mut() else {
                continue;
            };
            result.items += 1;
            for (category, positive) in verdict.labels.iter() {
                if let Some(known) = gold.get(category) {
                    result.labels_compared += 1;
                    result.labels_agreed += u64::from(known == positive);
                }
            }
        }
        Ok(results)
    }

    /// Clears the content of items done before `cutoff` (the queue's
    /// retention); returns how many were cleared. Their verdicts stay.
    pub async fn purge_review_content_done_before(
        &self,
        cutoff: OffsetDateTime,
    ) -> Result<u64, ReviewError> {
        let Backend::Sqlite(pool) = &self.backend;
        // Stored times are whole seconds; compare against the same form.
        let cutoff = cutoff.to_offset(time::UtcOffset::UTC);
        let cutoff = cutoff.replace_nanosecond(0).unwrap_or(cutoff);
        Ok(sqlx::query(sql::PURGE_DONE_CONTENT)
            .bind(format_time(cutoff))
            .execute(pool)
            .await
            .map_err(StoreError::query("purge done review content"))?
            .rows_affected())
    }
}
