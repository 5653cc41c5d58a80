//! Hash banks: named lists of hashes of known content, from which match
//! indexes are built. This module holds the banks themselves; their entries
//! are in `bank_entries` (PDQ hashes of images) and `media_banks` (vPDQ
//! hashes of videos, Chromaprint fingerprints of audio).
//!
//! A [`Bank`] is [`BankKind::Positive`] (known-bad content: a match is a
//! signal) or [`BankKind::Negative`] (known-benign content: a match can
//! suppress positive matches of the same item), and holds hashes of one
//! [`BankMedia`]: images, videos or audio, fixed when it is created. Which
//! banks apply, and for which category, is the policy's business, not the
//! store's.
//!
//! Every write to any bank raises a counter, [`Store::banks_version`], in
//! the same transaction, so that a server can tell cheaply when its indexes
//! are stale. The transaction helpers here ([`begin_change`],
//! [`finish_change`]) are shared by both kinds of entry so that the rule
//! holds for every write.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::store::Backend;
use crate::{sql, Store, StoreError};

/// The longest bank name, in characters.
pub const MAX_BANK_NAME_CHARS: usize = 64;

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

/// What a bank's entries are hashes of. Fixed when the bank is created.
///
/// Written in lower case (`image`, `video`, `audio`) in JSON and in the
/// store; banks made before media banks existed are image banks.
///
/// ```
/// use vigil_store::BankMedia;
///
/// assert_eq!("video".parse::<BankMedia>()?, BankMedia::Video);
/// assert_eq!(BankMedia::Audio.as_str(), "audio");
/// assert!("images".parse::<BankMedia>().is_err());
/// # Ok::<(), vigil_store::UnknownBankMedia>(())
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BankMedia {
    /// PDQ hashes of images ([`crate::BankEntry`]).
    #[default]
    Image,
    /// vPDQ hashes of videos: one PDQ hash per frame ([`crate::MediaEntry`]).
    Video,
    /// Chromaprint fingerprints of audio ([`crate::MediaEntry`]).
    Audio,
}

impl BankMedia {
    /// Every medium, in the order above.
    pub const ALL: [BankMedia; 3] = [BankMedia::Image, BankMedia::Video, BankMedia::Audio];

    /// The medium's name: `image`, `video` or `audio`.
    pub fn as_str(self) -> &'static str {
        match self {
            BankMedia::Image => "image",
            BankMedia::Video => "video",
            BankMedia::Audio => "audio",
        }
    }

    /// The medium named `text` (exactly as [`BankMedia::as_str`] writes it).
    pub fn parse(text: &str) -> Option<BankMedia> {
        BankMedia::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

impl fmt::Display for BankMedia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BankMedia {
    type Err = UnknownBankMedia;

    fn from_str(s: &str) -> Result<BankMedia, UnknownBankMedia> {
        BankMedia::parse(s).ok_or_else(|| UnknownBankMedia {
            value: s.chars().take(80).collect(),
        })
    }
}

/// A medium name that is none of [`BankMedia::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown bank medium `{value}`; a bank holds image, video or audio hashes")]
pub struct UnknownBankMedia {
    /// The name as given (cut to 80 characters).
    pub value: String,
}

/// A bank as the store holds it, with how many entries it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bank {
    /// Its name: 1 to 64 of `a-z`, `0-9`, `_` and `-`; policies name it so.
    pub name: String,
    /// Positive (known-bad) or negative (known-benign).
    pub kind: BankKind,
    /// What its entries are hashes of.
    pub media: BankMedia,
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

impl Store {
    /// Creates an empty image bank (PDQ hashes); see
    /// [`Store::create_media_bank`] for video and audio banks.
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
        self.create_media_bank(name, kind, BankMedia::Image, description)
            .await
    }

    /// Creates an empty bank of `media` hashes: [`BankMedia::Image`] banks
    /// take [`Store::add_bank_entries`], video and audio banks
    /// [`Store::add_media_entries`], and each refuses the other's entries.
    ///
    /// The name must be 1 to 64 of `a-z`, `0-9`, `_` and `-`
    /// ([`StoreError::InvalidBankName`]) and not taken by a bank of any
    /// medium ([`StoreError::DuplicateBank`]): the policy names banks by name
    /// alone.
    pub async fn create_media_bank(
        &self,
        name: &str,
        kind: BankKind,
        media: BankMedia,
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
                    .bind(media.as_str())
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
            media,
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

    /// What `bank`'s entries are hashes of, or [`StoreError::UnknownBank`]:
    /// one lookup, without counting the bank's entries as
    /// [`Store::get_bank`] does.
    pub async fn bank_media(&self, bank: &str) -> Result<BankMedia, StoreError> {
        self.require_bank(bank).await
    }

    /// The medium of `bank`, or [`StoreError::UnknownBank`]. One primary-key
    /// lookup: [`Store::get_bank`] would count the bank's entries, a scan of
    /// millions of rows for every single-entry change.
    pub(crate) async fn require_bank(&self, bank: &str) -> Result<BankMedia, StoreError> {
        let found: Option<String> = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query_scalar(sql::BANK_MEDIA)
                .bind(bank)
                .fetch_optional(pool)
                .await
                .map_err(StoreError::query("find bank"))?,
        };
        match found {
            Some(media) => stored_media(bank, &media),
            None => Err(StoreError::UnknownBank {
                name: bank.to_owned(),
            }),
        }
    }

    /// The medium of `bank` if it is one of `wanted`; otherwise
    /// [`StoreError::UnknownBank`], or [`StoreError::WrongBankMedia`] naming
    /// the bank's medium and what the caller `offered` (`image`, `video or
    /// audio`).
    pub(crate) async fn require_bank_of(
        &self,
        bank: &str,
        wanted: &[BankMedia],
        offered: &'static str,
    ) -> Result<BankMedia, StoreError> {
        let media = self.require_bank(bank).await?;
        if wanted.contains(&media) {
            Ok(media)
        } else {
            Err(StoreError::WrongBankMedia {
                bank: bank.to_owned(),
                media,
                offered,
            })
        }
    }
}

/// Opens a transaction that changes entries: its first statement raises
/// the change counter, whose new value it returns as the `change_seq` to
/// stamp on every entry it touches. Being a write, that statement takes the
/// write lock at once (waiting its turn) rather than upgrading from a read,
/// which SQLite may refuse outright.
pub(crate) async fn begin_change(
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
pub(crate) async fn finish_change(
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

/// The current time in UTC without its fraction of a second, so that stored
/// times are fixed-width.
pub(crate) fn now_in_whole_seconds() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now - Duration::nanoseconds(i64::from(now.nanosecond()))
}

/// A time as stored: RFC 3339, UTC.
pub(crate) fn format_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .expect("the current UTC time has a four-digit year, which RFC 3339 can write")
}

pub(crate) fn parse_time(bank: &str, what: &str, text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| StoreError::CorruptBank {
        bank: bank.to_owned(),
        reason: format!("its {what} `{text}` is not RFC 3339: {e}"),
    })
}

/// A bank from `name, kind, description, created_at, entries, enabled,
/// media`.
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
    let media: String = row.try_get(6).map_err(column)?;
    let kind = BankKind::from_stored(&kind).ok_or_else(|| StoreError::CorruptBank {
        bank: name.clone(),
        reason: format!("its kind `{kind}` is neither positive nor negative"),
    })?;
    Ok(Bank {
        media: stored_media(&name, &media)?,
        created_at: parse_time(&name, "created_at", &created_at)?,
        kind,
        description,
        entries: count(entries),
        enabled: count(enabled),
        name,
    })
}

/// A bank's `(name, kind)` from `name, kind`.
pub(crate) fn kind_from_row(row: &SqliteRow) -> Result<(String, BankKind), StoreError> {
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
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).expect("a COUNT, or a SUM of 0s and 1s, is never negative")
}

/// A bank's medium as stored, or why it is not one.
fn stored_media(bank: &str, text: &str) -> Result<BankMedia, StoreError> {
    BankMedia::parse(text).ok_or_else(|| StoreError::CorruptBank {
        bank: bank.to_owned(),
        reason: format!("its medium `{text}` is none of image, video and audio"),
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
    fn kinds_read_back_what_they_write() {
        for kind in [BankKind::Positive, BankKind::Negative] {
            assert_eq!(BankKind::from_stored(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{kind}\""));
        }
        assert_eq!(BankKind::from_stored("Positive"), None);
    }

    #[test]
    fn media_read_back_what_they_write() {
        for media in BankMedia::ALL {
            assert_eq!(BankMedia::parse(media.as_str()), Some(media));
            assert_eq!(media.as_str().parse::<BankMedia>(), Ok(media));
            let json = serde_json::to_string(&media).expect("serialises");
            assert_eq!(json, format!("\"{media}\""));
        }
        let err = "Video".parse::<BankMedia>().expect_err("case matters");
        assert!(err.to_string().contains("`Video`"), "{err}");
    }
}
