//! One pass over a video for the engine: every frame is decoded once and
//! hashed (the vPDQ hash, for the banks), and a few frames are handed on as
//! pictures to the image detectors (OCR, nudity) — one a second, plus each
//! scene change — up to a bound.

use std::ops::ControlFlow;
use std::path::Path;

use image::DynamicImage;
use vigil_image::pdq::PdqHasher;
use vigil_image::PdqHash;

use crate::vpdq::{hash_frame, VpdqFrame};
use crate::{Ffmpeg, FfmpegError, VideoInfo};

/// A frame whose PDQ hash differs from the last sampled frame's by more
/// than this many bits (of 256) starts a new scene and is sampled. Frames
/// of one shot stay within about 30 bits of each other (the vPDQ match
/// distance is 31); 60 is well past that while far below the ~128 bits of
/// unrelated pictures.
pub const SCENE_CHANGE_BITS: u32 = 60;
/// One frame is sampled per this many seconds of video.
pub const SAMPLE_EVERY_S: f64 = 1.0;
/// A scene change is sampled only this long after the last frame sampled,
/// so at most two extra frames a second reach the detectors. Without it a
/// shaky or noisy clip, whose consecutive frames can differ by 50 to 130
/// bits (the chair sample video, looped to a minute, had 473 "scene
/// changes" in 62 s), sent most of its frames to OCR.
pub const MIN_SCENE_GAP_S: f64 = 0.5;
/// At most this many frames are sampled from one video (10 minutes at one a
/// second); later frames are still hashed but not sampled.
pub const MAX_SAMPLED_FRAMES: usize = 600;

/// Why a frame was sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleReason {
    /// The first frame, or the first a full interval after the last one
    /// sampled on the clock.
    Interval,
    /// Far (in PDQ bits) from the last frame sampled.
    SceneChange,
}

/// Decides, frame by frame, which frames the detectors see.
#[derive(Debug, Clone)]
pub struct Sampler {
    every_s: f64,
    scene_change_bits: u32,
    max_frames: usize,
    sampled: usize,
    /// Time of the last frame sampled on the clock.
    last_interval_s: Option<f64>,
    /// Time of the last frame sampled for any reason.
    last_sampled_s: Option<f64>,
    /// Hash of the last frame sampled for any reason.
    last_hash: Option<PdqHash>,
    limit_reached: bool,
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler::new(SAMPLE_EVERY_S, SCENE_CHANGE_BITS, MAX_SAMPLED_FRAMES)
    }
}

impl Sampler {
    /// A sampler taking a frame every `every_s` seconds and at each change
    /// of more than `scene_change_bits`, at most `max_frames` in all.
    pub fn new(every_s: f64, scene_change_bits: u32, max_frames: usize) -> Sampler {
        Sampler {
            every_s,
            scene_change_bits,
            max_frames,
            sampled: 0,
            last_interval_s: None,
            last_sampled_s: None,
            last_hash: None,
            limit_reached: false,
        }
    }

    /// Whether to sample this frame (frames must come in order), and why.
    pub fn offer(&mut self, frame: &VpdqFrame) -> Option<SampleReason> {
        // A microsecond of slack absorbs the f32 rounding of the timestamps,
        // so that frame 30 at 30 fps is "one second later".
        let due = match self.last_interval_s {
            None => true,
            Some(last) => frame.time_s + 1e-6 >= last + self.every_s,
        };
        let reason = if due {
            SampleReason::Interval
        } else {
            let gap_ok = self
                .last_sampled_s
                .is_none_or(|last| frame.time_s + 1e-6 >= last + MIN_SCENE_GAP_S);
            match self.last_hash {
                Some(h) if gap_ok && h.distance(&frame.hash) > self.scene_change_bits => {
                    SampleReason::SceneChange
                }
                _ => return None,
            }
        };
        if self.sampled >= self.max_frames {
            self.limit_reached = true;
            return None;
        }
        self.sampled += 1;
        self.last_hash = Some(frame.hash);
        self.last_sampled_s = Some(frame.time_s);
        if reason == SampleReason::Interval {
            self.last_interval_s = Some(frame.time_s);
        }
        Some(reason)
    }

    /// How many frames have been sampled.
    pub fn sampled(&self) -> usize {
        self.sampled
    }

    /// Whether a frame was refused because the bound was reached.
    pub fn limit_reached(&self) -> bool {
        self.limit_reached
    }
}

/// A frame handed to the detectors.
#[derive(Debug, Clone, Copy)]
pub struct SampledFrame<'a> {
    /// Its number, time, hash and quality.
    pub frame: &'a VpdqFrame,
    pub reason: SampleReason,
    /// The picture, RGB at the video's size (`DynamicImage::ImageRgb8`).
    pub image: &'a DynamicImage,
}

/// What one pass over a video found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VideoScan {
    pub info: VideoInfo,
    /// The vPDQ hash of every frame decoded, in order.
    pub frames: Vec<VpdqFrame>,
    /// How many frames went to the detectors.
    pub sampled: usize,
    /// Whether the bound on sampled frames cut sampling short.
    pub sample_limit_reached: bool,
    /// Whether `on_sample` stopped the pass before the end of the video.
    pub stopped_early: bool,
}

/// Decode the video at `path` once: hash every frame (vPDQ) and call
/// `on_sample` with the frames `sampler` picks, pictures included, while
/// they are decoded (none is kept). `on_sample` returns
/// `ControlFlow::Break(())` to stop the pass (say, on a decisive finding);
/// the hashes then cover the frames decoded so far.
///
/// ```no_run
/// use std::ops::ControlFlow;
/// use vigil_video::{scan_video, Ffmpeg, Sampler};
///
/// let ffmpeg = Ffmpeg::locate(None)?;
/// let scan = scan_video(&ffmpeg, "clip.mp4".as_ref(), Sampler::default(), |s| {
///     println!("frame {} at {:.3} s ({:?}): {}x{}", s.frame.index, s.frame.time_s,
///              s.reason, s.image.width(), s.image.height());
///     ControlFlow::Continue(())
/// })?;
/// println!("{} frames hashed, {} sampled", scan.frames.len(), scan.sampled);
/// # Ok::<(), vigil_video::FfmpegError>(())
/// ```
pub fn scan_video(
    ffmpeg: &Ffmpeg,
    path: &Path,
    mut sampler: Sampler,
    mut on_sample: impl FnMut(SampledFrame<'_>) -> ControlFlow<()>,
) -> Result<VideoScan, FfmpegError> {
    let mut hasher = PdqHasher::new();
    let mut frames = Vec::new();
    let decoded = ffmpeg.decode_frames(path, |frame| {
        let hashed = hash_frame(&mut hasher, &frame);
        let flow = match sampler.offer(&hashed) {
            Some(reason) => on_sample(SampledFrame {
                frame: &hashed,
                reason,
                image: frame.image,
            }),
            None => ControlFlow::Continue(()),
        };
        frames.push(hashed);
        flow
    })?;
    Ok(VideoScan {
        info: decoded.info,
        frames,
        sampled: sampler.sampled(),
        sample_limit_reached: sampler.limit_reached(),
        stopped_early: decoded.stopped_early,
    })
}

/// [`scan_video`] with the default sampling: one frame a second
/// ([`SAMPLE_EVERY_S`]), scene changes past [`SCENE_CHANGE_BITS`], at most
/// [`MAX_SAMPLED_FRAMES`].
pub fn sample_for_detectors(
    ffmpeg: &Ffmpeg,
    path: &Path,
    on_sample: impl FnMut(SampledFrame<'_>) -> ControlFlow<()>,
) -> Result<VideoScan, FfmpegError> {
    scan_video(ffmpeg, path, Sampler::default(), on_sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(index: u64, byte: u8) -> VpdqFrame {
        VpdqFrame {
            index,
            quality: 100,
            hash: PdqHash([byte; 32]),
            time_s: crate::decode::frame_time_s(index, 30.0),
        }
    }

    #[test]
    fn one_a_second_plus_scene_changes_up_to_the_bound() {
        let mut sampler = Sampler::default();
        // Two seconds of one scene, a cut at frame 45 (0x00 → 0x0f: 128 bits),
        // a small change at 50 (0x0f → 0x1f: 32 bits).
        let picked: Vec<(u64, SampleReason)> = (0..61)
            .filter_map(|i| {
                let byte = match i {
                    0..=44 => 0x00,
                    45..=49 => 0x0f,
                    _ => 0x1f,
                };
                sampler.offer(&frame(i, byte)).map(|r| (i, r))
            })
            .collect();
        assert_eq!(
            picked,
            vec![
                (0, SampleReason::Interval),
                (30, SampleReason::Interval),
                (45, SampleReason::SceneChange),
                (60, SampleReason::Interval),
            ]
        );
        let mut bounded = Sampler::new(1.0, SCENE_CHANGE_BITS, 2);
        let n = (0..300)
            .filter(|&i| bounded.offer(&frame(i, 0)).is_some())
            .count();
        assert_eq!(n, 2);
        assert!(bounded.limit_reached());
    }

    #[test]
    fn scene_changes_come_at_most_every_half_second() {
        // Every frame 128 bits from the one before (a flickering clip).
        let mut sampler = Sampler::default();
        let picked: Vec<u64> = (0..60)
            .filter(|&i| {
                let byte = if i % 2 == 0 { 0x00 } else { 0x0f };
                sampler.offer(&frame(i, byte)).is_some()
            })
            .collect();
        // At 30 frames a second: 0 and 30 on the clock, 15 and 45 as changes.
        assert_eq!(picked, vec![0, 15, 30, 45]);
    }
}
