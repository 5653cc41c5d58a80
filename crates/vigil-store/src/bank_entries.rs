//! The entries of image banks: PDQ hashes, each with where it came from and
//! what it is, from which the image match index is built.
//!
//! Entries are added in one transaction per call ([`Store::add_bank_entries`]);
//! a hash a bank holds already is never duplicated. Every write raises the
//! banks' counter ([`Store::banks_version`]); a server builds its index from
//! [`Store::all_enabled_entries`] once and then applies
//! [`Store::bank_changes_since`] the version it holds.
//!
//! Change tracking (migration 0007): every write raises the counter first
//! and stamps each entry it touches with the new value (`change_seq`); a
//! removal deletes the entry and records its id in `bank_entry_removals`,
//! stamped the same way. Removals are a separate table rather than a
//! soft-delete flag so that every other query, the bank's counts and the
//! `UNIQUE (bank, hash)` rule stay as they were, and a removed hash really
//! leaves the store (only its id and bank are kept).
//!
//! Hashes are checked here as 64 hex digits and stored in lower case. The
//! store does not depend on `vigil-image` for that: its `PdqHash` would pull
//! the image decoders into every user of the store for a one-line check, and
//! callers that read hashes from outside (the CLI) parse them with `PdqHash`
//! anyway, with the line they came from.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::OffsetDateTime;

use crate::banks::{
    begin_change, finish_change, format_time, kind_from_row, now_in_whole_seconds, parse_time,
};
use crate::store::Backend;
use crate::{sql, BankKind, BankMedia, Store, StoreError};

/// Entries per multi-row insert: 7 placeholders each, far under SQLite's
/// 32,766, and large enough that a big import is a few statements.
const ENTRIES_PER_STATEMENT: usize = 500;

/// One hash in a bank, with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankEntry {
    /// The entry's id: unique across banks and never reused while the entry
    /// exists, so match evidence can name it.
    pub id: i64,
    /// The bank holding it.
    pub bank: String,
    /// The PDQ hash: 64 lower-case hex digits.
    pub hash: String,
    /// Where the hash came from (a file, a feed, a case); may be empty.
    pub source: String,
    /// What it is, for reviewers; may be empty.
    pub label: String,
    /// When it was added to this bank (UTC, whole seconds).
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    /// Whether it takes part in matching.
    pub enabled: bool,
}

/// A hash to add to a bank, with its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// 64 hex digits, either case (stored in lower case).
    pub hash: String,
    /// Where it came from; may be empty.
    pub source: String,
    /// What it is; may be empty.
    pub label: String,
    /// Whether it takes part in matching once added.
    pub enabled: bool,
}

impl NewEntry {
    /// An enabled entry for `hash`, without source or label.
    pub fn new(hash: impl Into<String>) -> NewEntry {
        NewEntry {
            hash: hash.into(),
            source: String::new(),
            label: String::new(),
            enabled: true,
        }
    }
}

/// Every change to the banks after a version, read in one transaction so
/// that it is exactly the difference between that version and
/// [`BankChanges::version`].
///
/// Apply [`BankChanges::removed`] before [`BankChanges::changed`]: SQLite may
/// give a new entry the id of a removed one (when the removed one had the
/// highest id), and then the id is in both lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankChanges {
    /// The banks version these changes lead to.
    pub version: i64,
    /// Every entry added, enabled or disabled after the version asked for,
    /// as it is now (its `enabled` flag says which state to apply), in id
    /// order.
    pub changed: Vec<BankEntry>,
    /// The ids of entries removed after the version asked for, each once,
    /// in order.
    pub removed: Vec<i64>,
    /// The kind of every bank, so that entries of a bank created after the
    /// version asked for can be told positive or negative.
    pub kinds: BTreeMap<String, BankKind>,
}

impl BankChanges {
    /// Entries changed or removed.
    pub fn len(&self) -> usize {
        self.changed.len() + self.removed.len()
    }

    /// Whether no entry changed (a new empty bank is not an entry change).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What [`Store::add_bank_entries`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntriesAdded {
    /// Entries written.
    pub added: u64,
    /// Entries whose hash the bank held already (or that repeated a hash
    /// earlier in the same call); the stored entry was left as it was.
    pub already_present: u64,
}

impl Store {
    /// Adds `entries` to `bank`, all in one transaction.
    ///
    /// A hash the bank holds already is not added again and its stored
    /// entry is left unchanged; it is counted in
    /// [`EntriesAdded::already_present`], as is a hash repeated within
    /// `entries`. Every hash is checked before anything is written, so a bad
    /// one ([`StoreError::InvalidBankHash`]) or an unknown bank
    /// ([`StoreError::UnknownBank`]) leaves the bank as it was.
    pub async fn add_bank_entries(
        &self,
        bank: &str,
        entries: &[NewEntry],
    ) -> Result<EntriesAdded, StoreError> {
        let hashes = entries
            .iter()
            .map(|entry| normalized_hash(bank, &entry.hash))
            .collect::<Result<Vec<_>, _>>()?;
        self.require_bank_of(bank, &[BankMedia::Image], "image")
            .await?;
        let added_at = format_time(now_in_whole_seconds());
        let rows: Vec<(&NewEntry, String)> = entries.iter().zip(hashes).collect();
        let mut added = 0;
        match &self.backend {
            Backend::Sqlite(pool) => {
                let (mut tx, seq) = begin_change(pool, "begin add bank entries").await?;
                for chunk in rows.chunks(ENTRIES_PER_STATEMENT) {
                    let text = sql::insert_bank_entries(chunk.len());
                    let mut query = sqlx::query(&text);
                    for (entry, hash) in chunk {
                        query = query
                            .bind(bank)
                            .bind(hash)
                            .bind(&entry.source)
                            .bind(&entry.label)
                            .bind(&added_at)
                            .bind(i64::from(entry.enabled))
                            .bind(seq);
                    }
                    added += query
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query("add bank entries"))?
                        .rows_affected();
                }
                finish_change(tx, added > 0, "commit add bank entries").await?;
            }
        }
        Ok(EntriesAdded {
            added,
            already_present: entries.len() as u64 - added,
        })
    }

    /// Removes the entry for `hash` from `bank`; `false` when the bank does
    /// not hold that hash.
    pub async fn remove_bank_entry(&self, bank: &str, hash: &str) -> Result<bool, StoreError> {
        let hash = normalized_hash(bank, hash)?;
        self.require_bank_of(bank, &[BankMedia::Image], "image")
            .await?;
        match &self.backend {
            Backend::Sqlite(pool) => {
                let what = "remove bank entry";
                let (mut tx, seq) = begin_change(pool, what).await?;
                let removed: Option<i64> = sqlx::query_scalar(sql::DELETE_BANK_ENTRY)
                    .bind(bank)
                    .bind(&hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(StoreError::query(what))?;
                if let Some(id) = removed {
                    sqlx::query(sql::INSERT_BANK_ENTRY_REMOVAL)
                        .bind(id)
                        .bind(bank)
                        .bind(seq)
                        .execute(&mut *tx)
                        .await
                        .map_err(StoreError::query("record bank entry removal"))?;
                }
                finish_change(tx, removed.is_some(), what).await?;
                Ok(removed.is_some())
            }
        }
    }

    /// Enables or disables the entry for `hash` in `bank`; `false` when the
    /// bank does not hold that hash. A disabled entry stays in the bank but
    /// is left out of [`Store::all_enabled_entries`].
    pub async fn set_entry_enabled(
        &self,
        bank: &str,
        hash: &str,
        enabled: bool,
    ) -> Result<bool, StoreError> {
        let hash = normalized_hash(bank, hash)?;
        self.require_bank_of(bank, &[BankMedia::Image], "image")
            .await?;
        match &self.backend {
            Backend::Sqlite(pool) => {
                let what = "set bank entry enabled";
                let (mut tx, seq) = begin_change(pool, what).await?;
                let changed = sqlx::query(sql::SET_BANK_ENTRY_ENABLED)
                    .bind(i64::from(enabled))
                    .bind(seq)
                    .bind(bank)
                    .bind(&hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query(what))?
                    .rows_affected();
                finish_change(tx, changed > 0, what).await?;
                Ok(changed > 0)
            }
        }
    }

    /// Every entry of `bank`, enabled or not, in id order (the order they
    /// were added).
    pub async fn bank_entries(&self, bank: &str) -> Result<Vec<BankEntry>, StoreError> {
        self.require_bank_of(bank, &[BankMedia::Image], "image")
            .await?;
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::BANK_ENTRIES)
                .bind(bank)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list bank entries"))?,
        };
        rows.iter().map(entry_from_row).collect()
    }

    /// Every enabled entry of every bank, in id order: what a match index
    /// is built from.
    ///
    /// Read [`Store::banks_version`] first: a write that lands between the
    /// two reads then shows as a newer version on the next check, so an
    /// index is never left stale.
    pub async fn all_enabled_entries(&self) -> Result<Vec<BankEntry>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::ALL_ENABLED_BANK_ENTRIES)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list enabled bank entries"))?,
        };
        rows.iter().map(entry_from_row).collect()
    }

    /// Every entry added, enabled, disabled or removed after banks version
    /// `since`, and the version that brings, read in one transaction so the
    /// lists and the version agree however many writers are at work.
    ///
    /// A server that built its index at version `V` (read before the
    /// entries, as [`Store::all_enabled_entries`] says) asks for the changes
    /// since `V` and applies them to reach [`BankChanges::version`]. The
    /// answer is exact for any `since` from the version at which the store
    /// was upgraded to change tracking (schema 7) on; entries present then
    /// are listed as changed at that version, and earlier removals were not
    /// recorded. Two indexed reads: the cost is the size of the change, not
    /// of the banks.
    ///
    /// ```
    /// use vigil_store::{BankKind, NewEntry, Store};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// let store = Store::open_sqlite(&dir.path().join("vigil.db")).await?;
    /// store.create_bank("known_scams", BankKind::Positive, "").await?;
    /// let (a, b) = ("ab".repeat(32), "cd".repeat(32));
    /// store.add_bank_entries("known_scams", &[NewEntry::new(&a)]).await?;
    /// let seen = store.banks_version().await?;
    ///
    /// store.add_bank_entries("known_scams", &[NewEntry::new(&b)]).await?;
    /// store.set_entry_enabled("known_scams", &a, false).await?;
    /// let changes = store.bank_changes_since(seen).await?;
    /// assert_eq!(changes.version, seen + 2);
    /// let states: Vec<_> = changes.changed.iter().map(|e| (e.hash.as_str(), e.enabled)).collect();
    /// assert_eq!(states, [(a.as_str(), false), (b.as_str(), true)]);
    /// assert_eq!(changes.kinds["known_scams"], BankKind::Positive);
    /// # store.close().await;
    /// # Ok::<(), vigil_store::StoreError>(())
    /// # })?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bank_changes_since(&self, since: i64) -> Result<BankChanges, StoreError> {
        let (version, rows, removed, kinds) = match &self.backend {
            Backend::Sqlite(pool) => {
                // In WAL mode a read transaction sees one snapshot, taken
                // at its first read, to its end: no commit lands between
                // the reads.
                let what = "read bank changes";
                let mut tx = pool.begin().await.map_err(StoreError::query(what))?;
                let version: i64 = sqlx::query_scalar(sql::BANKS_CHANGES)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::query("read banks version"))?;
                let rows = sqlx::query(sql::BANK_ENTRIES_CHANGED_SINCE)
                    .bind(since)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(StoreError::query("list changed bank entries"))?;
                let removed: Vec<i64> = sqlx::query_scalar(sql::BANK_ENTRIES_REMOVED_SINCE)
                    .bind(since)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(StoreError::query("list removed bank entries"))?;
                let kinds = sqlx::query(sql::BANK_KINDS)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(StoreError::query("list bank kinds"))?;
                tx.rollback().await.map_err(StoreError::query(what))?;
                (version, rows, removed, kinds)
            }
        };
        Ok(BankChanges {
            version,
            changed: rows.iter().map(entry_from_row).collect::<Result<_, _>>()?,
            removed,
            kinds: kinds.iter().map(kind_from_row).collect::<Result<_, _>>()?,
        })
    }
}

/// `hash` in lower case if it is 64 hex digits.
fn normalized_hash(bank: &str, hash: &str) -> Result<String, StoreError> {
    if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hash.to_ascii_lowercase())
    } else {
        Err(StoreError::InvalidBankHash {
            bank: bank.to_owned(),
            hash: hash.chars().take(80).collect(),
        })
    }
}

/// An entry from `id, bank, hash, source, label, added_at, enabled`.
fn entry_from_row(row: &SqliteRow) -> Result<BankEntry, StoreError> {
    let column = |source| StoreError::Query {
        what: "read bank entry row",
        source,
    };
    let id: i64 = row.try_get(0).map_err(column)?;
    let bank: String = row.try_get(1).map_err(column)?;
    let hash: String = row.try_get(2).map_err(column)?;
    let source: String = row.try_get(3).map_err(column)?;
    let label: String = row.try_get(4).map_err(column)?;
    let added_at: String = row.try_get(5).map_err(column)?;
    let enabled: i64 = row.try_get(6).map_err(column)?;
    Ok(BankEntry {
        added_at: parse_time(&bank, "added_at", &added_at)?,
        id,
        hash,
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
    fn hashes_are_64_hex_digits_stored_in_lower_case() {
        let upper = "F8F8F0CEE0F4A84F06370A22038F63F0B36E2ED596621E1D33E6B39C4E9C9B22";
        assert_eq!(
            normalized_hash("b", upper).expect("valid"),
            upper.to_ascii_lowercase()
        );
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(65), &"é".repeat(32)] {
            assert!(
                matches!(
                    normalized_hash("b", bad),
                    Err(StoreError::InvalidBankHash { .. })
                ),
                "{bad}"
            );
        }
    }
}
