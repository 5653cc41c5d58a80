//! Score drift between a reference window and the current one: the
//! population stability index on the reference's deciles, and the
//! two-sample Kolmogorov–Smirnov test as a binning-free alternative.

use super::{check_finite, OnlineError};

/// PSI at or above this is moderate drift.
pub const PSI_MODERATE: f64 = 0.1;
/// PSI at or above this is major drift.
pub const PSI_MAJOR: f64 = 0.25;
/// A bin's share below this (an empty bin, in practice) is raised to it
/// before the logarithm, so that PSI stays finite; shares are not
/// renormalised afterwards. Either side's empty bin then adds
/// `|share − 1e-4| · |ln(share / 1e-4)|`, large but finite.
pub const PSI_EMPTY_SHARE: f64 = 1e-4;

/// Number of PSI bins: the reference's deciles.
const BINS: usize = 10;

/// How far a score distribution has moved, by the usual PSI bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftLevel {
    /// PSI below 0.1: no action.
    Stable,
    /// PSI from 0.1 to below 0.25: look at what changed.
    Moderate,
    /// PSI 0.25 or more: the model sees a different population;
    /// re-evaluate thresholds.
    Major,
}

impl DriftLevel {
    /// The band `psi` falls in.
    pub fn from_psi(psi: f64) -> Self {
        if psi >= PSI_MAJOR {
            DriftLevel::Major
        } else if psi >= PSI_MODERATE {
            DriftLevel::Moderate
        } else {
            DriftLevel::Stable
        }
    }
}

/// The population stability index of a current sample against a reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Psi {
    /// `Σ (current − reference) · ln(current / reference)` over the bins.
    pub value: f64,
    /// Its band.
    pub level: DriftLevel,
    /// The nine inner bin edges: the reference's 10 %, …, 90 % quantiles.
    pub edges: Vec<f64>,
    /// Share of the reference in each bin, before [`PSI_EMPTY_SHARE`].
    pub reference_shares: Vec<f64>,
    /// Share of the current sample in each bin, before [`PSI_EMPTY_SHARE`].
    pub current_shares: Vec<f64>,
}

/// The population stability index of `current` against `reference`.
///
/// Bins are the reference's deciles: the inner edges are its 10 %, …, 90 %
/// quantiles, interpolated linearly between order statistics (numpy's
/// default), and bin `i` holds the scores `x` with exactly `i` edges below
/// `x` (bins closed on the right; tied edges leave empty bins, which add
/// nothing since both sides are empty). Shares below
/// [`PSI_EMPTY_SHARE`] are raised to it. Bands: [`DriftLevel::from_psi`].
///
/// Fails on an empty sample or a score that is not finite.
///
/// ```
/// use vigil_eval::online::{psi, DriftLevel};
///
/// let reference: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
/// let same = psi(&reference, &reference).unwrap();
/// assert_eq!((same.value, same.level), (0.0, DriftLevel::Stable));
/// let shifted: Vec<f64> = reference.iter().map(|x| x + 0.3).collect();
/// assert_eq!(psi(&reference, &shifted).unwrap().level, DriftLevel::Major);
/// ```
pub fn psi(reference: &[f64], current: &[f64]) -> Result<Psi, OnlineError> {
    if reference.is_empty() {
        return Err(OnlineError::Empty("the reference sample"));
    }
    if current.is_empty() {
        return Err(OnlineError::Empty("the current sample"));
    }
    check_finite("the reference sample", reference)?;
    check_finite("the current sample", current)?;
    let mut sorted = reference.to_vec();
    sorted.sort_by(f64::total_cmp);
    let edges: Vec<f64> = (1..BINS)
        .map(|d| quantile(&sorted, d as f64 / BINS as f64))
        .collect();
    let reference_shares = bin_shares(reference, &edges);
    let current_shares = bin_shares(current, &edges);
    let value = reference_shares
        .iter()
        .zip(&current_shares)
        .map(|(&r, &c)| {
            let (r, c) = (r.max(PSI_EMPTY_SHARE), c.max(PSI_EMPTY_SHARE));
            (c - r) * (c / r).ln()
        })
        .sum::<f64>();
    Ok(Psi {
        value,
        level: DriftLevel::from_psi(value),
        edges,
        reference_shares,
        current_shares,
    })
}

/// The `q`-quantile of sorted, non-empty values, interpolated linearly
/// between order statistics as numpy's default `"linear"` method does,
/// down to its rounding: past the midpoint numpy interpolates back from
/// the upper value, and a bin edge one ulp off would move a score tied
/// with it into the next bin.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = (sorted.len() - 1) as f64 * q;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let t = position - below as f64;
    let (a, b) = (sorted[below], sorted[above]);
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

/// Share of `values` in each bin (`edges.len() + 1` bins).
fn bin_shares(values: &[f64], edges: &[f64]) -> Vec<f64> {
    let mut counts = vec![0u64; edges.len() + 1];
    for &x in values {
        // Edges are sorted, so the count of edges below x is a partition point.
        counts[edges.partition_point(|&e| e < x)] += 1;
    }
    let n = values.len() as f64;
    counts.into_iter().map(|c| c as f64 / n).collect()
}

/// The two-sample Kolmogorov–Smirnov test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsTest {
    /// The largest distance between the two empirical distribution
    /// functions, in `[0, 1]`.
    pub statistic: f64,
    /// The asymptotic two-sided p-value, `Q(√n_e · D)` with Kolmogorov's
    /// limiting distribution ([`kolmogorov_survival`]).
    pub p_value: f64,
    /// `n_e = n·m / (n + m)`.
    pub effective_n: f64,
}

/// The two-sample Kolmogorov–Smirnov statistic between `a` and `b`, with
/// its asymptotic p-value.
///
/// The statistic is exact (scipy's `ks_2samp` gives the same number). The
/// p-value uses Kolmogorov's limiting distribution at `√n_e · D`, good when
/// both samples hold some hundreds of scores; scipy's `method="asymp"`
/// instead evaluates the one-sample finite-`n` distribution at
/// `round(n_e)`; the two differ by up to about 0.015 at a few hundred
/// scores (0.013 at `n_e = 300` in the committed fixture) and more on small
/// samples, where neither should be trusted. Unlike PSI it
/// needs no bins, so it also sees a shift inside one decile; with large
/// windows it finds differences too small to matter, so read the statistic
/// (a distance) beside the p-value.
///
/// Fails on an empty sample or a value that is not finite.
///
/// ```
/// use vigil_eval::online::ks_two_sample;
///
/// let t = ks_two_sample(&[1.0, 2.0, 3.0], &[2.5, 3.5, 4.5, 5.5]).unwrap();
/// assert!((t.statistic - 0.75).abs() < 1e-12);
/// ```
pub fn ks_two_sample(a: &[f64], b: &[f64]) -> Result<KsTest, OnlineError> {
    if a.is_empty() {
        return Err(OnlineError::Empty("the first sample"));
    }
    if b.is_empty() {
        return Err(OnlineError::Empty("the second sample"));
    }
    check_finite("the first sample", a)?;
    check_finite("the second sample", b)?;
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut statistic = 0.0f64;
    // Step through every distinct value once, moving past all copies of it
    // in both samples before comparing the two distribution functions.
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) | (None, Some(&x)) => x,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        statistic = statistic.max((i as f64 / n - j as f64 / m).abs());
    }
    let effective_n = n * m / (n + m);
    Ok(KsTest {
        statistic,
        p_value: kolmogorov_survival(effective_n.sqrt() * statistic),
        effective_n,
    })
}

/// `Q(λ) = P(K > λ)` for Kolmogorov's limiting distribution
/// (`scipy.special.kolmogorov`), to about 1e-15.
///
/// Below `λ = 1.18` by the Jacobi theta form
/// `1 − (√(2π)/λ) Σₖ exp(−(2k−1)²π²/(8λ²))`, above by the alternating
/// series `2 Σₖ (−1)^(k−1) exp(−2k²λ²)`; each converges within a few terms
/// on its side.
pub fn kolmogorov_survival(lambda: f64) -> f64 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 1.0;
    }
    let q = if lambda < 1.18 {
        let w = -std::f64::consts::PI.powi(2) / (8.0 * lambda * lambda);
        let sum: f64 = (1..=20)
            .map(|k| {
                let odd = (2 * k - 1) as f64;
                (odd * odd * w).exp()
            })
            .sum();
        1.0 - (std::f64::consts::TAU).sqrt() / lambda * sum
    } else {
        let sum: f64 = (1..=20)
            .map(|k| {
                let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
                sign * (-2.0 * (k * k) as f64 * lambda * lambda).exp()
            })
            .sum();
        2.0 * sum
    };
    q.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_usual_thresholds() {
        assert_eq!(DriftLevel::from_psi(0.0), DriftLevel::Stable);
        assert_eq!(DriftLevel::from_psi(0.099), DriftLevel::Stable);
        assert_eq!(DriftLevel::from_psi(0.1), DriftLevel::Moderate);
        assert_eq!(DriftLevel::from_psi(0.2499), DriftLevel::Moderate);
        assert_eq!(DriftLevel::from_psi(0.25), DriftLevel::Major);
    }

    #[test]
    fn psi_by_hand_on_two_bins_worth_of_change() {
        // Reference 0..99: edges at 9.9, 19.8, …; each bin holds 10 %.
        let reference: Vec<f64> = (0..100).map(f64::from).collect();
        let p = psi(&reference, &reference).expect("defined");
        assert!(p.reference_shares.iter().all(|&s| (s - 0.1).abs() < 1e-12));
        // Current: half in the first bin, the rest spread over the others.
        let mut current = vec![0.0; 50];
        current.extend((0..50).map(|i| 10.0 + 89.0 * f64::from(i) / 49.0));
        let p = psi(&reference, &current).expect("defined");
        let want: f64 = p
            .current_shares
            .iter()
            .map(|&c| (c - 0.1) * (c / 0.1).ln())
            .sum();
        assert!((p.value - want).abs() < 1e-12 && p.level == DriftLevel::Major);
        assert!((p.current_shares[0] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn empty_bins_are_floored_not_infinite() {
        let reference: Vec<f64> = (0..100).map(f64::from).collect();
        let current = vec![1000.0; 10];
        let p = psi(&reference, &current).expect("defined");
        assert!(p.value.is_finite() && p.level == DriftLevel::Major);
        assert_eq!(p.current_shares[9], 1.0);
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(
            psi(&[], &[1.0]),
            Err(OnlineError::Empty("the reference sample"))
        );
        assert!(matches!(
            psi(&[1.0, f64::NAN], &[1.0]),
            Err(OnlineError::NotFinite { index: 1, .. })
        ));
        assert!(ks_two_sample(&[1.0], &[]).is_err());
        assert!(ks_two_sample(&[f64::INFINITY], &[1.0]).is_err());
    }

    #[test]
    fn ks_statistic_by_hand_with_ties() {
        // F_a jumps at 1 (2/4) and 2 (4/4); F_b at 2 (1/2) and 3 (2/2).
        let t = ks_two_sample(&[1.0, 1.0, 2.0, 2.0], &[2.0, 3.0]).expect("defined");
        assert!((t.statistic - 0.5).abs() < 1e-12);
        assert!((t.effective_n - 8.0 / 6.0).abs() < 1e-12);
        let same = ks_two_sample(&[1.0, 2.0], &[2.0, 1.0]).expect("defined");
        assert_eq!((same.statistic, same.p_value), (0.0, 1.0));
    }

    #[test]
    fn kolmogorov_survival_matches_known_values() {
        // scipy.special.kolmogorov at these points.
        let known = [
            (0.5, 0.963_945_243_664_875_1),
            (1.0, 0.269_999_671_677_354_56),
            (1.36, 0.049_485_876_755_377_876),
            (2.0, 0.000_670_925_255_779_695_3),
        ];
        for (lambda, q) in known {
            assert!((kolmogorov_survival(lambda) - q).abs() < 1e-12, "{lambda}");
        }
        // The two forms agree where they meet.
        let below = kolmogorov_survival(1.18 - 1e-12);
        let above = kolmogorov_survival(1.18);
        assert!((below - above).abs() < 1e-12);
        assert_eq!(kolmogorov_survival(0.0), 1.0);
        assert!(kolmogorov_survival(40.0) == 0.0);
    }
}
