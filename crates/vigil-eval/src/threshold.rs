//! Metrics at a decision threshold: confusion counts (an item is flagged when
//! its score is at or above the threshold), precision, recall, F1 and
//! false-positive rate with Wilson intervals, and the sweep over every
//! distinct score. The `obligation` submodule turns obligations into
//! thresholds.

mod obligation;

pub use obligation::{
    choose_threshold, InvalidObligation, LowerBounds, ThresholdChoice, ThresholdObligation,
};

use crate::intervals::{wilson, Confidence, Interval};
use crate::metrics::{sorted, MetricError};

/// How the items fall at one threshold. Flagged means `score >= threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConfusionCounts {
    /// Positives flagged.
    pub tp: u64,
    /// Negatives flagged.
    pub fp: u64,
    /// Negatives not flagged.
    pub tn: u64,
    /// Positives not flagged.
    pub fn_: u64,
}

/// One point of a threshold sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint {
    /// Items scoring at or above this are flagged.
    pub threshold: f64,
    /// The counts at that threshold.
    pub counts: ConfusionCounts,
}

/// `num / den`, or `None` when the denominator is 0.
fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

impl ConfusionCounts {
    /// Counts at `threshold` over pairs with known labels. Fails on a NaN
    /// score or threshold, which would otherwise silently count as unflagged.
    pub fn at_threshold(pairs: &[(f64, bool)], threshold: f64) -> Result<Self, MetricError> {
        if threshold.is_nan() || pairs.iter().any(|(s, _)| s.is_nan()) {
            return Err(MetricError::NaN);
        }
        let mut c = Self::default();
        for &(score, label) in pairs {
            match (score >= threshold, label) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        Ok(c)
    }

    /// Items with a positive label.
    pub fn positives(&self) -> u64 {
        self.tp + self.fn_
    }

    /// Items with a negative label.
    pub fn negatives(&self) -> u64 {
        self.fp + self.tn
    }

    /// Items flagged.
    pub fn flagged(&self) -> u64 {
        self.tp + self.fp
    }

    /// `tp / (tp + fp)`; `None` when nothing is flagged.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.flagged())
    }

    /// `tp / (tp + fn)`; `None` when there are no positives.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.positives())
    }

    /// `2·tp / (2·tp + fp + fn)`, the harmonic mean of precision and recall;
    /// `None` when there are neither positives nor flagged items.
    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    /// `fp / (fp + tn)`; `None` when there are no negatives.
    pub fn fpr(&self) -> Option<f64> {
        ratio(self.fp, self.negatives())
    }

    /// Wilson interval on precision.
    pub fn precision_interval(&self, confidence: Confidence) -> Option<Interval> {
        wilson(self.tp, self.flagged(), confidence)
    }

    /// Wilson interval on recall.
    pub fn recall_interval(&self, confidence: Confidence) -> Option<Interval> {
        wilson(self.tp, self.positives(), confidence)
    }

    /// Wilson interval on the false-positive rate. (F1 is not a proportion;
    /// bootstrap it with [`crate::bootstrap_interval`] and [`f1_at`].)
    pub fn fpr_interval(&self, confidence: Confidence) -> Option<Interval> {
        wilson(self.fp, self.negatives(), confidence)
    }
}

/// The counts at every distinct score used as the threshold, lowest
/// threshold first (the first point flags everything). Tied scores are one
/// point.
///
/// ```
/// use vigil_eval::sweep;
///
/// let points = sweep(&[(0.9, true), (0.5, false), (0.5, true)]).unwrap();
/// let thresholds: Vec<f64> = points.iter().map(|p| p.threshold).collect();
/// assert_eq!(thresholds, [0.5, 0.9]);
/// assert_eq!(points[1].counts.precision(), Some(1.0));
/// ```
pub fn sweep(pairs: &[(f64, bool)]) -> Result<Vec<OperatingPoint>, MetricError> {
    let v = sorted(pairs)?;
    let positives = v.iter().filter(|(_, y)| *y).count() as u64;
    let negatives = v.len() as u64 - positives;
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut points = Vec::new();
    let mut i = 0;
    // Walk from the highest score down; each tie group adds its items to
    // the flagged set before the point is recorded.
    while i < v.len() {
        let threshold = v[i].0;
        while i < v.len() && v[i].0 == threshold {
            if v[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let counts = ConfusionCounts {
            tp,
            fp,
            tn: negatives - fp,
            fn_: positives - tp,
        };
        points.push(OperatingPoint { threshold, counts });
    }
    points.reverse();
    Ok(points)
}

/// Precision at `threshold`, as a statistic for the bootstrap.
pub fn precision_at(pairs: &[(f64, bool)], threshold: f64) -> Result<f64, MetricError> {
    ConfusionCounts::at_threshold(pairs, threshold)?
        .precision()
        .ok_or(MetricError::NoFlagged)
}

/// Recall at `threshold`, as a statistic for the bootstrap.
pub fn recall_at(pairs: &[(f64, bool)], threshold: f64) -> Result<f64, MetricError> {
    ConfusionCounts::at_threshold(pairs, threshold)?
        .recall()
        .ok_or(MetricError::NoPositives)
}

/// F1 at `threshold`, as a statistic for the bootstrap.
pub fn f1_at(pairs: &[(f64, bool)], threshold: f64) -> Result<f64, MetricError> {
    ConfusionCounts::at_threshold(pairs, threshold)?
        .f1()
        .ok_or(MetricError::NoPositives)
}

/// False-positive rate at `threshold`, as a statistic for the bootstrap.
pub fn fpr_at(pairs: &[(f64, bool)], threshold: f64) -> Result<f64, MetricError> {
    ConfusionCounts::at_threshold(pairs, threshold)?
        .fpr()
        .ok_or(MetricError::NoNegatives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_flag_at_or_above_the_threshold() {
        let pairs = [(0.9, true), (0.5, false), (0.5, true), (0.1, false)];
        let c = ConfusionCounts::at_threshold(&pairs, 0.5).unwrap();
        assert_eq!(
            c,
            ConfusionCounts {
                tp: 2,
                fp: 1,
                tn: 1,
                fn_: 0
            }
        );
        assert_eq!(c.precision(), Some(2.0 / 3.0));
        assert_eq!(c.recall(), Some(1.0));
        assert_eq!(c.fpr(), Some(0.5));
        assert_eq!(c.f1(), Some(0.8));
        assert_eq!(
            ConfusionCounts::at_threshold(&pairs, f64::NAN),
            Err(MetricError::NaN)
        );
    }

    #[test]
    fn undefined_ratios_are_none() {
        let nothing_flagged = ConfusionCounts::at_threshold(&[(0.1, true)], 0.5).unwrap();
        assert_eq!(nothing_flagged.precision(), None);
        assert_eq!(nothing_flagged.fpr(), None);
        assert_eq!(nothing_flagged.f1(), Some(0.0));
        assert_eq!(
            precision_at(&[(0.1, true)], 0.5),
            Err(MetricError::NoFlagged)
        );
        assert_eq!(
            recall_at(&[(0.1, false)], 0.5),
            Err(MetricError::NoPositives)
        );
        assert_eq!(f1_at(&[(0.1, false)], 0.5), Err(MetricError::NoPositives));
        assert_eq!(fpr_at(&[(0.1, true)], 0.5), Err(MetricError::NoNegatives));
        assert!(nothing_flagged
            .precision_interval(Confidence::NINETY_FIVE)
            .is_none());
    }

    #[test]
    fn sweep_agrees_with_counting_at_each_threshold() {
        let pairs = [
            (0.2, false),
            (0.7, true),
            (0.2, true),
            (0.9, false),
            (0.7, false),
        ];
        let points = sweep(&pairs).unwrap();
        assert_eq!(points.len(), 3);
        for p in &points {
            assert_eq!(
                p.counts,
                ConfusionCounts::at_threshold(&pairs, p.threshold).unwrap()
            );
        }
        assert_eq!(sweep(&[]), Err(MetricError::Empty));
    }
}
