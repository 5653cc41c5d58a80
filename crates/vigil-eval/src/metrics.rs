//! Ranking metrics: average precision (area under the precision–recall
//! curve, as a step function) and ROC AUC; the error every metric shares;
//! and [`known_pairs`], which drops unknown labels.

/// Why a metric cannot be computed for the given pairs: it is undefined for
/// them (no positives, no flagged items), or the input is malformed (NaN,
/// a probability outside `[0, 1]`, slices of different lengths).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MetricError {
    /// No pairs at all.
    #[error("no items with a known label")]
    Empty,
    /// Only negatives: precision and recall have no positive to find.
    #[error("no positive labels, so the metric is undefined")]
    NoPositives,
    /// Only positives: ROC AUC needs negatives too.
    #[error("no negative labels, so the metric is undefined")]
    NoNegatives,
    /// A score is NaN.
    #[error("a score is NaN")]
    NaN,
    /// Two slices that must describe the same items differ in length.
    #[error("slices describe different items: {left} against {right} entries")]
    LengthMismatch {
        /// Length of the first slice.
        left: usize,
        /// Length of the second slice.
        right: usize,
    },
    /// Two score sets compared item by item disagree on an item's label.
    #[error("item {index} has different labels in the two score sets")]
    LabelMismatch {
        /// Position of the first disagreeing item.
        index: usize,
    },
    /// A score that must be a probability lies outside `[0, 1]`.
    #[error("score at position {index} is not a probability in [0, 1]")]
    ProbabilityOutOfRange {
        /// Position of the first offending score.
        index: usize,
    },
    /// A calibration measure was asked for with zero bins.
    #[error("at least one calibration bin is needed")]
    NoBins,
    /// Nothing scores at or above the threshold, so precision is undefined.
    #[error("no item is flagged at this threshold, so precision is undefined")]
    NoFlagged,
    /// Every bootstrap resample left the statistic undefined (or none was asked for).
    #[error("none of {resamples} bootstrap resamples gave a defined value")]
    NoUsableResamples {
        /// How many resamples were drawn.
        resamples: usize,
    },
}

/// Pairs of `(score, label)` for the items whose label is known, in order.
///
/// `labels[i]` is `None` when item `i` is unlabelled; such items are dropped,
/// never counted as negatives. Fails with [`MetricError::LengthMismatch`]
/// when the slices differ in length.
///
/// ```
/// use vigil_eval::known_pairs;
///
/// let pairs = known_pairs(&[0.9, 0.4, 0.2], &[Some(true), None, Some(false)]).unwrap();
/// assert_eq!(pairs, vec![(0.9, true), (0.2, false)]);
/// ```
pub fn known_pairs(
    scores: &[f64],
    labels: &[Option<bool>],
) -> Result<Vec<(f64, bool)>, MetricError> {
    if scores.len() != labels.len() {
        return Err(MetricError::LengthMismatch {
            left: scores.len(),
            right: labels.len(),
        });
    }
    Ok(scores
        .iter()
        .zip(labels)
        .filter_map(|(&s, &y)| y.map(|y| (s, y)))
        .collect())
}

/// Share of positives among the pairs (all labels known).
pub fn prevalence(pairs: &[(f64, bool)]) -> Result<f64, MetricError> {
    if pairs.is_empty() {
        return Err(MetricError::Empty);
    }
    let positives = pairs.iter().filter(|(_, y)| *y).count();
    Ok(positives as f64 / pairs.len() as f64)
}

/// Pairs sorted by score, highest first, after checking them.
pub(crate) fn sorted(pairs: &[(f64, bool)]) -> Result<Vec<(f64, bool)>, MetricError> {
    if pairs.is_empty() {
        return Err(MetricError::Empty);
    }
    if pairs.iter().any(|(s, _)| s.is_nan()) {
        return Err(MetricError::NaN);
    }
    let mut v = pairs.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(v)
}

/// Average precision: `Σ (R_k − R_{k−1}) · P_k` over the distinct score
/// thresholds, highest first (scikit-learn's `average_precision_score`).
pub fn average_precision(pairs: &[(f64, bool)]) -> Result<f64, MetricError> {
    let v = sorted(pairs)?;
    let positives = v.iter().filter(|(_, y)| *y).count();
    if positives == 0 {
        return Err(MetricError::NoPositives);
    }
    let (mut tp, mut fp, mut ap, mut last_recall) = (0usize, 0usize, 0.0f64, 0.0f64);
    let mut i = 0;
    while i < v.len() {
        // Tied scores are one threshold.
        let s = v[i].0;
        while i < v.len() && v[i].0 == s {
            if v[i].1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let recall = tp as f64 / positives as f64;
        let precision = tp as f64 / (tp + fp) as f64;
        ap += (recall - last_recall) * precision;
        last_recall = recall;
    }
    Ok(ap)
}

/// Area under the ROC curve: the probability that a random positive scores
/// above a random negative, ties counting one half.
pub fn roc_auc(pairs: &[(f64, bool)]) -> Result<f64, MetricError> {
    let v = sorted(pairs)?;
    let positives = v.iter().filter(|(_, y)| *y).count();
    let negatives = v.len() - positives;
    if positives == 0 {
        return Err(MetricError::NoPositives);
    }
    if negatives == 0 {
        return Err(MetricError::NoNegatives);
    }
    // Walk from the highest score: each negative scores below every positive
    // seen so far; within a tie group, pairs count one half.
    let (mut pos_above, mut wins) = (0usize, 0.0f64);
    let mut i = 0;
    while i < v.len() {
        let s = v[i].0;
        let (mut p, mut n) = (0usize, 0usize);
        while i < v.len() && v[i].0 == s {
            if v[i].1 {
                p += 1;
            } else {
                n += 1;
            }
            i += 1;
        }
        wins += n as f64 * (pos_above as f64 + 0.5 * p as f64);
        pos_above += p;
    }
    Ok(wins / (positives as f64 * negatives as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn perfect_and_inverted_rankings() {
        let good = [(0.9, true), (0.8, true), (0.2, false)];
        assert!(close(
            average_precision(&good).expect("defined for this input"),
            1.0
        ));
        assert!(close(roc_auc(&good).expect("defined for this input"), 1.0));
        let bad = [(0.1, true), (0.8, false), (0.9, false)];
        assert!(close(roc_auc(&bad).expect("defined for this input"), 0.0));
        assert!(close(
            average_precision(&bad).expect("defined for this input"),
            1.0 / 3.0
        ));
    }

    #[test]
    fn ties_form_one_threshold() {
        // All tied: AP = prevalence, AUC = 0.5 (scikit-learn gives the same).
        let tied = [(0.5, true), (0.5, false), (0.5, false), (0.5, true)];
        assert!(close(
            average_precision(&tied).expect("defined for this input"),
            0.5
        ));
        assert!(close(roc_auc(&tied).expect("defined for this input"), 0.5));
    }

    #[test]
    fn unknown_labels_are_dropped_not_negative() {
        let pairs = known_pairs(&[0.9, 0.5, 0.1], &[None, Some(true), None])
            .expect("defined for this input");
        assert_eq!(pairs, vec![(0.5, true)]);
        assert_eq!(prevalence(&pairs), Ok(1.0));
        assert_eq!(
            known_pairs(&[0.1], &[]),
            Err(MetricError::LengthMismatch { left: 1, right: 0 })
        );
        assert_eq!(prevalence(&[]), Err(MetricError::Empty));
    }

    #[test]
    fn undefined_cases_are_errors() {
        assert_eq!(average_precision(&[]), Err(MetricError::Empty));
        assert_eq!(
            average_precision(&[(0.3, false)]),
            Err(MetricError::NoPositives)
        );
        assert_eq!(roc_auc(&[(0.3, true)]), Err(MetricError::NoNegatives));
        assert_eq!(
            roc_auc(&[(f64::NAN, true), (0.1, false)]),
            Err(MetricError::NaN)
        );
    }
}
