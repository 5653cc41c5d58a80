//! Label statistics of a data set: per split and category, how many records
//! have a known label and how many of those are positive.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;
use vigil_core::Category;

use crate::dataset::Dataset;
use crate::error::DataError;
use crate::record::{Record, Split};

/// Known and positive label counts of one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LabelCount {
    /// Records whose label is known (0 or 1).
    pub known: u64,
    /// Records whose label is 1.
    pub positive: u64,
}

/// The counts of one split (or of the whole set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SplitStats {
    /// Records.
    pub rows: u64,
    /// Per category with at least one known label.
    pub labels: BTreeMap<Category, LabelCount>,
}

impl SplitStats {
    /// The counts of one category (zero when no record knows it).
    pub fn label(&self, category: Category) -> LabelCount {
        self.labels.get(&category).copied().unwrap_or_default()
    }

    fn add(&mut self, record: &Record) {
        self.rows += 1;
        for (category, positive) in record.labels.iter() {
            let count = self.labels.entry(category).or_default();
            count.known += 1;
            count.positive += u64::from(positive);
        }
    }

    fn merge(&mut self, other: &SplitStats) {
        self.rows += other.rows;
        for (category, count) in &other.labels {
            let mine = self.labels.entry(*category).or_default();
            mine.known += count.known;
            mine.positive += count.positive;
        }
    }
}

/// Statistics of a data set. `Display` prints the table `vigil data stats` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// The set's name.
    pub name: String,
    /// The set's version.
    pub version: String,
    /// The `train` split.
    pub train: SplitStats,
    /// The `validation` split.
    pub validation: SplitStats,
    /// The `test` split.
    pub test: SplitStats,
}

impl Stats {
    /// Count the records of a data set.
    pub fn of(dataset: &Dataset) -> Stats {
        let mut stats = Stats {
            name: dataset.manifest.name.clone(),
            version: dataset.manifest.version.clone(),
            ..Stats::default()
        };
        for record in &dataset.records {
            stats.split_mut(record.split).add(record);
        }
        stats
    }

    /// The counts of one split.
    pub fn split(&self, split: Split) -> &SplitStats {
        match split {
            Split::Train => &self.train,
            Split::Validation => &self.validation,
            Split::Test => &self.test,
        }
    }

    fn split_mut(&mut self, split: Split) -> &mut SplitStats {
        match split {
            Split::Train => &mut self.train,
            Split::Validation => &mut self.validation,
            Split::Test => &mut self.test,
        }
    }

    /// The counts over all splits.
    pub fn all(&self) -> SplitStats {
        let mut all = SplitStats::default();
        for split in Split::ALL {
            all.merge(self.split(split));
        }
        all
    }
}

/// Open the data set in `dir` (with every check [`Dataset::open`] makes) and count it.
pub fn stats(dir: &Path) -> Result<Stats, DataError> {
    Dataset::open(dir).map(|d| Stats::of(&d))
}

/// Width of one number column.
const NUM: usize = 9;
/// Width of the category column.
const NAME: usize = 16;

impl fmt::Display for Stats {
    /// ```text
    /// davidson 1: 24783 rows
    ///                                train          validation                test                 all
    /// category             known  positive     known  positive     known  positive     known  positive
    /// (rows)               19978                2418                2387               24783
    /// hate                 19978      1166      2418       123      2387       141     24783      1430
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.all();
        let columns: [(&str, &SplitStats); 4] = [
            ("train", &self.train),
            ("validation", &self.validation),
            ("test", &self.test),
            ("all", &all),
        ];
        writeln!(f, "{} {}: {} rows", self.name, self.version, all.rows)?;
        let mut line = format!("{:NAME$}", "");
        for (name, _) in &columns {
            line += &format!(" {name:>width$}", width = 2 * NUM + 1);
        }
        writeln!(f, "{}", line.trim_end())?;
        line = format!("{:NAME$}", "category");
        for _ in &columns {
            line += &format!(" {:>NUM$} {:>NUM$}", "known", "positive");
        }
        writeln!(f, "{}", line.trim_end())?;
        line = format!("{:NAME$}", "(rows)");
        for (_, s) in &columns {
            line += &format!(" {:>NUM$} {:>NUM$}", s.rows, "");
        }
        writeln!(f, "{}", line.trim_end())?;
        for category in all.labels.keys() {
            line = format!("{:NAME$}", category.as_str());
            for (_, s) in &columns {
                let c = s.label(*category);
                line += &format!(" {:>NUM$} {:>NUM$}", c.known, c.positive);
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use vigil_core::{Item, Labels};

    use super::*;
    use crate::manifest::{Counts, LabelSchema, Manifest, Provenance};

    fn record(id: &str, split: Split, labels: Labels) -> Record {
        Record {
            item: Item::text(id, "t"),
            labels,
            split,
        }
    }

    fn dataset() -> Dataset {
        let hate = |v| Labels::new().with(Category::Hate, v);
        Dataset {
            manifest: Manifest {
                name: "tiny".into(),
                version: "1".into(),
                license: "CC0-1.0".into(),
                description: String::new(),
                items_sha256: String::new(),
                provenance: Provenance {
                    importer: "test".into(),
                    upstream: String::new(),
                    sources: Vec::new(),
                },
                labels: LabelSchema::default(),
                counts: Counts::default(),
            },
            records: vec![
                record("a", Split::Train, hate(true).with(Category::Unsafe, true)),
                record("b", Split::Train, hate(false)),
                record("c", Split::Train, Labels::new()),
                record("d", Split::Test, hate(true)),
            ],
        }
    }

    #[test]
    fn counts_known_and_positive_per_split() {
        let s = Stats::of(&dataset());
        assert_eq!(s.train.rows, 3);
        assert_eq!(
            s.train.label(Category::Hate),
            LabelCount {
                known: 2,
                positive: 1
            }
        );
        assert_eq!(
            s.train.label(Category::Unsafe),
            LabelCount {
                known: 1,
                positive: 1
            }
        );
        assert_eq!(s.validation.rows, 0);
        assert_eq!(
            s.test.label(Category::Hate),
            LabelCount {
                known: 1,
                positive: 1
            }
        );
        assert_eq!(s.test.label(Category::Unsafe), LabelCount::default());
        let all = s.all();
        assert_eq!(all.rows, 4);
        assert_eq!(
            all.label(Category::Hate),
            LabelCount {
                known: 3,
                positive: 2
            }
        );
        assert_eq!(all.label(Category::Sexual), LabelCount::default());
    }

    #[test]
    fn the_table_lists_every_known_category() {
        let table = Stats::of(&dataset()).to_string();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "tiny 1: 4 rows");
        assert!(lines[1].contains("validation") && lines[1].trim_end().ends_with("all"));
        assert!(lines[2].starts_with("category"));
        let hate: Vec<&str> = lines[4].split_whitespace().collect();
        assert_eq!(hate, ["hate", "2", "1", "0", "0", "1", "1", "3", "2"]);
        assert!(lines[5].starts_with("unsafe"));
        assert_eq!(lines.len(), 6, "{table}");
        assert!(
            lines.iter().all(|l| !l.ends_with(' ')),
            "no trailing spaces"
        );
    }
}
