//! EU Digital Services Act statements of reasons.
//!
//! Every decision that restricts content (`restrict` or `block`) owes the
//! user a statement of reasons (DSA Article 17), which the platform also
//! files with the EU Transparency Database. This crate turns a
//! [`vigil_core::Decision`] into that statement and checks it against the
//! database's rules before anything leaves Vigil.
//!
//! - [`StatementOfReasons`] holds every field the database's API takes,
//!   under the API's names; values from the DSA lists are the typed enums of
//!   [`vigil_core::dsa`].
//! - [`StatementOfReasons::validate`] checks every rule of
//!   `shared/reference/dsa-statement-of-reasons.md` and reports each broken
//!   one as a [`Violation`] naming its field, its [`Rule`] and the limit.
//! - [`statement_for`] builds the statement of a restrictive decision from
//!   the decision and the [`vigil_policy::Policy`] it was taken under, with
//!   the few answers neither holds in [`StatementOptions`]; the result always
//!   passes `validate`, and anything that would not is a [`StatementError`].
//! - [`write_batches`] writes statements as batch files of at most
//!   [`MAX_BATCH`] for the batch endpoint, refusing the whole write if any
//!   statement is invalid.
//!
//! The mapping from decision to statement, field by field, and the batch
//! file format are described in `docs/dsa.md`. The crate reads nothing but
//! its arguments and writes only where [`write_batches`] is told.
//!
//! ```
//! use vigil_core::{Category, ContentFacts, Modality, Score};
//! use vigil_dsa::{statement_for, write_batches, StatementOptions};
//! use vigil_policy::{CategoryScore, DecisionInput, Policy};
//!
//! let policy = Policy::from_toml(r#"
//! [policy]
//! name = "tiny"
//! version = "1"
//! [dsa]
//! terms_url = "https://example.com/terms"
//! [categories.hate]
//! description = "Attacks on people for a protected characteristic."
//! dsa_category = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
//! dsa_keywords = ["KEYWORD_HATE_SPEECH"]
//! terms_ground = "Community guidelines: hateful conduct"
//! thresholds = { review = 0.4, block = 0.9 }
//! "#, "tiny.toml").unwrap().policy;
//!
//! let decision = policy.decide(DecisionInput {
//!     item_id: "post-1".to_owned(),
//!     input_digest: "sha256:00".to_owned(),
//!     scores: vec![CategoryScore {
//!         category: Category::Hate,
//!         score: Score::new(0.97).unwrap(),
//!         evidence: Vec::new(),
//!     }],
//!     models: Vec::new(),
//!     content: ContentFacts {
//!         modalities: vec![Modality::Text],
//!         lang: Some("de".to_owned()),
//!         content_date: None,
//!     },
//!     latency_us: 0,
//! });
//!
//! let options = StatementOptions {
//!     territorial_scope: vec!["DE".to_owned(), "AT".to_owned()],
//!     ..StatementOptions::default()
//! };
//! let statement = statement_for(&decision, &policy, &options).unwrap();
//! assert_eq!(statement.content_language.as_deref(), Some("DE"));
//! assert_eq!(statement.validate(), Ok(()));
//!
//! let dir = tempfile::tempdir().unwrap();
//! let files = write_batches(dir.path(), &[statement]).unwrap();
//! assert!(files[0].ends_with("statements-0001.json"));
//! ```

mod batch;
mod date;
mod from_decision;
mod from_notice;
mod http_url;
mod iso_codes;
mod rule;
mod statement;
mod validate;

pub use batch::{write_batches, Batch, Refused, WriteError, MAX_BATCH};
pub use date::{APPLICATION_DATE_MIN, CONTENT_DATE_MIN, DATE_MAX};
pub use from_decision::{statement_for, StatementError, StatementOptions};
pub use from_notice::{
    statement_for_rescan, statement_for_reviewed_notice, NoticeSource, ReviewedNotice,
};
pub use iso_codes::{is_eu_eea_country, is_iso_639_1, EU_EEA_COUNTRIES, ISO_639_1_LANGUAGES};
pub use rule::{
    Rule, Violation, MAX_EXPLANATION_CHARS, MAX_FACTS_CHARS, MAX_GROUND_CHARS, MAX_OTHER_CHARS,
    MAX_PUID_CHARS, MAX_URL_CHARS,
};
pub use statement::{ContentId, StatementOfReasons, YesNo};
