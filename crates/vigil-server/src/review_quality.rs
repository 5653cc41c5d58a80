//! Reviewer quality from the store: every done review item read page by
//! page and measured by [`vigil_review::quality::review_quality`]. The CLI
//! (`vigil review stats`, `vigil data from-reviews`) and the API
//! (`GET /v1/review/quality`) call these, so both report the same figures.

use std::collections::BTreeMap;

use vigil_core::Labels;
use vigil_review::adjudicate::{AdjudicationError, ReviewRow};
use vigil_review::quality::{review_quality, QualityOptions, QualityReport};
use vigil_store::{ExportRow, ReviewError, Store};

/// Why the quality report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum QualityError {
    /// The store failed or holds a corrupt row.
    #[error(transparent)]
    Store(#[from] ReviewError),
    /// The rows contradict themselves (one reviewer judged an item twice).
    #[error(transparent)]
    Rows(#[from] AdjudicationError),
}

/// Every done review item, oldest first, read in pages.
pub async fn all_reviewed(store: &Store) -> Result<Vec<ExportRow>, ReviewError> {
    const PAGE: u32 = 1000;
    let mut out: Vec<ExportRow> = Vec::new();
    loop {
        let after = out.last().map(|r| r.id);
        let page = store.export_reviews(after, PAGE).await?;
        let last_page = page.len() < PAGE as usize;
        out.extend(page);
        if last_page {
            return Ok(out);
        }
    }
}

/// The quality report over every done review item: each reviewer's
/// accuracy on gold items and agreement per category.
pub async fn quality_report(store: &Store) -> Result<QualityReport, QualityError> {
    let rows = all_reviewed(store).await?;
    let mut reviews = Vec::new();
    let mut gold: BTreeMap<String, Labels> = BTreeMap::new();
    for row in &rows {
        let key = row.id.to_string();
        if let Some(labels) = &row.gold_labels {
            gold.insert(key.clone(), labels.clone());
        }
        for r in &row.reviews {
            reviews.push(ReviewRow {
                item_id: key.clone(),
                reviewer: r.reviewer.clone(),
                verdict: r.verdict.clone(),
            });
        }
    }
    Ok(review_quality(&reviews, &gold, &QualityOptions::default())?)
}
