//! How video and audio are matched against their hash banks: `[video]` and
//! `[audio]`.
//!
//! ```toml
//! [video]
//! frame_distance = 31    # a bank frame within this PDQ distance matches a frame; default 31
//! quality_floor = 50     # frames below this PDQ quality are not compared; default 50
//! match_percent = 80.0   # share of the bank video's unique frames that must match; default 80
//!
//! [audio]
//! max_bit_error_rate = 0.3  # fingerprints aligned at their best offset match at or below this
//! min_overlap_s = 5.0       # ... over at least this many seconds (or the shorter clip); default 5
//! ```
//!
//! Which banks apply, and what a match signals, is `[banks.NAME]` for every
//! kind of media alike; the store records whether a bank holds images,
//! video or audio.

use toml::Spanned;

use crate::banks::{distance, quality};
use crate::diagnostic::{Diagnostic, Locator};
use crate::raw::{RawAudio, RawVideo};

/// How video frame hashes are matched (`[video]`): vPDQ's rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VideoSettings {
    /// A bank frame within this many bits of a frame's PDQ hash matches it.
    pub frame_distance: u32,
    /// Frames whose PDQ quality is below this are not compared.
    pub quality_floor: u8,
    /// A bank video matches when at least this percentage of its unique
    /// frames match a frame of the scanned video.
    pub match_percent: f64,
}

impl Default for VideoSettings {
    fn default() -> VideoSettings {
        VideoSettings {
            frame_distance: 31,
            quality_floor: 50,
            match_percent: 80.0,
        }
    }
}

/// How audio fingerprints are matched (`[audio]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioSettings {
    /// Two fingerprints aligned at their best offset match when the share
    /// of differing bits over the overlap is at most this (0 to 0.5; two
    /// unrelated fingerprints differ in about half their bits). Default
    /// 0.3: re-encoded, clipped, noisy and 5% faster copies measured at most
    /// 0.255, the closest unrelated speech at any offset 0.364
    /// (docs/audio.md).
    pub max_bit_error_rate: f64,
    /// The overlap must last at least this many seconds, or the whole of
    /// the shorter recording.
    pub min_overlap_s: f64,
}

impl Default for AudioSettings {
    fn default() -> AudioSettings {
        AudioSettings {
            max_bit_error_rate: 0.3,
            min_overlap_s: 5.0,
        }
    }
}

/// Validate `[video]`; absent keys take their defaults.
pub(crate) fn validate_video(
    loc: &Locator<'_>,
    raw: Option<RawVideo>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<VideoSettings> {
    let mut settings = VideoSettings::default();
    let Some(raw) = raw else {
        return Some(settings);
    };
    let before = diagnostics.len();
    if let Some(d) = &raw.frame_distance {
        if let Some(d) = distance(loc, "[video] frame_distance", d, diagnostics) {
            settings.frame_distance = d;
        }
    }
    if let Some(q) = &raw.quality_floor {
        if let Some(q) = quality(loc, "[video] quality_floor", q, diagnostics) {
            settings.quality_floor = q;
        }
    }
    if let Some(p) = in_range(
        loc,
        "[video] match_percent",
        &raw.match_percent,
        0.0,
        100.0,
        diagnostics,
    ) {
        if p == 0.0 {
            diagnostics.push(loc.error(
                raw.match_percent.as_ref().map_or(0..0, Spanned::span),
                "[video] match_percent must be above 0: at 0 every bank video would match",
            ));
        } else {
            settings.match_percent = p;
        }
    }
    (diagnostics.len() == before).then_some(settings)
}

/// Validate `[audio]`; absent keys take their defaults.
pub(crate) fn validate_audio(
    loc: &Locator<'_>,
    raw: Option<RawAudio>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AudioSettings> {
    let mut settings = AudioSettings::default();
    let Some(raw) = raw else {
        return Some(settings);
    };
    let before = diagnostics.len();
    if let Some(b) = in_range(
        loc,
        "[audio] max_bit_error_rate",
        &raw.max_bit_error_rate,
        0.0,
        0.5,
        diagnostics,
    ) {
        settings.max_bit_error_rate = b;
    }
    if let Some(s) = in_range(
        loc,
        "[audio] min_overlap_s",
        &raw.min_overlap_s,
        0.0,
        3600.0,
        diagnostics,
    ) {
        settings.min_overlap_s = s;
    }
    (diagnostics.len() == before).then_some(settings)
}

/// A number from `lo` to `hi`, or an error at its place; `None` when absent.
pub(crate) fn in_range(
    loc: &Locator<'_>,
    what: &str,
    raw: &Option<Spanned<f64>>,
    lo: f64,
    hi: f64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<f64> {
    let raw = raw.as_ref()?;
    let v = *raw.get_ref();
    if (lo..=hi).contains(&v) {
        Some(v)
    } else {
        diagnostics.push(loc.error(
            raw.span(),
            format!("{what} must be from {lo} to {hi}; it is {v}"),
        ));
        None
    }
}
