//! `dataset.toml`: what a data set is, where it came from, what its labels
//! mean, how many rows it has, and the digest of its items.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use vigil_core::Category;

use crate::record::{Record, Split};

/// The manifest of a data set (`dataset.toml`).
///
/// ```toml
/// name = "davidson"
/// version = "1"
/// license = "MIT"
/// description = "Tweets labelled hate speech, offensive, or neither."
/// items_sha256 = "sha256:…"
///
/// [provenance]
/// importer = "davidson"
/// upstream = "t-davidson/hate-speech-and-offensive-language (data/labeled_data.csv)"
///
/// [[provenance.sources]]
/// path = "labeled_data.csv"
/// sha256 = "sha256:…"
///
/// [labels]
/// covered = ["hate", "profanity", "unsafe"]
///
/// [labels.mapping]
/// hate = "class 0 (hate speech) -> 1; class 1 (offensive) and 2 (neither) -> 0"
/// profanity = "class 1 (offensive) -> 1; class 2 (neither) -> 0; class 0 (hate speech) -> unknown"
/// unsafe = "class 0 and 1 -> 1; class 2 -> 0"
///
/// [counts]
/// rows_read = 24783
/// rows_written = 24783
/// rows_skipped = 0
///
/// [counts.splits]
/// train = 19978
/// validation = 2418
/// test = 2387
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Short name (`davidson`).
    pub name: String,
    /// Version of the set's contents; importers write [`crate::IMPORT_VERSION`]
    /// and bump it when a mapping changes.
    pub version: String,
    /// SPDX-style licence of the data (`MIT`, `CC-BY-4.0`).
    pub license: String,
    /// One or two sentences on what the set holds.
    pub description: String,
    /// `sha256:` + hex digest of the bytes of `items.jsonl`.
    pub items_sha256: String,
    /// Where the data came from.
    pub provenance: Provenance,
    /// Which categories the set labels, and how.
    pub labels: LabelSchema,
    /// Row counts.
    pub counts: Counts,
}

/// Where a data set came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The importer that made the set (`davidson`, …), or the tool or person
    /// for a set made another way.
    pub importer: String,
    /// The upstream repository and path, as `shared/data/README.md` names it.
    pub upstream: String,
    /// The source files read, with their digests.
    #[serde(default)]
    pub sources: Vec<SourceFile>,
}

/// One source file an importer read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Path relative to the source folder given to the importer, `/`-separated.
    pub path: String,
    /// `sha256:` + hex digest of the file's bytes.
    pub sha256: String,
}

/// The label schema: the categories the set covers and what each means here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSchema {
    /// The categories with at least one known label, in category order.
    pub covered: Vec<Category>,
    /// For each covered category, in plain words, which source values give
    /// 1, which give 0, and when it is left unknown.
    pub mapping: BTreeMap<Category, String>,
}

/// Row counts. `rows_read = rows_written + rows_skipped + rows_joined`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Data rows read from the sources (headers and blank lines are not rows).
    pub rows_read: u64,
    /// Records written to `items.jsonl`.
    pub rows_written: u64,
    /// Rows skipped as malformed (each is listed in the import report).
    pub rows_skipped: u64,
    /// Rows merged into another row rather than written on their own (ETHOS
    /// multi-label rows joined to their binary row).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rows_joined: u64,
    /// Records per split.
    pub splits: SplitCounts,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Records per split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitCounts {
    /// Records in `train`.
    pub train: u64,
    /// Records in `validation`.
    pub validation: u64,
    /// Records in `test`.
    pub test: u64,
}

impl SplitCounts {
    /// Count the records of each split.
    pub fn of(records: &[Record]) -> SplitCounts {
        let mut counts = SplitCounts::default();
        for r in records {
            *counts.get_mut(r.split) += 1;
        }
        counts
    }

    /// The count of one split.
    pub fn get(&self, split: Split) -> u64 {
        match split {
            Split::Train => self.train,
            Split::Validation => self.validation,
            Split::Test => self.test,
        }
    }

    fn get_mut(&mut self, split: Split) -> &mut u64 {
        match split {
            Split::Train => &mut self.train,
            Split::Validation => &mut self.validation,
            Split::Test => &mut self.test,
        }
    }

    /// The sum over splits.
    pub fn total(&self) -> u64 {
        self.train + self.validation + self.test
    }
}

/// The categories with at least one known label among `records`, in category order.
pub fn covered_categories(records: &[Record]) -> Vec<Category> {
    let known: BTreeSet<Category> = records
        .iter()
        .flat_map(|r| r.labels.iter().map(|(c, _)| c))
        .collect();
    known.into_iter().collect()
}

impl Manifest {
    /// Every way the manifest contradicts itself, as readable sentences;
    /// empty when it is consistent.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push("name is empty".to_owned());
        }
        if !is_sha256(&self.items_sha256) {
            problems.push(format!(
                "items_sha256 = {:?} is not `sha256:` followed by 64 lower-case hex digits",
                self.items_sha256
            ));
        }
        for source in &self.provenance.sources {
            if !is_sha256(&source.sha256) {
                problems.push(format!(
                    "provenance source {}: sha256 = {:?} is not `sha256:` followed by 64 lower-case hex digits",
                    source.path, source.sha256
                ));
            }
        }
        for c in &self.labels.covered {
            if !self.labels.mapping.contains_key(c) {
                problems.push(format!(
                    "labels.covered has `{c}` but labels.mapping does not describe it"
                ));
            }
        }
        for c in self.labels.mapping.keys() {
            if !self.labels.covered.contains(c) {
                problems.push(format!(
                    "labels.mapping describes `{c}`, which labels.covered does not list"
                ));
            }
        }
        let c = &self.counts;
        if c.splits.total() != c.rows_written {
            problems.push(format!(
                "counts.splits add up to {} but counts.rows_written = {}",
                c.splits.total(),
                c.rows_written
            ));
        }
        if c.rows_read != c.rows_written + c.rows_skipped + c.rows_joined {
            problems.push(format!(
                "counts.rows_read = {} but rows_written + rows_skipped + rows_joined = {}",
                c.rows_read,
                c.rows_written + c.rows_skipped + c.rows_joined
            ));
        }
        problems
    }

    /// How the records disagree with the manifest's counts and coverage.
    pub fn disagreements_with(&self, records: &[Record]) -> Vec<String> {
        let mut problems = Vec::new();
        let splits = SplitCounts::of(records);
        if splits != self.counts.splits {
            problems.push(format!(
                "counts.splits say train {}, validation {}, test {} but the items hold {}, {}, {}",
                self.counts.splits.train,
                self.counts.splits.validation,
                self.counts.splits.test,
                splits.train,
                splits.validation,
                splits.test
            ));
        }
        let covered = covered_categories(records);
        if covered != self.labels.covered {
            problems.push(format!(
                "labels.covered = [{}] but the items have known labels for [{}]",
                join(&self.labels.covered),
                join(&covered)
            ));
        }
        problems
    }
}

fn join(categories: &[Category]) -> String {
    categories
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_sha256(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            name: "sample".into(),
            version: "1".into(),
            license: "CC0-1.0".into(),
            description: "A sample.".into(),
            items_sha256: vigil_core::sha256_hex(b""),
            provenance: Provenance {
                importer: "hand".into(),
                upstream: "none".into(),
                sources: vec![SourceFile {
                    path: "a/b.csv".into(),
                    sha256: vigil_core::sha256_hex(b"x"),
                }],
            },
            labels: LabelSchema {
                covered: vec![Category::Hate, Category::Unsafe],
                mapping: [
                    (Category::Hate, "hateful -> 1".to_owned()),
                    (Category::Unsafe, "hateful -> 1".to_owned()),
                ]
                .into(),
            },
            counts: Counts {
                rows_read: 3,
                rows_written: 2,
                rows_skipped: 1,
                rows_joined: 0,
                splits: SplitCounts {
                    train: 2,
                    validation: 0,
                    test: 0,
                },
            },
        }
    }

    #[test]
    fn toml_round_trips() {
        let m = sample();
        let text = toml::to_string(&m).expect("a manifest serialises");
        assert!(text.contains("[labels.mapping]"), "{text}");
        assert!(text.contains("covered = [\"hate\", \"unsafe\"]"), "{text}");
        assert!(
            !text.contains("rows_joined"),
            "zero joins are left out: {text}"
        );
        let back: Manifest = toml::from_str(&text).expect("round trip");
        assert_eq!(back, m);
        assert!(m.problems().is_empty(), "{:?}", m.problems());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = toml::to_string(&sample()).expect("serialises") + "\nextra = 1\n";
        let err = toml::from_str::<Manifest>(&text).expect_err("unknown key refused");
        assert!(err.to_string().contains("extra"), "{err}");
        let bad_category = toml::to_string(&sample())
            .expect("serialises")
            .replace("covered = [\"hate\"", "covered = [\"hat\"");
        assert!(toml::from_str::<Manifest>(&bad_category).is_err());
    }

    #[test]
    fn every_inconsistency_is_reported() {
        let mut m = sample();
        m.items_sha256 = "abc".into();
        m.labels.covered.push(Category::Violence);
        m.labels.mapping.insert(Category::Sexual, "?".into());
        m.counts.rows_read = 10;
        m.counts.splits.test = 5;
        let problems = m.problems();
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems.iter().any(|p| p.contains("items_sha256")));
        assert!(problems.iter().any(|p| p.contains("`violence`")));
        assert!(problems.iter().any(|p| p.contains("`sexual`")));
        assert!(problems
            .iter()
            .any(|p| p.contains("rows_written + rows_skipped")));
        assert!(problems
            .iter()
            .any(|p| p.contains("counts.splits add up to 7")));
    }
}
