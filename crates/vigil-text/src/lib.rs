//! Text detectors.

pub mod adversarial;
pub mod batch;
pub mod blocklist;
pub mod default_model;
pub mod features;
pub mod linear;
pub mod normalize;
pub mod obfuscate;
pub mod training;
