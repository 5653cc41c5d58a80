//! The machinery every importer shares: finding source files, reading them
//! into provenance, splitting lines and CSV rows with their line numbers, and
//! collecting rows into records while keeping count of what was left out.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use vigil_core::{sha256_hex, Item, Labels};

use super::{ImportKind, Malformed, MalformedReason, Note, OnMalformed};
use crate::error::DataError;
use crate::manifest::SourceFile;
use crate::record::{Record, Split};

/// One source row, mapped: everything but the parts the collector adds
/// (id prefix, `meta.source`, `meta.lang`, split).
pub(super) struct Row {
    /// The row's stable key; the id is `<kind>-<key>`.
    pub key: String,
    /// The text as in the source; the collector trims surrounding whitespace.
    pub text: String,
    /// Known labels.
    pub labels: Labels,
    /// Source columns kept as `meta` extras.
    pub meta: Vec<(&'static str, String)>,
}

/// A source file that has been read: its full path for errors, and its name
/// relative to the source folder for reports and provenance.
pub(super) struct Source {
    pub path: PathBuf,
    pub name: String,
}

/// What a finished collection holds.
pub(super) struct Collected {
    pub records: Vec<Record>,
    pub sources: Vec<SourceFile>,
    pub rows_read: u64,
    pub rows_joined: u64,
    pub malformed: Vec<Malformed>,
    pub notes: Vec<Note>,
}

/// Gathers an importer's rows into records, enforcing the rules every
/// importer shares: text is trimmed and non-empty, ids are unique, and every
/// row read is either written, skipped (and listed) or joined.
pub(super) struct Collector {
    kind: ImportKind,
    on_malformed: OnMalformed,
    /// The folder source names are relative to.
    root: PathBuf,
    sources: Vec<SourceFile>,
    records: Vec<Record>,
    /// Where each id was first used, as `file:line`.
    first_use: HashMap<String, String>,
    rows_read: u64,
    rows_joined: u64,
    malformed: Vec<Malformed>,
    notes: Vec<Note>,
}

impl Collector {
    /// A collector for `kind` reading from `src` (a folder or a file).
    pub fn new(kind: ImportKind, src: &Path, on_malformed: OnMalformed) -> Collector {
        let root = if src.is_dir() {
            src.to_owned()
        } else {
            src.parent().map(Path::to_owned).unwrap_or_default()
        };
        Collector {
            kind,
            on_malformed,
            root,
            sources: Vec::new(),
            records: Vec::new(),
            first_use: HashMap::new(),
            rows_read: 0,
            rows_joined: 0,
            malformed: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Read a source file whole and record it, with its digest, in the provenance.
    pub fn read_source(&mut self, path: &Path) -> Result<(Source, Vec<u8>), DataError> {
        let bytes = fs::read(path).map_err(|e| DataError::io(path, e))?;
        let name = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        self.sources.push(SourceFile {
            path: name.clone(),
            sha256: sha256_hex(&bytes),
        });
        let source = Source {
            path: path.to_owned(),
            name,
        };
        Ok((source, bytes))
    }

    /// Take one source row: write it as a record, or, if it is malformed,
    /// skip it or fail as asked.
    pub fn accept(
        &mut self,
        source: &Source,
        line: u64,
        row: Result<Row, MalformedReason>,
    ) -> Result<(), DataError> {
        self.rows_read += 1;
        match row.and_then(|row| self.record_of(source, line, row)) {
            Ok(record) => {
                self.records.push(record);
                Ok(())
            }
            Err(reason) => self.malformed(source, line, reason),
        }
    }

    /// Count a row that was read and merged into another row's record.
    pub fn joined(&mut self) {
        self.rows_read += 1;
        self.rows_joined += 1;
    }

    /// Record a note for the report.
    pub fn note(&mut self, source: &Source, line: u64, message: String) {
        self.notes.push(Note {
            file: source.name.clone(),
            line,
            message,
        });
    }

    /// The records and counts.
    pub fn finish(self) -> Collected {
        Collected {
            records: self.records,
            sources: self.sources,
            rows_read: self.rows_read,
            rows_joined: self.rows_joined,
            malformed: self.malformed,
            notes: self.notes,
        }
    }

    fn record_of(
        &mut self,
        source: &Source,
        line: u64,
        row: Row,
    ) -> Result<Record, MalformedReason> {
        let text = row.text.trim();
        if text.is_empty() {
            return Err(MalformedReason::EmptyText);
        }
        let id = format!("{}-{}", self.kind, row.key);
        if let Some(first) = self.first_use.get(&id) {
            return Err(MalformedReason::DuplicateId {
                id,
                first: first.clone(),
            });
        }
        self.first_use
            .insert(id.clone(), format!("{}:{line}", source.name));
        let mut item = Item::text(id, text);
        item.meta.source = Some(self.kind.as_str().to_owned());
        item.meta.lang = Some("en".to_owned());
        for (key, value) in row.meta {
            item.meta.extra.insert(key.to_owned(), value);
        }
        let split = Split::for_id(&item.id);
        Ok(Record {
            item,
            labels: row.labels,
            split,
        })
    }

    fn malformed(
        &mut self,
        source: &Source,
        line: u64,
        reason: MalformedReason,
    ) -> Result<(), DataError> {
        match self.on_malformed {
            OnMalformed::Fail => Err(DataError::Malformed {
                path: source.path.clone(),
                line,
                reason,
            }),
            OnMalformed::Skip => {
                self.malformed.push(Malformed {
                    file: source.name.clone(),
                    line,
                    reason,
                });
                Ok(())
            }
        }
    }
}

/// Read one delimited file whose rows map one-to-one onto items: find it,
/// check its header, and hand each row (or its malformation) to the collector.
pub(super) fn read_csv(
    kind: ImportKind,
    src: &Path,
    file: &str,
    delimiter: u8,
    header: &[&str],
    c: &mut Collector,
    row: fn(&csv::StringRecord) -> Result<Row, MalformedReason>,
) -> Result<(), DataError> {
    let path = file_in(kind, src, file)?;
    let (source, bytes) = c.read_source(&path)?;
    let mut rows = CsvRows::new(&bytes, delimiter, &source.path, header)?;
    while let Some((line, record)) = rows.next_row()? {
        c.accept(&source, line, record.and_then(row))?;
    }
    Ok(())
}

/// The file `name` in the folder `src`, or `src` itself when it is a file.
pub(super) fn file_in(kind: ImportKind, src: &Path, name: &str) -> Result<PathBuf, DataError> {
    if src.is_file() {
        return Ok(src.to_owned());
    }
    let path = src.join(name);
    if src.is_dir() && path.is_file() {
        return Ok(path);
    }
    Err(DataError::SourceNotFound {
        kind,
        path: if src.is_dir() { path } else { src.to_owned() },
        expected: format!("`{name}`, or a folder holding it"),
    })
}

/// `src`, which must be a folder holding every file of `names`.
pub(super) fn folder_with(
    kind: ImportKind,
    src: &Path,
    names: &[&str],
) -> Result<Vec<PathBuf>, DataError> {
    let expected = || format!("a folder holding {}", names.join(" and "));
    if !src.is_dir() {
        return Err(DataError::SourceNotFound {
            kind,
            path: src.to_owned(),
            expected: expected(),
        });
    }
    names
        .iter()
        .map(|name| {
            let path = src.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(DataError::SourceNotFound {
                    kind,
                    path,
                    expected: expected(),
                })
            }
        })
        .collect()
}

/// The lines of a text file with their 1-based numbers, without the line
/// ending (`\n` or `\r\n`). A final line ending does not start another line.
pub(super) fn lines(bytes: &[u8]) -> impl Iterator<Item = (u64, Result<&str, MalformedReason>)> {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let pieces = (!bytes.is_empty()).then(|| body.split(|&b| b == b'\n'));
    pieces.into_iter().flatten().enumerate().map(|(i, line)| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = std::str::from_utf8(line).map_err(|_| MalformedReason::NotUtf8);
        (i as u64 + 1, text)
    })
}

/// The number of `\n` bytes in `bytes`.
pub(super) fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// A CSV row and the line it starts on; the row is `Err` when malformed.
pub(super) type CsvRow<'r> = (u64, Result<&'r csv::StringRecord, MalformedReason>);

/// The rows of a CSV file, each with the line it starts on. The header must
/// be exactly `expected` (after trimming each name); every row handed out
/// has exactly that many columns, so indexing it by column is safe.
pub(super) struct CsvRows<'a> {
    reader: csv::Reader<&'a [u8]>,
    bytes: &'a [u8],
    path: &'a Path,
    columns: usize,
    record: csv::StringRecord,
    /// Line number at `counted_to`: lines are counted forward, once.
    line: u64,
    counted_to: usize,
}

impl<'a> CsvRows<'a> {
    /// Open `bytes` as CSV with `delimiter` and check the header.
    pub fn new(
        bytes: &'a [u8],
        delimiter: u8,
        path: &'a Path,
        expected: &[&str],
    ) -> Result<CsvRows<'a>, DataError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(bytes);
        let header = reader.headers().map_err(|e| DataError::BadSource {
            path: path.to_owned(),
            message: format!("line 1: cannot read the header: {e}"),
        })?;
        let found: Vec<&str> = header.iter().map(str::trim).collect();
        if found != expected {
            return Err(DataError::BadSource {
                path: path.to_owned(),
                message: format!("line 1: expected the header {expected:?}, found {found:?}"),
            });
        }
        Ok(CsvRows {
            reader,
            bytes,
            path,
            columns: expected.len(),
            record: csv::StringRecord::new(),
            line: 1,
            counted_to: 0,
        })
    }

    /// The line a record starts on, from the byte offset the CSV reader
    /// gives. The reader's own line count is not used: after a `\r\n` it
    /// stops at the `\r` and counts the `\n` only with the next record, so
    /// it is one short; its byte offset likewise points at line endings (and
    /// skipped blank lines) before the record, which are stepped over here.
    fn line_at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return self.line;
        };
        let mut start =
            usize::try_from(position.byte()).map_or(self.bytes.len(), |b| b.min(self.bytes.len()));
        while self
            .bytes
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        if start > self.counted_to {
            self.line += newlines(&self.bytes[self.counted_to..start]);
            self.counted_to = start;
        }
        self.line
    }

    /// The next row and the line it starts on; `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<CsvRow<'_>>, DataError> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let position = self.record.position().cloned();
                let line = self.line_at(position.as_ref());
                if self.record.len() == self.columns {
                    Ok(Some((line, Ok(&self.record))))
                } else {
                    let reason = MalformedReason::ColumnCount {
                        expected: self.columns,
                        found: self.record.len(),
                    };
                    Ok(Some((line, Err(reason))))
                }
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::Utf8 { pos, .. } => {
                    let line = self.line_at(pos.as_ref());
                    Ok(Some((line, Err(MalformedReason::NotUtf8))))
                }
                // Reading from a byte slice cannot fail on I/O, and the
                // reader is flexible about column counts: anything else is
                // a source the CSV parser cannot follow.
                _ => Err(DataError::BadSource {
                    path: self.path.to_owned(),
                    message: e.to_string(),
                }),
            },
        }
    }
}

/// A numeric source key, zero-padded to five digits so ids sort in source order.
pub(super) fn numeric_key(column: &str, value: &str) -> Result<String, MalformedReason> {
    value
        .trim()
        .parse::<u64>()
        .map(|n| format!("{n:05}"))
        .map_err(|_| MalformedReason::BadKey {
            column: column.to_owned(),
            value: value.to_owned(),
        })
}

/// A fraction of annotators in `[0, 1]`.
pub(super) fn fraction(column: &str, value: &str) -> Result<f64, MalformedReason> {
    match value.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(MalformedReason::BadLabel {
            column: column.to_owned(),
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_numbered_and_endings_stripped() {
        let got: Vec<_> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(
            got,
            vec![(1, Ok("a")), (2, Ok("b")), (3, Ok("")), (4, Ok("c"))]
        );
        assert_eq!(lines(b"a\n").count(), 1);
        assert_eq!(lines(b"").count(), 0);
        assert_eq!(lines(b"\n").collect::<Vec<_>>(), vec![(1, Ok(""))]);
        assert_eq!(lines(b"\n\n").count(), 2);
        let bad: Vec<_> = lines(b"ok\n\xff\n").collect();
        assert_eq!(bad[1], (2, Err(MalformedReason::NotUtf8)));
    }

    #[test]
    fn csv_rows_carry_their_starting_line() {
        let path = Path::new("t.csv");
        let data = b"a,b\r\n1,\"two\nlines\"\r\n\r\n3\n\n4,5\n";
        let mut rows = CsvRows::new(data, b',', path, &["a", "b"]).expect("header matches");
        let (line, row) = rows.next_row().expect("reads").expect("a row");
        assert_eq!(line, 2);
        assert_eq!(&row.expect("two columns")[1], "two\nlines");
        let (line, row) = rows.next_row().expect("reads").expect("a row");
        assert_eq!(line, 5, "after a CRLF and a blank line");
        assert_eq!(
            row.expect_err("one column"),
            MalformedReason::ColumnCount {
                expected: 2,
                found: 1
            }
        );
        let (line, _) = rows.next_row().expect("reads").expect("a row");
        assert_eq!(line, 7);
        assert!(rows.next_row().expect("reads").is_none());
    }

    #[test]
    fn a_wrong_header_fails_the_whole_source() {
        let err = CsvRows::new(b"x,y\n1,2\n", b',', Path::new("t.csv"), &["a", "b"])
            .err()
            .expect("header differs");
        assert!(
            err.to_string()
                .contains("t.csv: line 1: expected the header"),
            "{err}"
        );
    }

    #[test]
    fn keys_and_fractions_are_checked() {
        assert_eq!(numeric_key("id", " 17 ").as_deref(), Ok("00017"));
        assert!(numeric_key("id", "x").is_err());
        assert_eq!(fraction("p", "0.5"), Ok(0.5));
        assert!(fraction("p", "1.5").is_err());
        assert!(fraction("p", "NaN").is_err());
    }
}
