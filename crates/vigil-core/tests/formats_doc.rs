//! Every JSON example in docs/formats.md parses as the type its fence names,
//! and re-serialises to the same JSON value, so the page cannot drift.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;
use vigil_core::{Decision, Item, Labels, Signal};

fn examples() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/formats.md");
    let text = std::fs::read_to_string(&path).expect("docs/formats.md exists");
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```json ")) {
            (None, Some(kind)) => current = Some((kind.trim().to_owned(), String::new())),
            (Some(_), _) if line.trim() == "```" => out.extend(current.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn round_trip<T: DeserializeOwned + Serialize>(kind: &str, body: &str) {
    let value: T = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("the `{kind}` example does not parse: {e}"));
    let original: serde_json::Value = serde_json::from_str(body).expect("valid JSON");
    let again = serde_json::to_value(&value).expect("serialises");
    assert_eq!(
        normalise(original),
        normalise(again),
        "the `{kind}` example does not round-trip"
    );
}

/// f32 scores print back with f32 precision; compare numbers at that precision.
fn normalise(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => serde_json::json!((f as f32).to_string()),
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(normalise).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, normalise(v))).collect()),
        other => other,
    }
}

#[test]
fn every_documented_example_round_trips() {
    let examples = examples();
    let kinds: Vec<&str> = examples.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["item", "signal", "decision", "labels"]);
    for (kind, body) in &examples {
        match kind.as_str() {
            "item" => round_trip::<Item>(kind, body),
            "signal" => round_trip::<Signal>(kind, body),
            "decision" => round_trip::<Decision>(kind, body),
            "labels" => round_trip::<Labels>(kind, body),
            other => panic!("docs/formats.md has an example of unknown kind `{other}`"),
        }
    }
}
