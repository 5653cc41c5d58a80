//! Shared test harness: checks for the outside programs and builds a small
//! corpus of speech with espeak-ng, converted by ffmpeg, in a temporary
//! folder (built once per test binary).
//!
//! A missing program makes a test skip with a printed reason, except when
//! `CI=true`, where it fails: CI installs them all (scripts/setup.sh).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The espeak-ng voice and rate pocketsphinx recognises best among those
/// measured (docs/audio.md).
pub const VOICE: &str = "en-us+adam";
pub const RATE_WPM: u32 = 170;

/// The threat the ASR test listens for.
pub const THREAT: &str = "i am going to kill you tomorrow at the station";

/// Unrelated text read by another voice.
pub const UNRELATED: &str = "The committee will publish its annual report in the spring. \
    Members are invited to send comments on the draft before the end of March, \
    and the final version will be presented at the general meeting in Lisbon. \
    Questions about the budget should go to the treasurer by email.";

/// About 30 seconds of speech.
pub const PARAGRAPH: &str = "Good morning everyone, and welcome to the weekly update. \
    The weather this week will be mild with some rain on Thursday. \
    The library opens at nine and closes at six, except on Sundays. \
    Please remember to return your books on time, and bring a bag for the new ones. \
    Next month we will start a reading group for children and their parents, \
    and the garden behind the building will be open to everyone.";

/// Whether every program named is installed. If not: fails under `CI=true`,
/// otherwise prints why the test is skipped and returns false.
pub fn have(programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !runs(p)).collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "missing programs: {} (Debian packages: ffmpeg, sox, espeak-ng, libchromaprint-tools, pocketsphinx, pocketsphinx-en-us; scripts/setup.sh installs them)",
        missing.join(", ")
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("skipping: {message}");
    false
}

fn runs(program: &str) -> bool {
    // Each of these exits (with some status) when given this flag; only a
    // failure to start means it is missing.
    let flag = match program {
        "fpcalc" => "-version",
        "ffmpeg" => "-version",
        "pocketsphinx_continuous" => "-version-probe",
        _ => "--version",
    };
    Command::new(program)
        .arg(flag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs a program and fails the test with its stderr if it fails.
pub fn sh(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Speech of `text` in a WAV file (espeak-ng's own rate, 22,050 Hz).
pub fn speak(dir: &Path, name: &str, voice: &str, rate_wpm: u32, text: &str) -> PathBuf {
    let path = dir.join(name);
    let rate = rate_wpm.to_string();
    let p = path.to_str().expect("temp paths are UTF-8");
    sh("espeak-ng", &["-v", voice, "-s", &rate, "-w", p, text]);
    path
}

/// Runs ffmpeg quietly on `input`, writing `output` with the given options.
pub fn ffmpeg(input: &Path, output: &Path, options: &[&str]) {
    let mut args = vec!["-y", "-loglevel", "error", "-i"];
    args.push(input.to_str().expect("UTF-8 path"));
    args.extend_from_slice(options);
    args.push(output.to_str().expect("UTF-8 path"));
    sh("ffmpeg", &args);
}

/// Duration of a file as ffprobe reports it (the container's own figure).
pub fn probe_duration_s(path: &Path) -> f64 {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("ffprobe prints a duration")
}

/// The corpus every test reads; built on first use.
pub struct Corpus {
    _dir: tempfile::TempDir,
    pub dir: PathBuf,
    /// ~30 s of speech, 44.1 kHz stereo WAV (so decoding must down-mix and
    /// resample).
    pub speech_wav: PathBuf,
    /// The same as MP3 (128 kb/s), Ogg Vorbis (q4), FLAC and M4A (AAC 128 kb/s).
    pub encoded: Vec<(&'static str, PathBuf)>,
    /// The same as a 32 kb/s, 22.05 kHz mono MP3.
    pub low_bitrate_mp3: PathBuf,
    /// 8 s to 20 s of the speech, as MP3.
    pub clip_mp3: PathBuf,
    /// Where the clip starts in the speech.
    pub clip_start_s: f64,
    /// Other speech, by another voice.
    pub unrelated_wav: PathBuf,
}

pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(build_corpus)
}

fn build_corpus() -> Corpus {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().to_path_buf();
    let raw = speak(&dir, "raw.wav", VOICE, RATE_WPM, PARAGRAPH);
    let speech_wav = dir.join("speech.wav");
    ffmpeg(
        &raw,
        &speech_wav,
        &["-ar", "44100", "-ac", "2", "-c:a", "pcm_s16le"],
    );
    let mut encoded = Vec::new();
    for (name, options) in [
        ("mp3", &["-c:a", "libmp3lame", "-b:a", "128k"][..]),
        ("ogg", &["-c:a", "libvorbis", "-q:a", "4"][..]),
        ("flac", &["-c:a", "flac"][..]),
        ("m4a", &["-c:a", "aac", "-b:a", "128k"][..]),
    ] {
        let path = dir.join(format!("speech.{name}"));
        ffmpeg(&speech_wav, &path, options);
        encoded.push((name, path));
    }
    let low_bitrate_mp3 = dir.join("low.mp3");
    ffmpeg(
        &speech_wav,
        &low_bitrate_mp3,
        &[
            "-ar",
            "22050",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
        ],
    );
    let clip_start_s = 8.0;
    let clip_mp3 = dir.join("clip.mp3");
    ffmpeg(
        &speech_wav,
        &clip_mp3,
        &["-ss", "8", "-t", "12", "-c:a", "libmp3lame", "-b:a", "96k"],
    );
    let unrelated_wav = speak(&dir, "unrelated.wav", "en-gb+m3", 160, UNRELATED);
    Corpus {
        _dir: tmp,
        dir,
        speech_wav,
        encoded,
        low_bitrate_mp3,
        clip_mp3,
        clip_start_s,
        unrelated_wav,
    }
}

/// Decodes a file with default limits, failing the test on error.
pub fn decode_file(path: &Path) -> vigil_audio::Audio {
    let bytes = std::fs::read(path).expect("read test file");
    vigil_audio::decode(&bytes, &vigil_audio::AudioLimits::default())
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()))
}
