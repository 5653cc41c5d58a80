//! Every frame of a video, decoded by ffmpeg at its own size as 8-bit RGB
//! and handed to a callback one at a time: only one frame is ever held.
//!
//! The command is `ffmpeg -v error -noautorotate -i PATH -map 0:STREAM
//! -vsync passthrough -sws_flags area+accurate_rnd -f rawvideo -pix_fmt
//! rgb24 -`: raw RGB24 on a pipe, each frame `width × height × 3` bytes,
//! every decoded frame once (passthrough: no frame duplicated or dropped to
//! keep a constant rate), rotation metadata not applied — as the vPDQ
//! reference reads frames. The reference converts YUV to RGB with
//! libswscale's `SWS_AREA`; `accurate_rnd` keeps swscale off its faster,
//! less exact SIMD converter, whose rounding moved HD frames by 8 bits on
//! average (near-flat frames by 50 or more) against the reference's hashes,
//! against under 1 bit with it.

use std::ops::ControlFlow;
use std::path::Path;
use std::process::Command;

use image::{DynamicImage, RgbImage};

use crate::ffmpeg::{failed, readable};
use crate::process::{first_line, Running};
use crate::{Ffmpeg, FfmpegError, VideoInfo};

/// One decoded frame.
#[derive(Debug, Clone, Copy)]
pub struct VideoFrame<'a> {
    /// 0 for the first frame, in decoding (presentation) order.
    pub index: u64,
    /// `index / fps`, as the reference computes it (in `f32`).
    pub time_s: f64,
    /// The video's frame rate (see [`VideoInfo::fps`]).
    pub fps: f64,
    /// The pixels: always `DynamicImage::ImageRgb8`, at the video's size.
    pub image: &'a DynamicImage,
}

/// What a decode went through.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decoded {
    pub info: VideoInfo,
    /// Frames handed to the callback.
    pub frames: u64,
    /// Whether the callback stopped the decode before the end.
    pub stopped_early: bool,
}

/// The timestamp of frame `index`, as the vPDQ reference computes it:
/// `(float) index / (float) fps`. Doing it in `f32` keeps the printed
/// milliseconds identical to the reference's.
pub fn frame_time_s(index: u64, fps: f64) -> f64 {
    f64::from(index as f32 / fps as f32)
}

impl Ffmpeg {
    /// Decode every frame of the video at `path` and call `on_frame` with
    /// each, in order; it returns `ControlFlow::Break(())` to stop early
    /// (ffmpeg is then killed). Fails when the file is not a video ffmpeg
    /// reads, has frames larger than the limit, ends inside a frame, or
    /// passes the time limit.
    pub fn decode_frames(
        &self,
        path: &Path,
        mut on_frame: impl FnMut(VideoFrame<'_>) -> ControlFlow<()>,
    ) -> Result<Decoded, FfmpegError> {
        readable(path)?;
        let info = self.probe(path)?;
        let stream = checked_stream(&info, path, self.limits.max_frame_pixels)?;
        let mut command = Command::new(&self.ffmpeg);
        command
            .args(["-nostdin", "-v", "error", "-noautorotate", "-i"])
            .arg(path)
            .args(["-map", &format!("0:{stream}"), "-vsync", "passthrough"])
            .args(["-sws_flags", "area+accurate_rnd"])
            .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        let mut run = Running::start(command, "ffmpeg", self.limits.timeout)?;
        let mut rgb = RgbImage::new(info.width, info.height);
        let mut frames = 0u64;
        let mut stopped_early = false;
        loop {
            let got = fill(&mut run.stdout, &mut rgb);
            let got = match got {
                Ok(n) => n,
                Err(_) if run.timed_out() => return Err(run.timeout_error(path)),
                Err(e) => {
                    return Err(FfmpegError::Incomplete {
                        path: path.to_path_buf(),
                        detail: e.to_string(),
                    })
                }
            };
            if got == 0 {
                break;
            }
            if got < rgb.len() {
                if run.timed_out() {
                    return Err(run.timeout_error(path));
                }
                // A short last frame: ffmpeg stopped inside it. Its own
                // error, if it has one, says more than ours.
                let done = run.finish(path)?;
                if !done.status.success() {
                    return Err(failed(path, "ffmpeg", &done.stderr));
                }
                return Err(FfmpegError::Incomplete {
                    path: path.to_path_buf(),
                    detail: format!("the output ends inside frame {frames}"),
                });
            }
            // The buffer moves into a DynamicImage and back out: no copy.
            let image = DynamicImage::ImageRgb8(rgb);
            let frame = VideoFrame {
                index: frames,
                time_s: frame_time_s(frames, info.fps),
                fps: info.fps,
                image: &image,
            };
            let flow = on_frame(frame);
            rgb = image.into_rgb8();
            frames += 1;
            if flow.is_break() {
                stopped_early = true;
                break;
            }
        }
        if stopped_early {
            run.stop();
        } else {
            let done = run.finish(path)?;
            if !done.status.success() {
                return Err(failed(path, "ffmpeg", &done.stderr));
            }
            if frames == 0 {
                return Err(FfmpegError::Incomplete {
                    path: path.to_path_buf(),
                    detail: "ffmpeg decoded no frame".to_owned(),
                });
            }
            // ffmpeg decodes what it can of a cut or damaged file and still
            // exits with 0; fewer frames than the container lists, with
            // errors reported, is a damaged video, not a short one.
            let said = first_line(&done.stderr);
            if let Some(listed) = info.frame_count.filter(|&n| frames < n && !said.is_empty()) {
                return Err(FfmpegError::Incomplete {
                    path: path.to_path_buf(),
                    detail: format!(
                        "decoded {frames} of the {listed} frames the container lists: {said}"
                    ),
                });
            }
        }
        Ok(Decoded {
            info,
            frames,
            stopped_early,
        })
    }
}

/// The stream to decode, once the frame size and rate are known to be usable.
fn checked_stream(info: &VideoInfo, path: &Path, max_pixels: u64) -> Result<usize, FfmpegError> {
    let Some(stream) = info.video_stream else {
        return Err(FfmpegError::NoVideo {
            path: path.to_path_buf(),
        });
    };
    let bad = |detail: &str| FfmpegError::BadStream {
        path: path.to_path_buf(),
        detail: detail.to_owned(),
    };
    if info.width == 0 || info.height == 0 {
        return Err(bad("no frame size"));
    }
    if info.fps <= 0.0 {
        return Err(bad("no frame rate"));
    }
    if u64::from(info.width) * u64::from(info.height) > max_pixels {
        return Err(FfmpegError::TooLarge {
            path: path.to_path_buf(),
            width: info.width,
            height: info.height,
            max_pixels,
        });
    }
    Ok(stream)
}

/// Read until `frame` is full or the stream ends; the number of bytes read.
fn fill(reader: &mut impl std::io::Read, frame: &mut RgbImage) -> std::io::Result<usize> {
    let buf: &mut [u8] = frame;
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_the_references_f32_division() {
        assert_eq!(frame_time_s(0, 30.0), 0.0);
        assert_eq!(format!("{:.3}", frame_time_s(1, 30.0)), "0.033");
        assert_eq!(format!("{:.3}", frame_time_s(2, 30.0)), "0.067");
        assert_eq!(frame_time_s(30, 30.0), 1.0);
    }
}
