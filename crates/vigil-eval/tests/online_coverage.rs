//! The acceptance check: on simulated streams with known truth, the
//! 95 % online intervals for precision, prevalence and recall contain the
//! true values in about 95 % of windows. 400 seeded windows of 50 000
//! items (`StreamConfig::default()`: about 911 allowed items sampled, 20 of
//! them violating, and 222 restrictions audited); a band of 0.90–0.99
//! holds a correct 95 % interval with probability above 0.999 at 400 runs
//! (the binomial standard error is 0.011). The example
//! `online_coverage` prints the table for other sample sizes.

use vigil_eval::online::simulate::{measure_coverage, Coverage, StreamConfig};
use vigil_eval::Confidence;

#[test]
fn intervals_cover_the_truth_about_95_percent_of_the_time() {
    let c = measure_coverage(
        &StreamConfig::default(),
        400,
        Confidence::NINETY_FIVE,
        1_000,
        0x0c0e_7a6e,
    )
    .expect("the default stream is valid");
    assert_eq!(c.defined, 400, "every window gives an estimate: {c:?}");
    for (what, covered) in [
        ("precision", c.precision_covered),
        ("prevalence", c.prevalence_covered),
        ("recall", c.recall_covered),
    ] {
        let rate = Coverage::rate(covered, c.defined);
        println!("{what} coverage {rate:.3}");
        assert!((0.90..=0.99).contains(&rate), "{what}: {rate} ({c:?})");
    }
    // At these sizes nearly every window is meaningful.
    assert!(c.meaningful >= 380, "{c:?}");
}

#[test]
fn too_narrow_an_interval_would_fail_the_check() {
    // The same windows at a 50 % level must fall far below the band, or
    // the check above could not fail.
    let half = Confidence::new(0.5).expect("0.5 is a valid level");
    let c = measure_coverage(&StreamConfig::default(), 100, half, 500, 0x0c0e_7a6e)
        .expect("the default stream is valid");
    assert!(Coverage::rate(c.recall_covered, c.defined) < 0.75, "{c:?}");
    assert!(
        Coverage::rate(c.precision_covered, c.defined) < 0.75,
        "{c:?}"
    );
}
