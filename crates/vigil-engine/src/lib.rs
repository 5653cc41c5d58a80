//! From an item to a decision. [`Engine::scan`] checks the input against
//! [`Limits`], runs the detectors (the text model or cascade, the policy's
//! blocklists), fuses their signals and lets the policy decide. `vigil scan`
//! and `vigil serve` both call it, so a decision does not depend on how the
//! item arrived.
//!
//! The policy can be replaced while scans run ([`Engine::replace_policy`]):
//! each scan reads the policy once, so it is decided wholly under the old
//! policy or wholly under the new one.

mod banks;
mod engine;
mod image;
mod input;
mod text;

pub use banks::{
    Applied, BankEntryChange, BankEntryInfo, Banks, BanksUpdate, Maintenance, COMPACT_DELTA_MAX,
    COMPACT_DELTA_SHARE_DIVISOR, REBUILD_GROWTH,
};
pub use engine::{Engine, PolicyLoadError, PolicyState, Prepared, Scan, ScanError};
pub use input::{check_item, sniff_media_kind, CheckedItem, DecodedMedia, InputError, Limits};
pub use text::{CascadeModels, LinearPass, TextModelError, TextModels, TextScorer, TextScores};
