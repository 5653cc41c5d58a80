//! `[review]`: defaults, a full section, and every refusal located.

use vigil_core::Category;
use vigil_policy::{Policy, ReviewSettings};

const HEADER: &str = r#"
[policy]
name = "review"
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
fn without_the_section_review_takes_the_defaults() {
    let p = load("").unwrap();
    assert_eq!(p.review, ReviewSettings::default());
    assert_eq!(p.review.required_reviews, 1);
    assert_eq!(p.review.severity_of(Category::Hate), 1.0);
}

#[test]
fn a_full_section_is_read() {
    let p = load(
        r#"
[review]
required_reviews = 3
lease_seconds = 120
prevalence_rate = 0.01
audit_rate = 0.03
active_learning_rate = 0.2
active_learning_margin = 0.5
active_learning_per_bucket = 7
reach_field = "followers"
content_retention_days = 30
severity = { hate = 4.0, sexual_minors = 10 }
"#,
    )
    .unwrap();
    let r = p.review;
    assert_eq!(r.required_reviews, 3);
    assert_eq!(r.lease_seconds, 120);
    assert_eq!(r.prevalence_rate, 0.01);
    assert_eq!(r.audit_rate, 0.03);
    assert_eq!(r.active_learning_rate, 0.2);
    assert_eq!(r.active_learning_margin, 0.5);
    assert_eq!(r.active_learning_per_bucket, 7);
    assert_eq!(r.reach_field.as_deref(), Some("followers"));
    assert_eq!(r.content_retention_days, 30);
    assert_eq!(r.severity_of(Category::Hate), 4.0);
    assert_eq!(r.severity_of(Category::SexualMinors), 10.0);
    assert_eq!(r.severity_of(Category::Violence), 1.0);
}

#[test]
fn bad_values_are_each_refused_at_their_line() {
    let e = load(
        r#"
[review]
required_reviews = 0
lease_seconds = -5
prevalence_rate = 1.5
audit_rate = -0.1
reach_field = " "
severity = { hats = 2.0, hate = -1.0 }
"#,
    )
    .unwrap_err();
    for needle in [
        "required_reviews must be a whole number from 1 to 5; it is 0",
        "lease_seconds must be a whole number from 10 to 86400; it is -5",
        "prevalence_rate must be from 0 to 1; it is 1.5",
        "audit_rate must be from 0 to 1; it is -0.1",
        "reach_field must name a meta field",
        "in [review] severity: unknown category `hats`",
        "[review] severity must be from 0 to 1000; it is -1",
    ] {
        assert!(e.contains(needle), "no `{needle}` in:\n{e}");
    }
    assert!(e.contains("p.toml:"), "errors are located:\n{e}");
    assert!(load("[review]\nqueue = 1\n")
        .unwrap_err()
        .contains("unknown field `queue`"));
}
