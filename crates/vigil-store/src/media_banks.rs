//! The entries of video and audio banks: one hash of a whole file each (a
//! vPDQ hash for a video, a Chromaprint fingerprint for audio), with where
//! it came from and what it is.
//!
//! The store does not read the hashes: an entry's content is text that the
//! crate which made it (`vigil-video`, `vigil-audio`) reads back. It keeps
//! the content's SHA-256 so that a bank never holds the same content twice,
//! whatever its length. Entries are addressed by id, since their content is
//! too long to type.
//!
//! Every write raises the banks' counter ([`Store::banks_version`]) in its
//! own transaction and stamps the entries it touches, as for image entries.
//! Removals are plain deletes and are not listed by
//! [`Store::bank_changes_since`], whose ids are image entries' ids: media
//! banks are small, and a server reads them whole
//! ([`Store::media_bank_snapshot`]) whenever the version moves.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::OffsetDateTime;

use crate::banks::{begin_change, finish_change, format_time, kind_from_row, now_in_whole_seconds};
use crate::banks::{parse_time, BankMedia};
use crate::store::Backend;
use crate::{sql, BankKind, EntriesAdded, Store, StoreError};

/// The media whose banks hold [`MediaEntry`]s.
const MEDIA_BANKS: [BankMedia; 2] = [BankMedia::Video, BankMedia::Audio];

/// What a media operation offers, for [`StoreError::WrongBankMedia`].
const OFFERED: &str = "video or audio";

/// One video or audio hash in a bank, with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaEntry {
    /// The entry's id: unique among video and audio entries (image entries
    /// have their own ids) and never reused while the entry exists, so
    /// match evidence can name it with its bank.
    pub id: i64,
    /// The bank holding it.
    pub bank: String,
    /// Its bank's media: [`BankMedia::Video`] or [`BankMedia::Audio`].
    pub media: BankMedia,
    /// The hash as text. Video: vPDQ, one `frame,quality,hash,time` line a
    /// frame. Audio: Chromaprint's raw fingerprint, comma-separated
    /// unsigned 32-bit integers.
    pub content: String,
    /// The SHA-256 of `content`, 64 lower-case hex digits.
    pub content_digest: String,
    /// How long the video or audio hashed is, in seconds.
    pub duration_s: f64,
    /// Where it came from (a file, a feed, a case); may be empty.
    pub source: String,
    /// What it is, for reviewers; may be empty.
    pub label: String,
    /// When it was added to this bank (UTC, whole seconds).
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    /// Whether it takes part in matching.
    pub enabled: bool,
}

/// A video or audio hash to add to a bank, with its metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMediaEntry {
    /// The hash as text, in the form its bank's media uses (see
    /// [`MediaEntry::content`]); not empty.
    pub content: String,
    /// How long the video or audio hashed is, in seconds (finite, ≥ 0).
    pub duration_s: f64,
    /// Where it came from; may be empty.
    pub source: String,
    /// What it is; may be empty.
    pub label: String,
    /// Whether it takes part in matching once added.
    pub enabled: bool,
}

impl NewMediaEntry {
    /// An enabled entry for `content`, without source or label.
    pub fn new(content: impl Into<String>, duration_s: f64) -> NewMediaEntry {
        NewMediaEntry {
            content: content.into(),
            duration_s,
            source: String::new(),
            label: String::new(),
            enabled: true,
        }
    }
}

/// Everything a server needs to match videos and audio, read in one
/// transaction so that the entries are exactly those of
/// [`MediaBankSnapshot::version`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaBankSnapshot {
    /// The banks version the entries are at.
    pub version: i64,
    /// Every enabled entry of every video and audio bank, in id order.
    pub entries: Vec<MediaEntry>,
    /// The kind of every bank, by name (positive or negative).
    pub kinds: BTreeMap<String, BankKind>,
}

impl Store {
    /// Adds `entries` to the video or audio bank `bank`, all in one
    /// transaction.
    ///
    /// Content the bank holds already (by its SHA-256) is not added again and
    /// its stored entry is left unchanged; it is counted in
    /// [`EntriesAdded::already_present`], as is content repeated within
    /// `entries`. Every entry is checked before anything is written, so an
    /// empty content or a duration that is not a finite number of seconds
    /// ([`StoreError::InvalidMediaEntry`]), an unknown bank
    /// ([`StoreError::UnknownBank`]) or an image bank
    /// ([`StoreError::WrongBankMedia`]) leaves the bank as it was.
    ///
    /// ```
    /// use vigil_store::{BankKind, BankMedia, NewMediaEntry, Store};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// let store = Store::open_sqlite(&dir.path().join("vigil.db")).await?;
    /// store
    ///     .create_media_bank("jingles", BankKind::Positive, BankMedia::Audio, "")
    ///     .await?;
    /// let print = NewMediaEntry::new("2596069239,2596069303,2595020727", 0.37);
    /// let outcome = store
    ///     .add_media_entries("jingles", &[print.clone(), print])
    ///     .await?;
    /// assert_eq!((outcome.added, outcome.already_present), (1, 1));
    ///
    /// let entries = store.media_entries("jingles").await?;
    /// assert_eq!(entries[0].media, BankMedia::Audio);
    /// assert!(store.remove_media_entry("jingles", entries[0].id).await?);
    /// # store.close().await;
    /// # Ok::<(), vigil_store::StoreError>(())
    /// # })?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn add_media_entries(
        &self,
        bank: &str,
        entries: &[NewMediaEntry],
    ) -> Result<EntriesAdded, StoreError> {
        for (i, entry) in entries.iter().enumerate() {
            check_new_entry(bank, i + 1, entry)?;
        }
        self.require_bank_of(bank, &MEDIA_BANKS, OFFERED).await?;
        let added_at = format_time(now_in_whole_seconds());
        let mut added = 0;
        match &self.backend {
            Backend::Sqlite(pool) => {
                let (mut tx, seq) = begin_change(pool, "begin add media bank entries").await?;
                // One statement an entry: a video's content runs to
                // megabytes, so rows are not batched as image hashes are.
                for entry in entries {
                    added += sqlx::query(sql::INSERT_MEDIA_ENTRY)
                        .bind(bank)
                        .bind(&entry.content)
                        .bind(content_digest(&entry.content))
                        .bind(entry.duration_s)
                        .bind(&entry.source)
                        .bind(&entry.label)
                        .bind(&added_at)
                        .bind(i64::from(entry.enabled))
                        .bind(seq)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query("add media bank entry"))?
                        .rows_affected();
                }
                finish_change(tx, added > 0, "commit add media bank entries").await?;
            }
        }
        Ok(EntriesAdded {
            added,
            already_present: entries.len() as u64 - added,
        })
    }

    /// Every entry of the video or audio bank `bank`, enabled or not, in id
    /// order (the order they were added).
    pub async fn media_entries(&self, bank: &str) -> Result<Vec<MediaEntry>, StoreError> {
        self.require_bank_of(bank, &MEDIA_BANKS, OFFERED).await?;
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::MEDIA_ENTRIES)
                .bind(bank)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list media bank entries"))?,
        };
        rows.iter().map(media_entry_from_row).collect()
    }

    /// Removes entry `id` from the video or audio bank `bank`; `false` when
    /// the bank holds no entry with that id.
    pub async fn remove_media_entry(&self, bank: &str, id: i64) -> Result<bool, StoreError> {
        self.require_bank_of(bank, &MEDIA_BANKS, OFFERED).await?;
        match &self.backend {
            Backend::Sqlite(pool) => {
                let what = "remove media bank entry";
                let (mut tx, _seq) = begin_change(pool, what).await?;
                let removed = sqlx::query(sql::DELETE_MEDIA_ENTRY)
                    .bind(bank)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query(what))?
                    .rows_affected();
                finish_change(tx, removed > 0, what).await?;
                Ok(removed > 0)
            }
        }
    }

    /// Enables or disables entry `id` of the video or audio bank `bank`;
    /// `false` when the bank holds no entry with that id. A disabled entry
    /// stays in the bank but is left out of
    /// [`Store::all_enabled_media_entries`].
    pub async fn set_media_entry_enabled(
        &self,
        bank: &str,
        id: i64,
        enabled: bool,
    ) -> Result<bool, StoreError> {
        self.require_bank_of(bank, &MEDIA_BANKS, OFFERED).await?;
        match &self.backend {
            Backend::Sqlite(pool) => {
                let what = "set media bank entry enabled";
                let (mut tx, seq) = begin_change(pool, what).await?;
                let changed = sqlx::query(sql::SET_MEDIA_ENTRY_ENABLED)
                    .bind(i64::from(enabled))
                    .bind(seq)
                    .bind(bank)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query(what))?
                    .rows_affected();
                finish_change(tx, changed > 0, what).await?;
                Ok(changed > 0)
            }
        }
    }

    /// Every enabled entry of every video and audio bank, in id order.
    ///
    /// Read [`Store::banks_version`] first (a write between the two reads
    /// then shows as a newer version on the next check), or read both, with
    /// the banks' kinds, in one transaction with [`Store::media_bank_snapshot`].
    pub async fn all_enabled_media_entries(&self) -> Result<Vec<MediaEntry>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::ALL_ENABLED_MEDIA_ENTRIES)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list enabled media bank entries"))?,
        };
        rows.iter().map(media_entry_from_row).collect()
    }

    /// The banks version, every enabled video and audio entry and every
    /// bank's kind, read in one transaction so that they agree: what a
    /// server loads, and loads again whenever [`Store::banks_version`]
    /// moves past [`MediaBankSnapshot::version`].
    pub async fn media_bank_snapshot(&self) -> Result<MediaBankSnapshot, StoreError> {
        let (version, rows, kinds) = match &self.backend {
            Backend::Sqlite(pool) => {
                // In WAL mode a read transaction sees one snapshot, taken
                // at its first read, to its end.
                let what = "read media banks";
                let mut tx = pool.begin().await.map_err(StoreError::query(what))?;
                let version: i64 = sqlx::query_scalar(sql::BANKS_CHANGES)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::query("read banks version"))?;
                let rows = sqlx::query(sql::ALL_ENABLED_MEDIA_ENTRIES)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(StoreError::query("list enabled media bank entries"))?;
                let kinds = sqlx::query(sql::BANK_KINDS)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(StoreError::query("list bank kinds"))?;
                tx.rollback().await.map_err(StoreError::query(what))?;
                (version, rows, kinds)
            }
        };
        Ok(MediaBankSnapshot {
            version,
            entries: rows
                .iter()
                .map(media_entry_from_row)
                .collect::<Result<_, _>>()?,
            kinds: kinds.iter().map(kind_from_row).collect::<Result<_, _>>()?,
        })
    }
}

/// The SHA-256 of an entry's content in lower-case hex: what makes two
/// entries of a bank the same.
fn content_digest(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// Checks what the store requires of a new entry (the `index`th of a call,
/// from 1); the content itself is its maker's to check.
fn check_new_entry(bank: &str, index: usize, entry: &NewMediaEntry) -> Result<(), StoreError> {
    let invalid = |reason: String| StoreError::InvalidMediaEntry {
        bank: bank.to_owned(),
        index,
        reason,
    };
    if entry.content.trim().is_empty() {
        return Err(invalid("its content is empty".to_owned()));
    }
    if !(entry.duration_s.is_finite() && entry.duration_s >= 0.0) {
        return Err(invalid(format!(
            "its duration {} is not a number of seconds ≥ 0",
            entry.duration_s
        )));
    }
    Ok(())
}

/// An entry from `id, bank, media, content, content_digest, duration_s,
/// source, label, added_at, enabled`.
fn media_entry_from_row(row: &SqliteRow) -> Result<MediaEntry, StoreError> {
    let column = |source| StoreError::Query {
        what: "read media bank entry row",
        source,
    };
    let id: i64 = row.try_get(0).map_err(column)?;
    let bank: String = row.try_get(1).map_err(column)?;
    let media: String = row.try_get(2).map_err(column)?;
    let content: String = row.try_get(3).map_err(column)?;
    let content_digest: String = row.try_get(4).map_err(column)?;
    let duration_s: f64 = row.try_get(5).map_err(column)?;
    let source: String = row.try_get(6).map_err(column)?;
    let label: String = row.try_get(7).map_err(column)?;
    let added_at: String = row.try_get(8).map_err(column)?;
    let enabled: i64 = row.try_get(9).map_err(column)?;
    let media = BankMedia::parse(&media).ok_or_else(|| StoreError::CorruptBank {
        bank: bank.clone(),
        reason: format!("its medium `{media}` is none of image, video and audio"),
    })?;
    Ok(MediaEntry {
        added_at: parse_time(&bank, "added_at", &added_at)?,
        id,
        media,
        content,
        content_digest,
        duration_s,
        source,
        label,
        enabled: enabled != 0,
        bank,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_in_lower_case_hex() {
        assert_eq!(
            content_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn empty_content_and_bad_durations_are_refused() {
        let ok = NewMediaEntry::new("1,2,3", 0.37);
        assert!(check_new_entry("b", 1, &ok).is_ok());
        for (bad, want) in [
            (NewMediaEntry::new(" \n", 1.0), "content is empty"),
            (NewMediaEntry::new("1", -1.0), "duration -1"),
            (NewMediaEntry::new("1", f64::NAN), "duration NaN"),
            (NewMediaEntry::new("1", f64::INFINITY), "duration inf"),
        ] {
            let err = check_new_entry("clips", 3, &bad).expect_err(want);
            let text = err.to_string();
            assert!(
                text.starts_with("entry 3 cannot go into bank `clips`"),
                "{text}"
            );
            assert!(text.contains(want), "{text} lacks {want}");
        }
    }
}
