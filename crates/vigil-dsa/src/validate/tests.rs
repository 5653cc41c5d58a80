//! One test per rule: start from a valid statement, break exactly that rule,
//! and expect exactly that violation, with a message naming field and limit.

use vigil_core::dsa::{
    AccountType, AutomatedDecision, ContentType, DecisionGround, Keyword, Monetary, SourceType,
    StatementCategory, Visibility,
};

use super::*;
use crate::{ContentId, YesNo};

/// A statement that passes, with most optional fields set so that each can be broken.
fn valid() -> StatementOfReasons {
    StatementOfReasons {
        puid: "0190f6c2-7e1a-7b4c-9d2e-3f4a5b6c7d8e".to_owned(),
        decision_ground: DecisionGround::IncompatibleContent,
        category: StatementCategory::ScamsAndFraud,
        content_type: vec![ContentType::Text, ContentType::Image],
        content_type_other: None,
        content_date: "2025-03-01".to_owned(),
        application_date: "2025-03-02".to_owned(),
        decision_facts:
            "Removed automatically: spam_scam scored 0.97 against the block threshold 0.95."
                .to_owned(),
        source_type: SourceType::Voluntary,
        source_identity: None,
        automated_detection: YesNo::Yes,
        automated_decision: AutomatedDecision::Fully,
        decision_visibility: vec![Visibility::ContentRemoved],
        decision_visibility_other: None,
        decision_monetary: None,
        decision_monetary_other: None,
        decision_provision: None,
        decision_account: None,
        illegal_content_legal_ground: None,
        illegal_content_explanation: None,
        incompatible_content_ground: Some("Community guidelines: spam and fraud".to_owned()),
        incompatible_content_explanation: Some(
            "The message is bulk unsolicited advertising.".to_owned(),
        ),
        incompatible_content_illegal: Some(YesNo::No),
        category_addition: vec![StatementCategory::ConsumerInformation],
        category_specification: vec![Keyword::Phishing],
        category_specification_other: Some("Prize-draw phishing".to_owned()),
        territorial_scope: vec!["DE".to_owned(), "FR".to_owned(), "NO".to_owned()],
        content_language: Some("EN".to_owned()),
        end_date_account_restriction: None,
        end_date_monetary_restriction: None,
        end_date_service_restriction: None,
        end_date_visibility_restriction: Some("2025-06-01".to_owned()),
        decision_ground_reference_url: Some("https://example.com/terms#spam".to_owned()),
        account_type: Some(AccountType::Private),
        content_id: Some(ContentId {
            ean13: "4006381333931".to_owned(),
        }),
    }
}

/// A valid statement on the illegal-content ground.
fn valid_illegal() -> StatementOfReasons {
    StatementOfReasons {
        decision_ground: DecisionGround::IllegalContent,
        illegal_content_legal_ground: Some("Directive 2011/93/EU".to_owned()),
        illegal_content_explanation: Some("The image sexualises a minor.".to_owned()),
        incompatible_content_ground: None,
        incompatible_content_explanation: None,
        incompatible_content_illegal: None,
        ..valid()
    }
}

/// Exactly one violation, of `rule` on `field`, whose message names the
/// field and contains `limit`.
fn assert_only(s: &StatementOfReasons, rule: Rule, field: &str, limit: &str) {
    let violations = s.validate().expect_err("the broken statement is refused");
    let found: Vec<(Rule, &str)> = violations.iter().map(|v| (v.rule, v.field)).collect();
    assert_eq!(found, [(rule, field)], "{violations:#?}");
    let message = &violations[0].message;
    assert!(
        message.contains(field),
        "message does not name {field}: {message}"
    );
    assert!(
        message.contains(limit),
        "message does not name `{limit}`: {message}"
    );
}

macro_rules! rule_tests {
    ($($test:ident: $rule:ident on $field:literal naming $limit:literal, from $start:ident, |$s:ident| $body:block)*) => {
        $(
            #[test]
            fn $test() {
                let mut $s = $start();
                assert_eq!($s.validate(), Ok(()), "the starting statement is valid");
                $body
                assert_only(&$s, Rule::$rule, $field, $limit);
            }
        )*

        /// The rules the tests above break, one test each.
        const TESTED: &[Rule] = &[$(Rule::$rule),*];
    };
}

rule_tests! {
    required: Required on "puid" naming "required", from valid, |s| { s.puid.clear(); }
    puid_length: PuidLength on "puid" naming "500", from valid, |s| { s.puid = "a".repeat(501); }
    puid_pattern: PuidPattern on "puid" naming "^[a-zA-Z0-9-_]+$", from valid, |s| { s.puid = "post/17".to_owned(); }
    content_type_other: ContentTypeOther on "content_type_other" naming "CONTENT_TYPE_OTHER", from valid, |s| {
        s.content_type.push(ContentType::Other);
    }
    date_format: DateFormat on "content_date" naming "YYYY-MM-DD", from valid, |s| { s.content_date = "2025-02-29".to_owned(); }
    content_date_range: ContentDateRange on "content_date" naming "2000-01-01", from valid, |s| {
        s.content_date = "1999-12-31".to_owned();
    }
    application_date_range: ApplicationDateRange on "application_date" naming "2020-01-01", from valid, |s| {
        s.application_date = "2019-12-31".to_owned();
    }
    end_date_range: EndDateRange on "end_date_visibility_restriction" naming "2038-01-01", from valid, |s| {
        s.end_date_visibility_restriction = Some("2038-01-02".to_owned());
    }
    decision_facts_length: DecisionFactsLength on "decision_facts" naming "5000", from valid, |s| {
        s.decision_facts = "x".repeat(5001);
    }
    source_identity_excluded: SourceIdentityExcluded on "source_identity" naming "SOURCE_VOLUNTARY", from valid, |s| {
        s.source_identity = Some("Jane Doe".to_owned());
    }
    decision_missing: DecisionMissing on "decision_visibility" naming "decision_account", from valid, |s| {
        s.decision_visibility.clear();
    }
    visibility_other_required: VisibilityOtherRequired on "decision_visibility_other" naming "DECISION_VISIBILITY_OTHER", from valid, |s| {
        s.decision_visibility.push(Visibility::Other);
    }
    visibility_other_length: VisibilityOtherLength on "decision_visibility_other" naming "500", from valid, |s| {
        s.decision_visibility.push(Visibility::Other);
        s.decision_visibility_other = Some("x".repeat(501));
    }
    monetary_other_required: MonetaryOtherRequired on "decision_monetary_other" naming "DECISION_MONETARY_OTHER", from valid, |s| {
        s.decision_monetary = Some(Monetary::Other);
    }
    monetary_other_length: MonetaryOtherLength on "decision_monetary_other" naming "500", from valid, |s| {
        s.decision_monetary = Some(Monetary::Other);
        s.decision_monetary_other = Some("x".repeat(501));
    }
    illegal_content_required: IllegalContentRequired on "illegal_content_legal_ground" naming "DECISION_GROUND_ILLEGAL_CONTENT", from valid_illegal, |s| {
        s.illegal_content_legal_ground = None;
    }
    illegal_ground_length: IllegalGroundLength on "illegal_content_legal_ground" naming "500", from valid_illegal, |s| {
        s.illegal_content_legal_ground = Some("x".repeat(501));
    }
    illegal_explanation_length: IllegalExplanationLength on "illegal_content_explanation" naming "2000", from valid_illegal, |s| {
        s.illegal_content_explanation = Some("x".repeat(2001));
    }
    incompatible_content_required: IncompatibleContentRequired on "incompatible_content_explanation" naming "DECISION_GROUND_INCOMPATIBLE_CONTENT", from valid, |s| {
        s.incompatible_content_explanation = Some("  ".to_owned());
    }
    incompatible_ground_length: IncompatibleGroundLength on "incompatible_content_ground" naming "500", from valid, |s| {
        s.incompatible_content_ground = Some("x".repeat(501));
    }
    incompatible_explanation_length: IncompatibleExplanationLength on "incompatible_content_explanation" naming "2000", from valid, |s| {
        s.incompatible_content_explanation = Some("x".repeat(2001));
    }
    category_specification_other_length: CategorySpecificationOtherLength on "category_specification_other" naming "500", from valid, |s| {
        s.category_specification_other = Some("x".repeat(501));
    }
    territorial_scope: TerritorialScope on "territorial_scope" naming "EU/EEA", from valid, |s| {
        s.territorial_scope.push("GB".to_owned());
    }
    content_language: ContentLanguage on "content_language" naming "ISO 639-1", from valid, |s| {
        s.content_language = Some("en".to_owned());
    }
    reference_url_length: ReferenceUrlLength on "decision_ground_reference_url" naming "500", from valid, |s| {
        s.decision_ground_reference_url = Some(format!("https://example.com/{}", "a".repeat(481)));
    }
    reference_url_format: ReferenceUrlFormat on "decision_ground_reference_url" naming "http", from valid, |s| {
        s.decision_ground_reference_url = Some("ftp://example.com/terms".to_owned());
    }
    content_id_ean13: ContentIdEan13 on "content_id" naming "13 digits", from valid, |s| {
        s.content_id = Some(ContentId { ean13: "400638133393".to_owned() });
    }
}

#[test]
fn every_rule_has_its_test() {
    let mut tested = TESTED.to_vec();
    tested.sort();
    let mut all = Rule::ALL.to_vec();
    all.sort();
    assert_eq!(tested, all);
}

/// A field's name and a way to break it.
type Breaker = (&'static str, fn(&mut StatementOfReasons));
/// A required date field's name and a way to reach it.
type DateField = (&'static str, fn(&mut StatementOfReasons) -> &mut String);
/// An optional date field's name and a way to reach it.
type EndDateField = (
    &'static str,
    fn(&mut StatementOfReasons) -> &mut Option<String>,
);

#[test]
fn every_required_field_is_checked() {
    let cases: [Breaker; 5] = [
        ("puid", |s| s.puid = " ".to_owned()),
        ("content_type", |s| s.content_type.clear()),
        ("content_date", |s| s.content_date.clear()),
        ("application_date", |s| s.application_date.clear()),
        ("decision_facts", |s| s.decision_facts = "\n".to_owned()),
    ];
    for (field, break_it) in cases {
        let mut s = valid();
        break_it(&mut s);
        assert_only(&s, Rule::Required, field, "required");
    }
}

#[test]
fn every_date_field_is_checked_for_form_and_range() {
    let fields: [DateField; 2] = [
        ("content_date", |s| &mut s.content_date),
        ("application_date", |s| &mut s.application_date),
    ];
    for (field, date) in fields {
        let mut s = valid();
        *date(&mut s) = "2025-3-1".to_owned();
        assert_only(&s, Rule::DateFormat, field, "YYYY-MM-DD");
        let mut s = valid();
        *date(&mut s) = "2038-01-02".to_owned();
        let rule = if field == "content_date" {
            Rule::ContentDateRange
        } else {
            Rule::ApplicationDateRange
        };
        assert_only(&s, rule, field, "2038-01-01");
    }
    let end_dates: [EndDateField; 4] = [
        ("end_date_account_restriction", |s| {
            &mut s.end_date_account_restriction
        }),
        ("end_date_monetary_restriction", |s| {
            &mut s.end_date_monetary_restriction
        }),
        ("end_date_service_restriction", |s| {
            &mut s.end_date_service_restriction
        }),
        ("end_date_visibility_restriction", |s| {
            &mut s.end_date_visibility_restriction
        }),
    ];
    for (field, date) in end_dates {
        let mut s = valid();
        *date(&mut s) = Some("01/06/2025".to_owned());
        assert_only(&s, Rule::DateFormat, field, "YYYY-MM-DD");
        let mut s = valid();
        *date(&mut s) = Some("2099-01-01".to_owned());
        assert_only(&s, Rule::EndDateRange, field, "2038-01-01");
    }
}

#[test]
fn range_bounds_are_included() {
    let mut s = valid();
    s.content_date = "2000-01-01".to_owned();
    s.application_date = "2020-01-01".to_owned();
    s.end_date_account_restriction = Some("2038-01-01".to_owned());
    assert_eq!(s.validate(), Ok(()));
    s.content_date = "2038-01-01".to_owned();
    s.application_date = "2038-01-01".to_owned();
    assert_eq!(s.validate(), Ok(()));
}

#[test]
fn limits_count_characters_not_bytes() {
    let mut s = valid();
    s.decision_facts = "é".repeat(MAX_FACTS_CHARS);
    s.incompatible_content_ground = Some("§".repeat(MAX_GROUND_CHARS));
    s.incompatible_content_explanation = Some("…".repeat(MAX_EXPLANATION_CHARS));
    assert_eq!(s.validate(), Ok(()));
    s.puid = "a".repeat(MAX_PUID_CHARS);
    assert_eq!(s.validate(), Ok(()));
    s.decision_facts.push('é');
    assert_only(&s, Rule::DecisionFactsLength, "decision_facts", "5000");
}

#[test]
fn illegal_ground_needs_its_explanation_too() {
    let mut s = valid_illegal();
    s.illegal_content_explanation = Some(String::new());
    assert_only(
        &s,
        Rule::IllegalContentRequired,
        "illegal_content_explanation",
        "2000",
    );
}

#[test]
fn incompatible_ground_needs_its_ground_too() {
    let mut s = valid();
    s.incompatible_content_ground = None;
    assert_only(
        &s,
        Rule::IncompatibleContentRequired,
        "incompatible_content_ground",
        "500",
    );
}

#[test]
fn any_one_restriction_is_enough() {
    for add in [
        |s: &mut StatementOfReasons| s.decision_monetary = Some(Monetary::Suspension),
        |s: &mut StatementOfReasons| {
            s.decision_provision = Some(vigil_core::dsa::Provision::PartialSuspension)
        },
        |s: &mut StatementOfReasons| {
            s.decision_account = Some(vigil_core::dsa::AccountAction::Suspended)
        },
    ] {
        let mut s = valid();
        s.decision_visibility.clear();
        add(&mut s);
        assert_eq!(s.validate(), Ok(()));
    }
}

#[test]
fn other_sources_may_name_their_notifier() {
    let mut s = valid();
    s.source_type = SourceType::TrustedFlagger;
    s.source_identity = Some("Example Trusted Flagger e.V.".to_owned());
    assert_eq!(s.validate(), Ok(()));
}

#[test]
fn every_broken_rule_is_reported_at_once() {
    let mut s = valid();
    s.puid = "a b".to_owned();
    s.content_date = "2025-13-01".to_owned();
    s.content_language = Some("XX".to_owned());
    s.territorial_scope = vec!["de".to_owned(), "CH".to_owned()];
    let violations = s.validate().expect_err("refused");
    let rules: Vec<Rule> = violations.iter().map(|v| v.rule).collect();
    assert_eq!(
        rules,
        [
            Rule::PuidPattern,
            Rule::DateFormat,
            Rule::TerritorialScope,
            Rule::ContentLanguage
        ]
    );
    assert!(
        violations[2].message.contains("\"de\", \"CH\""),
        "{}",
        violations[2]
    );
}
