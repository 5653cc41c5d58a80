//! A data set folder on disk: reading it whole, with every check, and writing
//! it so that a reader never sees new items under an old manifest unnoticed.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use vigil_core::sha256_hex;

use crate::error::DataError;
use crate::manifest::{covered_categories, Manifest, SplitCounts};
use crate::record::Record;

/// The manifest's file name inside a data set folder.
pub const MANIFEST_FILE: &str = "dataset.toml";
/// The items' file name inside a data set folder.
pub const ITEMS_FILE: &str = "items.jsonl";

/// A data set: its manifest and its records, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// The manifest.
    pub manifest: Manifest,
    /// The records.
    pub records: Vec<Record>,
}

impl Dataset {
    /// Read a data set folder and check it: the manifest parses and is
    /// consistent, `items.jsonl` hashes to `items_sha256`, every line is a
    /// record, ids are unique, and the records agree with the manifest's
    /// counts and coverage.
    ///
    /// Errors name the file, and for a bad record the line number and the
    /// parser's message.
    pub fn open(dir: &Path) -> Result<Dataset, DataError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let items_path = dir.join(ITEMS_FILE);
        let manifest = read_manifest(&manifest_path)?;
        let bytes = fs::read(&items_path).map_err(|e| DataError::io(&items_path, e))?;
        let actual = sha256_hex(&bytes);
        if actual != manifest.items_sha256 {
            return Err(DataError::DigestMismatch {
                manifest: manifest_path,
                items: items_path,
                expected: manifest.items_sha256,
                actual,
            });
        }
        let records = parse_items(&items_path, &bytes)?;
        let mut problems = manifest.problems();
        problems.extend(manifest.disagreements_with(&records));
        if manifest.counts.rows_written != records.len() as u64 {
            problems.push(format!(
                "counts.rows_written = {} but {} holds {} records",
                manifest.counts.rows_written,
                ITEMS_FILE,
                records.len()
            ));
        }
        if !problems.is_empty() {
            return Err(DataError::InvalidManifest {
                path: manifest_path,
                problems,
            });
        }
        Ok(Dataset { manifest, records })
    }

    /// Bring the manifest's derived fields up to date with the records
    /// (`items_sha256`, `counts.rows_written`, `counts.splits`,
    /// `labels.covered`), check it, and write the folder (created if missing).
    ///
    /// `items.jsonl` and `dataset.toml` are first written to temporary names
    /// in the folder, then renamed into place, items first. A crash can so
    /// leave at worst new items beside an old manifest, which
    /// [`Dataset::open`] refuses on the digest.
    pub fn write(&mut self, dir: &Path) -> Result<(), DataError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let items_path = dir.join(ITEMS_FILE);
        let items = encode_items(&items_path, &self.records)?;
        let m = &mut self.manifest;
        m.items_sha256 = sha256_hex(&items);
        m.counts.rows_written = self.records.len() as u64;
        m.counts.splits = SplitCounts::of(&self.records);
        m.labels.covered = covered_categories(&self.records);
        let problems = m.problems();
        if !problems.is_empty() {
            return Err(DataError::InvalidManifest {
                path: manifest_path,
                problems,
            });
        }
        let manifest = toml::to_string(m).map_err(|e| DataError::Encode {
            path: manifest_path.clone(),
            message: e.to_string(),
        })?;
        fs::create_dir_all(dir).map_err(|e| DataError::io(dir, e))?;
        let items_tmp = write_temp(&items_path, &items)?;
        let manifest_tmp = write_temp(&manifest_path, manifest.as_bytes())?;
        rename(&items_tmp, &items_path)?;
        rename(&manifest_tmp, &manifest_path)
    }
}

fn read_manifest(path: &Path) -> Result<Manifest, DataError> {
    let text = fs::read_to_string(path).map_err(|e| DataError::io(path, e))?;
    toml::from_str(&text).map_err(|e| DataError::BadManifest {
        path: path.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })
}

/// Parse the bytes of an items file, one record a line. A final newline is
/// expected but not required; any other empty line is an error.
pub(crate) fn parse_items(path: &Path, bytes: &[u8]) -> Result<Vec<Record>, DataError> {
    let mut records = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if body.is_empty() {
        return Ok(records);
    }
    for (index, line) in body.split(|&b| b == b'\n').enumerate() {
        let line_no = index as u64 + 1;
        let bad = |message: String| DataError::BadRecord {
            path: path.to_owned(),
            line: line_no,
            message,
        };
        let text = std::str::from_utf8(line)
            .map_err(|e| bad(format!("not valid UTF-8 ({e})")))?
            .trim_end_matches('\r');
        if text.trim().is_empty() {
            return Err(bad("empty line; every line holds one record".to_owned()));
        }
        let record: Record = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if let Some(&first_line) = first_line_of.get(&record.item.id) {
            return Err(DataError::DuplicateId {
                path: path.to_owned(),
                line: line_no,
                id: record.item.id,
                first_line,
            });
        }
        first_line_of.insert(record.item.id.clone(), line_no);
        records.push(record);
    }
    Ok(records)
}

fn encode_items(path: &Path, records: &[Record]) -> Result<Vec<u8>, DataError> {
    let mut out = Vec::with_capacity(records.len() * 200);
    for r in records {
        serde_json::to_writer(&mut out, r).map_err(|e| DataError::Encode {
            path: path.to_owned(),
            message: format!("record `{}`: {e}", r.item.id),
        })?;
        out.push(b'\n');
    }
    Ok(out)
}

fn write_temp(path: &Path, bytes: &[u8]) -> Result<PathBuf, DataError> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    let mut file = fs::File::create(&tmp).map_err(|e| DataError::io(&tmp, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| DataError::io(&tmp, e))?;
    Ok(tmp)
}

fn rename(from: &Path, to: &Path) -> Result<(), DataError> {
    fs::rename(from, to).map_err(|e| DataError::io(to, e))
}

#[cfg(test)]
mod tests {
    use vigil_core::{Category, Item, Labels};

    use super::*;
    use crate::manifest::{Counts, LabelSchema, Provenance};
    use crate::record::Split;

    fn record(id: &str, hate: Option<bool>) -> Record {
        let mut labels = Labels::new();
        if let Some(h) = hate {
            labels.set(Category::Hate, h);
        }
        Record {
            item: Item::text(id, format!("text of {id}")),
            labels,
            split: Split::for_id(id),
        }
    }

    fn dataset() -> Dataset {
        Dataset {
            manifest: Manifest {
                name: "tiny".into(),
                version: "1".into(),
                license: "CC0-1.0".into(),
                description: "Three lines.".into(),
                items_sha256: String::new(),
                provenance: Provenance {
                    importer: "test".into(),
                    upstream: "none".into(),
                    sources: Vec::new(),
                },
                labels: LabelSchema {
                    covered: Vec::new(),
                    mapping: [(Category::Hate, "by hand".to_owned())].into(),
                },
                counts: Counts {
                    rows_read: 3,
                    ..Counts::default()
                },
            },
            records: vec![
                record("t-1", Some(true)),
                record("t-2", Some(false)),
                record("t-3", None),
            ],
        }
    }

    #[test]
    fn write_then_open_round_trips() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ds = dataset();
        ds.write(dir.path()).expect("writes");
        assert_eq!(ds.manifest.labels.covered, vec![Category::Hate]);
        assert_eq!(ds.manifest.counts.rows_written, 3);
        let back = Dataset::open(dir.path()).expect("opens");
        assert_eq!(back, ds);
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("lists")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files are renamed away");
    }

    #[test]
    fn a_changed_items_file_is_refused_on_the_digest() {
        let dir = tempfile::tempdir().expect("tempdir");
        dataset().write(dir.path()).expect("writes");
        let items = dir.path().join(ITEMS_FILE);
        let text = fs::read_to_string(&items).expect("reads");
        fs::write(&items, text.replace("\"hate\":1", "\"hate\":0")).expect("rewrites");
        let err = Dataset::open(dir.path()).expect_err("digest mismatch");
        assert!(matches!(err, DataError::DigestMismatch { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("items.jsonl") && msg.contains("items_sha256"),
            "{msg}"
        );
    }

    #[test]
    fn a_bad_line_is_named_by_file_and_line() {
        let path = Path::new("/x/items.jsonl");
        let bytes = b"{\"id\":\"a\",\"text\":\"t\",\"split\":\"train\"}\n{\"id\":\"b\",\"text\":\"t\",\"labels\":{\"hate\":7},\"split\":\"train\"}\n";
        let err = parse_items(path, bytes).expect_err("bad label");
        match &err {
            DataError::BadRecord { line, message, .. } => {
                assert_eq!(*line, 2);
                assert!(message.contains("label `hate` is 7"), "{message}");
            }
            other => panic!("unexpected {other}"),
        }
        assert!(err.to_string().starts_with("/x/items.jsonl:2: "), "{err}");
    }

    #[test]
    fn blank_lines_duplicates_and_bad_json_are_refused() {
        let path = Path::new("items.jsonl");
        let one = "{\"id\":\"a\",\"text\":\"t\",\"split\":\"train\"}";
        let blank = format!("{one}\n\n{one}\n");
        assert!(matches!(
            parse_items(path, blank.as_bytes()),
            Err(DataError::BadRecord { line: 2, .. })
        ));
        let dup = format!("{one}\n{one}\n");
        assert!(matches!(
            parse_items(path, dup.as_bytes()),
            Err(DataError::DuplicateId {
                line: 2,
                first_line: 1,
                ..
            })
        ));
        assert!(matches!(
            parse_items(path, b"{\"id\":"),
            Err(DataError::BadRecord { line: 1, .. })
        ));
        assert_eq!(parse_items(path, b"").expect("empty file").len(), 0);
        assert_eq!(
            parse_items(path, one.as_bytes())
                .expect("no final newline")
                .len(),
            1
        );
    }

    #[test]
    fn a_manifest_that_disagrees_with_the_items_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ds = dataset();
        ds.write(dir.path()).expect("writes");
        let manifest = dir.path().join(MANIFEST_FILE);
        let text = fs::read_to_string(&manifest).expect("reads");
        let edited = text.replace("covered = [\"hate\"]", "covered = [\"hate\", \"sexual\"]");
        let edited = edited.replace("hate = \"by hand\"", "hate = \"by hand\"\nsexual = \"?\"");
        fs::write(&manifest, edited).expect("rewrites");
        let err = Dataset::open(dir.path()).expect_err("coverage disagrees");
        assert!(err.to_string().contains("labels.covered"), "{err}");
        fs::write(&manifest, text + "surprise = true\n").expect("rewrites");
        let err = Dataset::open(dir.path()).expect_err("unknown key");
        assert!(matches!(err, DataError::BadManifest { .. }), "{err}");
    }

    #[test]
    fn an_inconsistent_manifest_is_not_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ds = dataset();
        ds.manifest.counts.rows_read = 99;
        let err = ds.write(dir.path()).expect_err("rows_read is wrong");
        assert!(matches!(err, DataError::InvalidManifest { .. }), "{err}");
        assert!(!dir.path().join(ITEMS_FILE).exists());
    }
}
