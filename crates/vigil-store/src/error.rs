//! The one error type of the store, with a variant per problem.

use std::path::PathBuf;

use vigil_core::DecisionId;

use crate::BankMedia;

/// Everything that can go wrong opening or using a [`crate::Store`].
///
/// Messages name the problem and the value at fault; the underlying
/// database error, where there is one, is the [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store URL cannot be read as a location.
    #[error("store URL `{url}` is not usable: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The URL names a backend this build does not support (yet).
    #[error("store URL `{url}` is not supported: {reason}")]
    Unsupported {
        /// The URL as given.
        url: String,
        /// Why, and what to use instead.
        reason: String,
    },

    /// The folder that should hold the database file could not be created.
    #[error("cannot create the store's folder `{}`", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The file-system error.
        #[source]
        source: std::io::Error,
    },

    /// The database could not be opened or configured.
    #[error("cannot open the store at `{url}`")]
    Open {
        /// The URL or path as given.
        url: String,
        /// The database error.
        #[source]
        source: sqlx::Error,
    },

    /// Bringing the schema up to date failed.
    #[error("cannot bring the store's schema up to date")]
    Migrate {
        /// The migration error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    /// The database was migrated by a newer build than this one.
    #[error(
        "the store's schema is at version {found}, newer than the {supported} this build knows; \
         upgrade Vigil or open another store"
    )]
    SchemaTooNew {
        /// The newest migration applied to the database.
        found: i64,
        /// The newest migration this build carries.
        supported: i64,
    },

    /// A query failed.
    #[error("store query failed: {what}")]
    Query {
        /// What the query was for (`insert decision`, `list decisions`, …).
        what: &'static str,
        /// The database error.
        #[source]
        source: sqlx::Error,
    },

    /// A decision with this id is already stored; stored decisions are never overwritten.
    #[error("decision {id} is already stored")]
    Duplicate {
        /// The id inserted twice.
        id: DecisionId,
    },

    /// A decision cannot be stored as it is.
    #[error("decision {id} cannot be stored: {reason}")]
    Invalid {
        /// The decision's id.
        id: DecisionId,
        /// What is wrong with it.
        reason: String,
    },

    /// A stored decision does not read back as a decision.
    #[error("stored decision `{id}` is corrupt: {reason}")]
    Corrupt {
        /// The id column of the row, as stored.
        id: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The decisions table holds an action this build does not know.
    #[error("the store holds unknown action `{value}`; was it written by a newer Vigil?")]
    UnknownAction {
        /// The stored value.
        value: String,
    },

    /// An API key cannot be created as asked.
    #[error("API key `{name}` cannot be created: {reason}")]
    InvalidApiKey {
        /// The name asked for.
        name: String,
        /// What is wrong with the request.
        reason: String,
    },

    /// A stored API key does not read back as a key.
    #[error("stored API key `{id}` is corrupt: {reason}")]
    CorruptApiKey {
        /// The id column of the row, as stored.
        id: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A bank name that is not 1 to 64 of `a-z`, `0-9`, `_` and `-`.
    #[error("`{name}` is not a bank name: {reason}")]
    InvalidBankName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A bank with this name exists already.
    #[error("bank `{name}` already exists")]
    DuplicateBank {
        /// The name asked for.
        name: String,
    },

    /// No bank has this name.
    #[error("no bank is named `{name}`")]
    UnknownBank {
        /// The name as given.
        name: String,
    },

    /// A hash offered to a bank is not a PDQ hash.
    #[error("`{hash}` cannot go into bank `{bank}`: a PDQ hash is 64 hex digits")]
    InvalidBankHash {
        /// The bank.
        bank: String,
        /// The text as given (cut to 80 characters).
        hash: String,
    },

    /// An entry offered to, or asked of, a bank that holds hashes of
    /// another medium: PDQ hashes go into image banks, vPDQ hashes and
    /// audio fingerprints into video and audio banks.
    #[error("bank `{bank}` holds {media} hashes, not {offered} hashes")]
    WrongBankMedia {
        /// The bank.
        bank: String,
        /// What it holds.
        media: BankMedia,
        /// What was offered or asked for: `image`, or `video or audio`.
        offered: &'static str,
    },

    /// A video or audio entry that cannot be stored as it is.
    #[error("entry {index} cannot go into bank `{bank}`: {reason}")]
    InvalidMediaEntry {
        /// The bank.
        bank: String,
        /// The entry's position in the call, from 1.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },

    /// A stored bank or bank entry does not read back.
    #[error("stored bank `{bank}` is corrupt: {reason}")]
    CorruptBank {
        /// The bank the row belongs to, as stored.
        bank: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An item that cannot be queued as a scan job.
    #[error("item `{item_id}` cannot be queued as a scan job: {reason}")]
    InvalidJob {
        /// The item's id.
        item_id: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A worker finished a job it no longer holds: its lease ran out and
    /// another worker claimed the job, or the job ran out of attempts. The
    /// job is left as it is; the worker's result is not stored.
    #[error("scan job {id} is no longer held by worker `{owner}`")]
    JobLeaseLost {
        /// The job.
        id: String,
        /// The worker that tried to finish it.
        owner: String,
    },

    /// A stored scan job does not read back.
    #[error("stored scan job `{id}` is corrupt: {reason}")]
    CorruptJob {
        /// The id column of the row, as stored.
        id: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A model name and version registered twice.
    #[error("model {name}@{version} is already registered; give the new one another version")]
    DuplicateModel {
        /// The name.
        name: String,
        /// The version.
        version: String,
    },

    /// No registered model has this name and version.
    #[error("no model {model} is registered (see `vigil models list`)")]
    UnknownModel {
        /// `NAME@VERSION` as asked for.
        model: String,
    },

    /// A model that cannot be promoted or refused from where it stands:
    /// the active model is not judged again.
    #[error("model {model} is {status}; only a model that is not active can be judged")]
    ModelNotJudgeable {
        /// `NAME@VERSION`.
        model: String,
        /// Where it stands.
        status: &'static str,
    },

    /// A registered model's row does not read back.
    #[error("stored model `{model}` is corrupt: {reason}")]
    CorruptModel {
        /// `NAME@VERSION`, as stored.
        model: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The operating system's random number generator, which API key ids
    /// and secrets are drawn from, failed.
    #[error("cannot draw random bytes from the operating system")]
    Randomness {
        /// The generator's error.
        #[source]
        source: getrandom::Error,
    },
}

impl StoreError {
    /// A closure wrapping a database error as a failed query, for `map_err`.
    pub(crate) fn query(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Query { what, source }
    }
}
