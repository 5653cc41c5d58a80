//! Davidson et al. (2017), hate speech and offensive language in tweets
//! (`labeled_data.csv`).
//!
//! Columns: an unnamed row index, `count` (annotators), `hate_speech`,
//! `offensive_language`, `neither` (annotators choosing each), `class` (the
//! majority), `tweet`.
//!
//! | `class` | hate | profanity | unsafe |
//! |---|---|---|---|
//! | 0 (hate speech) | 1 | unknown | 1 |
//! | 1 (offensive, not hate) | 0 | 1 | 1 |
//! | 2 (neither) | 0 | 0 | 0 |
//!
//! Hate speech is usually profane too, but the scheme did not ask, so
//! profanity stays unknown for class 0. Id: `davidson-<row index>` (five
//! digits). Meta: `annotators`, `votes_hate`, `votes_offensive`,
//! `votes_neither`, `class`.

use std::path::Path;

use vigil_core::{Category, Labels};

use super::collect::{numeric_key, Collector, Row};
use super::{ImportKind, MalformedReason, Spec};
use crate::error::DataError;

pub(super) const SPEC: Spec = Spec {
    license: "MIT",
    upstream: "t-davidson/hate-speech-and-offensive-language (data/labeled_data.csv)",
    description: "Tweets labelled by CrowdFlower annotators as hate speech, offensive but not hate, or neither (Davidson et al., 2017).",
    mapping: &[
        (Category::Hate, "class 0 (hate speech) -> 1; class 1 (offensive) and 2 (neither) -> 0"),
        (Category::Profanity, "class 1 (offensive) -> 1; class 2 (neither) -> 0; class 0 (hate speech) -> unknown"),
        (Category::Unsafe, "class 0 and 1 -> 1; class 2 -> 0"),
    ],
};

const FILE: &str = "labeled_data.csv";
const HEADER: [&str; 7] = [
    "",
    "count",
    "hate_speech",
    "offensive_language",
    "neither",
    "class",
    "tweet",
];

pub(super) fn read(src: &Path, c: &mut Collector) -> Result<(), DataError> {
    super::collect::read_csv(ImportKind::Davidson, src, FILE, b',', &HEADER, c, row)
}

fn row(r: &csv::StringRecord) -> Result<Row, MalformedReason> {
    let class = &r[5];
    let labels = class
        .trim()
        .parse::<u8>()
        .ok()
        .and_then(labels_for_class)
        .ok_or_else(|| MalformedReason::BadLabel {
            column: "class".to_owned(),
            value: class.to_owned(),
        })?;
    Ok(Row {
        key: numeric_key("(row index)", &r[0])?,
        text: r[6].to_owned(),
        labels,
        meta: vec![
            ("annotators", r[1].trim().to_owned()),
            ("votes_hate", r[2].trim().to_owned()),
            ("votes_offensive", r[3].trim().to_owned()),
            ("votes_neither", r[4].trim().to_owned()),
            ("class", class.trim().to_owned()),
        ],
    })
}

/// The labels of a Davidson `class`; `None` for a class the scheme does not have.
fn labels_for_class(class: u8) -> Option<Labels> {
    let labels = Labels::new();
    match class {
        0 => Some(
            labels
                .with(Category::Hate, true)
                .with(Category::Unsafe, true),
        ),
        1 => Some(
            labels
                .with(Category::Hate, false)
                .with(Category::Profanity, true)
                .with(Category::Unsafe, true),
        ),
        2 => Some(
            labels
                .with(Category::Hate, false)
                .with(Category::Profanity, false)
                .with(Category::Unsafe, false),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_as_documented() {
        let hate = labels_for_class(0).expect("class 0");
        assert_eq!(hate.get(Category::Hate), Some(true));
        assert_eq!(hate.get(Category::Profanity), None, "not asked: unknown");
        assert_eq!(hate.get(Category::Unsafe), Some(true));
        let offensive = labels_for_class(1).expect("class 1");
        assert_eq!(offensive.get(Category::Hate), Some(false));
        assert_eq!(offensive.get(Category::Profanity), Some(true));
        assert_eq!(offensive.get(Category::Unsafe), Some(true));
        let neither = labels_for_class(2).expect("class 2");
        assert_eq!(
            neither.iter().collect::<Vec<_>>(),
            vec![
                (Category::Hate, false),
                (Category::Profanity, false),
                (Category::Unsafe, false)
            ]
        );
        assert!(labels_for_class(3).is_none());
        for (c, _) in neither.iter() {
            assert!(
                SPEC.mapping.iter().any(|(m, _)| *m == c),
                "{c} is documented"
            );
        }
    }
}
