//! Bootstrap intervals and paired comparisons: determinism for a seed,
//! skipped resamples, and verdicts on comparisons whose answer is known.

use vigil_eval::{
    auprc_interval, bootstrap_interval, compare_auprc, compare_precision, compare_recall, f1_at,
    paired_bootstrap, roc_auc, BootstrapConfig, Confidence, MetricError, SplitMix64, Verdict,
};

/// `n` items, about 30 % positive, whose scores are the label blurred by
/// noise of size `noise` (0 = perfect ranking), from a fixed seed.
fn scored(n: usize, noise: f64, seed: u64) -> Vec<(f64, bool)> {
    let mut rng = SplitMix64::new(seed);
    let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (0..n)
        .map(|_| {
            let label = unit() < 0.3;
            let signal = if label { 0.6 } else { 0.4 };
            ((signal + noise * (unit() - 0.5)).clamp(0.0, 1.0), label)
        })
        .collect()
}

/// The same items as `pairs`, rescored with noise of size `noise`.
fn rescored(pairs: &[(f64, bool)], noise: f64, seed: u64) -> Vec<(f64, bool)> {
    let mut rng = SplitMix64::new(seed);
    pairs
        .iter()
        .map(|&(_, y)| {
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            let signal = if y { 0.6 } else { 0.4 };
            ((signal + noise * (u - 0.5)).clamp(0.0, 1.0), y)
        })
        .collect()
}

fn cfg(resamples: usize, seed: u64) -> BootstrapConfig {
    BootstrapConfig {
        resamples,
        confidence: Confidence::NINETY_FIVE,
        seed,
    }
}

#[test]
fn the_same_seed_gives_the_same_interval() {
    let pairs = scored(300, 0.8, 1);
    let a = auprc_interval(&pairs, &cfg(500, 7)).unwrap();
    let b = auprc_interval(&pairs, &cfg(500, 7)).unwrap();
    let c = auprc_interval(&pairs, &cfg(500, 8)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.interval, c.interval);
    assert_eq!(a.interval.estimate, c.interval.estimate);
    let i = a.interval;
    assert!(i.low < i.estimate && i.estimate < i.high, "{i:?}");
    assert!(i.high - i.low < 0.2, "{i:?}");
    assert_eq!(a.resamples_used, 500);
}

#[test]
fn more_items_give_a_narrower_interval() {
    let width = |n| {
        let i = auprc_interval(&scored(n, 0.8, 2), &cfg(400, 3))
            .unwrap()
            .interval;
        i.high - i.low
    };
    assert!(width(2000) < width(200) / 2.0);
}

#[test]
fn resamples_without_a_positive_are_skipped() {
    // One positive among 40: about (39/40)^40 ≈ 36 % of resamples miss it.
    let mut pairs: Vec<(f64, bool)> = (0..39).map(|i| (i as f64 / 100.0, false)).collect();
    pairs.push((0.95, true));
    let b = auprc_interval(&pairs, &cfg(1000, 4)).unwrap();
    assert!(
        (500..800).contains(&b.resamples_used),
        "{}",
        b.resamples_used
    );
    // With no positive at all the statistic itself is undefined.
    assert_eq!(
        auprc_interval(&pairs[..39], &cfg(10, 4)),
        Err(MetricError::NoPositives)
    );
}

#[test]
fn any_statistic_can_be_bootstrapped() {
    let pairs = scored(400, 0.6, 5);
    let f1 = bootstrap_interval(&pairs, |p| f1_at(p, 0.5), &cfg(300, 6)).unwrap();
    assert!(f1.interval.contains(f1.interval.estimate));
    let auc = bootstrap_interval(&pairs, roc_auc, &cfg(300, 6)).unwrap();
    assert!(auc.interval.low > 0.5);
}

#[test]
fn identical_models_show_no_difference() {
    let pairs = scored(300, 0.8, 9);
    let c = compare_auprc(&pairs, &pairs, &cfg(300, 1)).unwrap();
    assert_eq!(c.difference.estimate, 0.0);
    assert_eq!((c.difference.low, c.difference.high), (0.0, 0.0));
    assert_eq!(c.verdict, Verdict::NoDetectableDifference);
}

#[test]
fn a_clearly_better_model_is_better_and_the_reverse_worse() {
    let weak = scored(400, 1.0, 10);
    let strong = rescored(&weak, 0.3, 11);
    let better = compare_auprc(&weak, &strong, &cfg(500, 2)).unwrap();
    assert_eq!(better.verdict, Verdict::Better, "{better:?}");
    assert!(better.difference.low > 0.0);
    let worse = compare_auprc(&strong, &weak, &cfg(500, 2)).unwrap();
    assert_eq!(worse.verdict, Verdict::Worse, "{worse:?}");
    assert!((worse.difference.estimate + better.difference.estimate).abs() < 1e-12);
}

#[test]
fn two_equally_good_models_show_no_detectable_difference() {
    let base = scored(300, 0.9, 12);
    let other = rescored(&base, 0.9, 13);
    for (what, c) in [
        ("AUPRC", compare_auprc(&base, &other, &cfg(500, 3))),
        (
            "precision",
            compare_precision(&base, 0.5, &other, 0.5, &cfg(500, 3)),
        ),
        (
            "recall",
            compare_recall(&base, 0.5, &other, 0.5, &cfg(500, 3)),
        ),
    ] {
        let c = c.unwrap();
        assert_eq!(c.verdict, Verdict::NoDetectableDifference, "{what}: {c:?}");
        assert!(c.difference.contains(0.0), "{what}");
    }
}

#[test]
fn thresholds_are_per_model() {
    // Raising only the candidate's threshold trades recall for precision.
    let pairs = scored(500, 0.8, 14);
    let recall = compare_recall(&pairs, 0.3, &pairs, 0.6, &cfg(300, 4)).unwrap();
    assert_eq!(recall.verdict, Verdict::Worse, "{recall:?}");
    let precision = compare_precision(&pairs, 0.3, &pairs, 0.6, &cfg(300, 4)).unwrap();
    assert_eq!(precision.verdict, Verdict::Better, "{precision:?}");
}

#[test]
fn a_failing_statistic_on_the_data_is_reported() {
    let pairs = scored(50, 0.5, 15);
    let nothing_flagged = paired_bootstrap(
        &pairs,
        &pairs,
        |p| vigil_eval::precision_at(p, 2.0),
        |p| vigil_eval::precision_at(p, 0.5),
        &cfg(10, 5),
    );
    assert_eq!(nothing_flagged, Err(MetricError::NoFlagged));
}
