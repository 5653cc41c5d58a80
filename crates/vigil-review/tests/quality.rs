//! The quality report through the public API: accuracy on gold with Wilson
//! intervals, agreement per category (alpha over all reviewers, kappa per
//! pair), missing judgements left out, and the JSON form a CLI or the
//! server prints.

use std::collections::BTreeMap;

use vigil_core::{Action, Category, Labels, Verdict};
use vigil_eval::{cohen_kappa, krippendorff_alpha, wilson, AgreementUndefined, Confidence};
use vigil_review::adjudicate::{AdjudicationError, ReviewRow};
use vigil_review::quality::{review_quality, Coefficient, QualityOptions};

fn row(item: &str, reviewer: &str, labels: Labels) -> ReviewRow {
    ReviewRow {
        item_id: item.into(),
        reviewer: reviewer.into(),
        verdict: Verdict {
            labels,
            action: Action::Allow,
            note: None,
        },
    }
}

fn hate(v: bool) -> Labels {
    Labels::new().with(Category::Hate, v)
}

#[test]
fn accuracy_counts_only_judged_gold_categories() {
    let gold = BTreeMap::from([
        ("g1".to_owned(), hate(true).with(Category::Violence, false)),
        ("g2".to_owned(), hate(false)),
        ("g3".to_owned(), hate(true)),
    ]);
    let rows = vec![
        row("g1", "ann", hate(true)), // violence unjudged: not wrong, not counted
        row("g2", "ann", hate(true)), // false positive
        row("g3", "ann", hate(false)), // false negative
        row("x", "ann", hate(true)),  // no gold: counts as a review only
    ];
    let report = review_quality(&rows, &gold, &QualityOptions::default()).unwrap();
    assert_eq!((report.items, report.reviews, report.gold_items), (4, 4, 3));
    let ann = &report.reviewers[0];
    assert_eq!((ann.reviews, ann.gold_reviews), (4, 3));
    let h = ann
        .accuracy
        .iter()
        .find(|a| a.category == Category::Hate)
        .unwrap();
    assert_eq!(
        (h.judged, h.correct, h.false_positives, h.false_negatives),
        (3, 1, 1, 1)
    );
    let want = wilson(1, 3, Confidence::NINETY_FIVE).unwrap();
    let got = h.accuracy.unwrap();
    assert_eq!(
        (got.value, got.low, got.high),
        (want.estimate, want.low, want.high)
    );
    let v = ann
        .accuracy
        .iter()
        .find(|a| a.category == Category::Violence)
        .unwrap();
    assert_eq!((v.judged, v.not_judged), (0, 1));
    assert_eq!(v.accuracy, None);
}

#[test]
fn agreement_uses_alpha_over_everyone_and_kappa_per_pair() {
    // Three reviewers on six items; carl skips item 5's hate label.
    let judgements: [(&str, [Option<bool>; 3]); 6] = [
        ("1", [Some(true), Some(true), Some(true)]),
        ("2", [Some(false), Some(false), Some(true)]),
        ("3", [Some(true), Some(false), Some(true)]),
        ("4", [Some(false), Some(false), Some(false)]),
        ("5", [Some(true), Some(true), None]),
        ("6", [Some(false), None, None]),
    ];
    let names = ["ann", "bo", "carl"];
    let mut rows = Vec::new();
    for (item, labels) in &judgements {
        for (name, label) in names.iter().zip(labels) {
            let l = label.map_or_else(Labels::new, hate);
            rows.push(row(item, name, l));
        }
    }
    let report = review_quality(&rows, &BTreeMap::new(), &QualityOptions::default()).unwrap();
    assert_eq!(report.agreement.len(), 1, "only hate was judged");
    let a = &report.agreement[0];
    assert_eq!((a.category, a.items, a.reviewers), (Category::Hate, 5, 3));
    let units: Vec<Vec<Option<bool>>> = judgements.iter().map(|(_, l)| l.to_vec()).collect();
    let Coefficient::Defined { figure, interval } = a.alpha else {
        panic!("alpha is defined: {:?}", a.alpha)
    };
    assert_eq!(figure, krippendorff_alpha(&units).unwrap());
    let interval = interval.expect("the default options bootstrap alpha");
    assert!(interval.low <= figure.alpha && figure.alpha <= interval.high);
    assert_eq!(a.pairs.len(), 3);
    let ann_carl = &a.pairs[1];
    assert_eq!(
        (ann_carl.first.as_str(), ann_carl.second.as_str()),
        ("ann", "carl")
    );
    let pairs: Vec<_> = judgements.iter().map(|(_, l)| (l[0], l[2])).collect();
    let Coefficient::Defined { figure, interval } = ann_carl.kappa else {
        panic!("kappa is defined")
    };
    assert_eq!(figure, cohen_kappa(&pairs).unwrap());
    assert_eq!(figure.n, 4);
    assert_eq!(interval, None, "three reviewers: pairs get no interval");
}

#[test]
fn a_lone_pair_gets_a_kappa_interval_and_one_category_is_undefined() {
    let mut rows = Vec::new();
    for i in 0..40 {
        let item = format!("i{i}");
        rows.push(row(&item, "ann", hate(i % 2 == 0)));
        rows.push(row(&item, "bo", hate(i % 2 == 0 || i % 5 == 0)));
        rows.push(row(&item, "carl", Labels::new()));
    }
    // Ann and Bo always say violence is absent: agreement is undefined, not NaN.
    for r in rows.iter_mut().filter(|r| r.reviewer != "carl") {
        r.verdict.labels.set(Category::Violence, false);
    }
    let report = review_quality(&rows, &BTreeMap::new(), &QualityOptions::default()).unwrap();
    let hate_agreement = &report.agreement[0];
    assert_eq!(hate_agreement.reviewers, 2, "carl judged nothing");
    let Coefficient::Defined { interval, .. } = hate_agreement.pairs[0].kappa else {
        panic!("kappa is defined")
    };
    assert!(interval.is_some());
    let violence = &report.agreement[1];
    assert_eq!(violence.category, Category::Violence);
    assert_eq!(
        violence.alpha,
        Coefficient::Undefined {
            reason: AgreementUndefined::SingleCategory
        }
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["agreement"][1]["alpha"]["status"], "undefined");
    assert_eq!(json["agreement"][1]["alpha"]["reason"], "single_category");
    assert_eq!(json["agreement"][0]["alpha"]["status"], "defined");
    assert!(json["agreement"][0]["alpha"]["figure"]["alpha"].is_f64());
    // And it reads back.
    let back: vigil_review::quality::QualityReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn no_bootstrap_means_no_intervals_and_duplicates_are_refused() {
    let rows = vec![
        row("a", "ann", hate(true)),
        row("a", "bo", hate(false)),
        row("b", "ann", hate(false)),
        row("b", "bo", hate(false)),
    ];
    let options = QualityOptions {
        bootstrap: None,
        ..QualityOptions::default()
    };
    let report = review_quality(&rows, &BTreeMap::new(), &options).unwrap();
    assert!(matches!(
        report.agreement[0].alpha,
        Coefficient::Defined { interval: None, .. }
    ));
    let mut twice = rows.clone();
    twice.push(row("b", "bo", hate(true)));
    assert_eq!(
        review_quality(&twice, &BTreeMap::new(), &options),
        Err(AdjudicationError::DuplicateReview {
            item_id: "b".into(),
            reviewer: "bo".into()
        })
    );
}
