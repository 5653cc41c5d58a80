//! HateCheck (Röttger et al., 2021), functional tests for hate speech
//! models (`test_suite_cases.csv`).
//!
//! | `label_gold` | hate | unsafe |
//! |---|---|---|
//! | `hateful` | 1 | 1 |
//! | `non-hateful` | 0 | unknown |
//!
//! `unsafe` stays unknown for non-hateful cases because several
//! functionalities are non-hateful yet profane or abusive towards targets
//! that are not protected groups (`profanity_nh`, `target_obj_nh`,
//! `target_indiv_nh`, `target_group_nh`). Id: `hatecheck-<case_id>` (five
//! digits). Meta: `functionality` (29 values; good evaluation slices),
//! `target_ident` and `direction` (when set), `templ_id`.

use std::path::Path;

use vigil_core::{Category, Labels};

use super::collect::{numeric_key, Collector, Row};
use super::{ImportKind, MalformedReason, Spec};
use crate::error::DataError;

pub(super) const SPEC: Spec = Spec {
    license: "CC-BY-4.0",
    upstream: "paul-rottger/hatecheck-data (test_suite_cases.csv)",
    description: "HateCheck: 3,728 functional test cases for hate speech detection over 29 functionalities and 7 target groups (Röttger et al., 2021).",
    mapping: &[
        (Category::Hate, "label_gold hateful -> 1; non-hateful -> 0"),
        (Category::Unsafe, "hateful -> 1; non-hateful -> unknown (some are profane or abuse non-protected targets)"),
    ],
};

const FILE: &str = "test_suite_cases.csv";
const HEADER: [&str; 13] = [
    "",
    "functionality",
    "case_id",
    "test_case",
    "label_gold",
    "target_ident",
    "direction",
    "focus_words",
    "focus_lemma",
    "ref_case_id",
    "ref_templ_id",
    "templ_id",
    "case_templ",
];

pub(super) fn read(src: &Path, c: &mut Collector) -> Result<(), DataError> {
    super::collect::read_csv(ImportKind::HateCheck, src, FILE, b',', &HEADER, c, row)
}

fn row(r: &csv::StringRecord) -> Result<Row, MalformedReason> {
    let gold = &r[4];
    let labels = labels_for(gold.trim()).ok_or_else(|| MalformedReason::BadLabel {
        column: "label_gold".to_owned(),
        value: gold.to_owned(),
    })?;
    let mut meta = vec![("functionality", r[1].trim().to_owned())];
    let target = r[5].trim();
    if !target.is_empty() {
        meta.push(("target_ident", target.to_owned()));
    }
    let direction = r[6].trim();
    if !direction.is_empty() && direction != "-" {
        meta.push(("direction", direction.to_owned()));
    }
    let template = r[11].trim();
    if !template.is_empty() {
        meta.push(("templ_id", template.to_owned()));
    }
    Ok(Row {
        key: numeric_key("case_id", &r[2])?,
        text: r[3].to_owned(),
        labels,
        meta,
    })
}

/// The labels of a `label_gold` value; `None` for anything else.
fn labels_for(gold: &str) -> Option<Labels> {
    match gold {
        "hateful" => Some(
            Labels::new()
                .with(Category::Hate, true)
                .with(Category::Unsafe, true),
        ),
        "non-hateful" => Some(Labels::new().with(Category::Hate, false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_map_as_documented() {
        let hateful = labels_for("hateful").expect("hateful");
        assert_eq!(hateful.get(Category::Hate), Some(true));
        assert_eq!(hateful.get(Category::Unsafe), Some(true));
        let not = labels_for("non-hateful").expect("non-hateful");
        assert_eq!(not.get(Category::Hate), Some(false));
        assert_eq!(not.get(Category::Unsafe), None);
        assert!(labels_for("hatefull").is_none());
    }

    #[test]
    fn meta_keeps_slices_and_drops_placeholders() {
        let fields = [
            "0",
            "profanity_nh",
            "42",
            "Fuck this. ",
            "non-hateful",
            "",
            "-",
            "",
            "",
            "",
            "",
            "7",
            "",
        ];
        let r = row(&csv::StringRecord::from(fields.to_vec())).expect("valid row");
        assert_eq!(r.key, "00042");
        assert_eq!(
            r.meta,
            vec![
                ("functionality", "profanity_nh".to_owned()),
                ("templ_id", "7".to_owned())
            ]
        );
    }
}
