//! Policy as code.
//!
//! A policy is a versioned TOML file (see `policies/default.toml`): per
//! category a description, the DSA statement category and keywords, the
//! decision ground, and thresholds per action; obligations such as
//! `[obligations.hate] min_precision = 0.90, confidence = 0.95`; DSA
//! settings; and for images, the match distance and quality floor
//! (`[images]`) and which hash banks apply and how (`[banks.NAME]`: a
//! positive bank's category and score, or `suppress` for a negative bank).
//! [`Policy::from_toml`] parses and validates it once, collecting
//! every problem as a [`Diagnostic`] with file, line and column; inside Vigil
//! only the validated [`Policy`] travels. [`Policy::decide`] turns fused
//! category scores into a [`vigil_core::Decision`].
//!
//! ```
//! use vigil_policy::Policy;
//!
//! let text = r#"
//! [policy]
//! name = "tiny"
//! version = "1"
//!
//! [categories.spam_scam]
//! description = "Unsolicited bulk messages and fraud."
//! dsa_category = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
//! terms_ground = "Terms §4: spam"
//! thresholds = { review = 0.5, block = 0.9 }
//! "#;
//! let checked = Policy::from_toml(text, "tiny.toml").unwrap();
//! assert_eq!(checked.policy.version.name, "tiny");
//! // The ten categories without a table are a warning, not an error.
//! assert_eq!(checked.warnings.len(), 1);
//! ```

mod alerts;
mod banks;
mod blocklist;
mod decide;
mod diagnostic;
mod media;
mod notices;
mod policy;
mod raw;
mod review;
mod rewrite;

pub use alerts::{AlertLimits, AlertSettings};
pub use banks::{BankUse, ImageSettings, MAX_MATCH_DISTANCE, MAX_QUALITY};
pub use blocklist::BlocklistSpec;
pub use decide::{fuse_max, CategoryScore, DecisionInput};
pub use diagnostic::{Diagnostic, Severity};
pub use media::{AudioSettings, VideoSettings};
pub use notices::{NoticeHandling, NoticeSettings};
pub use policy::{
    CategoryPolicy, Checked, DsaSettings, LogSettings, Obligation, Policy, PolicyErrors,
};
pub use review::ReviewSettings;
pub use rewrite::{rewrite_thresholds, RewriteError, ThresholdChange};
