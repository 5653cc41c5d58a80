//! Hash banks: named lists of PDQ hashes of known content, each entry with
//! where it came from and what it is, from which a match index is built.
//!
//! A [`Bank`] is [`BankKind::Positive`] (known-bad content: a match is a
//! signal) or [`BankKind::Negative`] (known-benign content: a match can
//! suppress positive matches of the same image); which banks apply, and for
//! which category, is the policy's business, not the store's. Entries are
//! added in one transaction per call ([`Store::add_bank_entries`]); a hash a
//! bank holds already is never duplicated. Every write raises a counter,
//! [`Store::banks_version`], so that a server can tell cheaply when its
//! index is stale; it builds the index from [`Store::all_enabled_entries`]
//! once and then applies [`Store::bank_changes_since`] the version it holds.
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
use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::store::Backend;
use crate::{sql, Store, StoreError};

/// The longest bank name, in characters.
pub const MAX_BANK_NAME_CHARS: usize = 64;

/// Entries per multi-row insert: 7 placeholders each, far under SQLite's
/// 32,766, and large enough that a big import is a few statements.
const ENTRIES_PER_STATEMENT: usize = 500;

/// What a bank's hashes are known to be.
///
/// Written in lower case (`positive`, `negative`) in JSON and in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BankKind {
    /// Known-bad content: a match is a signal for the category the policy
    /// names for the bank.
    Positive,
    /// Known-benign content (memes, stock images, news photos): a match
    /// suppresses positive matches of the same image.
    Negative,
}

impl BankKind {
    /// The kind's name: `positive` or `negative`.
    pub fn as_str(self) -> &'static str {
        match self {
            BankKind::Positive => "positive",
            BankKind::Negative => "negative",
        }
    }

    fn from_stored(text: &str) -> Option<BankKind> {
        [BankKind::Positive, BankKind::Negative]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

impl fmt::Display for BankKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bank as the store holds it, with how many entries it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bank {
    /// Its name: 1 to 64 of `a-z`, `0-9`, `_` and `-`; policies name it so.
    pub name: String,
    /// Positive (known-bad) or negative (known-benign).
    pub kind: BankKind,
    /// Free text for people; may be empty.
    pub description: String,
    /// When it was created (UTC, whole seconds).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// How many entries it holds, enabled or not.
    pub entries: u64,
    /// How many of them are enabled (take part in matching).
    pub enabled: u64,
}

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
    /// Creates an empty bank.
    ///
    /// The name must be 1 to 64 of `a-z`, `0-9`, `_` and `-`
    /// ([`StoreError::InvalidBankName`]) and not taken
    /// ([`StoreError::DuplicateBank`]).
    ///
    /// ```
    /// use vigil_store::{BankKind, NewEntry, Store};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = tempfile::tempdir()?;
    /// # tokio::runtime::Runtime::new()?.block_on(async {
    /// let store = Store::open_sqlite(&dir.path().join("vigil.db")).await?;
    /// store.create_bank("known_scams", BankKind::Positive, "from case 1234").await?;
    ///
    /// let hash = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    /// let outcome = store
    ///     .add_bank_entries("known_scams", &[NewEntry::new(hash), NewEntry::new(hash)])
    ///     .await?;
    /// assert_eq!((outcome.added, outcome.already_present), (1, 1));
    ///
    /// let entries = store.all_enabled_entries().await?;
    /// assert_eq!(entries[0].hash, hash);
    /// assert_eq!(entries[0].bank, "known_scams");
    /// # store.close().await;
    /// # Ok::<(), vigil_store::StoreError>(())
    /// # })?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_bank(
        &self,
        name: &str,
        kind: BankKind,
        description: &str,
    ) -> Result<Bank, StoreError> {
        check_bank_name(name)?;
        let created_at = now_in_whole_seconds();
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut tx = pool
                    .begin()
                    .await
                    .map_err(StoreError::query("begin create bank"))?;
                sqlx::query(sql::INSERT_BANK)
                    .bind(name)
                    .bind(kind.as_str())
                    .bind(description)
                    .bind(format_time(created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(|source| match source {
                        sqlx::Error::Database(e) if e.is_unique_violation() => {
                            StoreError::DuplicateBank {
                                name: name.to_owned(),
                            }
                        }
                        source => StoreError::Query {
                            what: "create bank",
                            source,
                        },
                    })?;
                bump_changes(&mut tx).await?;
                tx.commit()
                    .await
                    .map_err(StoreError::query("commit create bank"))?;
            }
        }
        Ok(Bank {
            name: name.to_owned(),
            kind,
            description: description.to_owned(),
            created_at,
            entries: 0,
            enabled: 0,
        })
    }

    /// Every bank with its entry counts, in name order.
    pub async fn list_banks(&self) -> Result<Vec<Bank>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::LIST_BANKS)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list banks"))?,
        };
        rows.iter().map(bank_from_row).collect()
    }

    /// The bank named `name` with its entry counts, if there is one.
    pub async fn get_bank(&self, name: &str) -> Result<Option<Bank>, StoreError> {
        let row = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::GET_BANK)
                .bind(name)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("get bank"))?,
        };
        row.as_ref().map(bank_from_row).transpose()
    }

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
        self.require_bank(bank).await?;
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
        self.require_bank(bank).await?;
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
        self.require_bank(bank).await?;
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
        self.require_bank(bank).await?;
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

    /// Every bank's kind by name: [`Store::list_banks`] without counting
    /// entries, which at millions of entries is the difference between a
    /// lookup and a scan.
    pub async fn bank_kinds(&self) -> Result<BTreeMap<String, BankKind>, StoreError> {
        let rows = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(sql::BANK_KINDS)
                .fetch_all(pool)
                .await
                .map_err(StoreError::query("list bank kinds"))?,
        };
        rows.iter().map(kind_from_row).collect()
    }

    /// A number that rises with every change to any bank (a bank created;
    /// entries added, removed, enabled or disabled) and only then. One
    /// indexed read, cheap enough to poll; compare it for equality.
    pub async fn banks_version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlx::query_scalar(sql::BANKS_CHANGES)
                .fetch_one(pool)
                .await
                .map_err(StoreError::query("read banks version")),
        }
    }

    /// Fails with [`StoreError::UnknownBank`] unless `bank` exists. One
    /// primary-key lookup: [`Store::get_bank`] would count the bank's
    /// entries, a scan of millions of rows for every single-entry change.
    async fn require_bank(&self, bank: &str) -> Result<(), StoreError> {
        let found: Option<i64> = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query_scalar(sql::BANK_EXISTS)
                .bind(bank)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("find bank"))?,
        };
        match found {
            Some(_) => Ok(()),
            None => Err(StoreError::UnknownBank {
                name: bank.to_owned(),
            }),
        }
    }
}

/// Opens a transaction that changes entries: its first statement raises
/// the change counter, whose new value it returns as the `change_seq` to
/// stamp on every entry it touches. Being a write, that statement takes the
/// write lock at once (waiting its turn) rather than upgrading from a read,
/// which SQLite may refuse outright.
async fn begin_change(
    pool: &sqlx::SqlitePool,
    what: &'static str,
) -> Result<(sqlx::Transaction<'static, sqlx::Sqlite>, i64), StoreError> {
    let mut tx = pool.begin().await.map_err(StoreError::query(what))?;
    let seq = sqlx::query_scalar(sql::RAISE_BANKS_CHANGES)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::query("raise banks version"))?;
    Ok((tx, seq))
}

/// Commits a transaction from [`begin_change`] if it `changed` anything;
/// otherwise rolls it back, so that the version rises only with a change.
async fn finish_change(
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    changed: bool,
    what: &'static str,
) -> Result<(), StoreError> {
    if changed {
        tx.commit().await.map_err(StoreError::query(what))
    } else {
        tx.rollback().await.map_err(StoreError::query(what))
    }
}

/// Raises the banks' change counter inside the transaction that changed them.
async fn bump_changes(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>) -> Result<(), StoreError> {
    sqlx::query(sql::BUMP_BANKS_CHANGES)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::query("raise banks version"))?;
    Ok(())
}

/// Checks a bank name: 1 to 64 of `a-z`, `0-9`, `_` and `-`.
fn check_bank_name(name: &str) -> Result<(), StoreError> {
    let invalid = |reason: String| StoreError::InvalidBankName {
        name: name.chars().take(80).collect(),
        reason,
    };
    if name.is_empty() {
        return Err(invalid("it is empty".to_owned()));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
    {
        return Err(invalid(format!(
            "it may hold only a-z, 0-9, `_` and `-`, not `{c}`"
        )));
    }
    if name.len() > MAX_BANK_NAME_CHARS {
        return Err(invalid(format!(
            "it is {} characters long; the most is {MAX_BANK_NAME_CHARS}",
            name.len()
        )));
    }
    Ok(())
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

/// The current time in UTC without its fraction of a second, so that stored
/// times are fixed-width.
fn now_in_whole_seconds() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now - Duration::nanoseconds(i64::from(now.nanosecond()))
}

/// A time as stored: RFC 3339, UTC.
fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .expect("the current UTC time has a four-digit year, which RFC 3339 can write")
}

fn parse_time(bank: &str, what: &str, text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| StoreError::CorruptBank {
        bank: bank.to_owned(),
        reason: format!("its {what} `{text}` is not RFC 3339: {e}"),
    })
}

/// A bank from `name, kind, description, created_at, entries, enabled`.
fn bank_from_row(row: &SqliteRow) -> Result<Bank, StoreError> {
    let column = |source| StoreError::Query {
        what: "read bank row",
        source,
    };
    let name: String = row.try_get(0).map_err(column)?;
    let kind: String = row.try_get(1).map_err(column)?;
    let description: String = row.try_get(2).map_err(column)?;
    let created_at: String = row.try_get(3).map_err(column)?;
    let entries: i64 = row.try_get(4).map_err(column)?;
    let enabled: i64 = row.try_get(5).map_err(column)?;
    let kind = BankKind::from_stored(&kind).ok_or_else(|| StoreError::CorruptBank {
        bank: name.clone(),
        reason: format!("its kind `{kind}` is neither positive nor negative"),
    })?;
    Ok(Bank {
        created_at: parse_time(&name, "created_at", &created_at)?,
        kind,
        description,
        entries: count(entries),
        enabled: count(enabled),
        name,
    })
}

/// A bank's `(name, kind)` from `name, kind`.
fn kind_from_row(row: &SqliteRow) -> Result<(String, BankKind), StoreError> {
    let column = |source| StoreError::Query {
        what: "read bank kind row",
        source,
    };
    let name: String = row.try_get(0).map_err(column)?;
    let kind: String = row.try_get(1).map_err(column)?;
    match BankKind::from_stored(&kind) {
        Some(kind) => Ok((name, kind)),
        None => Err(StoreError::CorruptBank {
            bank: name,
            reason: format!("its kind `{kind}` is neither positive nor negative"),
        }),
    }
}

/// A row count read back from SQL.
fn count(n: i64) -> u64 {
    u64::try_from(n).expect("a COUNT, or a SUM of 0s and 1s, is never negative")
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
    fn bank_names_are_short_lower_case_words() {
        for good in ["a", "known_terror", "memes-2024", &"x".repeat(64)] {
            assert!(check_bank_name(good).is_ok(), "{good}");
        }
        let reason = |name: &str| match check_bank_name(name) {
            Err(StoreError::InvalidBankName { reason, .. }) => reason,
            other => panic!("`{name}` should be refused, got {other:?}"),
        };
        assert_eq!(reason(""), "it is empty");
        assert!(reason("Known").contains("not `K`"));
        assert!(reason("a b").contains("not ` `"));
        assert!(reason("bank.v2").contains("not `.`"));
        assert!(reason(&"x".repeat(65)).contains("65 characters"));
    }

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

    #[test]
    fn kinds_read_back_what_they_write() {
        for kind in [BankKind::Positive, BankKind::Negative] {
            assert_eq!(BankKind::from_stored(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{kind}\""));
        }
        assert_eq!(BankKind::from_stored("Positive"), None);
    }
}
