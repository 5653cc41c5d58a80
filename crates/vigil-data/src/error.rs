//! The errors of reading, writing and importing data sets; each names the file
//! and, where there is one, the line.

use std::path::{Path, PathBuf};

use crate::import::{ImportKind, MalformedReason};

/// Why a data set could not be read, written or imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A file or folder could not be read or written.
    #[error("cannot read or write {path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A line of `items.jsonl` is not a valid record.
    #[error("{path}:{line}: {message}")]
    BadRecord {
        /// The items file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The parser's message.
        message: String,
    },

    /// Two records of `items.jsonl` share an id.
    #[error("{path}:{line}: duplicate item id `{id}` (first used at line {first_line})")]
    DuplicateId {
        /// The items file.
        path: PathBuf,
        /// 1-based line number of the second use.
        line: u64,
        /// The id.
        id: String,
        /// 1-based line number of the first use.
        first_line: u64,
    },

    /// `items.jsonl` does not hash to the manifest's `items_sha256`.
    #[error(
        "{items}: hashes to {actual} but {manifest} says items_sha256 = {expected}; \
         the items changed after the manifest was written (re-import or re-write the set)"
    )]
    DigestMismatch {
        /// The manifest.
        manifest: PathBuf,
        /// The items file.
        items: PathBuf,
        /// The digest the manifest records.
        expected: String,
        /// The digest of the bytes on disk.
        actual: String,
    },

    /// `dataset.toml` does not parse as a manifest.
    #[error("{path}: {message}")]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// The TOML parser's message (with line and column).
        message: String,
    },

    /// The manifest parses but contradicts itself or the items.
    #[error("{path}: the manifest is inconsistent:\n  {}", problems.join("\n  "))]
    InvalidManifest {
        /// The manifest.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<String>,
    },

    /// A record or manifest could not be encoded.
    #[error("{path}: cannot encode: {message}")]
    Encode {
        /// The file being written.
        path: PathBuf,
        /// The encoder's message.
        message: String,
    },

    /// A source row is malformed and the import was asked to fail on such rows.
    #[error("{path}:{line}: malformed row: {reason}")]
    Malformed {
        /// The source file.
        path: PathBuf,
        /// 1-based line number where the row starts.
        line: u64,
        /// What is wrong with it.
        reason: MalformedReason,
    },

    /// A source file is not in the shape its importer expects (wrong header,
    /// not JSON, …); no row of it can be trusted.
    #[error("{path}: {message}")]
    BadSource {
        /// The source file.
        path: PathBuf,
        /// What is wrong, with a line number where there is one.
        message: String,
    },

    /// The importer's source file or folder is not where it was pointed.
    #[error("{kind}: no source at {path}: {expected}")]
    SourceNotFound {
        /// The importer.
        kind: ImportKind,
        /// The path given, or the file looked for in the folder given.
        path: PathBuf,
        /// What the importer expects there.
        expected: String,
    },
}

impl DataError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: &Path, source: std::io::Error) -> DataError {
        DataError::Io {
            path: path.to_owned(),
            source,
        }
    }
}
