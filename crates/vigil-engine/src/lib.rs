//! From an item to a decision. [`Engine::scan`] checks the input against
//! [`Limits`], runs the detectors (the text model or cascade, the policy's
//! blocklists; for images the hash banks, OCR and the nudity detector; for
//! audio the audio banks and speech to text; for video the video banks,
//! sampled frames through the image detectors and the sound track through
//! the audio ones), fuses their signals and lets the policy decide. `vigil scan`
//! and `vigil serve` both call it, so a decision does not depend on how the
//! item arrived.
//!
//! The policy can be replaced while scans run ([`Engine::replace_policy`]):
//! each scan reads the policy once, so it is decided wholly under the old
//! policy or wholly under the new one.

mod audio;
mod banks;
mod engine;
mod findings;
mod fusion;
mod image;
mod input;
mod media_banks;
mod text;
mod video;

pub use banks::{
    Applied, BankEntryChange, BankEntryInfo, Banks, BanksUpdate, Maintenance, COMPACT_DELTA_MAX,
    COMPACT_DELTA_SHARE_DIVISOR, REBUILD_GROWTH,
};
pub use engine::{Engine, PolicyLoadError, PolicyState, Prepared, Scan, ScanError};
pub use fusion::{features, CategoryModel, FusionError, Stacker, StackerFile, FEATURES};
pub use input::{check_item, sniff_media_kind, CheckedItem, DecodedMedia, InputError, Limits};
pub use media_banks::{MediaBankEntry, MediaBanks, MediaContent};
pub use text::{CascadeModels, LinearPass, TextModelError, TextModels, TextScorer, TextScores};
