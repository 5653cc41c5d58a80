//! Batch files for the Transparency Database's batch endpoint: at most
//! [`MAX_BATCH`] statements each, every statement checked before any file is
//! written.

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{StatementOfReasons, Violation};

/// The most statements the batch endpoint takes in one request.
pub const MAX_BATCH: usize = 100;

/// The body of one batch request, and the content of one batch file:
/// `{"statements": [ … ]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// One to [`MAX_BATCH`] statements.
    pub statements: Vec<StatementOfReasons>,
}

/// The borrowed form of [`Batch`] the writer serialises, so that statements
/// need not be cloned.
#[derive(Serialize)]
struct BatchView<'a> {
    statements: &'a [StatementOfReasons],
}

/// A statement refused before writing, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The statement's `puid`.
    pub puid: String,
    /// The rules it breaks.
    pub violations: Vec<Violation>,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "statement {:?}:", self.puid)?;
        for v in &self.violations {
            write!(f, "\n  - {v}")?;
        }
        Ok(())
    }
}

/// Why batch files were not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Some statements break the database's rules; nothing was written.
    #[error("{} statement(s) break the Transparency Database's rules, so no batch was written:\n{}", .refused.len(), list(.refused))]
    Invalid {
        /// Every refused statement, in input order.
        refused: Vec<Refused>,
    },
    /// Two statements share a `puid`, which the database never accepts
    /// twice; nothing was written.
    #[error("puid {puid:?} is used by statements {first} and {second} (counting from 1); a puid is never reused, so no batch was written")]
    DuplicatePuid {
        /// The repeated `puid`.
        puid: String,
        /// The first statement holding it, counting from 1.
        first: usize,
        /// The next one, counting from 1.
        second: usize,
    },
    /// The directory already holds batch files from an earlier run; they
    /// are not overwritten, lest statements be sent twice or mixed.
    #[error("{} already exists; write batches to an empty directory", .path.display())]
    AlreadyWritten {
        /// The existing batch file.
        path: PathBuf,
    },
    /// The file system refused.
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

fn list(refused: &[Refused]) -> String {
    let lines: Vec<String> = refused.iter().map(Refused::to_string).collect();
    lines.join("\n")
}

/// Write `statements` into `dir` as `statements-0001.json`,
/// `statements-0002.json`, …, each a [`Batch`] of at most [`MAX_BATCH`]
/// statements in input order, and return the paths written.
///
/// Every statement is validated first, and `puid`s must be distinct: if any
/// fails, nothing is written and the error names each failing `puid` with
/// its violations. `dir` is created if missing; if it already holds a batch
/// file, nothing is written. Each file is written under a temporary name
/// and renamed into place, so a file that exists is complete.
///
/// ```
/// # fn statement(puid: &str) -> vigil_dsa::StatementOfReasons { serde_json::from_str(&format!(r#"{{
/// #   "puid": "{puid}", "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
/// #   "incompatible_content_ground": "Terms §4", "incompatible_content_explanation": "Spam.",
/// #   "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "content_type": ["CONTENT_TYPE_TEXT"],
/// #   "content_date": "2025-01-01", "application_date": "2025-01-02",
/// #   "decision_facts": "Removed as spam.", "source_type": "SOURCE_VOLUNTARY",
/// #   "automated_detection": "Yes", "automated_decision": "AUTOMATED_DECISION_FULLY",
/// #   "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"]
/// # }}"#)).unwrap() }
/// use vigil_dsa::{write_batches, Batch};
///
/// let dir = tempfile::tempdir().unwrap();
/// let statements: Vec<_> = (0..150).map(|i| statement(&format!("d-{i}"))).collect();
/// let paths = write_batches(&dir.path().join("out"), &statements).unwrap();
/// assert_eq!(paths.len(), 2);
/// assert!(paths[1].ends_with("statements-0002.json"));
/// let second: Batch = serde_json::from_slice(&std::fs::read(&paths[1]).unwrap()).unwrap();
/// assert_eq!(second.statements.len(), 50);
/// ```
pub fn write_batches(
    dir: &Path,
    statements: &[StatementOfReasons],
) -> Result<Vec<PathBuf>, WriteError> {
    check_all(statements)?;
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Io {
        path: dir.to_owned(),
        source,
    })?;
    if let Some(path) = existing_batch(dir)? {
        return Err(WriteError::AlreadyWritten { path });
    }
    let mut paths = Vec::new();
    for (i, chunk) in statements.chunks(MAX_BATCH).enumerate() {
        let path = dir.join(batch_file_name(i + 1));
        let body = serde_json::to_vec_pretty(&BatchView { statements: chunk })
            .expect("a statement always serialises: its fields are strings, enums and lists");
        write_whole(&path, &body)?;
        paths.push(path);
    }
    Ok(paths)
}

/// `statements-0001.json` for the first batch.
fn batch_file_name(number: usize) -> String {
    format!("statements-{number:04}.json")
}

/// Every statement valid and every `puid` distinct.
fn check_all(statements: &[StatementOfReasons]) -> Result<(), WriteError> {
    let refused: Vec<Refused> = statements
        .iter()
        .filter_map(|s| {
            s.validate().err().map(|violations| Refused {
                puid: s.puid.clone(),
                violations,
            })
        })
        .collect();
    if !refused.is_empty() {
        return Err(WriteError::Invalid { refused });
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(statements.len());
    for (i, s) in statements.iter().enumerate() {
        if !seen.insert(&s.puid) {
            let first = statements
                .iter()
                .position(|t| t.puid == s.puid)
                .expect("a puid already seen is held by an earlier statement");
            return Err(WriteError::DuplicatePuid {
                puid: s.puid.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// A batch file already in `dir`, if any.
fn existing_batch(dir: &Path) -> Result<Option<PathBuf>, WriteError> {
    let io_error = |source| WriteError::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if is_batch_file_name(&name) {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// `statements-` + digits + `.json`.
fn is_batch_file_name(name: &str) -> bool {
    name.strip_prefix("statements-")
        .and_then(|rest| rest.strip_suffix(".json"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Write to a temporary name beside `path`, then rename into place.
fn write_whole(path: &Path, body: &[u8]) -> Result<(), WriteError> {
    let partial = path.with_extension("json.partial");
    let io_error = |source| WriteError::Io {
        path: path.to_owned(),
        source,
    };
    std::fs::write(&partial, body).map_err(io_error)?;
    std::fs::rename(&partial, path).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_file_names() {
        assert_eq!(batch_file_name(1), "statements-0001.json");
        assert_eq!(batch_file_name(12345), "statements-12345.json");
        assert!(is_batch_file_name("statements-0001.json"));
        assert!(!is_batch_file_name("statements-.json"));
        assert!(!is_batch_file_name("statements-0001.json.partial"));
        assert!(!is_batch_file_name("notes.json"));
    }
}
