//! Calibration: how far predicted probabilities are from observed rates —
//! the Brier score, the expected calibration error (ECE) and the points of a
//! reliability diagram.
//!
//! # Binning
//!
//! `n` equal-width bins with edges `e_k = k · (1/n)` for `k = 1 … n−1`
//! (computed exactly as numpy's `linspace(0, 1, n + 1)` computes them). A
//! probability `p` goes into bin `#{k : e_k < p}`, so bins are closed on the
//! right: bin 0 holds `[0, e_1]`, bin `i` holds `(e_i, e_{i+1}]`, and 1.0 is
//! in the last bin. This is scikit-learn's `calibration_curve(strategy=
//! "uniform")` convention (`np.searchsorted(edges, p, side="left")`), kept so
//! that reliability points can be checked against it; a probability lying
//! exactly on an edge goes to the bin below.

use crate::metrics::MetricError;

/// One non-empty bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReliabilityBin {
    /// Position of the bin, 0 for the lowest probabilities.
    pub index: usize,
    /// Mean predicted probability of the items in the bin.
    pub mean_predicted: f64,
    /// Share of positives among them.
    pub observed_rate: f64,
    /// How many items fell in the bin.
    pub count: u64,
}

/// Checks that there are pairs and every score is a probability.
fn check_probabilities(pairs: &[(f64, bool)]) -> Result<(), MetricError> {
    if pairs.is_empty() {
        return Err(MetricError::Empty);
    }
    if pairs.iter().any(|(p, _)| p.is_nan()) {
        return Err(MetricError::NaN);
    }
    match pairs.iter().position(|(p, _)| !(0.0..=1.0).contains(p)) {
        Some(index) => Err(MetricError::ProbabilityOutOfRange { index }),
        None => Ok(()),
    }
}

/// The Brier score: the mean of `(p − y)²`, `y` being 1 for a positive
/// (scikit-learn's `brier_score_loss`). 0 is perfect; always predicting the
/// prevalence `π` scores `π(1 − π)`.
///
/// ```
/// let b = vigil_eval::brier_score(&[(0.9, true), (0.2, false)]).unwrap();
/// assert!((b - (0.01 + 0.04) / 2.0).abs() < 1e-12);
/// ```
pub fn brier_score(pairs: &[(f64, bool)]) -> Result<f64, MetricError> {
    check_probabilities(pairs)?;
    let sum: f64 = pairs
        .iter()
        .map(|&(p, y)| {
            let d = p - if y { 1.0 } else { 0.0 };
            d * d
        })
        .sum();
    Ok(sum / pairs.len() as f64)
}

/// The bin (of `n_bins`) that probability `p` falls in; see the module
/// documentation for the edge convention. `None` when `n_bins` is 0 or `p`
/// is not a probability.
///
/// ```
/// use vigil_eval::bin_index;
///
/// assert_eq!(bin_index(0.2, 5), Some(0)); // on an edge: the bin below
/// assert_eq!(bin_index(0.21, 5), Some(1));
/// assert_eq!(bin_index(1.0, 5), Some(4));
/// assert_eq!(bin_index(1.5, 5), None);
/// ```
pub fn bin_index(p: f64, n_bins: usize) -> Option<usize> {
    if n_bins == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let width = 1.0 / n_bins as f64;
    let edge = |k: usize| k as f64 * width;
    // Start from the arithmetic guess, then settle it against the edges as
    // computed, so rounding in `p · n` cannot move a value across an edge.
    let mut bin = ((p * n_bins as f64).ceil() as usize).clamp(1, n_bins) - 1;
    while bin > 0 && edge(bin) >= p {
        bin -= 1;
    }
    while bin + 1 < n_bins && edge(bin + 1) < p {
        bin += 1;
    }
    Some(bin)
}

/// Reliability-diagram points over `n_bins` equal-width bins: for each
/// non-empty bin, the mean prediction, the observed positive rate and the
/// count, lowest bin first. Matches `calibration_curve(y, p, n_bins=n_bins,
/// strategy="uniform")`, which returns `(observed_rate, mean_predicted)`.
pub fn reliability_curve(
    pairs: &[(f64, bool)],
    n_bins: usize,
) -> Result<Vec<ReliabilityBin>, MetricError> {
    if n_bins == 0 {
        return Err(MetricError::NoBins);
    }
    check_probabilities(pairs)?;
    let mut sums = vec![(0.0f64, 0u64, 0u64); n_bins];
    for (index, &(p, y)) in pairs.iter().enumerate() {
        let bin = bin_index(p, n_bins).ok_or(MetricError::ProbabilityOutOfRange { index })?;
        let s = &mut sums[bin];
        s.0 += p;
        s.1 += u64::from(y);
        s.2 += 1;
    }
    Ok(sums
        .into_iter()
        .enumerate()
        .filter(|(_, (_, _, count))| *count > 0)
        .map(|(index, (sum, positives, count))| ReliabilityBin {
            index,
            mean_predicted: sum / count as f64,
            observed_rate: positives as f64 / count as f64,
            count,
        })
        .collect())
}

/// Expected calibration error: `Σ_bins (count / N) · |mean predicted −
/// observed rate|` over `n_bins` equal-width bins (module docs give the edge
/// convention). 0 when every bin's mean prediction equals its rate.
///
/// ```
/// // Two items in the top bin predicted 0.9; one is positive.
/// let ece = vigil_eval::expected_calibration_error(&[(0.9, true), (0.9, false)], 10).unwrap();
/// assert!((ece - 0.4).abs() < 1e-12);
/// ```
pub fn expected_calibration_error(
    pairs: &[(f64, bool)],
    n_bins: usize,
) -> Result<f64, MetricError> {
    let bins = reliability_curve(pairs, n_bins)?;
    let total = pairs.len() as f64;
    Ok(bins
        .iter()
        .map(|b| b.count as f64 / total * (b.mean_predicted - b.observed_rate).abs())
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_go_to_the_bin_below() {
        assert_eq!(bin_index(0.0, 10), Some(0));
        assert_eq!(bin_index(0.1, 10), Some(0));
        assert_eq!(bin_index(0.100_000_1, 10), Some(1));
        // 3 · 0.1 is 0.30000000000000004 in floating point, so 0.3 is below it.
        assert_eq!(bin_index(0.3, 10), Some(2));
        assert_eq!(bin_index(0.7, 10), Some(6));
        assert_eq!(bin_index(1.0, 10), Some(9));
        assert_eq!(bin_index(0.5, 1), Some(0));
        assert_eq!(bin_index(0.5, 2), Some(0));
        assert_eq!(bin_index(0.500_001, 2), Some(1));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(brier_score(&[]), Err(MetricError::Empty));
        assert_eq!(
            brier_score(&[(0.5, true), (1.2, false)]),
            Err(MetricError::ProbabilityOutOfRange { index: 1 })
        );
        assert_eq!(
            reliability_curve(&[(f64::NAN, true)], 5),
            Err(MetricError::NaN)
        );
        assert_eq!(
            expected_calibration_error(&[(0.5, true)], 0),
            Err(MetricError::NoBins)
        );
    }

    #[test]
    fn perfectly_calibrated_bins_have_no_error() {
        let pairs = [(0.25, true), (0.25, false), (0.25, false), (0.25, false)];
        assert_eq!(expected_calibration_error(&pairs, 4), Ok(0.0));
        let curve = reliability_curve(&pairs, 4).unwrap();
        assert_eq!(curve.len(), 1);
        assert_eq!((curve[0].index, curve[0].count), (0, 4));
    }
}
