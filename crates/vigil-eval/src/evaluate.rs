//! From scored, labelled items to one [`CategoryReport`]: every figure of the
//! report for one category, with intervals, curves, slices and the verdict on
//! its obligation. Pure: the caller scores the items and says which
//! thresholds and obligation the policy sets.

use std::collections::BTreeMap;

use crate::report::{
    CategoryReport, Estimate, ObligationVerdict, ReliabilityPoint, SliceReport, ThresholdReport,
};
use crate::{
    auprc_interval, average_precision, brier_score, expected_calibration_error, reliability_curve,
    roc_auc, sweep, wilson_lower_one_sided, BootstrapConfig, Confidence, ConfusionCounts, Interval,
};

/// Bins of the reliability diagram and the calibration error.
pub const CALIBRATION_BINS: usize = 10;
/// Most points kept per curve, so reports stay small.
const MAX_CURVE_POINTS: usize = 400;

/// An obligation as the policy states it, at one action's threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ObligationInput {
    /// The action whose threshold is constrained.
    pub action: String,
    /// Minimum precision, if any.
    pub min_precision: Option<f64>,
    /// Minimum recall, if any.
    pub min_recall: Option<f64>,
    /// Confidence of the one-sided lower bounds.
    pub confidence: Confidence,
}

/// One category's scored items and what the policy says about it.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    /// The category's key.
    pub category: String,
    /// `(score, label)` of every item whose label is known.
    pub pairs: Vec<(f64, bool)>,
    /// For each pair, the `(field, value)` slices it belongs to.
    pub slices: Vec<Vec<(String, String)>>,
    /// The policy's thresholds: `(action, threshold)`, least restrictive first.
    pub thresholds: Vec<(String, f64)>,
    /// The policy's obligation for the category, if any.
    pub obligation: Option<ObligationInput>,
}

fn estimate(i: Interval) -> Estimate {
    Estimate {
        value: i.estimate,
        low: i.low,
        high: i.high,
    }
}

/// Keep at most `max` points, evenly spaced, always keeping the last.
fn thin(points: Vec<(f64, f64)>, max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points;
    }
    let step = points.len().div_ceil(max);
    let last = points.last().copied();
    let mut out: Vec<(f64, f64)> = points.into_iter().step_by(step).collect();
    if out.last().copied() != last {
        out.extend(last);
    }
    out
}

/// Every figure of one category's report. `confidence` sets the Wilson
/// intervals; `bootstrap` the AUPRC interval.
pub fn category_report(
    input: &CategoryInput,
    confidence: Confidence,
    bootstrap: &BootstrapConfig,
) -> CategoryReport {
    let pairs = &input.pairs;
    let positives = pairs.iter().filter(|(_, y)| *y).count() as u64;
    let n_known = pairs.len() as u64;
    let points = sweep(pairs).unwrap_or_default();
    // Sweep points run from the lowest threshold up; curves read from the
    // strictest threshold down.
    let pr_curve = thin(
        points
            .iter()
            .rev()
            .filter_map(|p| Some((p.counts.recall()?, p.counts.precision()?)))
            .collect(),
        MAX_CURVE_POINTS,
    );
    let mut roc_curve = vec![(0.0, 0.0)];
    roc_curve.extend(
        points
            .iter()
            .rev()
            .filter_map(|p| Some((p.counts.fpr()?, p.counts.recall()?))),
    );
    let roc_curve = thin(roc_curve, MAX_CURVE_POINTS);
    let thresholds = input
        .thresholds
        .iter()
        .filter_map(|(action, t)| {
            let c = ConfusionCounts::at_threshold(pairs, *t).ok()?;
            Some(ThresholdReport {
                action: action.clone(),
                threshold: *t,
                precision: c.precision_interval(confidence).map(estimate),
                recall: c.recall_interval(confidence).map(estimate),
                f1: c.f1(),
                fpr: c.fpr_interval(confidence).map(estimate),
            })
        })
        .collect();
    let reliability = reliability_curve(pairs, CALIBRATION_BINS)
        .map(|bins| {
            bins.into_iter()
                .map(|b| ReliabilityPoint {
                    mean_predicted: b.mean_predicted,
                    observed: b.observed_rate,
                    count: b.count,
                })
                .collect()
        })
        .unwrap_or_default();
    CategoryReport {
        category: input.category.clone(),
        n_known,
        positives,
        prevalence: if n_known == 0 {
            0.0
        } else {
            positives as f64 / n_known as f64
        },
        auprc: auprc_interval(pairs, bootstrap)
            .ok()
            .map(|b| estimate(b.interval)),
        roc_auc: roc_auc(pairs).ok(),
        brier: brier_score(pairs).ok(),
        ece: expected_calibration_error(pairs, CALIBRATION_BINS).ok(),
        thresholds,
        pr_curve,
        roc_curve,
        reliability,
        slices: slices(input),
        obligation: input.obligation.as_ref().map(|o| verdict(input, o)),
    }
}

fn slices(input: &CategoryInput) -> Vec<SliceReport> {
    let mut groups: BTreeMap<(&str, &str), Vec<(f64, bool)>> = BTreeMap::new();
    for (pair, keys) in input.pairs.iter().zip(&input.slices) {
        for (field, value) in keys {
            groups.entry((field, value)).or_default().push(*pair);
        }
    }
    groups
        .into_iter()
        .map(|((field, value), pairs)| SliceReport {
            field: field.to_owned(),
            value: value.to_owned(),
            n_known: pairs.len() as u64,
            positives: pairs.iter().filter(|(_, y)| *y).count() as u64,
            auprc: average_precision(&pairs).ok(),
        })
        .collect()
}

/// Whether the obligation holds at the policy's threshold: each constrained
/// metric's one-sided lower bound must reach its minimum. Undetermined when
/// the threshold is missing or a metric is undefined (no positives, nothing
/// flagged).
fn verdict(input: &CategoryInput, o: &ObligationInput) -> ObligationVerdict {
    let level = o.confidence.level();
    let mut parts = Vec::new();
    if let Some(p) = o.min_precision {
        parts.push(format!("precision ≥ {p}"));
    }
    if let Some(r) = o.min_recall {
        parts.push(format!("recall ≥ {r}"));
    }
    let text = format!(
        "{} at `{}` with {:.0}% confidence",
        parts.join(" and "),
        o.action,
        level * 100.0
    );
    let Some(&(_, t)) = input.thresholds.iter().find(|(a, _)| *a == o.action) else {
        return ObligationVerdict {
            text,
            holds: None,
            detail: format!("the policy sets no `{}` threshold", o.action),
        };
    };
    let Ok(c) = ConfusionCounts::at_threshold(&input.pairs, t) else {
        return ObligationVerdict {
            text,
            holds: None,
            detail: "no labelled items".to_owned(),
        };
    };
    let mut holds = Some(true);
    let mut detail = Vec::new();
    let mut check = |name: &str, min: Option<f64>, successes: u64, trials: u64| {
        let Some(min) = min else { return };
        match wilson_lower_one_sided(successes, trials, o.confidence) {
            Some(lb) => {
                detail.push(format!(
                    "{name} {successes}/{trials} = {:.3}, lower bound {lb:.3} {} {min}",
                    successes as f64 / trials as f64,
                    if lb >= min { "≥" } else { "<" }
                ));
                if lb < min {
                    holds = holds.map(|_| false);
                }
            }
            None => {
                detail.push(format!("{name} undefined (0 items)"));
                if holds == Some(true) {
                    holds = None;
                }
            }
        }
    };
    check("precision", o.min_precision, c.tp, c.tp + c.fp);
    check("recall", o.min_recall, c.tp, c.tp + c.fn_);
    ObligationVerdict {
        text,
        holds,
        detail: format!("at threshold {t}: {}", detail.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: Vec<(f64, bool)>) -> CategoryInput {
        let slices = pairs
            .iter()
            .enumerate()
            .map(|(i, _)| {
                vec![(
                    "source".to_owned(),
                    if i % 2 == 0 { "a" } else { "b" }.to_owned(),
                )]
            })
            .collect();
        CategoryInput {
            category: "hate".to_owned(),
            pairs,
            slices,
            thresholds: vec![("review".to_owned(), 0.5), ("block".to_owned(), 0.9)],
            obligation: Some(ObligationInput {
                action: "block".to_owned(),
                min_precision: Some(0.8),
                min_recall: None,
                confidence: Confidence::NINETY_FIVE,
            }),
        }
    }

    #[test]
    fn a_clean_separation_meets_a_precision_obligation() {
        // 60 positives at 0.95, 60 negatives at 0.1.
        let pairs: Vec<(f64, bool)> = (0..120)
            .map(|i| if i < 60 { (0.95, true) } else { (0.1, false) })
            .collect();
        let r = category_report(
            &input(pairs),
            Confidence::NINETY_FIVE,
            &BootstrapConfig {
                resamples: 100,
                ..Default::default()
            },
        );
        assert_eq!((r.n_known, r.positives), (120, 60));
        assert_eq!(r.auprc.map(|a| a.value), Some(1.0));
        let verdict = r.obligation.expect("an obligation");
        assert_eq!(verdict.holds, Some(true), "{}", verdict.detail);
        assert_eq!(r.thresholds.len(), 2);
        assert_eq!(r.slices.len(), 2);
        assert!(!r.pr_curve.is_empty() && r.roc_curve.first() == Some(&(0.0, 0.0)));
    }

    #[test]
    fn too_few_items_cannot_prove_a_precision_of_0_8() {
        // 3 of 3 flagged items are positive: a lower bound well below 0.8.
        let pairs = vec![(0.95, true), (0.95, true), (0.95, true), (0.1, false)];
        let r = category_report(
            &input(pairs),
            Confidence::NINETY_FIVE,
            &BootstrapConfig {
                resamples: 50,
                ..Default::default()
            },
        );
        let verdict = r.obligation.expect("an obligation");
        assert_eq!(verdict.holds, Some(false), "{}", verdict.detail);
        assert!(
            verdict.detail.contains("precision 3/3"),
            "{}",
            verdict.detail
        );
    }

    #[test]
    fn curves_are_thinned() {
        let pairs: Vec<(f64, bool)> = (0..5000).map(|i| (i as f64 / 5000.0, i % 3 == 0)).collect();
        let r = category_report(
            &input(pairs),
            Confidence::NINETY_FIVE,
            &BootstrapConfig {
                resamples: 20,
                ..Default::default()
            },
        );
        assert!(
            r.pr_curve.len() <= MAX_CURVE_POINTS + 1 && r.roc_curve.len() <= MAX_CURVE_POINTS + 1
        );
    }
}
