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
    roc_auc, sweep, wilson_lower_one_sided, wilson_upper_one_sided, BootstrapConfig, Confidence,
    ConfusionCounts, Interval,
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

/// Whether the obligation holds at the policy's threshold. Undetermined when
/// the threshold is missing or a metric is undefined (no positives, nothing
/// flagged); otherwise [`check_obligation`].
fn verdict(input: &CategoryInput, o: &ObligationInput) -> ObligationVerdict {
    let Some(&(_, t)) = input.thresholds.iter().find(|(a, _)| *a == o.action) else {
        return ObligationVerdict {
            text: obligation_text(o),
            holds: None,
            detail: format!("the policy sets no `{}` threshold", o.action),
        };
    };
    check_obligation(&input.pairs, t, o)
}

fn obligation_text(o: &ObligationInput) -> String {
    let mut parts = Vec::new();
    if let Some(p) = o.min_precision {
        parts.push(format!("precision ≥ {p}"));
    }
    if let Some(r) = o.min_recall {
        parts.push(format!("recall ≥ {r}"));
    }
    format!(
        "{} at `{}` with {:.0}% confidence",
        parts.join(" and "),
        o.action,
        o.confidence.level() * 100.0
    )
}

/// The fewest trials on which a perfect rate has a one-sided lower bound of
/// at least `min`: below this many, no result can show the obligation.
pub fn trials_needed(min: f64, confidence: Confidence) -> u64 {
    // n / (n + z²) ≥ min  ⇔  n ≥ z² · min / (1 − min); start there and step
    // past any rounding.
    let z2 = confidence.one_sided_z().powi(2);
    let mut n = ((z2 * min / (1.0 - min)).floor() as u64).max(1);
    while wilson_lower_one_sided(n, n, confidence).is_some_and(|lb| lb < min) {
        n += 1;
    }
    n
}

/// Judges an obligation at threshold `t` on labelled `(score, label)` pairs.
///
/// For each constrained metric, with one-sided Wilson bounds at the
/// obligation's confidence: it **holds** when the lower bound reaches the
/// minimum, it is **violated** when the upper bound falls below it (the data
/// show the metric is too low), and otherwise the data cannot tell; then the
/// detail says whether the sample is simply too small (fewer trials than even
/// a perfect rate would need) or the rate too close to the minimum. The
/// verdict is the worst of the constrained metrics: violated over
/// undetermined over holds.
pub fn check_obligation(pairs: &[(f64, bool)], t: f64, o: &ObligationInput) -> ObligationVerdict {
    let text = obligation_text(o);
    let Ok(c) = ConfusionCounts::at_threshold(pairs, t) else {
        return ObligationVerdict {
            text,
            holds: None,
            detail: "no labelled items".to_owned(),
        };
    };
    // Ordered worst-first so that `min` picks the verdict.
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Judged {
        Violated,
        Unknown,
        Holds,
    }
    let mut judged = Judged::Holds;
    let mut detail = Vec::new();
    let mut check = |name: &str, of: &str, min: Option<f64>, successes: u64, trials: u64| {
        let Some(min) = min else { return };
        let (Some(low), Some(high)) = (
            wilson_lower_one_sided(successes, trials, o.confidence),
            wilson_upper_one_sided(successes, trials, o.confidence),
        ) else {
            detail.push(format!("{name} undefined (no {of})"));
            judged = judged.min(Judged::Unknown);
            return;
        };
        let rate = successes as f64 / trials as f64;
        let mut line = format!("{name} {successes}/{trials} = {rate:.3}, ");
        if low >= min {
            line += &format!("lower bound {low:.3} ≥ {min}");
        } else if high < min {
            line += &format!("upper bound {high:.3} < {min}: violated");
            judged = Judged::Violated;
        } else {
            let needed = trials_needed(min, o.confidence);
            line += &format!("lower bound {low:.3} < {min}: not shown; ");
            if trials < needed {
                line += &format!(
                    "too few {of} to show it: even a perfect {name} needs at least {needed}"
                );
            } else {
                line += &format!("upper bound {high:.3}, so the data cannot tell");
            }
            judged = judged.min(Judged::Unknown);
        }
        detail.push(line);
    };
    check(
        "precision",
        "flagged items",
        o.min_precision,
        c.tp,
        c.tp + c.fp,
    );
    check("recall", "positives", o.min_recall, c.tp, c.tp + c.fn_);
    ObligationVerdict {
        text,
        holds: match judged {
            Judged::Holds => Some(true),
            Judged::Violated => Some(false),
            Judged::Unknown => None,
        },
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
        assert_eq!(verdict.holds, None, "{}", verdict.detail);
        assert!(
            verdict.detail.contains("precision 3/3")
                && verdict
                    .detail
                    .contains("even a perfect precision needs at least 11"),
            "{}",
            verdict.detail
        );
    }

    fn precision_obligation(min: f64) -> ObligationInput {
        ObligationInput {
            action: "block".to_owned(),
            min_precision: Some(min),
            min_recall: None,
            confidence: Confidence::NINETY_FIVE,
        }
    }

    #[test]
    fn a_rate_shown_below_the_minimum_is_violated() {
        // 60 of 100 flagged are positive: the upper bound (about 0.68) is under 0.9.
        let mut pairs = vec![(0.9, true); 60];
        pairs.extend(vec![(0.9, false); 40]);
        let v = check_obligation(&pairs, 0.5, &precision_obligation(0.9));
        assert_eq!(v.holds, Some(false), "{}", v.detail);
        assert!(v.detail.contains("violated"), "{}", v.detail);
    }

    #[test]
    fn a_rate_near_the_minimum_is_undetermined_not_violated() {
        // 88 of 100: above 0.85 observed, but the bounds straddle it.
        let mut pairs = vec![(0.9, true); 88];
        pairs.extend(vec![(0.9, false); 12]);
        let v = check_obligation(&pairs, 0.5, &precision_obligation(0.85));
        assert_eq!(v.holds, None, "{}", v.detail);
        assert!(v.detail.contains("cannot tell"), "{}", v.detail);
    }

    #[test]
    fn recall_and_precision_take_the_worst_verdict() {
        let mut pairs = vec![(0.9, true); 100];
        pairs.extend(vec![(0.1, true); 100]); // recall 0.5 at 0.5
        let o = ObligationInput {
            min_recall: Some(0.9),
            ..precision_obligation(0.9)
        };
        let v = check_obligation(&pairs, 0.5, &o);
        assert_eq!(v.holds, Some(false), "{}", v.detail);
        assert!(v.detail.contains("lower bound 0.974 ≥ 0.9"), "{}", v.detail);
    }

    #[test]
    fn trials_needed_is_the_first_count_a_perfect_rate_shows() {
        let c = Confidence::NINETY_FIVE;
        for min in [0.5, 0.8, 0.9, 0.95, 0.99] {
            let n = trials_needed(min, c);
            assert!(wilson_lower_one_sided(n, n, c).unwrap() >= min, "{min}");
            assert!(
                n == 1 || wilson_lower_one_sided(n - 1, n - 1, c).unwrap() < min,
                "{min}"
            );
        }
        // n / (n + z²) ≥ 0.9 first at n = ⌈9 · 1.6449²⌉ = 25.
        assert_eq!(trials_needed(0.9, c), 25);
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
