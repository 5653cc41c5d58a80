//! Text detectors.

pub mod adversarial;
pub mod batch;
pub mod blocklist;
pub mod cascade;
pub mod default_model;
pub mod dense;
pub mod features;
pub mod linear;
pub mod normalize;
pub mod obfuscate;
pub mod training;
