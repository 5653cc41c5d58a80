//! ToxicChat (Lin et al., 2023), user prompts to a chatbot with human
//! annotations, in the JUDGE-BENCH form (`toxic_chat_train.json`): one JSON
//! object whose `instances` list holds
//! `{"id", "instance", "annotations": {"toxicity": {"majority_human"},
//! "jailbreaking": {"majority_human"}}}`, labels as `"0"` / `"1"`.
//!
//! | `annotations.toxicity.majority_human` | unsafe |
//! |---|---|
//! | `1` | 1 |
//! | `0` | 0 |
//!
//! ToxicChat's toxicity is broad (“offensive or profane content … insults,
//! threats”), so it maps to `unsafe` only; no harm category is set.
//! `jailbreaking` (prompt injection) has no Vigil category and is kept as
//! meta `jailbreaking` = `0` / `1`. Id: `toxicchat-<first 16 characters of
//! the upstream id>` (a content hash, so ids survive reordering); meta
//! `conv_id` keeps the whole upstream id. `meta.lang` is `en` as for every
//! import, though a minority of prompts are in other languages. A bad
//! instance is reported at the line of the source file where it starts.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use vigil_core::{Category, Labels};

use super::collect::{newlines, Collector, Row};
use super::{ImportKind, MalformedReason, Spec};
use crate::error::DataError;

pub(super) const SPEC: Spec = Spec {
    license: "CC-BY-NC-4.0",
    upstream: "dmg-illc/JUDGE-BENCH (data/toxic_chat), from lmsys ToxicChat",
    description: "ToxicChat: user prompts to the Vicuna demo with human majority labels for toxicity and jailbreaking, train split (Lin et al., 2023).",
    mapping: &[(Category::Unsafe, "toxicity majority_human 1 -> 1; 0 -> 0")],
};

const FILE: &str = "toxic_chat_train.json";

/// The file: only `instances` matters, each kept raw so that its position
/// (and so its line) in the file is known.
#[derive(Deserialize)]
struct BenchFile<'a> {
    #[serde(borrow)]
    instances: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Instance {
    id: String,
    instance: String,
    annotations: Annotations,
}

#[derive(Deserialize)]
struct Annotations {
    toxicity: Annotation,
    jailbreaking: Annotation,
}

#[derive(Deserialize)]
struct Annotation {
    majority_human: serde_json::Value,
}

pub(super) fn read(src: &Path, c: &mut Collector) -> Result<(), DataError> {
    let path = super::collect::file_in(ImportKind::ToxicChat, src, FILE)?;
    let (source, bytes) = c.read_source(&path)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| DataError::BadSource {
        path: path.clone(),
        message: format!(
            "line {}: not valid UTF-8",
            1 + newlines(&bytes[..e.valid_up_to()])
        ),
    })?;
    let file: BenchFile<'_> = serde_json::from_str(text).map_err(|e| DataError::BadSource {
        path: path.clone(),
        message: format!("not a JUDGE-BENCH file with an `instances` list: {e}"),
    })?;
    // Instances come in file order, so the line count is carried forward
    // rather than recounted from the start for each one.
    let (mut line, mut counted_to) = (1u64, 0usize);
    for raw in file.instances {
        // A borrowed `RawValue` is a slice of `text`, so this is its offset.
        let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        if let Some(between) = bytes.get(counted_to..offset) {
            line += newlines(between);
            counted_to = offset;
        }
        let row = serde_json::from_str::<Instance>(raw.get())
            .map_err(|e| MalformedReason::BadJson {
                message: without_position(&e),
            })
            .and_then(row);
        c.accept(&source, line, row)?;
    }
    Ok(())
}

fn row(i: Instance) -> Result<Row, MalformedReason> {
    let toxic = binary(
        "annotations.toxicity.majority_human",
        &i.annotations.toxicity,
    )?;
    let jailbreak = binary(
        "annotations.jailbreaking.majority_human",
        &i.annotations.jailbreaking,
    )?;
    let id = i.id.trim();
    if id.is_empty() {
        return Err(MalformedReason::BadKey {
            column: "id".to_owned(),
            value: i.id.clone(),
        });
    }
    Ok(Row {
        key: id.chars().take(16).collect(),
        text: i.instance,
        labels: Labels::new().with(Category::Unsafe, toxic),
        meta: vec![
            ("jailbreaking", u8::from(jailbreak).to_string()),
            ("conv_id", id.to_owned()),
        ],
    })
}

/// A 0/1 majority label, given as a string (`"1"`) or a number.
fn binary(column: &str, a: &Annotation) -> Result<bool, MalformedReason> {
    match &a.majority_human {
        serde_json::Value::String(s) if s == "0" => Ok(false),
        serde_json::Value::String(s) if s == "1" => Ok(true),
        serde_json::Value::Number(n) if n.as_u64() == Some(0) => Ok(false),
        serde_json::Value::Number(n) if n.as_u64() == Some(1) => Ok(true),
        other => Err(MalformedReason::BadLabel {
            column: column.to_owned(),
            value: other.to_string(),
        }),
    }
}

/// serde_json's message without its “at line L column C”, which would count
/// from the start of the instance rather than of the file.
fn without_position(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rsplit_once(" at line ") {
        Some((head, _)) => head.to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(json: &str) -> Result<Row, MalformedReason> {
        serde_json::from_str::<Instance>(json)
            .map_err(|e| MalformedReason::BadJson {
                message: without_position(&e),
            })
            .and_then(row)
    }

    #[test]
    fn toxicity_maps_to_unsafe_and_jailbreaking_to_meta() {
        let r = instance(
            r#"{"id":"0123456789abcdef0123","instance":"hi","annotations":{"toxicity":{"majority_human":"1"},"jailbreaking":{"majority_human":0}}}"#,
        )
        .expect("valid instance");
        assert_eq!(r.key, "0123456789abcdef");
        assert_eq!(
            r.labels.iter().collect::<Vec<_>>(),
            vec![(Category::Unsafe, true)]
        );
        assert_eq!(r.meta[0], ("jailbreaking", "0".to_owned()));
        assert_eq!(r.meta[1].1, "0123456789abcdef0123");
    }

    #[test]
    fn bad_instances_are_malformed() {
        let bad_label = instance(
            r#"{"id":"a","instance":"hi","annotations":{"toxicity":{"majority_human":"2"},"jailbreaking":{"majority_human":"0"}}}"#,
        );
        assert!(matches!(bad_label, Err(MalformedReason::BadLabel { .. })));
        let missing = instance(r#"{"id":"a","instance":"hi"}"#);
        match missing {
            Err(MalformedReason::BadJson { message }) => {
                assert!(message.contains("annotations"), "{message}");
                assert!(!message.contains("at line"), "{message}");
            }
            _ => panic!("missing annotations must be bad JSON"),
        }
    }
}
