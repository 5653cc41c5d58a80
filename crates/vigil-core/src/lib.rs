//! Vigil's domain model, shared by every other crate.
//!
//! An [`Item`] (text, [`Media`], [`Meta`]) goes through detectors that emit
//! [`Signal`]s — a [`Category`], a [`Score`] and [`Evidence`] pointing into
//! the content. A policy turns per-category scores into a [`Decision`]: an
//! [`Action`], a [`CategoryDecision`] per category with the [`Thresholds`]
//! applied, [`Reason`]s, the policy and model versions, and an input digest.
//! Data sets attach [`Labels`] to items, where an absent category is unknown.
//! [`dsa`] holds the EU DSA Transparency Database vocabulary; a
//! [`ReporterType`] says who sent a notice and which `source_type` it maps to.
//!
//! This crate does no I/O and depends on no other Vigil crate.
//!
//! ```
//! use vigil_core::{Action, Category, Score, Thresholds};
//!
//! let t = Thresholds {
//!     review: Some(Score::new(0.5).unwrap()),
//!     restrict: None,
//!     block: Some(Score::new(0.9).unwrap()),
//! };
//! assert_eq!(t.action_for(Score::new(0.7).unwrap()).0, Action::Review);
//! assert_eq!("self_harm".parse::<Category>().unwrap(), Category::SelfHarm);
//! ```

mod category;
mod decision;
mod digest;
pub mod dsa;
mod item;
mod labels;
mod notice;
mod review;
mod score;
mod signal;

pub use category::{Category, UnknownCategory};
pub use decision::{
    Action, CategoryDecision, ContentFacts, Decision, DecisionId, HashMatch, MediaMatch,
    NotAnalysed, Reason, Thresholds, UnknownAction, VersionRef,
};
pub use digest::{sha256_hex, InputDigest};
pub use item::{Item, Media, MediaKind, MediaSource, Meta, Modality};
pub use labels::Labels;
pub use notice::{NoticeOutcome, ReporterType, UnknownReporterType};
pub use review::{AppealOutcome, QueueReason, UnknownQueueReason, Verdict};
pub use score::{InvalidScore, Score};
pub use signal::{Evidence, Location, Signal};
