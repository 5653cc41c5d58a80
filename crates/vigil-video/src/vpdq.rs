//! vPDQ, Meta's video hash (facebook/ThreatExchange `vpdq/`): the PDQ hash
//! and quality of every frame, with its number and time; its text format;
//! and (in `matching`) the rule by which two videos match.
//!
//! Each frame is hashed by `vigil_image`'s PDQ from the RGB24 pixels ffmpeg
//! decodes at the video's own size — the reference's input — so a frame's
//! hash is PDQ's hash of that picture.

mod matching;

use std::fmt;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use vigil_image::pdq::PdqHasher;
use vigil_image::PdqHash;

use crate::{Ffmpeg, FfmpegError};
pub use matching::{
    dedupe, match_videos, VpdqMatch, DEFAULT_FRAME_DISTANCE, DEFAULT_MATCH_PERCENT,
    DEFAULT_QUALITY_FLOOR,
};

/// The PDQ hash of one frame.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct VpdqFrame {
    /// The frame's number, 0 for the first.
    pub index: u64,
    /// PDQ's quality, 0 to 100 (below 50: flat or featureless, such as a
    /// black frame; not counted when matching).
    pub quality: u8,
    pub hash: PdqHash,
    /// `index / fps` in seconds.
    pub time_s: f64,
}

impl fmt::Display for VpdqFrame {
    /// One line of the text format: `index,quality,hash,time` with the time
    /// to three decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{},{},{},{:.3}",
            self.index, self.quality, self.hash, self.time_s
        )
    }
}

/// Which frames to hash.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Sampling {
    /// Every frame, as the reference does by default.
    #[default]
    AllFrames,
    /// One frame per this many seconds: frames whose number is a multiple of
    /// `trunc(seconds × fps)` (at least 1), as the reference's
    /// `secondsPerHash` chooses them.
    EverySeconds(f64),
}

impl Sampling {
    /// Every how many frames one is hashed, at `fps`.
    pub fn frame_step(self, fps: f64) -> u64 {
        match self {
            Sampling::AllFrames => 1,
            Sampling::EverySeconds(s) => ((s * fps) as u64).max(1),
        }
    }
}

/// The vPDQ hash of a video: one [`VpdqFrame`] per frame sampled, in order.
/// Frames are decoded one at a time (see [`Ffmpeg::decode_frames`]).
pub fn hash_video(
    ffmpeg: &Ffmpeg,
    path: &Path,
    every: Sampling,
) -> Result<Vec<VpdqFrame>, FfmpegError> {
    let mut hasher = PdqHasher::new();
    let mut frames = Vec::new();
    let mut step = None;
    ffmpeg.decode_frames(path, |frame| {
        let step = *step.get_or_insert_with(|| every.frame_step(frame.fps));
        if frame.index % step == 0 {
            frames.push(hash_frame(&mut hasher, &frame));
        }
        ControlFlow::Continue(())
    })?;
    Ok(frames)
}

/// The PDQ hash of one decoded frame.
pub fn hash_frame(hasher: &mut PdqHasher, frame: &crate::VideoFrame<'_>) -> VpdqFrame {
    let out = hasher.hash_image(frame.image);
    VpdqFrame {
        index: frame.index,
        quality: out.quality,
        hash: out.hash,
        time_s: frame.time_s,
    }
}

/// Write frames in the text format, one line each (see [`VpdqFrame`]'s
/// `Display`): the format of the reference's `vpdq-hash-video` output.
pub fn write_vpdq(out: &mut impl Write, frames: &[VpdqFrame]) -> std::io::Result<()> {
    for frame in frames {
        writeln!(out, "{frame}")?;
    }
    Ok(())
}

/// A line of vPDQ text that is not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct VpdqParseError {
    /// 1 for the first line.
    pub line: usize,
    pub problem: String,
}

/// Read the text format: `index,quality,hash,time` per line (blank lines
/// are skipped). Every problem names its line.
pub fn parse_vpdq(text: &str) -> Result<Vec<VpdqFrame>, VpdqParseError> {
    let mut frames = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let frame = parse_line(line).map_err(|problem| VpdqParseError {
            line: i + 1,
            problem,
        })?;
        frames.push(frame);
    }
    Ok(frames)
}

fn parse_line(line: &str) -> Result<VpdqFrame, String> {
    let fields: Vec<&str> = line.split(',').collect();
    let [index, quality, hash, time] = fields[..] else {
        return Err(format!(
            "expected 4 comma-separated fields (frame,quality,hash,time), found {}",
            fields.len()
        ));
    };
    let shown = |s: &str| s.chars().take(80).collect::<String>();
    let index = index
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("frame number `{}` is not a whole number", shown(index)))?;
    let quality = quality
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|q| *q <= 100)
        .ok_or_else(|| format!("quality `{}` is not a number from 0 to 100", shown(quality)))?;
    let hash = hash.trim().parse::<PdqHash>().map_err(|e| e.to_string())?;
    let time_s = time
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|t| t.is_finite() && *t >= 0.0)
        .ok_or_else(|| format!("time `{}` is not a number of seconds ≥ 0", shown(time)))?;
    Ok(VpdqFrame {
        index,
        quality,
        hash,
        time_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &str =
        "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000
1,49,c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,0.033
";

    #[test]
    fn text_round_trips() {
        let frames = parse_vpdq(LINES).expect("parses");
        assert_eq!(frames.len(), 2);
        assert_eq!((frames[1].index, frames[1].quality), (1, 49));
        let mut out = Vec::new();
        write_vpdq(&mut out, &frames).expect("writes");
        assert_eq!(String::from_utf8(out).expect("UTF-8"), LINES);
    }

    #[test]
    fn parse_errors_name_the_line_and_problem() {
        let h = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c";
        let cases = [
            (format!("0,100,{h}"), "expected 4"),
            (format!("x,100,{h},0.000"), "frame number `x`"),
            (format!("0,101,{h},0.000"), "quality `101`"),
            ("0,100,abc,0.000".to_owned(), "not a PDQ hash"),
            (format!("0,100,{h},-1"), "time `-1`"),
            (format!("0,100,{h},NaN"), "time `NaN`"),
        ];
        for (bad, want) in cases {
            let text = format!("{LINES}\n{bad}\n");
            let e = parse_vpdq(&text).expect_err("a bad line");
            assert_eq!(e.line, 4, "{e}");
            assert!(e.to_string().starts_with("line 4: "), "{e}");
            assert!(e.problem.contains(want), "{e} lacks {want}");
        }
    }

    #[test]
    fn the_step_truncates_as_the_reference_does() {
        assert_eq!(Sampling::AllFrames.frame_step(30.0), 1);
        assert_eq!(Sampling::EverySeconds(1.0).frame_step(29.97), 29);
        assert_eq!(Sampling::EverySeconds(1.0).frame_step(0.5), 1);
        assert_eq!(Sampling::EverySeconds(2.0).frame_step(30.0), 60);
    }
}
