//! `[alerts]`: absent, a full section with a per-category override, and
//! every refusal located.

use vigil_core::Category;
use vigil_policy::{AlertLimits, AlertSettings, Policy};

const HEADER: &str = r#"
[policy]
name = "alerts"
version = "1"

[categories.hate]
description = "Hate."
dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
terms_ground = "Terms: hate"
thresholds = { review = 0.4, block = 0.9 }
"#;

fn load(section: &str) -> Result<Policy, String> {
    Policy::from_toml(&format!("{HEADER}\n{section}"), "p.toml")
        .map(|c| c.policy)
        .map_err(|e| e.to_string())
}

#[test]
fn without_the_section_nothing_is_checked() {
    let p = load("").unwrap();
    assert_eq!(p.alerts, AlertSettings::default());
    assert_eq!(p.alerts.limits_for(Category::Hate), AlertLimits::default());
}

#[test]
fn a_category_overrides_some_limits_and_inherits_the_rest() {
    let p = load(
        r#"
[alerts]
min_precision = 0.8
max_psi = 0.25
max_prevalence = 0.02

[alerts.categories.hate]
min_precision = 0.9
"#,
    )
    .unwrap();
    let hate = p.alerts.limits_for(Category::Hate);
    assert_eq!(hate.min_precision, Some(0.9));
    assert_eq!(hate.max_psi, Some(0.25));
    assert_eq!(hate.max_prevalence, Some(0.02));
    let violence = p.alerts.limits_for(Category::Violence);
    assert_eq!(violence.min_precision, Some(0.8));
}

#[test]
fn bad_values_are_each_refused_at_their_line() {
    let e = load(
        r#"
[alerts]
min_precision = 1.5
max_psi = -1.0

[alerts.categories.hats]
max_prevalence = 0.1

[alerts.categories.hate]
max_prevalence = 2.0
"#,
    )
    .unwrap_err();
    for needle in [
        "[alerts] min_precision must be from 0 to 1; it is 1.5",
        "[alerts] max_psi must be from 0 to 100; it is -1",
        "in [alerts]: unknown category `hats`",
        "[alerts.categories.hate] max_prevalence must be from 0 to 1; it is 2",
    ] {
        assert!(e.contains(needle), "no `{needle}` in:\n{e}");
    }
    assert!(e.contains("p.toml:"), "errors are located:\n{e}");
    assert!(load("[alerts]\nmax_recall = 1\n")
        .unwrap_err()
        .contains("unknown field `max_recall`"));
}
