//! ToxiGen (Hartvigsen et al., 2022), the human-written demonstration
//! statements: a `demonstrations/` tree of `.txt` files, one statement a
//! line, named `hate_<group>[_sentences].txt` or
//! `neutral_<group>[_sentences].txt` in a folder per kind of group (`race`,
//! `religion`, …).
//!
//! | file name | hate | unsafe |
//! |---|---|---|
//! | `hate_*` | 1 | 1 |
//! | `neutral_*` | 0 | 0 |
//!
//! The neutral statements were written to be benign statements about the
//! same groups, so they are taken as safe. Blank lines are not rows; a
//! leading list dash (`- `) is stripped (none of the published lines has one). Files
//! named otherwise (`LICENSE.txt`) are not read. `src` may be the `toxigen`
//! folder, its `demonstrations` folder, or one statement file. Id:
//! `toxigen-<file stem>-<line>` (three digits). Meta: `target_group` (the
//! file's group, e.g. `middle_east`), `group_kind` (the folder, e.g.
//! `nationality`).

use std::fs;
use std::path::{Path, PathBuf};

use vigil_core::{Category, Labels};

use super::collect::{lines, Collector, Row};
use super::{ImportKind, Spec};
use crate::error::DataError;

pub(super) const SPEC: Spec = Spec {
    license: "MIT",
    upstream: "microsoft/TOXIGEN (demonstrations/)",
    description: "ToxiGen human-written demonstrations: hateful and neutral statements about 13 minority groups (Hartvigsen et al., 2022).",
    mapping: &[
        (Category::Hate, "file hate_* -> 1; neutral_* -> 0"),
        (Category::Unsafe, "file hate_* -> 1; neutral_* -> 0"),
    ],
};

pub(super) fn read(src: &Path, c: &mut Collector) -> Result<(), DataError> {
    for path in statement_files(src)? {
        let Some((hateful, stem)) = classify(&path) else {
            continue;
        };
        let group_kind = path
            .parent()
            .filter(|p| *p != src)
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned());
        let (source, bytes) = c.read_source(&path)?;
        for (line_no, line) in lines(&bytes) {
            if matches!(line, Ok(l) if l.trim().is_empty()) {
                continue;
            }
            let row = line.map(|l| Row {
                key: format!("{stem}-{line_no:03}"),
                text: statement(l).to_owned(),
                labels: labels_for(hateful),
                meta: meta(&stem, group_kind.as_deref()),
            });
            c.accept(&source, line_no, row)?;
        }
    }
    Ok(())
}

/// The statement files under `src`, sorted so that imports are reproducible.
fn statement_files(src: &Path) -> Result<Vec<PathBuf>, DataError> {
    if src.is_file() {
        return Ok(vec![src.to_owned()]);
    }
    let not_found = |path: &Path| {
        DataError::SourceNotFound {
        kind: ImportKind::ToxiGen,
        path: path.to_owned(),
        expected: "a folder (ToxiGen's, or its demonstrations/) holding hate_*.txt and neutral_*.txt files".to_owned(),
    }
    };
    if !src.is_dir() {
        return Err(not_found(src));
    }
    let mut files = Vec::new();
    walk(src, &mut files)?;
    files.retain(|p| classify(p).is_some());
    files.sort();
    if files.is_empty() {
        return Err(not_found(src));
    }
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), DataError> {
    let entries = fs::read_dir(dir).map_err(|e| DataError::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| DataError::io(dir, e))?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether a file holds hateful statements, and its stem; `None` for files
/// that are not statement files.
fn classify(path: &Path) -> Option<(bool, String)> {
    if path.extension()? != "txt" {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    if stem.starts_with("hate_") {
        Some((true, stem.to_owned()))
    } else if stem.starts_with("neutral_") {
        Some((false, stem.to_owned()))
    } else {
        None
    }
}

/// The statement on a line: trimmed, without a leading list dash.
fn statement(line: &str) -> &str {
    let line = line.trim();
    match line.strip_prefix('-') {
        Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => line,
    }
}

fn labels_for(hateful: bool) -> Labels {
    Labels::new()
        .with(Category::Hate, hateful)
        .with(Category::Unsafe, hateful)
}

fn meta(stem: &str, group_kind: Option<&str>) -> Vec<(&'static str, String)> {
    let group = stem
        .trim_start_matches("hate_")
        .trim_start_matches("neutral_")
        .trim_end_matches("_sentences");
    let mut meta = vec![("target_group", group.to_owned())];
    if let Some(kind) = group_kind {
        meta.push(("group_kind", kind.to_owned()));
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_give_the_labels() {
        let (hateful, stem) =
            classify(Path::new("race/hate_black_sentences.txt")).expect("a statement file");
        assert!(hateful);
        assert_eq!(stem, "hate_black_sentences");
        assert_eq!(
            classify(Path::new("x/neutral_lgbtq.txt")).map(|c| c.0),
            Some(false)
        );
        assert_eq!(classify(Path::new("LICENSE.txt")), None);
        assert_eq!(classify(Path::new("hate_x.csv")), None);
        let l = labels_for(false);
        assert_eq!(l.get(Category::Hate), Some(false));
        assert_eq!(l.get(Category::Unsafe), Some(false));
    }

    #[test]
    fn groups_and_dashes() {
        assert_eq!(
            meta("neutral_middle_east_sentences", Some("nationality")),
            vec![
                ("target_group", "middle_east".to_owned()),
                ("group_kind", "nationality".to_owned())
            ]
        );
        assert_eq!(
            meta("hate_lgbtq", None),
            vec![("target_group", "lgbtq".to_owned())]
        );
        assert_eq!(statement("- they are people\r"), "they are people");
        assert_eq!(statement("  plain "), "plain");
        assert_eq!(statement("-"), "");
        assert_eq!(statement("-5 degrees is cold"), "-5 degrees is cold");
    }
}
