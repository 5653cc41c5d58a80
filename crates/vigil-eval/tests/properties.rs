//! Property tests: metric invariants that must hold for any input, and
//! brute-force definitions the fast code must agree with.

use proptest::prelude::*;
use vigil_eval::{
    average_precision, bin_index, brier_score, expected_calibration_error, roc_auc, sweep, wilson,
    wilson_lower_one_sided, Confidence, ConfusionCounts,
};

/// Pairs on a coarse grid of scores in [0, 1], so ties are common.
fn pairs() -> impl Strategy<Value = Vec<(f64, bool)>> {
    prop::collection::vec((0u32..=20, any::<bool>()), 1..60).prop_map(|v| {
        v.into_iter()
            .map(|(s, y)| (f64::from(s) / 20.0, y))
            .collect()
    })
}

fn two_classes(p: &[(f64, bool)]) -> bool {
    p.iter().any(|x| x.1) && p.iter().any(|x| !x.1)
}

proptest! {
    #[test]
    fn roc_auc_is_the_pairwise_win_rate(p in pairs()) {
        prop_assume!(two_classes(&p));
        let (mut wins, mut comparisons) = (0.0, 0.0);
        for &(sp, _) in p.iter().filter(|x| x.1) {
            for &(sn, _) in p.iter().filter(|x| !x.1) {
                comparisons += 1.0;
                wins += if sp > sn { 1.0 } else if sp == sn { 0.5 } else { 0.0 };
            }
        }
        prop_assert!((roc_auc(&p).unwrap() - wins / comparisons).abs() < 1e-12);
        // Reversing the ranking mirrors the AUC.
        let flipped: Vec<_> = p.iter().map(|&(s, y)| (1.0 - s, y)).collect();
        prop_assert!((roc_auc(&flipped).unwrap() + roc_auc(&p).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn average_precision_is_a_sum_over_the_sweep(p in pairs()) {
        prop_assume!(p.iter().any(|x| x.1));
        let ap = average_precision(&p).unwrap();
        prop_assert!((0.0..=1.0 + 1e-12).contains(&ap));
        // Σ (R_k − R_{k+1}) · P_k over the sweep, highest threshold last.
        let points = sweep(&p).unwrap();
        let mut by_hand = 0.0;
        for (k, point) in points.iter().enumerate() {
            let above = points.get(k + 1).map_or(0.0, |q| q.counts.recall().unwrap());
            by_hand += (point.counts.recall().unwrap() - above) * point.counts.precision().unwrap();
        }
        prop_assert!((ap - by_hand).abs() < 1e-12);
        // Halving every score changes no ranking.
        let halved: Vec<_> = p.iter().map(|&(s, y)| (s / 2.0, y)).collect();
        prop_assert_eq!(average_precision(&halved).unwrap(), ap);
    }

    #[test]
    fn the_sweep_agrees_with_direct_counts(p in pairs()) {
        let points = sweep(&p).unwrap();
        let positives = p.iter().filter(|x| x.1).count() as u64;
        for w in points.windows(2) {
            prop_assert!(w[0].threshold < w[1].threshold);
            prop_assert!(w[0].counts.flagged() > w[1].counts.flagged());
        }
        for point in &points {
            prop_assert_eq!(point.counts, ConfusionCounts::at_threshold(&p, point.threshold).unwrap());
            prop_assert_eq!(point.counts.positives(), positives);
        }
        prop_assert_eq!(points[0].counts.flagged(), p.len() as u64);
    }

    #[test]
    fn calibration_measures_stay_in_range(p in pairs(), bins in 1usize..25) {
        let brier = brier_score(&p).unwrap();
        let ece = expected_calibration_error(&p, bins).unwrap();
        prop_assert!((0.0..=1.0).contains(&brier));
        prop_assert!((0.0..=1.0).contains(&ece));
    }

    #[test]
    fn bins_count_the_interior_edges_below(p in 0.0f64..=1.0, bins in 1usize..50) {
        // The definition: the number of edges k·(1/n), 0 < k < n, strictly below p.
        let width = 1.0 / bins as f64;
        let below = (1..bins).filter(|&k| (k as f64 * width) < p).count();
        prop_assert_eq!(bin_index(p, bins), Some(below));
    }

    #[test]
    fn wilson_intervals_bracket_the_rate(trials in 1u64..500, frac in 0.0f64..=1.0, level in 0.5f64..0.999) {
        let successes = (frac * trials as f64).floor() as u64;
        let c = Confidence::new(level).unwrap();
        let i = wilson(successes, trials, c).unwrap();
        prop_assert!(0.0 <= i.low && i.low <= i.estimate && i.estimate <= i.high && i.high <= 1.0);
        let one_sided = wilson_lower_one_sided(successes, trials, c).unwrap();
        prop_assert!(one_sided >= i.low - 1e-12 && one_sided <= i.estimate + 1e-12);
        // For a fixed rate the bound rises with the sample (threshold choice
        // bisects on this).
        let bigger = wilson_lower_one_sided(successes * 3, trials * 3, c).unwrap();
        prop_assert!(bigger >= one_sided - 1e-12);
    }
}
