//! The DSA vocabulary of `vigil-core` and the fields of `StatementOfReasons`
//! match the reference document, so neither can drift from the rules they
//! implement.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use vigil_core::dsa::{
    AccountAction, AccountType, AutomatedDecision, ContentType, DecisionGround, Keyword, Monetary,
    Provision, SourceType, StatementCategory, Visibility,
};
use vigil_dsa::{ContentId, StatementOfReasons, YesNo};

const REFERENCE: &str = "../../../shared/reference/dsa-statement-of-reasons.md";

fn reference() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(REFERENCE);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the DSA reference {} ({e}); these tests check the code against it, \
             so check out the shared folder beside the repository (CI has it)",
            path.display()
        )
    })
}

/// The backticked words of each `## ` section, by heading.
fn sections(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut heading: Option<String> = None;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            heading = Some(h.trim().to_owned());
            out.entry(h.trim().to_owned()).or_default();
            continue;
        }
        let Some(h) = &heading else { continue };
        let words = out.get_mut(h).expect("the heading was inserted when seen");
        words.extend(line.split('`').skip(1).step_by(2).map(str::to_owned));
    }
    out
}

fn is_list_heading(h: &str) -> bool {
    h.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

#[test]
fn core_vocabulary_matches_the_reference_lists() {
    let ours: BTreeMap<&str, Vec<&str>> = [
        (
            DecisionGround::LIST,
            DecisionGround::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            StatementCategory::LIST,
            StatementCategory::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            ContentType::LIST,
            ContentType::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            SourceType::LIST,
            SourceType::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            AutomatedDecision::LIST,
            AutomatedDecision::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            Visibility::LIST,
            Visibility::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            Monetary::LIST,
            Monetary::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            Provision::LIST,
            Provision::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            AccountAction::LIST,
            AccountAction::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            AccountType::LIST,
            AccountType::ALL.iter().map(|v| v.as_str()).collect(),
        ),
        (
            Keyword::LIST,
            Keyword::ALL.iter().map(|v| v.as_str()).collect(),
        ),
    ]
    .into_iter()
    .collect();

    let sections = sections(&reference());
    let theirs: BTreeMap<&str, &Vec<String>> = sections
        .iter()
        .filter(|(h, _)| is_list_heading(h))
        .map(|(h, v)| (h.as_str(), v))
        .collect();
    let our_lists: BTreeSet<&str> = ours.keys().copied().collect();
    let their_lists: BTreeSet<&str> = theirs.keys().copied().collect();
    assert_eq!(
        our_lists, their_lists,
        "the enumerations differ from the reference's lists"
    );

    for (list, values) in &ours {
        let want: Vec<&str> = theirs[list].iter().map(String::as_str).collect();
        assert!(!want.is_empty(), "{list} lists no values in the reference");
        assert_eq!(
            values, &want,
            "{list} differs from the reference (values and order)"
        );
    }
}

/// Every field named under Required, Conditional and Optional: the
/// backticked lower_snake_case words there.
fn reference_fields() -> BTreeSet<String> {
    let sections = sections(&reference());
    let mut fields = BTreeSet::new();
    for heading in ["Required", "Conditional", "Optional"] {
        let words = sections
            .get(heading)
            .unwrap_or_else(|| panic!("the reference has no `## {heading}` section"));
        fields.extend(
            words
                .iter()
                .filter(|w| {
                    w.starts_with(|c: char| c.is_ascii_lowercase())
                        && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                })
                .cloned(),
        );
    }
    fields
}

/// A statement with every field set (not a valid one: both grounds' fields
/// are filled so that all appear).
fn every_field_set() -> StatementOfReasons {
    let some = |s: &str| Some(s.to_owned());
    StatementOfReasons {
        puid: "p".to_owned(),
        decision_ground: DecisionGround::IllegalContent,
        category: StatementCategory::Violence,
        content_type: vec![ContentType::Other],
        content_type_other: some("x"),
        content_date: "2025-01-01".to_owned(),
        application_date: "2025-01-01".to_owned(),
        decision_facts: "x".to_owned(),
        source_type: SourceType::TrustedFlagger,
        source_identity: some("x"),
        automated_detection: YesNo::No,
        automated_decision: AutomatedDecision::Partially,
        decision_visibility: vec![Visibility::Other],
        decision_visibility_other: some("x"),
        decision_monetary: Some(Monetary::Other),
        decision_monetary_other: some("x"),
        decision_provision: Some(Provision::TotalTermination),
        decision_account: Some(AccountAction::Terminated),
        illegal_content_legal_ground: some("x"),
        illegal_content_explanation: some("x"),
        incompatible_content_ground: some("x"),
        incompatible_content_explanation: some("x"),
        incompatible_content_illegal: Some(YesNo::Yes),
        category_addition: vec![StatementCategory::SelfHarm],
        category_specification: vec![Keyword::Suicide],
        category_specification_other: some("x"),
        territorial_scope: vec!["DE".to_owned()],
        content_language: some("DE"),
        end_date_account_restriction: some("2025-02-01"),
        end_date_monetary_restriction: some("2025-02-01"),
        end_date_service_restriction: some("2025-02-01"),
        end_date_visibility_restriction: some("2025-02-01"),
        decision_ground_reference_url: some("https://example.com"),
        account_type: Some(AccountType::Business),
        content_id: Some(ContentId {
            ean13: "4006381333931".to_owned(),
        }),
    }
}

fn keys(statement: &StatementOfReasons) -> BTreeSet<String> {
    match serde_json::to_value(statement).expect("serialises") {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("a statement serialises as an object, not {other}"),
    }
}

#[test]
fn statement_fields_are_the_reference_fields() {
    let fields = reference_fields();
    assert!(fields.len() > 30, "too few fields parsed: {fields:?}");
    assert_eq!(keys(&every_field_set()), fields);
}

#[test]
fn values_serialise_as_the_api_spells_them() {
    let json = serde_json::to_value(every_field_set()).expect("serialises");
    assert_eq!(json["decision_ground"], "DECISION_GROUND_ILLEGAL_CONTENT");
    assert_eq!(
        json["content_type"],
        serde_json::json!(["CONTENT_TYPE_OTHER"])
    );
    assert_eq!(json["automated_detection"], "No");
    assert_eq!(json["incompatible_content_illegal"], "Yes");
    assert_eq!(
        json["content_id"],
        serde_json::json!({"EAN-13": "4006381333931"})
    );
    assert_eq!(
        json["category_specification"],
        serde_json::json!(["KEYWORD_SUICIDE"])
    );
}

#[test]
fn empty_optional_fields_are_left_out_and_the_statement_round_trips() {
    let full = every_field_set();
    let text = serde_json::to_string(&full).expect("serialises");
    let back: StatementOfReasons = serde_json::from_str(&text).expect("parses back");
    assert_eq!(back, full);

    let bare = StatementOfReasons {
        content_type_other: None,
        source_identity: None,
        decision_visibility: Vec::new(),
        decision_visibility_other: None,
        decision_monetary: None,
        decision_monetary_other: None,
        decision_provision: None,
        illegal_content_legal_ground: None,
        illegal_content_explanation: None,
        incompatible_content_ground: None,
        incompatible_content_explanation: None,
        incompatible_content_illegal: None,
        category_addition: Vec::new(),
        category_specification: Vec::new(),
        category_specification_other: None,
        territorial_scope: Vec::new(),
        content_language: None,
        end_date_account_restriction: None,
        end_date_monetary_restriction: None,
        end_date_service_restriction: None,
        end_date_visibility_restriction: None,
        decision_ground_reference_url: None,
        account_type: None,
        content_id: None,
        ..every_field_set()
    };
    let always: BTreeSet<String> = [
        "puid",
        "decision_ground",
        "category",
        "content_type",
        "content_date",
        "application_date",
        "decision_facts",
        "source_type",
        "automated_detection",
        "automated_decision",
        "decision_account",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(keys(&bare), always);
}

#[test]
fn values_outside_the_lists_are_refused_when_read() {
    let good = serde_json::to_value(every_field_set()).expect("serialises");
    for (field, bad) in [
        ("decision_ground", serde_json::json!("DECISION_GROUND_RUDE")),
        ("category", serde_json::json!("STATEMENT_CATEGORY_VIOLENT")),
        ("content_type", serde_json::json!(["CONTENT_TYPE_GIF"])),
        ("source_type", serde_json::json!("SOURCE_HUNCH")),
        ("automated_detection", serde_json::json!("yes")),
        (
            "automated_decision",
            serde_json::json!("AUTOMATED_DECISION_MOSTLY"),
        ),
        ("incompatible_content_illegal", serde_json::json!("Maybe")),
        (
            "decision_visibility",
            serde_json::json!(["DECISION_VISIBILITY_HIDDEN"]),
        ),
        (
            "category_specification",
            serde_json::json!(["KEYWORD_HATE"]),
        ),
        ("account_type", serde_json::json!("ACCOUNT_TYPE_BOT")),
    ] {
        let mut json = good.clone();
        json[field] = bad.clone();
        let err = serde_json::from_value::<StatementOfReasons>(json)
            .expect_err("a value outside the list is refused");
        let shown = bad
            .as_str()
            .map_or_else(|| bad[0].to_string(), str::to_owned);
        assert!(
            err.to_string().contains(shown.trim_matches('"')),
            "{field}: {err}"
        );
    }
}

#[test]
fn unknown_and_missing_fields_are_refused_when_read() {
    let mut json = serde_json::to_value(every_field_set()).expect("serialises");
    json["decision_fact"] = serde_json::json!("typo");
    let err = serde_json::from_value::<StatementOfReasons>(json.clone()).expect_err("refused");
    assert!(err.to_string().contains("decision_fact"), "{err}");

    let mut json = serde_json::to_value(every_field_set()).expect("serialises");
    json.as_object_mut().expect("an object").remove("puid");
    let err = serde_json::from_value::<StatementOfReasons>(json).expect_err("refused");
    assert!(err.to_string().contains("puid"), "{err}");
}
