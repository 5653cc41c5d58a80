//! Shared by the integration tests: where the shared videos are, and ffmpeg.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use vigil_video::Ffmpeg;

/// The five sample videos of ThreatExchange's vPDQ, with the reference's
/// hashes in `vpdq-expected/NAME.txt`.
pub const VIDEOS: [&str; 5] = [
    "chair-19-sd-bar",
    "chair-22-sd-grey-bar",
    "chair-22-with-small-logo-bar",
    "doorknob-hd-no-bar",
    "pattern-sd-grey-bar",
];

/// `shared/data/video` beside the checkout, if present.
pub fn video_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/video");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (shared data)", dir.display());
        None
    }
}

/// ffmpeg, or `None` with a printed reason; under CI (`CI=true`, where the
/// setup script installs it) its absence fails the test.
pub fn ffmpeg() -> Option<Ffmpeg> {
    match Ffmpeg::locate(None) {
        Ok(f) => Some(f),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but {e}")
        }
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}
