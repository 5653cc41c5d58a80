//! Inter-rater agreement on nominal labels: Cohen's kappa for two raters,
//! Krippendorff's alpha for any number of raters with missing values, and
//! seeded bootstrap intervals for both.
//!
//! A missing label (`None`) is missing, never a category: kappa counts only
//! the items both raters labelled, alpha only the values in units that hold
//! at least two. Where a coefficient has no value (nothing to compare, or a
//! single category so that chance agreement is certain) the answer is a typed
//! [`AgreementUndefined`], never NaN.
//!
//! ```
//! use vigil_eval::{cohen_kappa, krippendorff_alpha};
//!
//! // Two reviewers on five items; the third was judged by one only.
//! let a = [Some(true), Some(true), Some(false), Some(false), Some(true)];
//! let b = [Some(true), Some(false), None, Some(false), Some(true)];
//! let pairs: Vec<_> = a.iter().copied().zip(b.iter().copied()).collect();
//! let k = cohen_kappa(&pairs).unwrap();
//! assert_eq!(k.n, 4);
//! assert!((k.observed - 0.75).abs() < 1e-12);
//! assert!((k.kappa - 0.5).abs() < 1e-12);
//!
//! // The same judgements as units (one row per item, one column per rater).
//! let units: Vec<Vec<Option<bool>>> = pairs.iter().map(|&(x, y)| vec![x, y]).collect();
//! let alpha = krippendorff_alpha(&units).unwrap();
//! assert_eq!(alpha.pairable_values, 8);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bootstrap::{percentile_interval, BootstrapConfig, BootstrapInterval, SplitMix64};

/// Why an agreement coefficient has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AgreementUndefined {
    /// No item was labelled by enough raters (kappa: both raters; alpha: two
    /// or more values in one unit), so there is nothing to compare.
    #[error("no item was labelled by enough raters to compare")]
    NothingToCompare,
    /// Every compared label is the same single category: chance agreement is
    /// certain, so agreement beyond chance is `0 / 0`.
    #[error("every compared label is the same category, so agreement beyond chance is undefined")]
    SingleCategory,
    /// The coefficient was undefined in every bootstrap resample (or none
    /// was drawn), so there is no interval.
    #[error("the coefficient was undefined in all {resamples} bootstrap resamples")]
    NoUsableResamples {
        /// Resamples drawn.
        resamples: usize,
    },
}

/// Cohen's kappa with the parts it is made of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Kappa {
    /// `(observed − expected) / (1 − expected)`; 1 is perfect agreement, 0
    /// is what chance gives, negative is worse than chance.
    pub kappa: f64,
    /// Fraction of the compared items on which the two raters agree.
    pub observed: f64,
    /// Agreement expected by chance: `Σ_c p_a(c) · p_b(c)`, each rater's own
    /// category frequencies over the compared items.
    pub expected: f64,
    /// Items both raters labelled.
    pub n: usize,
}

/// Krippendorff's alpha (nominal) with the parts it is made of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Alpha {
    /// `1 − observed_disagreement / expected_disagreement`; 1 is perfect
    /// agreement, 0 is what chance gives.
    pub alpha: f64,
    /// `D_o`: the fraction of pairable value pairs within units that differ.
    pub observed_disagreement: f64,
    /// `D_e`: the fraction of all pairs of pairable values that differ.
    pub expected_disagreement: f64,
    /// Units (items) holding at least two values.
    pub pairable_units: usize,
    /// Values in those units (`n` in Krippendorff's notation).
    pub pairable_values: usize,
}

/// Gives each distinct category an index `0..k`, in sorted order.
fn index_categories<'a, T: Ord + 'a>(
    values: impl Iterator<Item = &'a T>,
) -> BTreeMap<&'a T, usize> {
    let mut index = BTreeMap::new();
    for v in values {
        index.entry(v).or_insert(0);
    }
    for (i, slot) in index.values_mut().enumerate() {
        *slot = i;
    }
    index
}

/// Items both raters labelled, as category indices, and the number of categories.
fn coded_pairs<T: Ord>(pairs: &[(Option<T>, Option<T>)]) -> (Vec<(usize, usize)>, usize) {
    let both: Vec<(&T, &T)> = pairs
        .iter()
        .filter_map(|(a, b)| Some((a.as_ref()?, b.as_ref()?)))
        .collect();
    let index = index_categories(both.iter().flat_map(|(a, b)| [*a, *b]));
    let coded = both.iter().map(|(a, b)| (index[a], index[b])).collect();
    (coded, index.len())
}

/// Kappa from coded pairs, each weighted by how often it was drawn.
///
/// Weights let the bootstrap reuse one buffer instead of copying resamples.
fn kappa_weighted(
    coded: &[(usize, usize)],
    weights: impl Iterator<Item = f64>,
    categories: usize,
    marginals: &mut [f64],
) -> Result<Kappa, AgreementUndefined> {
    marginals.fill(0.0);
    let (row, column) = marginals.split_at_mut(categories);
    let (mut agree, mut total, mut n) = (0.0, 0.0, 0usize);
    for (&(a, b), w) in coded.iter().zip(weights) {
        if w == 0.0 {
            continue;
        }
        row[a] += w;
        column[b] += w;
        total += w;
        n += w as usize;
        if a == b {
            agree += w;
        }
    }
    if total == 0.0 {
        return Err(AgreementUndefined::NothingToCompare);
    }
    let observed = agree / total;
    let expected: f64 = row
        .iter()
        .zip(column.iter())
        .map(|(r, c)| (r / total) * (c / total))
        .sum();
    // `expected` is 1 only when both raters used one and the same category.
    if expected >= 1.0 {
        return Err(AgreementUndefined::SingleCategory);
    }
    Ok(Kappa {
        kappa: (observed - expected) / (1.0 - expected),
        observed,
        expected,
        n,
    })
}

/// Cohen's kappa for two raters on nominal labels, over the items both
/// labelled: `pairs[i]` is `(rater A's label, rater B's label)` for item `i`,
/// `None` where that rater gave none. Equal to scikit-learn's
/// `cohen_kappa_score` on the items both labelled.
///
/// Undefined when no item was labelled by both
/// ([`AgreementUndefined::NothingToCompare`]) or both raters used one and
/// the same category throughout ([`AgreementUndefined::SingleCategory`]).
/// Agreement on every item across two or more categories is `kappa = 1`.
pub fn cohen_kappa<T: Ord>(pairs: &[(Option<T>, Option<T>)]) -> Result<Kappa, AgreementUndefined> {
    let (coded, k) = coded_pairs(pairs);
    kappa_weighted(&coded, std::iter::repeat(1.0), k, &mut vec![0.0; 2 * k])
}

/// One pairable unit reduced to what alpha needs.
struct UnitSummary {
    /// Values in the unit (`m_u ≥ 2`).
    values: f64,
    /// `Σ_c m_uc (m_uc − 1) / (m_u − 1)`: the unit's agreeing pairs, each
    /// value's pairs weighted by `1 / (m_u − 1)` as in the coincidence matrix.
    agreeing: f64,
    /// `(category index, m_uc)` for each category present.
    counts: Vec<(usize, f64)>,
}

/// The pairable units of `units`, summarised, and the number of categories.
fn summarise_units<T: Ord>(units: &[Vec<Option<T>>]) -> (Vec<UnitSummary>, usize) {
    let pairable: Vec<Vec<&T>> = units
        .iter()
        .map(|u| u.iter().flatten().collect::<Vec<&T>>())
        .filter(|u| u.len() >= 2)
        .collect();
    let index = index_categories(pairable.iter().flatten().copied());
    let summaries = pairable
        .iter()
        .map(|values| {
            let mut counts: BTreeMap<usize, f64> = BTreeMap::new();
            for v in values {
                *counts.entry(index[v]).or_insert(0.0) += 1.0;
            }
            let m = values.len() as f64;
            let agreeing = counts.values().map(|c| c * (c - 1.0)).sum::<f64>() / (m - 1.0);
            UnitSummary {
                values: m,
                agreeing,
                counts: counts.into_iter().collect(),
            }
        })
        .collect();
    (summaries, index.len())
}

/// Alpha from unit summaries, each weighted by how often it was drawn.
fn alpha_weighted(
    units: &[UnitSummary],
    weights: impl Iterator<Item = f64>,
    totals: &mut [f64],
) -> Result<Alpha, AgreementUndefined> {
    totals.fill(0.0);
    let (mut n, mut agreeing, mut pairable_units) = (0.0, 0.0, 0usize);
    for (unit, w) in units.iter().zip(weights) {
        if w == 0.0 {
            continue;
        }
        n += w * unit.values;
        agreeing += w * unit.agreeing;
        pairable_units += w as usize;
        for &(c, m) in &unit.counts {
            totals[c] += w * m;
        }
    }
    if n < 2.0 {
        return Err(AgreementUndefined::NothingToCompare);
    }
    // Σ_{c≠k} o_ck = n − Σ_c o_cc and Σ_{c≠k} n_c n_k = n² − Σ_c n_c².
    let observed_disagreement = (n - agreeing) / n;
    let same_category_pairs: f64 = totals.iter().map(|t| t * (t - 1.0)).sum();
    let expected_disagreement = (n * (n - 1.0) - same_category_pairs) / (n * (n - 1.0));
    if expected_disagreement <= 0.0 {
        return Err(AgreementUndefined::SingleCategory);
    }
    Ok(Alpha {
        alpha: 1.0 - observed_disagreement / expected_disagreement,
        observed_disagreement,
        expected_disagreement,
        pairable_units,
        pairable_values: n as usize,
    })
}

/// Krippendorff's alpha for nominal labels from any number of raters with
/// missing values. `units[u]` holds the labels given to unit (item) `u`, one
/// entry per rater, `None` where that rater gave none; rows may differ in
/// length, since alpha does not depend on who gave which value. Units with
/// fewer than two labels carry no information about agreement and are left
/// out. Equal to `krippendorff.alpha(level_of_measurement="nominal")` of the
/// PyPI package `krippendorff`.
///
/// Undefined when no unit holds two labels
/// ([`AgreementUndefined::NothingToCompare`]) or every label is the same
/// category ([`AgreementUndefined::SingleCategory`]).
pub fn krippendorff_alpha<T: Ord>(units: &[Vec<Option<T>>]) -> Result<Alpha, AgreementUndefined> {
    let (summaries, k) = summarise_units(units);
    alpha_weighted(&summaries, std::iter::repeat(1.0), &mut vec![0.0; k])
}

/// Draws `cfg.resamples` bootstrap resamples of `n` items as multiplicity
/// vectors and collects the statistic where it is defined.
fn resample_statistic(
    n: usize,
    cfg: &BootstrapConfig,
    mut statistic: impl FnMut(&[u32]) -> Option<f64>,
) -> Vec<f64> {
    let mut rng = SplitMix64::new(cfg.seed);
    let mut counts = vec![0u32; n];
    let mut values = Vec::with_capacity(cfg.resamples);
    for _ in 0..cfg.resamples {
        counts.fill(0);
        for _ in 0..n {
            counts[rng.below(n)] += 1;
        }
        if let Some(v) = statistic(&counts) {
            values.push(v);
        }
    }
    values
}

/// Turns resampled values into a percentile interval around `estimate`.
fn interval_of(
    values: Vec<f64>,
    estimate: f64,
    cfg: &BootstrapConfig,
) -> Result<BootstrapInterval, AgreementUndefined> {
    let (interval, resamples_used) = percentile_interval(values, estimate, cfg).map_err(|_| {
        AgreementUndefined::NoUsableResamples {
            resamples: cfg.resamples,
        }
    })?;
    Ok(BootstrapInterval {
        interval,
        resamples_used,
    })
}

/// A percentile bootstrap interval for Cohen's kappa: the items both raters
/// labelled are resampled with replacement; resamples where kappa is
/// undefined (one category drawn) are skipped. Deterministic for a seed.
pub fn cohen_kappa_interval<T: Ord>(
    pairs: &[(Option<T>, Option<T>)],
    cfg: &BootstrapConfig,
) -> Result<BootstrapInterval, AgreementUndefined> {
    let (coded, k) = coded_pairs(pairs);
    let mut marginals = vec![0.0; 2 * k];
    let estimate = kappa_weighted(&coded, std::iter::repeat(1.0), k, &mut marginals)?.kappa;
    let values = resample_statistic(coded.len(), cfg, |counts| {
        let weights = counts.iter().map(|&c| f64::from(c));
        kappa_weighted(&coded, weights, k, &mut marginals)
            .ok()
            .map(|kappa| kappa.kappa)
    });
    interval_of(values, estimate, cfg)
}

/// A percentile bootstrap interval for Krippendorff's alpha (nominal): the
/// pairable units (items) are resampled with replacement, keeping each
/// unit's labels together; resamples where alpha is undefined are skipped.
/// Deterministic for a seed.
pub fn krippendorff_alpha_interval<T: Ord>(
    units: &[Vec<Option<T>>],
    cfg: &BootstrapConfig,
) -> Result<BootstrapInterval, AgreementUndefined> {
    let (summaries, k) = summarise_units(units);
    let mut totals = vec![0.0; k];
    let estimate = alpha_weighted(&summaries, std::iter::repeat(1.0), &mut totals)?.alpha;
    let values = resample_statistic(summaries.len(), cfg, |counts| {
        let weights = counts.iter().map(|&c| f64::from(c));
        alpha_weighted(&summaries, weights, &mut totals)
            .ok()
            .map(|alpha| alpha.alpha)
    });
    interval_of(values, estimate, cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(a: &[u8], b: &[u8]) -> Vec<(Option<u8>, Option<u8>)> {
        a.iter().zip(b).map(|(&x, &y)| (Some(x), Some(y))).collect()
    }

    #[test]
    fn kappa_of_a_worked_example() {
        // 2×2 table [[20, 5], [10, 15]]: p_o = 0.7, p_e = 0.5·0.6 + 0.5·0.4 = 0.5.
        let mut a = vec![0u8; 25];
        a.extend(vec![1u8; 25]);
        let mut b = vec![0u8; 20];
        b.extend(vec![1u8; 5]);
        b.extend(vec![0u8; 10]);
        b.extend(vec![1u8; 15]);
        let k = cohen_kappa(&pairs(&a, &b)).unwrap();
        assert_eq!(k.n, 50);
        assert!((k.observed - 0.7).abs() < 1e-12);
        assert!((k.expected - 0.5).abs() < 1e-12);
        assert!((k.kappa - 0.4).abs() < 1e-12);
    }

    #[test]
    fn degenerate_kappa_is_undefined_not_nan() {
        let none: Vec<(Option<u8>, Option<u8>)> = vec![(Some(1), None), (None, Some(0))];
        assert_eq!(
            cohen_kappa(&none),
            Err(AgreementUndefined::NothingToCompare)
        );
        assert_eq!(
            cohen_kappa::<u8>(&[]),
            Err(AgreementUndefined::NothingToCompare)
        );
        assert_eq!(
            cohen_kappa(&pairs(&[1, 1, 1], &[1, 1, 1])),
            Err(AgreementUndefined::SingleCategory)
        );
        // Full agreement across two categories is defined and perfect.
        assert_eq!(cohen_kappa(&pairs(&[0, 1], &[0, 1])).unwrap().kappa, 1.0);
        // Each rater constant but different: no agreement, chance none either.
        assert_eq!(cohen_kappa(&pairs(&[0, 0], &[1, 1])).unwrap().kappa, 0.0);
    }

    #[test]
    fn alpha_of_krippendorffs_worked_example() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability",
        // the nominal example with missing values: alpha = 0.743.
        let raters: [[Option<u8>; 12]; 4] = [
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(1),
                Some(4),
                Some(1),
                Some(2),
                None,
                None,
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(2),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                None,
                Some(3),
            ],
            [
                None,
                Some(3),
                Some(3),
                Some(3),
                Some(2),
                Some(3),
                Some(4),
                Some(2),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
            [
                Some(1),
                Some(2),
                Some(3),
                Some(3),
                Some(2),
                Some(4),
                Some(4),
                Some(1),
                Some(2),
                Some(5),
                Some(1),
                None,
            ],
        ];
        let units: Vec<Vec<Option<u8>>> = (0..12)
            .map(|u| raters.iter().map(|r| r[u]).collect())
            .collect();
        let a = krippendorff_alpha(&units).unwrap();
        assert_eq!(a.pairable_units, 11);
        assert_eq!(a.pairable_values, 40);
        assert!((a.alpha - 0.743).abs() < 5e-4, "{}", a.alpha);
    }

    #[test]
    fn degenerate_alpha_is_undefined_not_nan() {
        let lone: Vec<Vec<Option<u8>>> = vec![vec![Some(1), None], vec![None, Some(2)]];
        assert_eq!(
            krippendorff_alpha(&lone),
            Err(AgreementUndefined::NothingToCompare)
        );
        let same = vec![vec![Some(1), Some(1)], vec![Some(1), Some(1), Some(1)]];
        assert_eq!(
            krippendorff_alpha(&same),
            Err(AgreementUndefined::SingleCategory)
        );
        let perfect = vec![vec![Some(0), Some(0)], vec![Some(1), Some(1)]];
        assert_eq!(krippendorff_alpha(&perfect).unwrap().alpha, 1.0);
    }

    #[test]
    fn intervals_hold_the_estimate_and_repeat_for_a_seed() {
        let a: Vec<u8> = (0..60).map(|i| u8::from(i % 3 == 0)).collect();
        let b: Vec<u8> = (0..60)
            .map(|i| u8::from(i % 3 == 0 || i % 7 == 0))
            .collect();
        let p = pairs(&a, &b);
        let cfg = BootstrapConfig {
            resamples: 300,
            ..Default::default()
        };
        let k = cohen_kappa_interval(&p, &cfg).unwrap();
        assert_eq!(k.interval.estimate, cohen_kappa(&p).unwrap().kappa);
        assert!(k.interval.low < k.interval.estimate && k.interval.estimate < k.interval.high);
        assert_eq!(cohen_kappa_interval(&p, &cfg).unwrap(), k);
        let units: Vec<Vec<Option<u8>>> = p.iter().map(|&(x, y)| vec![x, y]).collect();
        let al = krippendorff_alpha_interval(&units, &cfg).unwrap();
        assert!(al.interval.low < al.interval.estimate && al.interval.estimate < al.interval.high);
        let none = BootstrapConfig {
            resamples: 0,
            ..Default::default()
        };
        assert_eq!(
            cohen_kappa_interval(&p, &none),
            Err(AgreementUndefined::NoUsableResamples { resamples: 0 })
        );
    }
}
