//! Ranking metrics: average precision (area under the precision–recall
//! curve, as a step function) and ROC AUC.

/// Why a metric is undefined for the given pairs.
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
}

/// Pairs sorted by score, highest first, after checking them.
fn sorted(pairs: &[(f64, bool)]) -> Result<Vec<(f64, bool)>, MetricError> {
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
        assert!(close(average_precision(&good).unwrap(), 1.0));
        assert!(close(roc_auc(&good).unwrap(), 1.0));
        let bad = [(0.1, true), (0.8, false), (0.9, false)];
        assert!(close(roc_auc(&bad).unwrap(), 0.0));
        assert!(close(average_precision(&bad).unwrap(), 1.0 / 3.0));
    }

    #[test]
    fn ties_form_one_threshold() {
        // All tied: AP = prevalence, AUC = 0.5 (scikit-learn gives the same).
        let tied = [(0.5, true), (0.5, false), (0.5, false), (0.5, true)];
        assert!(close(average_precision(&tied).unwrap(), 0.5));
        assert!(close(roc_auc(&tied).unwrap(), 0.5));
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
