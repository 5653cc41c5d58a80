//! ETHOS (Mollas et al., 2022), hate speech in YouTube and Reddit comments:
//! a folder with `Ethos_Dataset_Binary.csv` (`comment;isHate`, the fraction
//! of annotators who judged it hate) and `Ethos_Dataset_Multi_Label.csv`
//! (`comment` and eight label fractions: `violence`,
//! `directed_vs_generalized`, `gender`, `race`, `national_origin`,
//! `disability`, `religion`, `sexual_orientation`), both `;`-separated.
//!
//! | source | hate | unsafe | violence |
//! |---|---|---|---|
//! | binary `isHate >= 0.5` | 1 | 1 | from the multi-label row |
//! | binary `isHate < 0.5` | 0 | unknown | unknown |
//! | multi-label `violence >= 0.5` | | | 1 |
//! | multi-label `violence < 0.5` | | | 0 |
//!
//! The multi-label file holds the hateful comments only (433 rows, exactly
//! the binary rows with `isHate >= 0.5`), annotated further. Each
//! multi-label row is joined to the binary row with the same comment text
//! (both trimmed) and adds `violence` and the `multi_*` meta to it. Fourteen
//! of the published multi-label comments differ from their binary twin only
//! in whitespace (a no-break space where the other has a space), so when no
//! binary text matches exactly, the join falls back to the text with every
//! whitespace run collapsed to one space, if that names exactly one binary
//! row; each such join is noted in the report. A multi-label row that still
//! finds no binary row (none in the published files) is imported as its own
//! row, `ethos-multi-<row index>`, with hate = 1 and unsafe = 1 (the file is
//! the hateful subset) and its `violence`, and noted in the report.
//!
//! A non-hateful comment may still be violent or otherwise unsafe: those
//! were never annotated, so they stay unknown. Id: `ethos-<binary row
//! index>` (five digits, from 0). Meta: `is_hate` (the fraction as
//! published), and on joined rows `multi_<label>` for the eight fractions.

use std::collections::HashMap;
use std::path::Path;

use vigil_core::{Category, Labels};

use super::collect::{fraction, Collector, CsvRows, Row, Source};
use super::{ImportKind, MalformedReason, Spec};
use crate::error::DataError;

pub(super) const SPEC: Spec = Spec {
    license: "GPL-3.0",
    upstream: "intelligence-csd-auth-gr/Ethos-Hate-Speech-Dataset (ethos/ethos_data)",
    description: "ETHOS: YouTube and Reddit comments with the fraction of annotators judging them hate speech, and for the hateful ones, violence and target labels (Mollas et al., 2022).",
    mapping: &[
        (Category::Hate, "binary isHate >= 0.5 -> 1; < 0.5 -> 0"),
        (Category::Violence, "multi-label violence >= 0.5 -> 1; < 0.5 -> 0; comments without a multi-label row -> unknown"),
        (Category::Unsafe, "isHate >= 0.5 -> 1; < 0.5 -> unknown (not annotated for other harms)"),
    ],
};

const BINARY: &str = "Ethos_Dataset_Binary.csv";
const MULTI: &str = "Ethos_Dataset_Multi_Label.csv";
const BINARY_HEADER: [&str; 2] = ["comment", "isHate"];
const MULTI_HEADER: [&str; 9] = [
    "comment",
    "violence",
    "directed_vs_generalized",
    "gender",
    "race",
    "national_origin",
    "disability",
    "religion",
    "sexual_orientation",
];
/// The meta keys of the eight multi-label columns, in header order.
const MULTI_META: [&str; 8] = [
    "multi_violence",
    "multi_directed_vs_generalized",
    "multi_gender",
    "multi_race",
    "multi_national_origin",
    "multi_disability",
    "multi_religion",
    "multi_sexual_orientation",
];

/// A multi-label row that parsed.
struct MultiRow {
    line: u64,
    index: u64,
    text: String,
    violence: bool,
    meta: Vec<(&'static str, String)>,
}

/// A binary row: where it is, and the row if it parsed.
struct BinaryRow {
    line: u64,
    row: Result<Row, MalformedReason>,
}

pub(super) fn read(src: &Path, c: &mut Collector) -> Result<(), DataError> {
    let paths = super::collect::folder_with(ImportKind::Ethos, src, &[BINARY, MULTI])?;
    let (binary_source, binary_bytes) = c.read_source(&paths[0])?;
    let (multi_source, multi_bytes) = c.read_source(&paths[1])?;
    let mut binary = read_binary(&binary_source, &binary_bytes)?;
    let multi = read_multi(&multi_source, &multi_bytes, c)?;
    let joins = join(&binary, &multi);
    for (m, join) in multi.iter().zip(&joins) {
        match join {
            Join::Exact(b) | Join::Whitespace(b) => {
                if let Some(Ok(row)) = binary.get_mut(*b).map(|b| &mut b.row) {
                    row.labels.set(Category::Violence, m.violence);
                    row.meta.extend(m.meta.iter().cloned());
                }
            }
            Join::None => {}
        }
    }
    for b in binary {
        c.accept(&binary_source, b.line, b.row)?;
    }
    for (m, join) in multi.into_iter().zip(joins) {
        match join {
            Join::Exact(_) => c.joined(),
            Join::Whitespace(b) => {
                c.note(
                    &multi_source,
                    m.line,
                    format!("joined to ethos-{b:05} after collapsing whitespace"),
                );
                c.joined();
            }
            Join::None => {
                c.note(
                    &multi_source,
                    m.line,
                    format!(
                        "no binary row has this comment; imported as ethos-multi-{:05}",
                        m.index
                    ),
                );
                let row = multi_only_row(m);
                c.accept(&multi_source, row.0, Ok(row.1))?;
            }
        }
    }
    Ok(())
}

fn read_binary(source: &Source, bytes: &[u8]) -> Result<Vec<BinaryRow>, DataError> {
    let mut rows = CsvRows::new(bytes, b';', &source.path, &BINARY_HEADER)?;
    let mut out = Vec::new();
    let mut index = 0u64;
    while let Some((line, record)) = rows.next_row()? {
        let row = record.and_then(|r| binary_row(index, r));
        out.push(BinaryRow { line, row });
        index += 1;
    }
    Ok(out)
}

fn binary_row(index: u64, r: &csv::StringRecord) -> Result<Row, MalformedReason> {
    let is_hate = fraction("isHate", &r[1])? >= 0.5;
    let mut labels = Labels::new().with(Category::Hate, is_hate);
    if is_hate {
        labels.set(Category::Unsafe, true);
    }
    Ok(Row {
        key: format!("{index:05}"),
        text: r[0].trim().to_owned(),
        labels,
        meta: vec![("is_hate", r[1].trim().to_owned())],
    })
}

/// Parse the multi-label rows; malformed ones go to the collector at once
/// (they are read rows that will not be written).
fn read_multi(
    source: &Source,
    bytes: &[u8],
    c: &mut Collector,
) -> Result<Vec<MultiRow>, DataError> {
    let mut rows = CsvRows::new(bytes, b';', &source.path, &MULTI_HEADER)?;
    let mut out = Vec::new();
    let mut index = 0u64;
    while let Some((line, record)) = rows.next_row()? {
        match record.and_then(|r| multi_row(line, index, r)) {
            Ok(row) => out.push(row),
            Err(reason) => c.accept(source, line, Err(reason))?,
        }
        index += 1;
    }
    Ok(out)
}

fn multi_row(line: u64, index: u64, r: &csv::StringRecord) -> Result<MultiRow, MalformedReason> {
    let text = r[0].trim();
    if text.is_empty() {
        return Err(MalformedReason::EmptyText);
    }
    let violence = fraction("violence", &r[1])? >= 0.5;
    let meta = MULTI_META
        .iter()
        .zip(r.iter().skip(1))
        .map(|(key, value)| (*key, value.trim().to_owned()))
        .collect();
    Ok(MultiRow {
        line,
        index,
        text: text.to_owned(),
        violence,
        meta,
    })
}

fn multi_only_row(m: MultiRow) -> (u64, Row) {
    let labels = Labels::new()
        .with(Category::Hate, true)
        .with(Category::Unsafe, true)
        .with(Category::Violence, m.violence);
    let row = Row {
        key: format!("multi-{:05}", m.index),
        text: m.text,
        labels,
        meta: m.meta,
    };
    (m.line, row)
}

/// How one multi-label row found its binary row (by index in the binary rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Exact(usize),
    Whitespace(usize),
    None,
}

/// Join each multi-label row to at most one binary row, and each binary row
/// to at most one multi-label row: exact text first, then collapsed
/// whitespace when that names exactly one binary row.
fn join(binary: &[BinaryRow], multi: &[MultiRow]) -> Vec<Join> {
    let mut exact: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut collapsed: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, b) in binary.iter().enumerate() {
        if let Ok(row) = &b.row {
            exact.entry(row.text.as_str()).or_default().push(i);
            collapsed.entry(collapse(&row.text)).or_default().push(i);
        }
    }
    let mut taken = vec![false; binary.len()];
    let mut unique_free = |candidates: Option<&Vec<usize>>| match candidates.map(Vec::as_slice) {
        Some(&[i]) if !taken[i] => {
            taken[i] = true;
            Some(i)
        }
        _ => None,
    };
    multi
        .iter()
        .map(|m| {
            if let Some(i) = unique_free(exact.get(m.text.as_str())) {
                Join::Exact(i)
            } else if let Some(i) = unique_free(collapsed.get(&collapse(&m.text))) {
                Join::Whitespace(i)
            } else {
                Join::None
            }
        })
        .collect()
}

/// The text with every run of whitespace (no-break spaces included) made one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary(text: &str, hate: &str) -> BinaryRow {
        let record = csv::StringRecord::from(vec![text, hate]);
        BinaryRow {
            line: 0,
            row: binary_row(0, &record),
        }
    }

    fn multi(text: &str) -> MultiRow {
        MultiRow {
            line: 0,
            index: 0,
            text: text.to_owned(),
            violence: true,
            meta: Vec::new(),
        }
    }

    #[test]
    fn is_hate_maps_as_documented() {
        let hate = binary("x", "0.5").row.expect("valid");
        assert_eq!(hate.labels.get(Category::Hate), Some(true));
        assert_eq!(hate.labels.get(Category::Unsafe), Some(true));
        let not = binary("x", "0.4").row.expect("valid");
        assert_eq!(not.labels.get(Category::Hate), Some(false));
        assert_eq!(not.labels.get(Category::Unsafe), None);
        assert_eq!(not.labels.get(Category::Violence), None);
        assert!(binary("x", "yes").row.is_err());
    }

    #[test]
    fn joins_prefer_exact_text_then_collapsed_whitespace() {
        let b = [
            binary("a b", "1"),
            binary("c\u{a0} d", "1"),
            binary("e f", "1"),
            binary("e  f", "0"),
        ];
        let m = [
            multi("a b"),
            multi("c  d"),
            multi("e\u{a0}f"),
            multi("zzz"),
            multi("a b"),
        ];
        assert_eq!(
            join(&b, &m),
            vec![
                Join::Exact(0),
                Join::Whitespace(1),
                Join::None, // "e f" collapses to two binary rows: ambiguous
                Join::None,
                Join::None, // binary row 0 is taken already
            ]
        );
    }
}
