//! Importers: public data sets, as published, into canonical data sets.
//!
//! One module per source. Each knows its files, checks their shape, maps
//! source labels to Vigil [`Category`] labels — leaving unknown what the
//! source does not say — and keeps useful source columns as `meta` extras.
//! The mapping of each is in its module documentation and in
//! `docs/datasets.md`. Every item gets `meta.source` = the importer's name,
//! `meta.lang` = `en`, an id `<kind>-<key>` (a stable key from the source, or
//! the row index), and the split [`crate::Split::for_id`] gives that id.
//!
//! A malformed row (wrong column count, unparsable label or key, empty text,
//! bad JSON, invalid UTF-8, duplicate key) is never dropped silently: with
//! [`OnMalformed::Skip`] it is listed in the [`ImportReport`] with its file
//! and line and counted in the manifest's `rows_skipped`; with
//! [`OnMalformed::Fail`] the import stops with [`DataError::Malformed`].
//! A source whose overall shape is wrong (header, top-level JSON) fails the
//! import whatever the setting, since none of its rows can be trusted.

mod collect;
mod davidson;
mod ethos;
mod hatecheck;
mod sms_spam;
mod toxicchat;
mod toxigen;
mod xstest;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use vigil_core::Category;

use crate::dataset::Dataset;
use crate::error::DataError;
use crate::manifest::{Counts, LabelSchema, Manifest, Provenance};
use collect::Collector;

/// The manifest `version` that importers write; bump it when a mapping changes.
pub const IMPORT_VERSION: &str = "1";

/// A public data set Vigil can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImportKind {
    /// Davidson et al. hate / offensive tweets (`davidson`).
    Davidson,
    /// ETHOS binary and multi-label hate speech (`ethos`).
    Ethos,
    /// ToxicChat human-annotated prompts, JUDGE-BENCH form (`toxicchat`).
    ToxicChat,
    /// UCI SMS Spam Collection (`sms-spam`).
    SmsSpam,
    /// XSTest exaggerated-safety prompts (`xstest`).
    XsTest,
    /// HateCheck functional tests (`hatecheck`).
    HateCheck,
    /// ToxiGen human-written demonstrations (`toxigen`).
    ToxiGen,
}

impl ImportKind {
    /// Every importer.
    pub const ALL: [ImportKind; 7] = [
        ImportKind::Davidson,
        ImportKind::Ethos,
        ImportKind::ToxicChat,
        ImportKind::SmsSpam,
        ImportKind::XsTest,
        ImportKind::HateCheck,
        ImportKind::ToxiGen,
    ];

    /// The importer's name, as the CLI takes it and ids and `meta.source` carry it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ImportKind::Davidson => "davidson",
            ImportKind::Ethos => "ethos",
            ImportKind::ToxicChat => "toxicchat",
            ImportKind::SmsSpam => "sms-spam",
            ImportKind::XsTest => "xstest",
            ImportKind::HateCheck => "hatecheck",
            ImportKind::ToxiGen => "toxigen",
        }
    }

    fn spec(self) -> &'static Spec {
        match self {
            ImportKind::Davidson => &davidson::SPEC,
            ImportKind::Ethos => &ethos::SPEC,
            ImportKind::ToxicChat => &toxicchat::SPEC,
            ImportKind::SmsSpam => &sms_spam::SPEC,
            ImportKind::XsTest => &xstest::SPEC,
            ImportKind::HateCheck => &hatecheck::SPEC,
            ImportKind::ToxiGen => &toxigen::SPEC,
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no importer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown importer `{0}`; the importers are davidson, ethos, toxicchat, sms-spam, xstest, hatecheck, toxigen")]
pub struct UnknownImportKind(pub String);

impl FromStr for ImportKind {
    type Err = UnknownImportKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownImportKind(s.to_owned()))
    }
}

/// What an import does with a malformed source row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OnMalformed {
    /// Leave it out, list it in the report and count it in the manifest.
    #[default]
    Skip,
    /// Stop the import with an error naming the file and line.
    Fail,
}

/// What is wrong with one source row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedReason {
    /// The row has the wrong number of columns.
    #[error("expected {expected} columns, found {found}")]
    ColumnCount {
        /// Columns in the header.
        expected: usize,
        /// Columns in the row.
        found: usize,
    },
    /// A label column holds a value the mapping does not know.
    #[error("column `{column}` holds {value:?}, which is not a label this importer knows")]
    BadLabel {
        /// The column (or JSON field).
        column: String,
        /// The value found.
        value: String,
    },
    /// The column that gives the item its id holds no usable key.
    #[error("column `{column}` holds {value:?}, which is not a usable row key")]
    BadKey {
        /// The column (or JSON field).
        column: String,
        /// The value found.
        value: String,
    },
    /// The text is empty once surrounding whitespace is trimmed.
    #[error("the text is empty")]
    EmptyText,
    /// The row is not valid JSON of the expected shape.
    #[error("bad JSON: {message}")]
    BadJson {
        /// The parser's message.
        message: String,
    },
    /// The row is not valid UTF-8.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// The row's id is already taken by an earlier row.
    #[error("item id `{id}` is already used at {first}")]
    DuplicateId {
        /// The id.
        id: String,
        /// `file:line` of the first use.
        first: String,
    },
}

/// A source row left out of the data set, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The source file, relative to the source folder.
    pub file: String,
    /// 1-based line number where the row starts.
    pub line: u64,
    /// What is wrong with it.
    pub reason: MalformedReason,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Something an importer did that a reader of the report should know about
/// (an ETHOS join made after normalising whitespace, a row with no partner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The source file, relative to the source folder.
    pub file: String,
    /// 1-based line number of the row concerned.
    pub line: u64,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// The outcome of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The importer.
    pub kind: ImportKind,
    /// The data set folder written.
    pub out: PathBuf,
    /// The manifest written (counts, coverage, provenance).
    pub manifest: Manifest,
    /// Rows skipped as malformed, in source order.
    pub malformed: Vec<Malformed>,
    /// Other things worth knowing.
    pub notes: Vec<Note>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.manifest.counts;
        write!(
            f,
            "{}: read {} rows, wrote {} (train {}, validation {}, test {}), skipped {} malformed",
            self.kind,
            c.rows_read,
            c.rows_written,
            c.splits.train,
            c.splits.validation,
            c.splits.test,
            c.rows_skipped
        )?;
        if c.rows_joined > 0 {
            write!(f, ", joined {} into other rows", c.rows_joined)?;
        }
        writeln!(f, " -> {}", self.out.display())?;
        for m in &self.malformed {
            writeln!(f, "  skipped {m}")?;
        }
        for n in &self.notes {
            writeln!(f, "  note {n}")?;
        }
        Ok(())
    }
}

/// What an importer declares about its source, for the manifest.
pub(crate) struct Spec {
    license: &'static str,
    upstream: &'static str,
    description: &'static str,
    /// Plain-text mapping per category the importer can label.
    mapping: &'static [(Category, &'static str)],
}

/// Import a public data set from `src` (its folder, or for single-file sets
/// the file itself) into a canonical data set folder `out`.
///
/// ```no_run
/// use std::path::Path;
/// use vigil_data::{import, ImportKind, OnMalformed};
///
/// let report = import(
///     ImportKind::SmsSpam,
///     Path::new("../shared/data/text/sms-spam"),
///     Path::new("datasets/sms-spam"),
///     OnMalformed::Skip,
/// )?;
/// print!("{report}");
/// # Ok::<(), vigil_data::DataError>(())
/// ```
pub fn import(
    kind: ImportKind,
    src: &Path,
    out: &Path,
    on_malformed: OnMalformed,
) -> Result<ImportReport, DataError> {
    let (mut dataset, malformed, notes) = convert(kind, src, on_malformed)?;
    dataset.write(out)?;
    Ok(ImportReport {
        kind,
        out: out.to_owned(),
        manifest: dataset.manifest,
        malformed,
        notes,
    })
}

/// Read and map a source without writing anything. The manifest's derived
/// fields (digest, coverage, split counts) are filled in by [`Dataset::write`].
pub(crate) fn convert(
    kind: ImportKind,
    src: &Path,
    on_malformed: OnMalformed,
) -> Result<(Dataset, Vec<Malformed>, Vec<Note>), DataError> {
    let mut collector = Collector::new(kind, src, on_malformed);
    match kind {
        ImportKind::Davidson => davidson::read(src, &mut collector)?,
        ImportKind::Ethos => ethos::read(src, &mut collector)?,
        ImportKind::ToxicChat => toxicchat::read(src, &mut collector)?,
        ImportKind::SmsSpam => sms_spam::read(src, &mut collector)?,
        ImportKind::XsTest => xstest::read(src, &mut collector)?,
        ImportKind::HateCheck => hatecheck::read(src, &mut collector)?,
        ImportKind::ToxiGen => toxigen::read(src, &mut collector)?,
    }
    let collected = collector.finish();
    let spec = kind.spec();
    let covered = crate::manifest::covered_categories(&collected.records);
    let manifest = Manifest {
        name: kind.as_str().to_owned(),
        version: IMPORT_VERSION.to_owned(),
        license: spec.license.to_owned(),
        description: spec.description.to_owned(),
        items_sha256: String::new(),
        provenance: Provenance {
            importer: kind.as_str().to_owned(),
            upstream: spec.upstream.to_owned(),
            sources: collected.sources,
        },
        labels: LabelSchema {
            mapping: spec
                .mapping
                .iter()
                .filter(|(c, _)| covered.contains(c))
                .map(|(c, text)| (*c, (*text).to_owned()))
                .collect(),
            covered,
        },
        counts: Counts {
            rows_read: collected.rows_read,
            rows_written: collected.records.len() as u64,
            rows_skipped: collected.malformed.len() as u64,
            rows_joined: collected.rows_joined,
            splits: crate::manifest::SplitCounts::of(&collected.records),
        },
    };
    let dataset = Dataset {
        manifest,
        records: collected.records,
    };
    Ok((dataset, collected.malformed, collected.notes))
}

#[cfg(test)]
mod tests;
