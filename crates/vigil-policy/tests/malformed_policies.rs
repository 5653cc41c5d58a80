//! Every file in `tests/data/bad/` is a malformed policy whose first line says
//! where and what the error must be: `# expect: LINE:COLUMN: message fragment`.

use std::path::{Path, PathBuf};

use vigil_policy::{Policy, Severity};

struct Case {
    path: PathBuf,
    text: String,
    line: usize,
    column: usize,
    fragment: String,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/data/bad exists") {
        let path = entry.expect("readable dir entry").path();
        let text = std::fs::read_to_string(&path).expect("readable case");
        let header = text.lines().next().unwrap_or_default();
        let spec = header.strip_prefix("# expect: ").unwrap_or_else(|| {
            panic!(
                "{}: first line must be `# expect: L:C: text`",
                path.display()
            )
        });
        let mut parts = spec.splitn(3, ':');
        let mut num = || -> usize {
            parts
                .next()
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or_else(|| panic!("{}: bad expect line", path.display()))
        };
        let (line, column) = (num(), num());
        let fragment = parts.next().unwrap_or_default().trim().to_owned();
        out.push(Case {
            path,
            text,
            line,
            column,
            fragment,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(
        out.len() >= 14,
        "expected the full set of malformed policies"
    );
    out
}

#[test]
fn each_malformed_policy_fails_at_the_expected_line_with_the_expected_message() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        match Policy::from_toml(&case.text, &name) {
            Ok(_) => failures.push(format!("{name}: accepted, expected an error")),
            Err(errors) => {
                let hit = errors.errors().any(|d| {
                    d.line == case.line
                        && d.column == case.column
                        && d.message.contains(&case.fragment)
                });
                if !hit {
                    failures.push(format!(
                        "{name}: wanted {}:{}: …{}…, got:\n{errors}",
                        case.line, case.column, case.fragment
                    ));
                }
                for d in errors.errors() {
                    assert_eq!(d.severity, Severity::Error);
                    assert_eq!(d.file, name, "diagnostics name the file");
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn all_errors_are_collected_not_just_the_first() {
    let text = r#"
[policy]
name = "two-errors"
version = "1"

[categories.hate]
description = "Hate."
dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
terms_ground = "Terms"
thresholds = { review = 0.9, block = 0.1 }

[categories.hatred]
description = "Typo."
dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
terms_ground = "Terms"
thresholds = { review = 0.5 }
"#;
    let errors = Policy::from_toml(text, "p.toml").expect_err("two errors");
    let lines: Vec<usize> = errors.errors().map(|d| d.line).collect();
    assert_eq!(lines, vec![10, 12], "{errors}");
}
