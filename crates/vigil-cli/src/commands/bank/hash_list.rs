//! Hash-list files, as ThreatExchange and its tools write them: one hash a
//! line, hex first, metadata after it.
//!
//! Read: blank lines and `#` comments are skipped; a line is `HASH`,
//! `HASH<TAB>label`, or `HASH,more,columns` (CSV, as ThreatExchange's
//! signal-type files put the hash first). Without a header, whatever follows
//! the hash is kept, as written, as the entry's label. A header names the
//! columns instead, either as a comment (`# columns: hash,label,…`, what
//! [`write`] puts first) or as a first CSV row whose first field is `hash`;
//! then the `label`, `source` and `enabled` columns are read (an empty label
//! or source stays empty; an empty `enabled` means enabled) and others are
//! ignored. Every bad line is reported with its number, and nothing is
//! returned unless every line is good.
//!
//! Written: a comment naming the bank, the header comment, then
//! `hash,label,source,added_at,enabled` rows in CSV, so that an export reads
//! back with its labels, sources and disabled entries.

use std::io::{self, Write};

use time::format_description::well_known::Rfc3339;
use vigil_image::PdqHash;
use vigil_store::{Bank, BankEntry};

/// The columns [`write`] puts in every row.
const COLUMNS: [&str; 5] = ["hash", "label", "source", "added_at", "enabled"];

/// What a header comment starts with, after the `#`.
const COLUMNS_COMMENT: &str = "columns:";

/// One hash read from a file, with what its line said about it (`None`:
/// the line said nothing, so the caller's default applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedHash {
    /// The 1-based line it was on.
    pub line: usize,
    /// The hash.
    pub hash: PdqHash,
    /// What it is.
    pub label: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// Whether it takes part in matching.
    pub enabled: Option<bool>,
}

/// A line that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// The 1-based line.
    pub line: usize,
    /// One plain sentence.
    pub message: String,
}

/// Where each known column is in a header's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Header {
    label: Option<usize>,
    source: Option<usize>,
    enabled: Option<usize>,
}

/// Reads a hash-list file: every hash in file order, or every bad line.
pub fn parse(text: &str) -> Result<Vec<ListedHash>, Vec<BadLine>> {
    let mut header: Option<Header> = None;
    let mut seen_data = false;
    let mut hashes = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let text = raw.trim();
        if text.is_empty() {
            continue;
        }
        let outcome = if let Some(comment) = text.strip_prefix('#') {
            match comment.trim().strip_prefix(COLUMNS_COMMENT) {
                Some(columns) if !seen_data => columns_header(columns).map(|h| header = Some(h)),
                _ => Ok(()),
            }
        } else if !seen_data && header.is_none() && first_field(text).eq_ignore_ascii_case("hash") {
            seen_data = true;
            columns_header(text).map(|h| header = Some(h))
        } else {
            seen_data = true;
            let read = match header {
                Some(h) => with_header(text, h),
                None => without_header(text),
            };
            read.map(|mut hash| {
                hash.line = line;
                hashes.push(hash);
            })
        };
        if let Err(message) = outcome {
            bad.push(BadLine { line, message });
        }
    }
    if bad.is_empty() {
        Ok(hashes)
    } else {
        Err(bad)
    }
}

/// The text before the first tab or comma, trimmed.
fn first_field(text: &str) -> &str {
    text.split(['\t', ',']).next().unwrap_or(text).trim()
}

/// A `hash,label,…` header; the first column must be `hash`.
fn columns_header(columns: &str) -> Result<Header, String> {
    let names = csv_fields(columns)?;
    if !names
        .first()
        .is_some_and(|n| n.eq_ignore_ascii_case("hash"))
    {
        return Err(format!(
            "a header's first column must be `hash`, as the hash comes first on every line; \
             this one names `{}`",
            names.join(",")
        ));
    }
    let at = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
    Ok(Header {
        label: at("label"),
        source: at("source"),
        enabled: at("enabled"),
    })
}

/// `HASH`, `HASH<TAB>rest` or `HASH,rest`: the rest, as written, is the label.
fn without_header(text: &str) -> Result<ListedHash, String> {
    let (hash, rest) = match text.find(['\t', ',']) {
        Some(at) => (&text[..at], text[at + 1..].trim()),
        None => (text, ""),
    };
    Ok(ListedHash {
        line: 0,
        hash: parse_hash(hash)?,
        label: (!rest.is_empty()).then(|| rest.to_owned()),
        source: None,
        enabled: None,
    })
}

/// A CSV row read by the header's columns.
fn with_header(text: &str, header: Header) -> Result<ListedHash, String> {
    let fields = csv_fields(text)?;
    // A column the header names is the file's word, even when empty; a
    // row too short for it says nothing.
    let field = |at: Option<usize>| at.and_then(|i| fields.get(i)).cloned();
    let enabled = field(header.enabled)
        .filter(|value| !value.is_empty())
        .map(|value| match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(format!(
                "`enabled` is `{value}`; write true or false (or 1 or 0)"
            )),
        })
        .transpose()?;
    Ok(ListedHash {
        line: 0,
        hash: parse_hash(fields.first().map_or("", String::as_str))?,
        label: field(header.label),
        source: field(header.source),
        enabled,
    })
}

fn parse_hash(text: &str) -> Result<PdqHash, String> {
    text.trim().parse::<PdqHash>().map_err(|e| e.to_string())
}

/// The fields of one CSV line, trimmed.
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(_) => Ok(record.iter().map(str::to_owned).collect()),
        Err(e) => Err(format!("not a CSV line: {e}")),
    }
}

/// Writes `entries` of `bank` as a hash-list file that [`parse`] reads back
/// whole.
pub fn write(out: impl Write, bank: &Bank, entries: &[BankEntry]) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    writeln!(
        out,
        "# vigil hash bank `{}` ({}): {} entries, {} enabled",
        bank.name,
        bank.kind,
        entries.len(),
        entries.iter().filter(|e| e.enabled).count()
    )?;
    writeln!(out, "# {COLUMNS_COMMENT} {}", COLUMNS.join(","))?;
    let mut rows = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    for entry in entries {
        let added_at = entry
            .added_at
            .format(&Rfc3339)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let enabled = if entry.enabled { "true" } else { "false" };
        rows.write_record([
            entry.hash.as_str(),
            entry.label.as_str(),
            entry.source.as_str(),
            added_at.as_str(),
            enabled,
        ])?;
    }
    rows.flush()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;
    use vigil_store::BankKind;

    use super::*;

    const A: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    const B: &str = "b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5";

    fn hash(text: &str) -> PdqHash {
        text.parse().expect("a valid test hash")
    }

    fn listed(line: usize, text: &str, label: Option<&str>) -> ListedHash {
        ListedHash {
            line,
            hash: hash(text),
            label: label.map(str::to_owned),
            source: None,
            enabled: None,
        }
    }

    #[test]
    fn plain_tab_and_csv_lines_keep_what_follows_the_hash_as_the_label() {
        let text = format!(
            "# a comment\n\n{A}\n{B}\tcat meme\n  {}  ,te-123,0.9,extra \r\n",
            A.to_ascii_uppercase()
        );
        let hashes = parse(&text).expect("all good");
        assert_eq!(
            hashes,
            [
                listed(3, A, None),
                listed(4, B, Some("cat meme")),
                listed(5, A, Some("te-123,0.9,extra")),
            ]
        );
    }

    #[test]
    fn a_header_names_the_columns_read() {
        for header in [
            "# columns: hash,label,source,added_at,enabled",
            "hash,source,ignored,enabled,label",
        ] {
            let row = if header.starts_with('#') {
                format!("{A},\"a, quoted\",feed,2025-01-01T00:00:00Z,false")
            } else {
                format!("{A},feed,x,false,\"a, quoted\"")
            };
            let hashes = parse(&format!("{header}\n{row}\n{B}\n")).expect("all good");
            assert_eq!(hashes.len(), 2, "{header}");
            assert_eq!(hashes[0].label.as_deref(), Some("a, quoted"), "{header}");
            assert_eq!(hashes[0].source.as_deref(), Some("feed"), "{header}");
            assert_eq!(hashes[0].enabled, Some(false), "{header}");
            assert_eq!(hashes[1], listed(3, B, None), "{header}");
        }
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = format!("{A}\nnot-a-hash\n# fine\n{B}x\n# columns: label,hash\n");
        let bad = parse(&text).expect_err("bad lines");
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 4], "{bad:?}");
        assert!(bad[0].message.contains("is not a PDQ hash"), "{bad:?}");

        let bad = parse("# columns: label,hash\n").expect_err("hash not first");
        assert!(bad[0].message.contains("first column must be `hash`"));
        let bad = parse(&format!("# columns: hash,enabled\n{A},maybe\n")).expect_err("enabled");
        assert_eq!(bad[0].line, 2);
        assert!(bad[0].message.contains("`enabled` is `maybe`"), "{bad:?}");
    }

    #[test]
    fn what_is_written_reads_back_whole() {
        let bank = Bank {
            name: "b".into(),
            kind: BankKind::Negative,
            media: vigil_store::BankMedia::Image,
            description: String::new(),
            created_at: datetime!(2025-01-01 00:00 UTC),
            entries: 2,
            enabled: 1,
        };
        let entry = |id, hash: &str, label: &str, enabled| BankEntry {
            id,
            bank: "b".into(),
            hash: hash.into(),
            source: "case \"7\", part 2".into(),
            label: label.into(),
            added_at: datetime!(2025-01-02 03:04:05 UTC),
            enabled,
        };
        let entries = [entry(1, A, "x, y", true), entry(2, B, "", false)];
        let mut out = Vec::new();
        write(&mut out, &bank, &entries).expect("written");
        let text = String::from_utf8(out).expect("UTF-8");
        assert!(text.starts_with("# vigil hash bank `b` (negative): 2 entries, 1 enabled\n"));
        let back = parse(&text).expect("reads back");
        assert_eq!(back.len(), 2);
        for (read, entry) in back.iter().zip(&entries) {
            assert_eq!(read.hash.to_hex(), entry.hash);
            assert_eq!(read.label.clone().unwrap_or_default(), entry.label);
            assert_eq!(read.source.as_deref(), Some(entry.source.as_str()));
            assert_eq!(read.enabled, Some(entry.enabled));
        }
    }
}
