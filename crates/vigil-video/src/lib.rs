//! Video for Vigil: frames and audio read through the `ffmpeg` and `ffprobe`
//! programs (found at run time, never linked in), vPDQ hashes faithful to
//! Meta's reference, vPDQ matching, and the frames the image detectors see.
//!
//! The principal pieces:
//!
//! - [`Ffmpeg`]: the two programs, found by [`Ffmpeg::locate`] (their
//!   absence is [`FfmpegError::NotInstalled`], naming the Debian package);
//!   [`Ffmpeg::probe`] says what a file holds ([`VideoInfo`]),
//!   [`Ffmpeg::decode_frames`] streams every frame as RGB to a callback
//!   (one frame held at a time), [`Ffmpeg::audio_pcm`] returns the audio as
//!   16 kHz mono samples. [`TempVideo`] puts bytes in a file for them.
//! - [`vpdq`]: [`VpdqFrame`] (frame number, PDQ quality and hash, time),
//!   [`hash_video`], the text format ([`write_vpdq`], [`parse_vpdq`]), and
//!   the match rule ([`match_videos`] → [`VpdqMatch`]).
//! - [`scan_video`] / [`sample_for_detectors`]: one decode that yields both
//!   every frame's vPDQ hash and, through a [`Sampler`], a bounded set of
//!   frames (one a second plus scene changes) for OCR and nudity.
//!
//! ```no_run
//! use vigil_video::{hash_video, match_videos, Ffmpeg, Sampling};
//! use vigil_video::vpdq::{DEFAULT_FRAME_DISTANCE, DEFAULT_MATCH_PERCENT, DEFAULT_QUALITY_FLOOR};
//!
//! let ffmpeg = Ffmpeg::locate(None)?;
//! let upload = hash_video(&ffmpeg, "upload.mp4".as_ref(), Sampling::AllFrames)?;
//! let banked = hash_video(&ffmpeg, "banked.mp4".as_ref(), Sampling::AllFrames)?;
//! let m = match_videos(&upload, &banked, DEFAULT_FRAME_DISTANCE, DEFAULT_QUALITY_FLOOR);
//! if m.is_match(DEFAULT_MATCH_PERCENT) {
//!     println!("{:.1} % of the banked video's frames are in the upload", m.compared_match_percent);
//! }
//! # Ok::<(), vigil_video::FfmpegError>(())
//! ```
//!
//! The formats, the match rule and the limits are described in
//! `docs/video.md`.

mod decode;
mod ffmpeg;
mod process;
mod sampling;
pub mod vpdq;

pub use decode::{frame_time_s, Decoded, VideoFrame};
pub use ffmpeg::{Ffmpeg, FfmpegError, FfmpegLimits, TempVideo, VideoInfo};
pub use sampling::{
    sample_for_detectors, scan_video, SampleReason, SampledFrame, Sampler, VideoScan,
    MAX_SAMPLED_FRAMES, SAMPLE_EVERY_S, SCENE_CHANGE_BITS,
};
pub use vpdq::{
    dedupe, hash_video, match_videos, parse_vpdq, write_vpdq, Sampling, VpdqFrame, VpdqMatch,
    VpdqParseError,
};
