//! Reviewed items become a canonical data set (`vigil data from-reviews`).
//!
//! Each done review item becomes one record: its content, the adjudicated
//! labels ([`crate::adjudicate`]), the split its item id hashes to (as for
//! every data set, so an item is in the same split however often it is
//! exported), and its provenance in the item's meta:
//!
//! | meta key | value |
//! |---|---|
//! | `review_reason` | why it was queued (`policy`, `active_learning`, …) |
//! | `reviewers` | the reviewers, each as the first 16 hex digits of SHA-256(salt, id), comma-separated |
//! | `reviewed_at` | RFC 3339 time of the last review |
//! | `routed_by` | the models of the decision that queued it, `name@version` comma-separated |
//! | `policy` | the policy of that decision, `name@version` |
//! | `disputed` | categories on which reviewers disagreed, comma-separated (absent when none) |
//! | `tied` | categories left unknown by a tie (absent when none) |
//!
//! Left out, and counted in [`Summary`] and the manifest's `rows_skipped`
//! or `rows_joined`: gold items (their labels came from elsewhere, often
//! the golden set that gates promotion, and must not leak into training);
//! items whose content retention already cleared; items with no settled
//! label; and older reviews of an item id reviewed again later (an appeal
//! after a policy review), which are joined into the newest.

use std::collections::BTreeMap;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_core::{sha256_hex, Category, Item, Labels, QueueReason, VersionRef};
use vigil_data::{Counts, Dataset, LabelSchema, Manifest, Provenance, Record, Split};

use crate::adjudicate::{adjudicate, LabelSource};

/// One reviewer's verdict as exported, with its time.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportedReview {
    /// The reviewer's id (an API key id); hashed before it is written.
    pub reviewer: String,
    /// The verdict.
    pub verdict: vigil_core::Verdict,
    /// When it was given.
    pub created_at: OffsetDateTime,
}

/// A done review item with everything the data set needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewedItem {
    /// The content as scanned; `None` once retention cleared it.
    pub content: Option<Item>,
    /// The platform's item id.
    pub item_id: String,
    /// Why it was queued.
    pub reason: QueueReason,
    /// The models of the decision that queued it (empty for gold items).
    pub models: Vec<VersionRef>,
    /// The policy of that decision.
    pub policy: Option<VersionRef>,
    /// Every review.
    pub reviews: Vec<ExportedReview>,
    /// Known labels of a gold item.
    pub gold: Option<Labels>,
}

/// How the data set is named and how reviewers are pseudonymised.
#[derive(Debug, Clone)]
pub struct FromReviews {
    /// The data set's name.
    pub name: String,
    /// Its version (the export time is a good one).
    pub version: String,
    /// Mixed into each reviewer id before hashing; keep it secret and the
    /// same across exports to link a reviewer's items without naming them.
    pub reviewer_salt: String,
    /// Where the reviews came from (the store), for the manifest.
    pub upstream: String,
    /// The categories every verdict was asked about (the policy's): when a
    /// reviewer settled all of them negative, `unsafe` is known negative.
    pub covered: Vec<Category>,
}

/// What an export did with each reviewed item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Records written.
    pub written: u64,
    /// Gold items left out.
    pub gold: u64,
    /// Items whose content was already cleared.
    pub no_content: u64,
    /// Items whose reviews settled no label.
    pub unlabelled: u64,
    /// Older reviews of an item id joined into its newest.
    pub superseded: u64,
    /// Items without any review (not done; never exported by the store).
    pub unreviewed: u64,
    /// Labels left unknown by a tie.
    pub ties: u64,
    /// Labels on which reviewers disagreed.
    pub disputed: u64,
}

/// Build the data set from reviewed items.
pub fn dataset_from_reviews(items: &[ReviewedItem], opts: &FromReviews) -> (Dataset, Summary) {
    let mut summary = Summary::default();
    // The newest review of each item id wins; older ones are joined into it.
    let mut newest: BTreeMap<&str, (OffsetDateTime, Record)> = BTreeMap::new();
    for reviewed in items {
        if reviewed.gold.is_some() || reviewed.reason == QueueReason::Gold {
            summary.gold += 1;
            continue;
        }
        let Some(content) = &reviewed.content else {
            summary.no_content += 1;
            continue;
        };
        let Some(last) = reviewed.reviews.iter().map(|r| r.created_at).max() else {
            summary.unreviewed += 1;
            continue;
        };
        let verdicts: Vec<_> = reviewed.reviews.iter().map(|r| r.verdict.clone()).collect();
        let Ok(adjudication) = adjudicate(&verdicts, None) else {
            summary.unreviewed += 1;
            continue;
        };
        let tied: Vec<&str> = adjudication
            .categories
            .iter()
            .filter(|c| c.source == LabelSource::Tie)
            .map(|c| c.category.as_str())
            .collect();
        let disputed: Vec<&str> = adjudication.disputed().map(Category::as_str).collect();
        summary.ties += tied.len() as u64;
        summary.disputed += disputed.len() as u64;

        let mut labels = adjudication.labels.clone();
        labels.derive_unsafe(&opts.covered);
        if labels.is_empty() {
            summary.unlabelled += 1;
            continue;
        }

        let mut item = content.clone();
        item.id = reviewed.item_id.clone();
        let extra = &mut item.meta.extra;
        extra.insert("review_reason".into(), reviewed.reason.as_str().into());
        let reviewers: Vec<String> = reviewed
            .reviews
            .iter()
            .map(|r| pseudonym(&opts.reviewer_salt, &r.reviewer))
            .collect();
        extra.insert("reviewers".into(), reviewers.join(","));
        extra.insert("reviewed_at".into(), rfc3339(last));
        let models: Vec<String> = reviewed.models.iter().map(name_at_version).collect();
        if !models.is_empty() {
            extra.insert("routed_by".into(), models.join(","));
        }
        if let Some(p) = &reviewed.policy {
            extra.insert("policy".into(), name_at_version(p));
        }
        if !disputed.is_empty() {
            extra.insert("disputed".into(), disputed.join(","));
        }
        if !tied.is_empty() {
            extra.insert("tied".into(), tied.join(","));
        }
        let record = Record {
            split: Split::for_id(&item.id),
            item,
            labels,
        };
        match newest.get(reviewed.item_id.as_str()) {
            Some((at, _)) if *at >= last => summary.superseded += 1,
            Some(_) => {
                summary.superseded += 1;
                newest.insert(&reviewed.item_id, (last, record));
            }
            None => {
                newest.insert(&reviewed.item_id, (last, record));
            }
        }
    }
    let records: Vec<Record> = newest.into_values().map(|(_, r)| r).collect();
    summary.written = records.len() as u64;
    let mut mapping = BTreeMap::new();
    for r in &records {
        for (c, _) in r.labels.iter() {
            mapping.entry(c).or_insert_with(|| {
                "adjudicated reviewer verdicts: the majority of the reviewers who judged it; \
                 a tie is unknown (vigil data from-reviews)"
                    .to_owned()
            });
        }
    }
    let skipped = summary.gold + summary.no_content + summary.unlabelled + summary.unreviewed;
    let manifest = Manifest {
        name: opts.name.clone(),
        version: opts.version.clone(),
        license: "platform-internal".into(),
        description: "Items reviewed by people in Vigil's review queue, with adjudicated labels."
            .into(),
        items_sha256: String::new(),
        provenance: Provenance {
            importer: "vigil data from-reviews".into(),
            upstream: opts.upstream.clone(),
            sources: vec![],
        },
        labels: LabelSchema {
            covered: vec![],
            mapping,
        },
        counts: Counts {
            rows_read: items.len() as u64,
            rows_written: 0,
            rows_skipped: skipped,
            rows_joined: summary.superseded,
            splits: Default::default(),
        },
    };
    (Dataset { manifest, records }, summary)
}

/// The first 16 hex digits of SHA-256 over the salt, a NUL and the id.
pub fn pseudonym(salt: &str, reviewer: &str) -> String {
    let digest = sha256_hex(format!("{salt}\0{reviewer}").as_bytes());
    // `sha256:` then 64 hex digits, always: the slice is in bounds.
    digest["sha256:".len().."sha256:".len() + 16].to_owned()
}

fn name_at_version(v: &VersionRef) -> String {
    format!("{}@{}", v.name, v.version)
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests;
