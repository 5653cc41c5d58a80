//! `[notices]`: defaults, rescan per reporter type, and every refusal located.

use vigil_core::ReporterType;
use vigil_policy::{NoticeHandling, NoticeSettings, Policy};

const HEADER: &str = r#"
[policy]
name = "notices"
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
fn without_the_section_every_notice_goes_to_a_person() {
    let p = load("").unwrap();
    assert_eq!(p.notices, NoticeSettings::default());
    for r in ReporterType::ALL {
        assert_eq!(p.notices.handling(r), NoticeHandling::Review, "{r}");
    }
}

#[test]
fn users_and_trusted_flaggers_may_be_rescanned() {
    let p = load("[notices]\nuser = \"rescan\"\nauthority_order = \"review\"\n").unwrap();
    assert_eq!(
        p.notices.handling(ReporterType::User),
        NoticeHandling::Rescan
    );
    assert_eq!(
        p.notices.handling(ReporterType::TrustedFlagger),
        NoticeHandling::Review
    );
    let p = load("[notices]\ntrusted_flagger = \"rescan\"\n").unwrap();
    assert_eq!(
        p.notices.handling(ReporterType::TrustedFlagger),
        NoticeHandling::Rescan
    );
    assert_eq!(
        p.notices.handling(ReporterType::AuthorityOrder),
        NoticeHandling::Review
    );
}

#[test]
fn bad_values_are_each_refused_at_their_line() {
    let e = load("[notices]\nuser = \"ignore\"\nauthority_order = \"rescan\"\n").unwrap_err();
    for needle in [
        "[notices] user must be \"review\" or \"rescan\"; it is \"ignore\"",
        "[notices] authority_order must be \"review\": an authority's order always goes to a person",
    ] {
        assert!(e.contains(needle), "no `{needle}` in:\n{e}");
    }
    assert!(e.contains("p.toml:13:8:"), "errors are located:\n{e}");
    assert!(load("[notices]\npolice = \"review\"\n")
        .unwrap_err()
        .contains("unknown field `police`"));
}
