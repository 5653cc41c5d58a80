//! `choose_threshold` on constructed score sets where the right threshold
//! is known by hand.

use vigil_eval::{choose_threshold, ThresholdChoice, ThresholdObligation};

/// `n` copies of `(score, label)`.
fn repeat(score: f64, label: bool, n: usize) -> Vec<(f64, bool)> {
    vec![(score, label); n]
}

/// Four bands: 100 positives at 0.9; 40 positives and 2 negatives at 0.7;
/// a 50/50 band at 0.5; 100 negatives at 0.1. 190 positives in all.
///
/// | threshold | precision      | recall         |
/// |-----------|----------------|----------------|
/// | 0.9       | 1              | 100/190 = .526 |
/// | 0.7       | 140/142 = .986 | 140/190 = .737 |
/// | 0.5       | 190/242 = .785 | 1              |
/// | 0.1       | 190/342 = .556 | 1              |
fn bands() -> Vec<(f64, bool)> {
    let mut pairs = repeat(0.9, true, 100);
    pairs.extend(repeat(0.7, true, 40));
    pairs.extend(repeat(0.7, false, 2));
    pairs.extend(repeat(0.5, true, 50));
    pairs.extend(repeat(0.5, false, 50));
    pairs.extend(repeat(0.1, false, 100));
    pairs
}

fn obligation(min_precision: Option<f64>, min_recall: Option<f64>) -> ThresholdObligation {
    ThresholdObligation::new(min_precision, min_recall, 0.95).expect("valid obligation")
}

fn feasible_threshold(pairs: &[(f64, bool)], o: &ThresholdObligation) -> f64 {
    match choose_threshold(pairs, o).expect("pairs have positives") {
        ThresholdChoice::Feasible {
            threshold,
            lower_bounds,
            ..
        } => {
            if let Some(m) = o.min_precision() {
                assert!(lower_bounds.precision.is_some_and(|b| b >= m));
            }
            if let Some(m) = o.min_recall() {
                assert!(lower_bounds.recall.is_some_and(|b| b >= m));
            }
            threshold
        }
        other => panic!("expected a feasible threshold, got {other:?}"),
    }
}

#[test]
fn precision_obligation_takes_the_feasible_threshold_with_most_recall() {
    // 0.9 and 0.7 both show precision ≥ 0.9; 0.7 finds more positives.
    let pairs = bands();
    let o = obligation(Some(0.9), None);
    assert_eq!(feasible_threshold(&pairs, &o), 0.7);
    match choose_threshold(&pairs, &o).unwrap() {
        ThresholdChoice::Feasible {
            precision, recall, ..
        } => {
            assert!((precision - 140.0 / 142.0).abs() < 1e-12);
            assert!((recall - 140.0 / 190.0).abs() < 1e-12);
        }
        other => panic!("{other:?}"),
    }
    // At 0.99 only the pure band could qualify, and 100 items cannot show it.
    assert!(matches!(
        choose_threshold(&pairs, &obligation(Some(0.99), None)).unwrap(),
        ThresholdChoice::Infeasible { at_threshold, .. } if at_threshold == 0.9
    ));
}

#[test]
fn recall_obligation_takes_the_feasible_threshold_with_most_precision() {
    let pairs = bands();
    // Recall .737 over 190 positives shows ≥ 0.6 but not ≥ 0.9.
    assert_eq!(
        feasible_threshold(&pairs, &obligation(None, Some(0.6))),
        0.7
    );
    // Full recall is reached at 0.5, with better precision than at 0.1.
    assert_eq!(
        feasible_threshold(&pairs, &obligation(None, Some(0.9))),
        0.5
    );
}

#[test]
fn both_constrained_maximises_recall_within_both() {
    let pairs = bands();
    assert_eq!(
        feasible_threshold(&pairs, &obligation(Some(0.9), Some(0.6))),
        0.7
    );
    // Precision ≥ 0.9 and recall ≥ 0.9 hold at no threshold. The one-sided
    // bounds fall short by .161 (precision) at 0.5 and by .219 (recall) at
    // 0.7, so 0.5 comes closest; its precision .785 < 0.9 can never be
    // shown, whatever the sample size.
    match choose_threshold(&pairs, &obligation(Some(0.9), Some(0.9))).unwrap() {
        ThresholdChoice::Infeasible {
            at_threshold,
            best_lower_bound,
            lower_bounds,
            positives_needed,
            ..
        } => {
            assert_eq!(at_threshold, 0.5);
            assert_eq!(Some(best_lower_bound), lower_bounds.precision);
            assert!((best_lower_bound - 0.738_668).abs() < 1e-6);
            assert_eq!(positives_needed, None);
        }
        other => panic!("{other:?}"),
    }
}

/// `positives` positives at 0.9 and twice as many negatives at 0.2.
fn small_clean_set(positives: usize) -> Vec<(f64, bool)> {
    let mut pairs = repeat(0.9, true, positives);
    pairs.extend(repeat(0.2, false, 2 * positives));
    pairs
}

#[test]
fn infeasible_reports_how_many_more_positives_are_needed() {
    // 10 of 10 flagged correct: the one-sided 95 % bound is 10 / (10 + z²)
    // ≈ 0.787. It reaches 0.9 at n = ⌈9 z²⌉ = 25, so 15 more positives.
    let o = obligation(Some(0.9), None);
    match choose_threshold(&small_clean_set(10), &o).unwrap() {
        ThresholdChoice::Infeasible {
            at_threshold,
            best_lower_bound,
            positives_needed,
            ..
        } => {
            let z2 = 1.644_853_626_951_472_f64.powi(2);
            assert_eq!(at_threshold, 0.9);
            assert!((best_lower_bound - 10.0 / (10.0 + z2)).abs() < 1e-12);
            assert_eq!(positives_needed, Some(15));
        }
        other => panic!("{other:?}"),
    }
    // And the same data, 25 positives strong, does meet it; 24 do not.
    assert_eq!(feasible_threshold(&small_clean_set(25), &o), 0.9);
    assert!(matches!(
        choose_threshold(&small_clean_set(24), &o).unwrap(),
        ThresholdChoice::Infeasible {
            positives_needed: Some(1),
            ..
        }
    ));
}

#[test]
fn a_rate_below_the_minimum_can_never_be_shown() {
    // The best precision anywhere is 0.8, below the 0.9 asked for.
    let mut pairs = repeat(0.9, true, 80);
    pairs.extend(repeat(0.9, false, 20));
    pairs.extend(repeat(0.3, false, 100));
    match choose_threshold(&pairs, &obligation(Some(0.9), None)).unwrap() {
        ThresholdChoice::Infeasible {
            at_threshold,
            positives_needed,
            ..
        } => {
            assert_eq!(at_threshold, 0.9);
            assert_eq!(positives_needed, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn small_pure_bands_lose_to_large_nearly_pure_ones() {
    // 5 of 5 correct at 0.95 cannot show precision ≥ 0.9 (bound ≈ 0.65);
    // 205 of 210 at 0.8 can (bound ≈ 0.95), though its observed precision is lower.
    let mut pairs = repeat(0.95, true, 5);
    pairs.extend(repeat(0.8, true, 200));
    pairs.extend(repeat(0.8, false, 5));
    pairs.extend(repeat(0.6, true, 20));
    pairs.extend(repeat(0.6, false, 80));
    pairs.extend(repeat(0.1, false, 200));
    assert_eq!(
        feasible_threshold(&pairs, &obligation(Some(0.9), None)),
        0.8
    );
}
