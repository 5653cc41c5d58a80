//! Vigil's persistent store. Only this crate speaks SQL.
//!
//! A [`Store`] is one handle over the database: an embedded SQLite file in
//! WAL mode by default, PostgreSQL later (for several nodes) behind the same
//! methods. [`Store::open`] takes a URL, creates the database if missing and
//! brings its schema up to date with the versioned migrations embedded in
//! this crate; [`Store::schema_version`] says where it stands.
//!
//! Today the store holds the decision log: [`Store::insert_decision`] writes
//! a [`vigil_core::Decision`] durably (the whole decision as JSON, plus
//! columns and per-category scores for queries); [`Store::get_decision`],
//! [`Store::list_decisions`] with a [`DecisionQuery`], and
//! [`Store::count_decisions_by_action`] read it; and
//! [`Store::purge_decisions_before`] applies retention. Raw content is never
//! stored. Evaluation runs are recorded beside it ([`Store::insert_eval_run`],
//! [`Store::eval_history`]).
//!
//! It also holds the API keys that callers of the server present: an
//! [`ApiKey`] has [`Scope`]s, is created with [`Store::create_api_key`]
//! (which returns its secret once; only the secret's SHA-256 is stored),
//! and is found from a presented secret by [`Store::authenticate`] until
//! [`Store::revoke_api_key`]. Review queues will follow.
//!
//! Hash banks live here too: a [`Bank`] is a named list of PDQ hashes of
//! known-bad ([`BankKind::Positive`]) or known-benign
//! ([`BankKind::Negative`]) content, each [`BankEntry`] with its source and
//! label. [`Store::create_bank`], [`Store::add_bank_entries`] (one
//! transaction, never duplicating a hash), [`Store::remove_bank_entry`] and
//! [`Store::set_entry_enabled`] change them; [`Store::all_enabled_entries`]
//! is what a match index is built from, [`Store::banks_version`] says
//! cheaply when that index is stale, and [`Store::bank_changes_since`] says
//! what to apply to it ([`BankChanges`]).
//!
//! A bank holds hashes of one [`BankMedia`]: images (above), or videos
//! (vPDQ) and audio (Chromaprint fingerprints), made with
//! [`Store::create_media_bank`]. A video or audio bank holds
//! [`MediaEntry`]s, one per file, whose content the store keeps as text
//! without reading it: [`Store::add_media_entries`] (one transaction, never
//! the same content twice), [`Store::remove_media_entry`] and
//! [`Store::set_media_entry_enabled`] by id, and [`Store::media_bank_snapshot`],
//! what a server loads whole whenever the version moves.
//!
//! Scan jobs queue the items too long to scan inside a request:
//! [`Store::enqueue_job`] keeps the item, [`Store::claim_job`] hands the
//! oldest to one worker under a lease (a crashed worker's job is claimed
//! again, at most [`MAX_JOB_ATTEMPTS`] times), [`Store::complete_job`]
//! stores its decision in the same transaction that marks it done, and
//! [`Store::get_job`] says where it stands ([`JobStatus`]).
//!
//! The model registry holds the text models Vigil may serve
//! ([`RegisteredModel`]): [`Store::register_model`] adds a candidate,
//! [`Store::promote_model`] makes one active and retires the one it
//! replaces in the same transaction (one active model per name, which the
//! schema enforces too), [`Store::refuse_model`] records why the promotion
//! gate refused one, and [`Store::latest_active_model`] is what serving
//! loads. A candidate run in shadow beside the active model leaves
//! [`ShadowScore`]s ([`Store::insert_shadow_scores`], [`Store::shadow_scores`]).
//!
//! The human review queue lives here too (docs/review.md):
//! [`Store::enqueue_review`], [`Store::enqueue_gold`] and
//! [`Store::file_appeal`] queue items with their content;
//! [`Store::claim_next_review`] and [`Store::claim_review`] hand one to one
//! reviewer under a lease; [`Store::submit_review`] records a verdict, and
//! the item is done after k verdicts from k reviewers. Its operations fail
//! with a [`ReviewError`] naming the refusal (a claim held by another, a
//! lease run out, …).
//!
//! The online report (docs/online-report.md) reads its figures here, each
//! with the query that produced it ([`Audited`]): [`Store::online_action_counts`],
//! [`Store::online_audit_sample`], [`Store::online_checked_restrictions`],
//! [`Store::online_prevalence_sample`],
//! [`Store::online_scores`] and [`Store::online_latencies_us`], over an
//! [`OnlineWindow`] and an [`OnlineSlice`] of language and modality.
//!
//! The DSA transparency report's figures are counted here too
//! ([`Store::transparency_own_initiative`], [`Store::transparency_complaints`],
//! [`Store::transparency_notices`], [`Store::transparency_automated_means`]
//! over a [`ReportWindow`]), each [`Section`] with the [`QueryRecord`]s that
//! produced it, for the report's audit. Both reports record their queries
//! the same way ([`QueryRecord`]: name, SQL, named parameters, counting
//! rule, rows read).
//!
//! Every failure is a [`StoreError`] naming the problem: a refused URL, a
//! failed migration, a duplicate id, a stored row that no longer parses.
//!
//! ```
//! use time::macros::datetime;
//! use vigil_core::{Action, Decision, DecisionId, VersionRef};
//! use vigil_store::{DecisionQuery, Store};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let path = dir.path().join("vigil.db");
//! # let url = format!("sqlite://{}", path.display());
//! # tokio::runtime::Runtime::new()?.block_on(async {
//! let store = Store::open(&url).await?;
//! let decision = Decision {
//!     id: DecisionId::new(),
//!     item_id: "post-1".to_owned(),
//!     action: Action::Allow,
//!     categories: Vec::new(),
//!     reasons: Vec::new(),
//!     policy: VersionRef { name: "default".into(), version: "1".into(), digest: None },
//!     models: Vec::new(),
//!     input_digest: "sha256:…".to_owned(),
//!     latency_us: 180,
//!     decided_at: datetime!(2025-01-01 12:00 UTC),
//!     content: Default::default(),
//!     not_analysed: Vec::new(),
//!     hash_matches: Vec::new(),
//!     media_matches: Vec::new(),
//! };
//! store.insert_decision(&decision).await?;
//!
//! assert_eq!(store.get_decision(decision.id).await?, Some(decision.clone()));
//! let allowed = store
//!     .list_decisions(&DecisionQuery { action: Some(Action::Allow), ..Default::default() })
//!     .await?;
//! assert_eq!(allowed, vec![decision]);
//! store.close().await;
//! # Ok::<(), vigil_store::StoreError>(())
//! # })?;
//! # Ok(())
//! # }
//! ```

mod audit;
mod bank_entries;
mod banks;
mod codec;
mod decisions;
mod error;
mod eval_runs;
mod jobs;
mod keys;
mod location;
mod media_banks;
mod models;
mod notices;
mod online;
mod policies;
mod review;
mod shadow_scores;
mod sql;
mod sqlite;
mod store;
mod transparency;

pub use audit::{BoundParam, QueryRecord};
pub use bank_entries::{BankChanges, BankEntry, EntriesAdded, NewEntry};
pub use banks::{Bank, BankKind, BankMedia, UnknownBankMedia, MAX_BANK_NAME_CHARS};
pub use decisions::{DecisionQuery, TimeOrder};
pub use error::StoreError;
pub use eval_runs::{EvalHistoryRow, EvalMetric, EvalRun};
pub use jobs::{
    ClaimedJob, JobError, JobId, JobState, JobStatus, ATTEMPTS_EXHAUSTED, MAX_JOB_ATTEMPTS,
};
pub use keys::{ApiKey, Scope, UnknownScope};
pub use media_banks::{MediaBankSnapshot, MediaEntry, NewMediaEntry};
pub use models::{ModelKind, ModelStatus, NewModel, RegisteredModel};
pub use notices::{NewNotice, Notice, NoticeError, NoticeId, NoticeRoute, NoticeStatus};
pub use online::{
    ActionCounts, AuditSample, Audited, CheckedRestrictions, OnlineSlice, OnlineWindow,
    PrevalenceSample,
};
pub use policies::StoredPolicy;
pub use review::{
    Appeal, Claim, ExportRow, GoldResult, NewReview, QueueEntry, QueueListing, ReviewBucket,
    ReviewError, ReviewItem, ReviewItemId, ReviewRecord, ReviewStatus, Submitted, APPEAL_PRIORITY,
    MAX_REQUIRED_REVIEWS, MAX_STATEMENT_CHARS,
};
pub use shadow_scores::ShadowScore;
pub use store::Store;
pub use transparency::{
    median_seconds, notice_rows, own_initiative_rows, AutomatedMeansRow, ComplaintRow, Detection,
    Measure, MeasureGround, NoticeRecord, NoticeRow, OwnInitiativeRow, ReportWindow, Section, ALL,
    NONE,
};
