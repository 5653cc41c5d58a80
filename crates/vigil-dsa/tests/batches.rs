//! Batch files: split at the endpoint's limit, parse back, and are not
//! written at all when any statement is refused.

use std::path::Path;

use vigil_dsa::{write_batches, Batch, Rule, StatementOfReasons, WriteError, MAX_BATCH};

/// A valid statement with the given puid, read from the API's JSON.
fn statement(puid: &str) -> StatementOfReasons {
    let json = serde_json::json!({
        "puid": puid,
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Community guidelines: spam and fraud",
        "incompatible_content_explanation": "Bulk unsolicited advertising.",
        "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "content_date": "2025-03-01",
        "application_date": "2025-03-02",
        "decision_facts": "Removed automatically as spam.",
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_FULLY",
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    });
    serde_json::from_value(json).expect("the fixture is a statement")
}

fn statements(n: usize) -> Vec<StatementOfReasons> {
    (0..n)
        .map(|i| statement(&format!("decision-{i:04}")))
        .collect()
}

fn read(path: &Path) -> Batch {
    let bytes = std::fs::read(path).expect("the batch file exists");
    serde_json::from_slice(&bytes).expect("the batch file parses")
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| {
                    e.expect("readable")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn two_hundred_and_fifty_statements_make_three_files() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("sor").join("2025-03");
    let all = statements(250);
    let paths = write_batches(&dir, &all).expect("written");
    assert_eq!(
        listing(&dir),
        [
            "statements-0001.json",
            "statements-0002.json",
            "statements-0003.json"
        ]
    );
    assert_eq!(
        paths,
        listing(&dir)
            .iter()
            .map(|n| dir.join(n))
            .collect::<Vec<_>>()
    );
    let batches: Vec<Batch> = paths.iter().map(|p| read(p)).collect();
    let sizes: Vec<usize> = batches.iter().map(|b| b.statements.len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert!(sizes.iter().all(|&n| n <= MAX_BATCH));
    let back: Vec<StatementOfReasons> = batches.into_iter().flat_map(|b| b.statements).collect();
    assert_eq!(back, all, "every statement comes back, in order");
}

#[test]
fn a_batch_file_is_one_object_holding_the_statements() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let paths = write_batches(tmp.path(), &statements(1)).expect("written");
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&paths[0]).expect("exists")).expect("JSON");
    let object = value.as_object().expect("an object");
    assert_eq!(object.keys().collect::<Vec<_>>(), ["statements"]);
    let first = &value["statements"][0];
    assert_eq!(first["puid"], "decision-0000");
    assert_eq!(first["automated_detection"], "Yes");
    assert!(
        first.get("content_language").is_none(),
        "absent fields are left out"
    );
}

#[test]
fn exactly_full_batches_leave_no_empty_file() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let paths = write_batches(tmp.path(), &statements(200)).expect("written");
    assert_eq!(paths.len(), 2);
    let tmp = tempfile::tempdir().expect("a temporary directory");
    assert_eq!(
        write_batches(tmp.path(), &[]).expect("nothing to write"),
        Vec::<std::path::PathBuf>::new()
    );
    assert!(listing(tmp.path()).is_empty());
}

#[test]
fn one_invalid_statement_stops_the_whole_write() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join("out");
    let mut all = statements(150);
    all[120].content_language = Some("english".to_owned());
    all[130].decision_facts.clear();
    let err = write_batches(&dir, &all).expect_err("refused");
    let WriteError::Invalid { refused } = &err else {
        panic!("expected a refusal, got {err}");
    };
    let found: Vec<(&str, Rule)> = refused
        .iter()
        .flat_map(|r| r.violations.iter().map(move |v| (r.puid.as_str(), v.rule)))
        .collect();
    assert_eq!(
        found,
        [
            ("decision-0120", Rule::ContentLanguage),
            ("decision-0130", Rule::Required)
        ]
    );
    let message = err.to_string();
    for needle in [
        "2 statement(s)",
        "decision-0120",
        "content_language",
        "decision-0130",
        "decision_facts",
    ] {
        assert!(message.contains(needle), "{needle}: {message}");
    }
    assert!(!dir.exists(), "nothing, not even the directory, is written");
}

#[test]
fn a_repeated_puid_stops_the_write() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let mut all = statements(5);
    all[3].puid = all[1].puid.clone();
    let err = write_batches(tmp.path(), &all).expect_err("refused");
    assert!(
        matches!(
            &err,
            WriteError::DuplicatePuid {
                first: 2,
                second: 4,
                ..
            }
        ),
        "{err}"
    );
    assert!(listing(tmp.path()).is_empty());
}

#[test]
fn earlier_batches_are_never_overwritten() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    write_batches(tmp.path(), &statements(3)).expect("written");
    let err = write_batches(tmp.path(), &statements(3)).expect_err("refused");
    assert!(
        matches!(&err, WriteError::AlreadyWritten { path } if path.ends_with("statements-0001.json")),
        "{err}"
    );
}

#[test]
fn an_unwritable_place_is_an_io_error_naming_it() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"not a directory").expect("written");
    let err = write_batches(&file.join("sub"), &statements(1)).expect_err("refused");
    assert!(matches!(&err, WriteError::Io { .. }), "{err}");
    assert!(err.to_string().contains("a-file"), "{err}");
}
