//! The evaluation report as data: the stable schema of `report.json`.
//!
//! These types are what `vigil eval` writes and what the HTML, Markdown and
//! SVG renderers read. Their JSON form is documented field by field in
//! `docs/eval-report.md`; a change to a field's name, type or meaning is a
//! change to that page. Fields are only ever added, and added fields are
//! optional, so an older report still reads.
//!
//! Probabilities, rates and scores are fractions in `[0, 1]`, never
//! percentages. A metric that is undefined for the data (no positives, no
//! negatives, nothing predicted positive) is `null` in JSON, never `0`.

use serde::{Deserialize, Serialize};

/// One evaluation run of one model under one policy on some data sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Name of the model evaluated (for example `text-linear`).
    pub model: String,
    /// Version of that model, as its artifact manifest states it.
    pub model_version: String,
    /// Name of the policy whose thresholds were evaluated.
    pub policy: String,
    /// Version of that policy, as the policy file states it.
    pub policy_version: String,
    /// The data sets evaluated on, each pinned by the digest of its items.
    pub datasets: Vec<DatasetRef>,
    /// Which split of the data sets was scored (for example `test`).
    pub split: String,
    /// When the report was made, RFC 3339 in UTC (for example
    /// `2025-01-31T12:00:00Z`).
    pub created_at: String,
    /// One entry per category, in the order the policy lists them.
    pub categories: Vec<CategoryReport>,
}

/// A data set, named and pinned by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRef {
    /// The data set's name, from its `dataset.toml`.
    pub name: String,
    /// Digest of its `items.jsonl` as its manifest records it (`sha256:`
    /// followed by 64 hex digits), tying the report to the exact bytes it was
    /// computed from.
    pub items_sha256: String,
}

/// Every figure for one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryReport {
    /// The category, in its canonical snake_case name (for example `hate`).
    pub category: String,
    /// Items whose label for this category is known; items with an unknown
    /// label are left out of every figure below.
    pub n_known: u64,
    /// Of those, how many are positive.
    pub positives: u64,
    /// `positives / n_known`; the AUPRC of a model that ranks at random.
    pub prevalence: f64,
    /// Average precision (area under the precision–recall curve, as a step
    /// function) with its confidence interval; `null` without positives.
    pub auprc: Option<Estimate>,
    /// Area under the ROC curve; `null` without both positives and negatives.
    pub roc_auc: Option<f64>,
    /// Brier score: mean squared difference between the calibrated
    /// probability and the label (lower is better); `null` when `n_known` is 0.
    pub brier: Option<f64>,
    /// Expected calibration error over the reliability bins: the
    /// count-weighted mean of `|observed - mean_predicted|`; `null` when
    /// `n_known` is 0.
    pub ece: Option<f64>,
    /// The policy's thresholds for this category, one per action, in
    /// ascending order of threshold.
    pub thresholds: Vec<ThresholdReport>,
    /// The precision–recall curve as `[recall, precision]` pairs, ordered by
    /// descending score threshold (so recall does not decrease).
    pub pr_curve: Vec<(f64, f64)>,
    /// The ROC curve as `[fpr, tpr]` pairs from `[0, 0]` to `[1, 1]`.
    pub roc_curve: Vec<(f64, f64)>,
    /// Reliability diagram: one point per non-empty bin of predicted
    /// probability, in ascending order of `mean_predicted`.
    pub reliability: Vec<ReliabilityPoint>,
    /// The same category measured on subsets of the items (by language,
    /// source, …).
    pub slices: Vec<SliceReport>,
    /// The policy's obligation for this category and whether it holds;
    /// `null` when the policy states none.
    pub obligation: Option<ObligationVerdict>,
}

/// How the policy's threshold for one action performs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdReport {
    /// The action the threshold triggers (`review`, `restrict`, `block`).
    pub action: String,
    /// Items scoring at or above this probability take the action.
    pub threshold: f64,
    /// Of the items at or above the threshold, the fraction that are
    /// positive; `null` when none is.
    pub precision: Option<Estimate>,
    /// Of the positive items, the fraction at or above the threshold; `null`
    /// without positives.
    pub recall: Option<Estimate>,
    /// Harmonic mean of precision and recall; `null` when either is.
    pub f1: Option<f64>,
    /// Of the negative items, the fraction at or above the threshold; `null`
    /// without negatives.
    pub fpr: Option<Estimate>,
}

/// A point estimate with a confidence interval (95% unless the report's
/// documentation says otherwise); `low <= value <= high`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate on all the data.
    pub value: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityPoint {
    /// Mean predicted probability of the items in the bin.
    pub mean_predicted: f64,
    /// Fraction of those items that are positive.
    pub observed: f64,
    /// How many items fell in the bin.
    pub count: u64,
}

/// A category's figures on one subset of the items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceReport {
    /// The metadata field that defines the slice (for example `language`).
    pub field: String,
    /// The field's value for the items in the slice (for example `de`).
    pub value: String,
    /// Items in the slice with a known label for the category.
    pub n_known: u64,
    /// Of those, how many are positive.
    pub positives: u64,
    /// Average precision on the slice; `null` without positives.
    pub auprc: Option<f64>,
}

/// Whether a policy obligation (for example "recall ≥ 0.9 at `block`") holds
/// on the evaluated data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObligationVerdict {
    /// The obligation as the policy states it, in words.
    pub text: String,
    /// `true` if it holds, `false` if it is violated, `null` if the data
    /// cannot tell (too few items, or the interval straddles the bound).
    pub holds: Option<bool>,
    /// Why: the measured figure and interval set against the bound.
    pub detail: String,
}

/// Why a `report.json` could not be read.
#[derive(Debug, thiserror::Error)]
#[error("report.json does not match the report schema: {0}")]
pub struct ReportJsonError(#[from] serde_json::Error);

impl EvalReport {
    /// The report as pretty-printed JSON, the content of `report.json`.
    ///
    /// Non-finite numbers (which no metric should produce) are written as
    /// `null`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect(
            "the report types have only string keys and plain fields, so serialising cannot fail",
        )
    }

    /// Reads a report back from the JSON that [`EvalReport::to_json`] writes.
    pub fn from_json(json: &str) -> Result<Self, ReportJsonError> {
        Ok(serde_json::from_str(json)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_written_as_null() {
        let report = EvalReport {
            model: "m".into(),
            model_version: "1".into(),
            policy: "p".into(),
            policy_version: "1".into(),
            datasets: vec![],
            split: "test".into(),
            created_at: "2025-01-31T12:00:00Z".into(),
            categories: vec![CategoryReport {
                category: "hate".into(),
                n_known: 0,
                positives: 0,
                prevalence: f64::NAN,
                auprc: None,
                roc_auc: None,
                brier: None,
                ece: None,
                thresholds: vec![],
                pr_curve: vec![],
                roc_curve: vec![],
                reliability: vec![],
                slices: vec![],
                obligation: None,
            }],
        };
        let json = report.to_json();
        assert!(json.contains("\"prevalence\": null"), "{json}");
        assert!(
            EvalReport::from_json(&json).is_err(),
            "a required number cannot be null"
        );
    }
}
