//! Checks Cohen's kappa against scikit-learn's `cohen_kappa_score` and
//! Krippendorff's alpha against the PyPI package `krippendorff` on the fixed
//! rating sets in `tests/data/agreement_reference.json` (made by
//! `bench/fixtures/make_agreement_fixtures.py`), to 1e-9, including the sets
//! where the references give no number.

use serde::Deserialize;
use vigil_eval::{cohen_kappa, krippendorff_alpha, AgreementUndefined};

const TOLERANCE: f64 = 1e-9;

#[derive(Deserialize)]
struct Fixture {
    sklearn_version: String,
    krippendorff_version: String,
    kappa: Vec<KappaSet>,
    alpha: Vec<AlphaSet>,
}

/// A category as the fixture writes it: an integer or a string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(untagged)]
enum Label {
    Int(i64),
    Text(String),
}

#[derive(Deserialize)]
struct KappaSet {
    name: String,
    a: Vec<Option<Label>>,
    b: Vec<Option<Label>>,
    n: usize,
    kappa: Option<f64>,
    observed: Option<f64>,
    expected: Option<f64>,
    expected_error: Option<String>,
}

#[derive(Deserialize)]
struct AlphaSet {
    name: String,
    raters: Vec<Vec<Option<i64>>>,
    alpha: Option<f64>,
    expected_error: Option<String>,
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/agreement_reference.json"
    );
    let text = std::fs::read_to_string(path).expect("the committed fixture is readable");
    serde_json::from_str(&text).expect("the committed fixture parses")
}

fn error_name(e: AgreementUndefined) -> String {
    match e {
        AgreementUndefined::NothingToCompare => "NothingToCompare",
        AgreementUndefined::SingleCategory => "SingleCategory",
        AgreementUndefined::NoUsableResamples { .. } => "NoUsableResamples",
    }
    .to_owned()
}

fn close(name: &str, what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOLERANCE,
        "{name}: {what} is {got}, the reference {want}"
    );
}

#[test]
fn kappa_matches_scikit_learn() {
    let f = fixture();
    assert!(!f.sklearn_version.is_empty());
    assert_eq!(f.kappa.len(), 8, "every set is checked");
    for set in &f.kappa {
        let pairs: Vec<_> = set.a.iter().cloned().zip(set.b.iter().cloned()).collect();
        match (cohen_kappa(&pairs), &set.expected_error) {
            (Ok(k), None) => {
                assert_eq!(k.n, set.n, "{}", set.name);
                close(
                    &set.name,
                    "kappa",
                    k.kappa,
                    set.kappa.expect("kappa recorded"),
                );
                close(
                    &set.name,
                    "observed",
                    k.observed,
                    set.observed.expect("observed recorded"),
                );
                close(
                    &set.name,
                    "expected",
                    k.expected,
                    set.expected.expect("expected recorded"),
                );
            }
            (Err(e), Some(want)) => assert_eq!(&error_name(e), want, "{}", set.name),
            (got, want) => panic!("{}: got {got:?}, the reference expects {want:?}", set.name),
        }
    }
}

#[test]
fn alpha_matches_the_krippendorff_package() {
    let f = fixture();
    assert!(!f.krippendorff_version.is_empty());
    assert_eq!(f.alpha.len(), 7, "every set is checked");
    for set in &f.alpha {
        let units_count = set.raters.iter().map(Vec::len).max().unwrap_or(0);
        let units: Vec<Vec<Option<i64>>> = (0..units_count)
            .map(|u| {
                set.raters
                    .iter()
                    .map(|r| r.get(u).copied().flatten())
                    .collect()
            })
            .collect();
        match (krippendorff_alpha(&units), &set.expected_error) {
            (Ok(a), None) => close(
                &set.name,
                "alpha",
                a.alpha,
                set.alpha.expect("alpha recorded"),
            ),
            (Err(e), Some(want)) => assert_eq!(&error_name(e), want, "{}", set.name),
            (got, want) => panic!("{}: got {got:?}, the reference expects {want:?}", set.name),
        }
    }
}
