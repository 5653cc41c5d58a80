//! Reviewer quality: each reviewer's accuracy on gold items, and how far
//! reviewers agree with each other beyond chance, per category.
//!
//! Input is plain review rows ([`ReviewRow`]) and gold labels by item id;
//! output is a [`QualityReport`] that serialises as it is (serde), for a CLI
//! table or an HTTP answer. A category a reviewer did not judge is missing
//! for them, never negative: it counts neither for their accuracy nor in
//! agreement. `docs/review-quality.md` gives the definitions.
//!
//! ```
//! use std::collections::BTreeMap;
//! use vigil_core::{Action, Category, Labels, Verdict};
//! use vigil_review::adjudicate::ReviewRow;
//! use vigil_review::quality::{review_quality, QualityOptions};
//!
//! let row = |item: &str, reviewer: &str, hate: bool| ReviewRow {
//!     item_id: item.into(),
//!     reviewer: reviewer.into(),
//!     verdict: Verdict { labels: Labels::new().with(Category::Hate, hate), action: Action::Allow, note: None },
//! };
//! let rows = [row("a", "ann", true), row("a", "bo", true), row("b", "ann", false), row("b", "bo", true)];
//! let gold = BTreeMap::from([("a".to_owned(), Labels::new().with(Category::Hate, true))]);
//! let report = review_quality(&rows, &gold, &QualityOptions::default()).unwrap();
//! assert_eq!(report.reviewers[0].reviewer, "ann");
//! assert_eq!(report.reviewers[0].accuracy[0].correct, 1);
//! assert_eq!(report.agreement[0].items, 2);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use vigil_core::{Category, Labels};
use vigil_eval::report::Estimate;
use vigil_eval::{
    cohen_kappa, cohen_kappa_interval, krippendorff_alpha, krippendorff_alpha_interval, wilson,
    AgreementUndefined, Alpha, BootstrapConfig, BootstrapInterval, Confidence, Kappa,
};

use crate::adjudicate::{rows_by_item, AdjudicationError, ReviewRow};

/// How to compute a quality report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityOptions {
    /// Confidence level of the Wilson intervals on accuracy.
    pub confidence: Confidence,
    /// Bootstrap for the agreement intervals (its own confidence level);
    /// `None` reports the coefficients without intervals.
    pub bootstrap: Option<BootstrapConfig>,
}

impl Default for QualityOptions {
    /// 95 % Wilson intervals, 1000 seeded bootstrap resamples at 95 %.
    fn default() -> Self {
        Self {
            confidence: Confidence::NINETY_FIVE,
            bootstrap: Some(BootstrapConfig {
                resamples: 1000,
                ..BootstrapConfig::default()
            }),
        }
    }
}

/// Reviewer quality and agreement over a set of review rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// Confidence level of the accuracy intervals.
    pub confidence: f64,
    /// Distinct items reviewed.
    pub items: u64,
    /// Review rows read.
    pub reviews: u64,
    /// Reviewed items that have gold labels.
    pub gold_items: u64,
    /// One entry per reviewer, in id order.
    pub reviewers: Vec<ReviewerQuality>,
    /// One entry per category that some item had two or more judgements of,
    /// in category order.
    pub agreement: Vec<CategoryAgreement>,
}

/// One reviewer's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewerQuality {
    /// The reviewer's id.
    pub reviewer: String,
    /// Items they reviewed.
    pub reviews: u64,
    /// Of those, items with gold labels.
    pub gold_reviews: u64,
    /// Accuracy against gold, per category with a gold label on an item they
    /// reviewed, in category order.
    pub accuracy: Vec<GoldAccuracy>,
}

/// One reviewer's accuracy on one category of the gold items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GoldAccuracy {
    /// The category.
    pub category: Category,
    /// Gold items on which the reviewer judged the category.
    pub judged: u64,
    /// Of those, judgements equal to gold.
    pub correct: u64,
    /// Judged violated where gold says not.
    pub false_positives: u64,
    /// Judged not violated where gold says violated.
    pub false_negatives: u64,
    /// Gold items with this category labelled that the reviewer left unjudged.
    pub not_judged: u64,
    /// `correct / judged` with its Wilson interval; `None` when nothing was judged.
    pub accuracy: Option<Estimate>,
}

/// An agreement coefficient, or why it has no value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Coefficient<T> {
    /// The coefficient, with its bootstrap percentile interval when one was asked for and defined.
    Defined {
        /// The coefficient and its parts.
        figure: T,
        /// The bootstrap interval.
        interval: Option<Estimate>,
    },
    /// No value (nothing to compare, or a single category).
    Undefined {
        /// Why.
        reason: AgreementUndefined,
    },
}

/// Agreement among reviewers on one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryAgreement {
    /// The category.
    pub category: Category,
    /// Items judged on this category by two reviewers or more.
    pub items: u64,
    /// Distinct reviewers who judged one of those items.
    pub reviewers: u64,
    /// Krippendorff's alpha (nominal) over those items.
    pub alpha: Coefficient<Alpha>,
    /// Cohen's kappa for every pair of reviewers who judged a common item,
    /// in id order. Only a lone pair (exactly two reviewers) gets an interval.
    pub pairs: Vec<PairAgreement>,
}

/// Cohen's kappa between two reviewers on one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairAgreement {
    /// The first reviewer (in id order).
    pub first: String,
    /// The second reviewer.
    pub second: String,
    /// Kappa over the items both judged.
    pub kappa: Coefficient<Kappa>,
}

fn estimate(b: BootstrapInterval) -> Estimate {
    Estimate {
        value: b.interval.estimate,
        low: b.interval.low,
        high: b.interval.high,
    }
}

fn coefficient<T>(
    figure: Result<T, AgreementUndefined>,
    interval: impl FnOnce() -> Option<Estimate>,
) -> Coefficient<T> {
    match figure {
        Ok(figure) => Coefficient::Defined {
            figure,
            interval: interval(),
        },
        Err(reason) => Coefficient::Undefined { reason },
    }
}

/// Builds the quality report of `rows`, with gold labels by item id.
///
/// Fails when one reviewer has two verdicts on one item.
pub fn review_quality(
    rows: &[ReviewRow],
    gold: &BTreeMap<String, Labels>,
    options: &QualityOptions,
) -> Result<QualityReport, AdjudicationError> {
    let by_item = rows_by_item(rows)?;
    let gold_items = by_item
        .keys()
        .filter(|item| gold.contains_key(**item))
        .count();
    Ok(QualityReport {
        confidence: options.confidence.level(),
        items: by_item.len() as u64,
        reviews: rows.len() as u64,
        gold_items: gold_items as u64,
        reviewers: reviewer_accuracy(rows, gold, options.confidence),
        agreement: Category::ALL
            .into_iter()
            .filter_map(|c| category_agreement(c, &by_item, options))
            .collect(),
    })
}

/// Per reviewer, accuracy against gold by category.
fn reviewer_accuracy(
    rows: &[ReviewRow],
    gold: &BTreeMap<String, Labels>,
    confidence: Confidence,
) -> Vec<ReviewerQuality> {
    let mut out: BTreeMap<&str, (ReviewerQuality, BTreeMap<Category, GoldAccuracy>)> =
        BTreeMap::new();
    for row in rows {
        let (quality, by_category) = out.entry(row.reviewer.as_str()).or_insert_with(|| {
            let quality = ReviewerQuality {
                reviewer: row.reviewer.clone(),
                reviews: 0,
                gold_reviews: 0,
                accuracy: Vec::new(),
            };
            (quality, BTreeMap::new())
        });
        quality.reviews += 1;
        let Some(gold_labels) = gold.get(&row.item_id) else {
            continue;
        };
        quality.gold_reviews += 1;
        for (category, truth) in gold_labels.iter() {
            let a = by_category.entry(category).or_insert(GoldAccuracy {
                category,
                judged: 0,
                correct: 0,
                false_positives: 0,
                false_negatives: 0,
                not_judged: 0,
                accuracy: None,
            });
            match row.verdict.labels.get(category) {
                None => a.not_judged += 1,
                Some(said) => {
                    a.judged += 1;
                    match (said, truth) {
                        (true, false) => a.false_positives += 1,
                        (false, true) => a.false_negatives += 1,
                        _ => a.correct += 1,
                    }
                }
            }
        }
    }
    out.into_values()
        .map(|(mut quality, by_category)| {
            quality.accuracy = by_category
                .into_values()
                .map(|mut a| {
                    a.accuracy = wilson(a.correct, a.judged, confidence).map(|i| Estimate {
                        value: i.estimate,
                        low: i.low,
                        high: i.high,
                    });
                    a
                })
                .collect();
            quality
        })
        .collect()
}

/// Two reviewers' labels of one item, for kappa.
type PairedLabels = (Option<bool>, Option<bool>);

/// Agreement on `category` over the items judged on it by two reviewers or
/// more; `None` when there is no such item.
fn category_agreement(
    category: Category,
    by_item: &BTreeMap<&str, Vec<&ReviewRow>>,
    options: &QualityOptions,
) -> Option<CategoryAgreement> {
    let mut units: Vec<Vec<Option<bool>>> = Vec::new();
    let mut pairs: BTreeMap<(&str, &str), Vec<PairedLabels>> = BTreeMap::new();
    let mut reviewers: BTreeSet<&str> = BTreeSet::new();
    for reviews in by_item.values() {
        let mut judged: Vec<(&str, bool)> = reviews
            .iter()
            .filter_map(|r| Some((r.reviewer.as_str(), r.verdict.labels.get(category)?)))
            .collect();
        if judged.len() < 2 {
            continue;
        }
        judged.sort_unstable();
        for (i, &(first, x)) in judged.iter().enumerate() {
            reviewers.insert(first);
            for &(second, y) in &judged[i + 1..] {
                pairs
                    .entry((first, second))
                    .or_default()
                    .push((Some(x), Some(y)));
            }
        }
        units.push(judged.iter().map(|&(_, v)| Some(v)).collect());
    }
    if units.is_empty() {
        return None;
    }
    let bootstrap = options.bootstrap;
    let alpha = coefficient(krippendorff_alpha(&units), || {
        let cfg = bootstrap?;
        krippendorff_alpha_interval(&units, &cfg).ok().map(estimate)
    });
    let lone_pair = pairs.len() == 1;
    let pairs = pairs
        .into_iter()
        .map(|((first, second), ratings)| PairAgreement {
            first: first.to_owned(),
            second: second.to_owned(),
            kappa: coefficient(cohen_kappa(&ratings), || {
                let cfg = bootstrap.filter(|_| lone_pair)?;
                cohen_kappa_interval(&ratings, &cfg).ok().map(estimate)
            }),
        })
        .collect();
    Some(CategoryAgreement {
        category,
        items: units.len() as u64,
        reviewers: reviewers.len() as u64,
        alpha,
        pairs,
    })
}
