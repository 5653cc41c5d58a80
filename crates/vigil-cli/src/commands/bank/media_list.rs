//! Media-list files: a video or audio bank's entries as JSON Lines, one
//! entry a line, what `vigil bank export` writes and `vigil bank import`
//! reads for those banks.
//!
//! ```text
//! {"content":"0,100,dadb…f07c,0.000\n1,100,dadb…f07c,0.033\n","duration_s":4.331,"label":"doorknob","source":"doorknob.mp4","enabled":true}
//! ```
//!
//! `content` is the hash in the form the bank's media uses (vPDQ lines for
//! video, comma-separated fingerprint values for audio) and is required;
//! `duration_s` (default: what the hash covers), `label`, `source` and
//! `enabled` (default `true`) may be left out, and other fields are
//! ignored. Blank lines are skipped. Every bad line is reported with its
//! number, and nothing is returned unless every line is good.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use vigil_store::{BankMedia, MediaEntry, NewMediaEntry};

use super::hash_list::BadLine;
use super::media_files::{parse_content, MediaHash};
use super::{bad_lines, file_name, one_line};

/// One line as written (borrowing the entry) and read (owning the text:
/// JSON strings with escapes cannot be borrowed).
#[derive(Debug, Serialize, Deserialize)]
struct Line<'a> {
    content: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duration_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
}

/// One entry read from a file, with what its line said about it (`None`:
/// the line said nothing, so the caller's default applies).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedMedia {
    /// The hash, in canonical form, and the duration: the line's own, else
    /// what the hash covers.
    pub hash: MediaHash,
    /// What it is.
    pub label: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// Whether it takes part in matching.
    pub enabled: Option<bool>,
}

/// Entries for every line of a media-list file, or every bad line's place
/// and problem. A line's own source wins, then `--source`, then the file's
/// name.
pub fn read_entries(
    media: BankMedia,
    path: &Path,
    source: Option<&str>,
) -> Result<Vec<NewMediaEntry>> {
    let default_source = match one_line("--source", source)? {
        "" => file_name(path),
        given => given.to_owned(),
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let listed = parse(&text, media).map_err(|bad| bad_lines(path, &bad))?;
    Ok(listed
        .into_iter()
        .map(|listed| NewMediaEntry {
            content: listed.hash.content,
            duration_s: listed.hash.duration_s,
            source: listed.source.unwrap_or_else(|| default_source.clone()),
            label: listed.label.unwrap_or_default(),
            enabled: listed.enabled.unwrap_or(true),
        })
        .collect())
}

/// Writes every entry, one JSON object a line.
pub fn write(mut out: impl Write, entries: &[MediaEntry]) -> io::Result<()> {
    for entry in entries {
        let line = Line {
            content: entry.content.as_str().into(),
            duration_s: Some(entry.duration_s),
            label: Some(entry.label.as_str().into()),
            source: Some(entry.source.as_str().into()),
            enabled: Some(entry.enabled),
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Reads a media-list file for a bank of `media`: every entry in file
/// order, or every bad line.
pub fn parse(text: &str, media: BankMedia) -> Result<Vec<ListedMedia>, Vec<BadLine>> {
    let mut listed = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        match parse_line(raw, media) {
            Ok(entry) => listed.push(entry),
            Err(message) => bad.push(BadLine {
                line: i + 1,
                message,
            }),
        }
    }
    if bad.is_empty() {
        Ok(listed)
    } else {
        Err(bad)
    }
}

fn parse_line(raw: &str, media: BankMedia) -> Result<ListedMedia, String> {
    let line: Line<'_> =
        serde_json::from_str(raw).map_err(|e| format!("not a media-list entry: {e}"))?;
    let mut hash = parse_content(media, &line.content)?;
    if let Some(duration_s) = line.duration_s {
        if !(duration_s.is_finite() && duration_s >= 0.0) {
            return Err(format!(
                "duration_s {duration_s} is not a number of seconds ≥ 0"
            ));
        }
        hash.duration_s = duration_s;
    }
    for (field, value) in [("label", &line.label), ("source", &line.source)] {
        if value.as_deref().is_some_and(|v| v.contains(['\n', '\r'])) {
            return Err(format!("its {field} must be one line"));
        }
    }
    Ok(ListedMedia {
        hash,
        label: line.label.map(Cow::into_owned),
        source: line.source.map(Cow::into_owned),
        enabled: line.enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRINT: &str = "1,2,3,4294967295";

    #[test]
    fn lines_are_read_with_their_metadata_and_defaults() {
        let text = format!(
            "{{\"content\":\"{PRINT}\",\"duration_s\":2.5,\"label\":\"jingle, v2\",\"source\":\"feed\",\"enabled\":false,\"added_at\":\"x\"}}\n\n\
             {{\"content\":\"5,6\"}}\n"
        );
        let listed = parse(&text, BankMedia::Audio).expect("good lines");
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].hash.content, PRINT);
        assert_eq!(listed[0].hash.duration_s, 2.5);
        assert_eq!(listed[0].label.as_deref(), Some("jingle, v2"));
        assert_eq!(listed[0].source.as_deref(), Some("feed"));
        assert_eq!(listed[0].enabled, Some(false));
        assert_eq!((listed[1].label.as_ref(), listed[1].enabled), (None, None));
        assert!(listed[1].hash.duration_s > 0.0, "what two values cover");
    }

    #[test]
    fn every_bad_line_is_named() {
        let text = "{\"content\":\"1,2\"}\nnot json\n{\"label\":\"x\"}\n\
                    {\"content\":\"a,b\"}\n{\"content\":\"1\",\"duration_s\":-2}\n";
        let bad = parse(text, BankMedia::Audio).expect_err("bad lines");
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert!(
            bad[1].message.contains("missing field `content`"),
            "{bad:?}"
        );
        assert!(bad[2].message.starts_with("not a Chromaprint"), "{bad:?}");
        assert!(bad[3].message.contains("duration_s -2"), "{bad:?}");
    }

    #[test]
    fn an_export_reads_back() {
        let entry = MediaEntry {
            id: 3,
            bank: "clips".to_owned(),
            media: BankMedia::Video,
            content:
                "0,100,dadb999c25266273529cadac89cb52c22324ad3bce99726c38668d93c799f07c,0.000\n"
                    .to_owned(),
            content_digest: "00".repeat(32),
            duration_s: 4.331,
            source: "a \"quoted\" source".to_owned(),
            label: String::new(),
            added_at: time::OffsetDateTime::UNIX_EPOCH,
            enabled: false,
        };
        let mut out = Vec::new();
        write(&mut out, std::slice::from_ref(&entry)).expect("writes");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(text.lines().count(), 1);
        let listed = parse(&text, BankMedia::Video).expect("reads back");
        assert_eq!(listed[0].hash.content, entry.content);
        assert_eq!(listed[0].hash.duration_s, entry.duration_s);
        assert_eq!(listed[0].source.as_deref(), Some(entry.source.as_str()));
        assert_eq!(listed[0].label.as_deref(), Some(""));
        assert_eq!(listed[0].enabled, Some(false));
    }
}
