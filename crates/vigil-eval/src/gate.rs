//! The promotion gate: may a candidate model replace the active one?
//!
//! Two checks per category, on the same labelled items scored by both
//! models: the policy's obligation must hold for the candidate at its
//! confidence ([`check_obligation`]: the one-sided lower bound meets the
//! minimum; "not shown" fails as "violated" does), and the candidate's
//! AUPRC must not be `worse` than the baseline's in a paired bootstrap
//! ([`compare_auprc`]). A category without labelled items, or whose AUPRC
//! is undefined, is skipped and says so. The report is plain data that
//! serialises to JSON, for the registry to keep.
//!
//! ```
//! use vigil_eval::gate::{judge, GateCategory};
//! use vigil_eval::BootstrapConfig;
//!
//! let labels = [true, true, false, false, true, false];
//! let good: Vec<(f64, bool)> = labels.iter().map(|&l| (if l { 0.9 } else { 0.1 }, l)).collect();
//! let bad: Vec<(f64, bool)> = labels.iter().map(|&l| (if l { 0.1 } else { 0.9 }, l)).collect();
//! let report = judge(
//!     &[GateCategory { category: "hate".into(), candidate: Some(bad), baseline: Some(good), obligation: None }],
//!     &BootstrapConfig::default(),
//! );
//! assert!(!report.passed());
//! assert_eq!(report.failures().next().map(|c| c.check.as_str()), Some("auprc"));
//! ```

use serde::{Deserialize, Serialize};

use crate::evaluate::{check_obligation, ObligationInput};
use crate::{average_precision, compare_auprc, BootstrapConfig, Verdict};

/// One category's scored items, as the gate judges them.
#[derive(Debug, Clone)]
pub struct GateCategory {
    /// The category key.
    pub category: String,
    /// `(candidate score, label)` of every item whose label is known;
    /// `None` when the candidate has no output for the category, which
    /// fails the gate wherever the baseline scores it or an obligation
    /// names it.
    pub candidate: Option<Vec<(f64, bool)>>,
    /// The baseline's `(score, label)` of the same items in the same order;
    /// `None`: no regression check (nothing to compare with).
    pub baseline: Option<Vec<(f64, bool)>>,
    /// The policy's obligation for the category and the threshold of its
    /// action (`None` when the policy sets no threshold for that action).
    pub obligation: Option<(Option<f64>, ObligationInput)>,
}

/// What one check concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The candidate passes it.
    Pass,
    /// The candidate fails it: promotion is refused.
    Fail,
    /// It could not be judged on these items (said why); it does not block.
    Skip,
}

impl Outcome {
    /// `PASS`, `FAIL` or `SKIP`, as tables print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "SKIP",
        }
    }
}

/// One check of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateCheck {
    /// The category key.
    pub category: String,
    /// `obligation`, `auprc`, or `output` (the candidate lacks the category).
    pub check: String,
    /// What it concluded.
    pub outcome: Outcome,
    /// The figures behind it, in words.
    pub detail: String,
}

impl GateCheck {
    /// `category check: detail`, the line a refusal gives as its reason.
    pub fn reason(&self) -> String {
        format!("{} {}: {}", self.category, self.check, self.detail)
    }
}

/// Every check of a candidate, in category order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateReport {
    /// The checks, obligation then AUPRC for each category.
    pub checks: Vec<GateCheck>,
}

impl GateReport {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.failures().next().is_none()
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &GateCheck> {
        self.checks.iter().filter(|c| c.outcome == Outcome::Fail)
    }
}

/// Judges a candidate category by category (see the module's description).
pub fn judge(categories: &[GateCategory], bootstrap: &BootstrapConfig) -> GateReport {
    let mut checks = Vec::new();
    for c in categories {
        let Some(candidate) = &c.candidate else {
            if c.baseline.is_some() || c.obligation.is_some() {
                checks.push(GateCheck {
                    category: c.category.clone(),
                    check: "output".to_owned(),
                    outcome: Outcome::Fail,
                    detail: "the candidate does not score this category".to_owned(),
                });
            }
            continue;
        };
        if let Some((threshold, obligation)) = &c.obligation {
            checks.push(obligation_check(c, candidate, *threshold, obligation));
        }
        checks.push(auprc_check(c, candidate, bootstrap));
    }
    GateReport { checks }
}

fn obligation_check(
    c: &GateCategory,
    candidate: &[(f64, bool)],
    threshold: Option<f64>,
    o: &ObligationInput,
) -> GateCheck {
    let check = |outcome, detail: String| GateCheck {
        category: c.category.clone(),
        check: "obligation".to_owned(),
        outcome,
        detail,
    };
    let Some(t) = threshold else {
        return check(
            Outcome::Fail,
            format!(
                "the policy sets no {} threshold for the obligation to apply to",
                o.action
            ),
        );
    };
    if candidate.is_empty() {
        return check(
            Outcome::Skip,
            "no labelled items in the golden set".to_owned(),
        );
    }
    let verdict = check_obligation(candidate, t, o);
    let (outcome, word) = match verdict.holds {
        Some(true) => (Outcome::Pass, "holds"),
        Some(false) => (Outcome::Fail, "violated"),
        None => (Outcome::Fail, "not shown"),
    };
    check(
        outcome,
        format!(
            "{word} at {} {t:.4}: {} ({})",
            o.action, verdict.text, verdict.detail
        ),
    )
}

fn auprc_check(
    c: &GateCategory,
    candidate: &[(f64, bool)],
    bootstrap: &BootstrapConfig,
) -> GateCheck {
    let check = |outcome, detail: String| GateCheck {
        category: c.category.clone(),
        check: "auprc".to_owned(),
        outcome,
        detail,
    };
    let Some(baseline) = &c.baseline else {
        return check(Outcome::Skip, "no model to compare with".to_owned());
    };
    let (Ok(cand), Ok(base)) = (average_precision(candidate), average_precision(baseline)) else {
        return check(
            Outcome::Skip,
            format!(
                "AUPRC is undefined on these {} items (no positive label)",
                candidate.len()
            ),
        );
    };
    let comparison = match compare_auprc(baseline, candidate, bootstrap) {
        Ok(comparison) => comparison,
        Err(e) => return check(Outcome::Skip, format!("cannot be compared: {e}")),
    };
    let d = comparison.difference;
    let (outcome, word) = match comparison.verdict {
        Verdict::Worse => (Outcome::Fail, "worse"),
        Verdict::Better => (Outcome::Pass, "better"),
        Verdict::NoDetectableDifference => (Outcome::Pass, "no detectable difference"),
    };
    check(
        outcome,
        format!(
            "candidate {cand:.4} vs {base:.4}, difference {:+.4} [{:+.4}, {:+.4}] on {} items: {word}",
            d.estimate,
            d.low,
            d.high,
            candidate.len()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Confidence;

    fn labels(n: usize) -> Vec<bool> {
        (0..n).map(|i| i % 3 == 0).collect()
    }

    fn scored(labels: &[bool], right: bool) -> Vec<(f64, bool)> {
        labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let jitter = (i % 7) as f64 / 100.0;
                let high = l == right;
                (if high { 0.8 + jitter } else { 0.1 + jitter }, l)
            })
            .collect()
    }

    fn recall_obligation(min: f64) -> ObligationInput {
        ObligationInput {
            action: "review".into(),
            min_precision: None,
            min_recall: Some(min),
            confidence: Confidence::NINETY_FIVE,
        }
    }

    #[test]
    fn a_candidate_as_good_as_the_baseline_passes_every_check() {
        let l = labels(90);
        let report = judge(
            &[GateCategory {
                category: "hate".into(),
                candidate: Some(scored(&l, true)),
                baseline: Some(scored(&l, true)),
                obligation: Some((Some(0.5), recall_obligation(0.8))),
            }],
            &BootstrapConfig::default(),
        );
        assert!(report.passed(), "{report:?}");
        assert_eq!(report.checks.len(), 2);
        assert!(report.checks[1].detail.contains("no detectable difference"));
    }

    #[test]
    fn a_worse_candidate_fails_both_checks_with_reasons() {
        let l = labels(90);
        let report = judge(
            &[GateCategory {
                category: "hate".into(),
                candidate: Some(scored(&l, false)),
                baseline: Some(scored(&l, true)),
                obligation: Some((Some(0.5), recall_obligation(0.8))),
            }],
            &BootstrapConfig::default(),
        );
        let failed: Vec<_> = report.failures().map(|c| c.check.as_str()).collect();
        assert_eq!(failed, ["obligation", "auprc"]);
        assert!(report.checks[0]
            .reason()
            .starts_with("hate obligation: violated"));
        assert!(report.checks[1].detail.ends_with("worse"));
    }

    #[test]
    fn missing_data_or_baseline_skips_but_a_dropped_category_or_unshown_obligation_fails() {
        let few = labels(3);
        let report = judge(
            &[
                GateCategory {
                    category: "hate".into(),
                    candidate: Some(Vec::new()),
                    baseline: None,
                    obligation: Some((Some(0.5), recall_obligation(0.8))),
                },
                GateCategory {
                    category: "violence".into(),
                    candidate: None,
                    baseline: None,
                    obligation: None,
                },
                GateCategory {
                    category: "illicit".into(),
                    candidate: None,
                    baseline: Some(Vec::new()),
                    obligation: None,
                },
                GateCategory {
                    category: "spam_scam".into(),
                    candidate: Some(scored(&few, true)),
                    baseline: None,
                    obligation: Some((Some(0.5), recall_obligation(0.99))),
                },
            ],
            &BootstrapConfig::default(),
        );
        let outcomes: Vec<_> = report.checks.iter().map(|c| c.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Skip,
                Outcome::Skip,
                Outcome::Fail,
                Outcome::Fail,
                Outcome::Skip
            ]
        );
        assert_eq!(report.checks[2].check, "output", "{report:?}");
        assert!(report.checks[3].detail.starts_with("not shown"));
        let json = serde_json::to_string(&report).expect("serialises");
        let back: GateReport = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, report);
    }
}
