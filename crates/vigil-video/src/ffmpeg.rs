//! The `ffmpeg` and `ffprobe` programs (Debian package `ffmpeg`), found on
//! the `PATH` or given, never linked in: what a file holds (`probe`), its
//! audio track as 16-bit mono samples (`audio_pcm`); the frames are decoded
//! in `decode`. Every run has a wall-clock limit and bounded output.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::process::{first_line, Running};

/// Why a video could not be read. Each names the program or the input.
#[derive(Debug, thiserror::Error)]
pub enum FfmpegError {
    /// `ffmpeg` or `ffprobe` is not installed (or does not run).
    #[error("{program} is not installed (looked for `{}`); install the Debian package ffmpeg", looked_for.display())]
    NotInstalled {
        program: &'static str,
        looked_for: PathBuf,
    },
    /// The program could not be started or waited for.
    #[error("cannot run {program}: {source}")]
    Start {
        program: &'static str,
        source: std::io::Error,
    },
    /// The input file cannot be read (missing, a folder, no permission).
    #[error("{}: cannot read the file: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Bytes could not be written to a temporary file for ffmpeg to read.
    #[error("cannot write the video to a temporary file: {0}")]
    TempFile(std::io::Error),
    /// The program refused the input: not a media file, damaged, truncated.
    /// `detail` is the first line of its standard error.
    #[error("{}: {program} cannot read it: {detail}", path.display())]
    Failed {
        path: PathBuf,
        program: &'static str,
        detail: String,
    },
    /// A media file without a video stream (audio only, or a still image
    /// ffprobe does not count as video).
    #[error("{}: no video stream", path.display())]
    NoVideo { path: PathBuf },
    /// A video stream without a usable frame rate or size.
    #[error("{}: the video stream is unusable: {detail}", path.display())]
    BadStream { path: PathBuf, detail: String },
    /// Frames larger than the limit (one frame is held in memory as RGB).
    #[error("{}: frames of {width}×{height} exceed the limit of {max_pixels} pixels", path.display())]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    /// The run passed its wall-clock limit and was killed.
    #[error("{}: {program} did not finish within {limit_s} s and was stopped", path.display())]
    TimedOut {
        path: PathBuf,
        program: &'static str,
        limit_s: f64,
    },
    /// The output ended inside a frame, or could not be read.
    #[error("{}: the decoded output is incomplete: {detail}", path.display())]
    Incomplete { path: PathBuf, detail: String },
}

/// What ffprobe says a file holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VideoInfo {
    /// Frame size as decoded (rotation metadata is not applied, as in the
    /// vPDQ reference). 0 when there is no video.
    pub width: u32,
    pub height: u32,
    /// Frames per second: the stream's average rate, else its base rate.
    pub fps: f64,
    /// The container's duration, else the video stream's; 0 when unknown.
    pub duration_s: f64,
    /// The frame count the container records, when it records one.
    pub frame_count: Option<u64>,
    pub has_video: bool,
    pub has_audio: bool,
    /// The index of the video stream decoded (the first that is not a cover
    /// picture).
    #[serde(skip)]
    pub(crate) video_stream: Option<usize>,
}

/// Bounds on what one run may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FfmpegLimits {
    /// Wall-clock limit of each run of ffmpeg or ffprobe. While frames are
    /// decoded this includes the time spent on each frame by the caller.
    pub timeout: Duration,
    /// Largest frame (width × height) decoded; one frame is held as RGB.
    pub max_frame_pixels: u64,
    /// Audio beyond this many seconds is not decoded.
    pub max_audio_s: u32,
}

impl Default for FfmpegLimits {
    /// 10 minutes a run, frames up to 4096×4096, one hour of audio
    /// (115 MB of 16 kHz samples).
    fn default() -> Self {
        FfmpegLimits {
            timeout: Duration::from_secs(600),
            max_frame_pixels: 4096 * 4096,
            max_audio_s: 3600,
        }
    }
}

/// ffprobe's JSON answer is small; more than this is not a probe answer.
const MAX_PROBE_BYTES: u64 = 4 * 1024 * 1024;

/// The two programs, ready to read videos.
#[derive(Debug, Clone)]
pub struct Ffmpeg {
    pub(crate) ffmpeg: PathBuf,
    ffprobe: PathBuf,
    pub(crate) limits: FfmpegLimits,
}

impl Ffmpeg {
    /// Finds `ffmpeg` and `ffprobe` and checks that they run. `explicit` is
    /// the `ffmpeg` program (ffprobe is then the `ffprobe` beside it) or a
    /// folder holding both; `None` looks both up on the `PATH`.
    pub fn locate(explicit: Option<&Path>) -> Result<Ffmpeg, FfmpegError> {
        let (ffmpeg, ffprobe) = match explicit {
            None => (PathBuf::from("ffmpeg"), PathBuf::from("ffprobe")),
            Some(dir) if dir.is_dir() => (dir.join("ffmpeg"), dir.join("ffprobe")),
            Some(program) => (program.to_path_buf(), program.with_file_name("ffprobe")),
        };
        for (program, path) in [("ffmpeg", &ffmpeg), ("ffprobe", &ffprobe)] {
            if version_line(path).is_none() {
                return Err(FfmpegError::NotInstalled {
                    program,
                    looked_for: path.clone(),
                });
            }
        }
        Ok(Ffmpeg {
            ffmpeg,
            ffprobe,
            limits: FfmpegLimits::default(),
        })
    }

    /// The same programs under other limits.
    pub fn with_limits(mut self, limits: FfmpegLimits) -> Ffmpeg {
        self.limits = limits;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> FfmpegLimits {
        self.limits
    }

    /// ffmpeg's version line (`ffmpeg version 5.1.6-0+deb12u1 …`), for
    /// `vigil doctor` and reports.
    pub fn version(&self) -> Result<String, FfmpegError> {
        version_line(&self.ffmpeg).ok_or_else(|| FfmpegError::NotInstalled {
            program: "ffmpeg",
            looked_for: self.ffmpeg.clone(),
        })
    }

    /// What the file holds: size, frame rate, duration, streams.
    pub fn probe(&self, path: &Path) -> Result<VideoInfo, FfmpegError> {
        readable(path)?;
        let mut command = Command::new(&self.ffprobe);
        command
            .args(["-v", "error", "-print_format", "json"])
            .args(["-show_format", "-show_streams", "--"])
            .arg(path);
        let mut run = Running::start(command, "ffprobe", self.limits.timeout)?;
        let mut json = Vec::new();
        let read = std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut run.stdout, MAX_PROBE_BYTES),
            &mut json,
        );
        let done = run.finish(path)?;
        if !done.status.success() || read.is_err() {
            return Err(failed(path, "ffprobe", &done.stderr));
        }
        parse_probe(&json, path)
    }

    /// The audio track as 16-bit mono samples at `rate_hz`, or `None` when
    /// the file has no audio stream. Audio past
    /// [`FfmpegLimits::max_audio_s`] is not decoded.
    pub fn audio_pcm(&self, path: &Path, rate_hz: u32) -> Result<Option<Vec<i16>>, FfmpegError> {
        if !self.probe(path)?.has_audio {
            return Ok(None);
        }
        let mut command = Command::new(&self.ffmpeg);
        command
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(path)
            .args(["-map", "0:a:0", "-vn", "-ac", "1"])
            .args(["-ar", &rate_hz.to_string()])
            .args(["-t", &self.limits.max_audio_s.to_string()])
            .args(["-f", "s16le", "-"]);
        let mut run = Running::start(command, "ffmpeg", self.limits.timeout)?;
        // The -t above bounds the output; the cap here only guards against an
        // ffmpeg that ignores it.
        let cap =
            2 * (u64::from(rate_hz) * u64::from(self.limits.max_audio_s) + u64::from(rate_hz));
        let mut bytes = Vec::new();
        let read =
            std::io::Read::read_to_end(&mut std::io::Read::take(&mut run.stdout, cap), &mut bytes);
        let done = run.finish(path)?;
        if !done.status.success() {
            return Err(failed(path, "ffmpeg", &done.stderr));
        }
        if let Err(e) = read {
            return Err(FfmpegError::Incomplete {
                path: path.to_path_buf(),
                detail: e.to_string(),
            });
        }
        let samples = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        Ok(Some(samples))
    }
}

/// A video given as bytes, written to a temporary file because ffmpeg needs
/// to seek in an MP4 (its index may sit at the end). The file is removed
/// when this is dropped.
#[derive(Debug)]
pub struct TempVideo {
    file: tempfile::NamedTempFile,
}

impl TempVideo {
    /// Write `bytes` to a new temporary file.
    pub fn new(bytes: &[u8]) -> Result<TempVideo, FfmpegError> {
        use std::io::Write;
        let mut file = tempfile::Builder::new()
            .prefix("vigil-video-")
            .tempfile()
            .map_err(FfmpegError::TempFile)?;
        file.write_all(bytes)
            .and_then(|()| file.flush())
            .map_err(FfmpegError::TempFile)?;
        Ok(TempVideo { file })
    }

    /// Where the bytes are, for [`Ffmpeg::probe`] and the decoders.
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// The first line `PROGRAM -version` prints, if it runs and succeeds.
fn version_line(program: &Path) -> Option<String> {
    let out = Command::new(program)
        .arg("-version")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(|l| l.trim().to_owned())
}

/// A missing or unreadable file is reported as such, before ffmpeg's
/// wording of it.
pub(crate) fn readable(path: &Path) -> Result<(), FfmpegError> {
    std::fs::File::open(path)
        .map(drop)
        .map_err(|source| FfmpegError::Unreadable {
            path: path.to_path_buf(),
            source,
        })
}

pub(crate) fn failed(path: &Path, program: &'static str, stderr: &str) -> FfmpegError {
    // ffmpeg often starts its message with the input's name; ours says it.
    let line = first_line(stderr);
    let prefix = format!("{}: ", path.display());
    let detail = match line.strip_prefix(&prefix).unwrap_or(&line) {
        "" => "it exited without saying why".to_owned(),
        l => l.to_owned(),
    };
    FfmpegError::Failed {
        path: path.to_path_buf(),
        program,
        detail,
    }
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<ProbeStream>,
    format: Option<ProbeFormat>,
}

#[derive(Deserialize)]
struct ProbeStream {
    index: usize,
    codec_type: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    nb_frames: Option<String>,
    duration: Option<String>,
    #[serde(default)]
    disposition: Disposition,
}

#[derive(Deserialize, Default)]
struct Disposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct ProbeFormat {
    duration: Option<String>,
}

/// ffprobe's JSON to a [`VideoInfo`].
fn parse_probe(json: &[u8], path: &Path) -> Result<VideoInfo, FfmpegError> {
    let probe: Probe = serde_json::from_slice(json).map_err(|e| FfmpegError::Failed {
        path: path.to_path_buf(),
        program: "ffprobe",
        detail: format!("its answer is not the JSON expected: {e}"),
    })?;
    let is = |s: &ProbeStream, kind: &str| s.codec_type.as_deref() == Some(kind);
    let video = probe
        .streams
        .iter()
        .find(|s| is(s, "video") && s.disposition.attached_pic == 0);
    let has_audio = probe.streams.iter().any(|s| is(s, "audio"));
    let seconds = |s: &Option<String>| s.as_deref().and_then(|d| d.parse::<f64>().ok());
    let mut info = VideoInfo {
        width: 0,
        height: 0,
        fps: 0.0,
        duration_s: probe
            .format
            .as_ref()
            .and_then(|f| seconds(&f.duration))
            .or_else(|| video.and_then(|v| seconds(&v.duration)))
            .filter(|d| d.is_finite() && *d >= 0.0)
            .unwrap_or(0.0),
        frame_count: None,
        has_video: video.is_some(),
        has_audio,
        video_stream: None,
    };
    if let Some(v) = video {
        info.width = v.width.unwrap_or(0);
        info.height = v.height.unwrap_or(0);
        info.fps = [&v.avg_frame_rate, &v.r_frame_rate]
            .into_iter()
            .filter_map(|r| r.as_deref().and_then(parse_rate))
            .next()
            .unwrap_or(0.0);
        info.frame_count = v.nb_frames.as_deref().and_then(|n| n.parse().ok());
        info.video_stream = Some(v.index);
    }
    Ok(info)
}

/// `30000/1001` or `30` to frames per second; `0/0` and nonsense to `None`.
fn parse_rate(rate: &str) -> Option<f64> {
    let value = match rate.split_once('/') {
        Some((n, d)) => n.trim().parse::<f64>().ok()? / d.trim().parse::<f64>().ok()?,
        None => rate.trim().parse::<f64>().ok()?,
    };
    (value.is_finite() && value > 0.0).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_zero_is_none() {
        assert_eq!(parse_rate("30/1"), Some(30.0));
        assert!((parse_rate("30000/1001").unwrap_or(0.0) - 29.97).abs() < 0.01);
        assert_eq!(parse_rate("0/0"), None);
        assert_eq!(parse_rate("25"), Some(25.0));
        assert_eq!(parse_rate("x"), None);
    }

    #[test]
    fn a_probe_answer_becomes_video_info() {
        let json = br#"{"streams":[
            {"index":0,"codec_type":"video","width":640,"height":360,"avg_frame_rate":"0/0",
             "r_frame_rate":"25/1","nb_frames":"250","disposition":{"attached_pic":1}},
            {"index":1,"codec_type":"audio"},
            {"index":2,"codec_type":"video","width":480,"height":720,"avg_frame_rate":"0/0",
             "r_frame_rate":"24/1","duration":"3.5"}],
            "format":{"duration":"10.000000"}}"#;
        let info = parse_probe(json, Path::new("x.mp4")).expect("parses");
        assert_eq!((info.width, info.height, info.fps), (480, 720, 24.0));
        assert_eq!(info.video_stream, Some(2), "the cover picture is skipped");
        assert_eq!((info.duration_s, info.frame_count), (10.0, None));
        assert!(info.has_video && info.has_audio);
        let e = parse_probe(b"{not json", Path::new("x.mp4")).expect_err("bad JSON");
        assert!(e.to_string().starts_with("x.mp4: ffprobe"), "{e}");
    }

    #[test]
    fn a_missing_program_names_the_debian_package() {
        let e = Ffmpeg::locate(Some(Path::new("/nonexistent/ffmpeg"))).expect_err("missing");
        assert!(
            e.to_string().contains("install the Debian package ffmpeg"),
            "{e}"
        );
    }
}
