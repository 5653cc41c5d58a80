//! Checks every metric against scikit-learn's values on the fixed score sets
//! in `tests/data/sklearn_metrics.json` (made by
//! `bench/fixtures/make_metric_fixtures.py`), to 1e-6, including ties,
//! single-class sets and unknown labels.

use serde::Deserialize;
use vigil_eval::{
    average_precision, brier_score, expected_calibration_error, known_pairs, prevalence,
    reliability_curve, roc_auc, sweep, ConfusionCounts, MetricError,
};

const TOLERANCE: f64 = 1e-6;

#[derive(Deserialize)]
struct Fixture {
    sklearn_version: String,
    sets: Vec<ScoreSet>,
}

#[derive(Deserialize)]
struct ScoreSet {
    name: String,
    scores: Vec<f64>,
    labels: Vec<Option<bool>>,
    n_known: usize,
    prevalence: f64,
    average_precision: Option<f64>,
    average_precision_error: Option<String>,
    roc_auc: Option<f64>,
    roc_auc_error: Option<String>,
    brier: f64,
    at_thresholds: Vec<AtThreshold>,
    pr_curve: Option<PrCurve>,
    roc_curve: Option<RocCurve>,
    calibration: Vec<Calibration>,
}

#[derive(Deserialize)]
struct AtThreshold {
    threshold: f64,
    tp: u64,
    fp: u64,
    tn: u64,
    #[serde(rename = "fn")]
    fn_: u64,
    precision: Option<f64>,
    recall: Option<f64>,
    f1: Option<f64>,
    fpr: Option<f64>,
}

#[derive(Deserialize)]
struct PrCurve {
    thresholds: Vec<f64>,
    precision: Vec<f64>,
    recall: Vec<f64>,
}

#[derive(Deserialize)]
struct RocCurve {
    thresholds: Vec<f64>,
    fpr: Vec<f64>,
    tpr: Vec<f64>,
}

#[derive(Deserialize)]
struct Calibration {
    n_bins: usize,
    index: Vec<usize>,
    prob_true: Vec<f64>,
    prob_pred: Vec<f64>,
    count: Vec<u64>,
    ece: f64,
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sklearn_metrics.json"
    );
    let text = std::fs::read_to_string(path).expect("the fixture is committed beside this test");
    serde_json::from_str(&text).expect("the fixture parses")
}

fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= TOLERANCE,
        "{what}: got {got}, scikit-learn {want}"
    );
}

fn assert_option_close(got: Option<f64>, want: Option<f64>, what: &str) {
    match (got, want) {
        (Some(g), Some(w)) => assert_close(g, w, what),
        (None, None) => {}
        _ => panic!("{what}: got {got:?}, scikit-learn {want:?}"),
    }
}

/// A ranking metric either matches sklearn's value or fails with the
/// error the fixture names.
fn check_ranking(
    got: Result<f64, MetricError>,
    value: Option<f64>,
    error: &Option<String>,
    what: &str,
) {
    match (got, value, error) {
        (Ok(g), Some(w), None) => assert_close(g, w, what),
        (Err(e), None, Some(name)) => assert_eq!(&format!("{e:?}"), name, "{what}"),
        (got, _, _) => panic!("{what}: got {got:?}, fixture {value:?} / {error:?}"),
    }
}

fn pairs_of(set: &ScoreSet) -> Vec<(f64, bool)> {
    let pairs = known_pairs(&set.scores, &set.labels).expect("one label per score");
    assert_eq!(pairs.len(), set.n_known, "{}: known items", set.name);
    pairs
}

#[test]
fn fixture_covers_the_edge_cases() {
    let f = fixture();
    assert!(f.sklearn_version.starts_with("1."), "{}", f.sklearn_version);
    let names: Vec<&str> = f.sets.iter().map(|s| s.name.as_str()).collect();
    for needed in ["ties", "all_negative", "all_positive", "unknown_labels"] {
        assert!(names.contains(&needed), "missing {needed}");
    }
    let unknown = f.sets.iter().find(|s| s.name == "unknown_labels");
    assert!(unknown.is_some_and(|s| s.labels.iter().any(Option::is_none)));
}

#[test]
fn ranking_metrics_match() {
    for set in fixture().sets {
        let pairs = pairs_of(&set);
        let name = &set.name;
        assert_close(
            prevalence(&pairs).unwrap(),
            set.prevalence,
            &format!("{name}: prevalence"),
        );
        check_ranking(
            average_precision(&pairs),
            set.average_precision,
            &set.average_precision_error,
            &format!("{name}: average precision"),
        );
        check_ranking(
            roc_auc(&pairs),
            set.roc_auc,
            &set.roc_auc_error,
            &format!("{name}: ROC AUC"),
        );
    }
}

#[test]
fn threshold_metrics_match() {
    for set in fixture().sets {
        let pairs = pairs_of(&set);
        for t in &set.at_thresholds {
            let what = format!("{} at {}", set.name, t.threshold);
            let c = ConfusionCounts::at_threshold(&pairs, t.threshold).unwrap();
            assert_eq!(
                (c.tp, c.fp, c.tn, c.fn_),
                (t.tp, t.fp, t.tn, t.fn_),
                "{what}"
            );
            assert_option_close(c.precision(), t.precision, &format!("{what}: precision"));
            assert_option_close(c.recall(), t.recall, &format!("{what}: recall"));
            assert_option_close(c.f1(), t.f1, &format!("{what}: F1"));
            assert_option_close(c.fpr(), t.fpr, &format!("{what}: FPR"));
        }
    }
}

#[test]
fn sweep_matches_the_curves() {
    let mut checked = 0;
    for set in fixture().sets {
        let points = sweep(&pairs_of(&set)).unwrap();
        let (Some(pr), Some(roc)) = (&set.pr_curve, &set.roc_curve) else {
            continue;
        };
        let name = &set.name;
        assert_eq!(points.len(), pr.thresholds.len(), "{name}: PR points");
        assert_eq!(points.len(), roc.thresholds.len(), "{name}: ROC points");
        // The PR curve runs up the thresholds, the ROC curve down them.
        for (i, p) in points.iter().enumerate() {
            let j = points.len() - 1 - i;
            assert_close(
                p.threshold,
                pr.thresholds[i],
                &format!("{name}: PR threshold {i}"),
            );
            assert_close(
                p.threshold,
                roc.thresholds[j],
                &format!("{name}: ROC threshold {j}"),
            );
            let c = p.counts;
            assert_close(
                c.precision().unwrap(),
                pr.precision[i],
                &format!("{name}: precision {i}"),
            );
            assert_close(
                c.recall().unwrap(),
                pr.recall[i],
                &format!("{name}: recall {i}"),
            );
            assert_close(c.recall().unwrap(), roc.tpr[j], &format!("{name}: TPR {j}"));
            assert_close(c.fpr().unwrap(), roc.fpr[j], &format!("{name}: FPR {j}"));
        }
        checked += 1;
    }
    assert!(checked >= 4, "too few two-class sets: {checked}");
}

#[test]
fn calibration_matches() {
    for set in fixture().sets {
        let pairs = pairs_of(&set);
        let name = &set.name;
        assert_close(
            brier_score(&pairs).unwrap(),
            set.brier,
            &format!("{name}: Brier"),
        );
        for cal in &set.calibration {
            let what = format!("{name}, {} bins", cal.n_bins);
            let curve = reliability_curve(&pairs, cal.n_bins).unwrap();
            let index: Vec<usize> = curve.iter().map(|b| b.index).collect();
            let count: Vec<u64> = curve.iter().map(|b| b.count).collect();
            assert_eq!(index, cal.index, "{what}: bins");
            assert_eq!(count, cal.count, "{what}: counts");
            for (k, bin) in curve.iter().enumerate() {
                assert_close(
                    bin.observed_rate,
                    cal.prob_true[k],
                    &format!("{what}: rate {k}"),
                );
                assert_close(
                    bin.mean_predicted,
                    cal.prob_pred[k],
                    &format!("{what}: mean {k}"),
                );
            }
            let ece = expected_calibration_error(&pairs, cal.n_bins).unwrap();
            assert_close(ece, cal.ece, &format!("{what}: ECE"));
        }
    }
}
