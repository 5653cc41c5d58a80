//! How fast the engine scans audio and video, and where the time goes.
//!
//! ```text
//! taskset -c 0 cargo run --release -p vigil-engine --example media_bench -- FILE...
//! ```
//!
//! Each file is scanned with the detectors switched on one at a time
//! (decoding and hashing only; then OCR; then the nudity model, when it is
//! installed; then speech to text), several times each, and the median wall
//! time is reported with the real-time factor (seconds of media per second
//! of scanning) and each stage's share of the full scan. Run it under
//! `taskset -c 0` so that the programs the engine starts (ffmpeg,
//! tesseract, pocketsphinx) share the one core too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use vigil_audio::{Pocketsphinx, SpeechToText};
use vigil_core::{Item, Media, MediaKind, MediaSource};
use vigil_engine::{sniff_media_kind, Engine, Limits, PolicyState, TextModels, TextScorer};
use vigil_image::nudity::NudityDetector;
use vigil_image::ocr::Ocr;
use vigil_video::Ffmpeg;

const RUNS: usize = 3;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        return Err("usage: media_bench FILE...".into());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let home = std::env::var_os("VIGIL_HOME").map_or_else(|| root.join(".vigil"), PathBuf::from);
    let nudenet = home.join("models/nudenet/320n.onnx");
    let nudity = NudityDetector::load(&nudenet).map(Arc::new).ok();
    let ffmpeg = Ffmpeg::locate(None)?;
    let engine = |ocr: bool, nude: bool, asr: bool| -> Result<Engine, Box<dyn std::error::Error>> {
        Ok(Engine::new(
            TextScorer::load(&TextModels::default())?,
            PolicyState::load(&root.join("policies/default.toml"))?,
            Limits {
                max_media_bytes: 500 * 1024 * 1024,
                ..Limits::default()
            },
        )
        .with_ffmpeg(Ok(ffmpeg.clone()))
        .with_ocr(if ocr {
            Ocr::find("tesseract").map_err(|e| e.to_string())
        } else {
            off("OCR")
        })
        .with_nudity(match (&nudity, nude) {
            (Some(n), true) => Ok(n.clone()),
            _ => off("nudity"),
        })
        .with_asr(if asr {
            Pocketsphinx::locate(None)
                .map(|p| Arc::new(p) as Arc<dyn SpeechToText>)
                .map_err(|e| e.to_string())
        } else {
            off("ASR")
        }))
    };
    let mut stages: Vec<(&str, Engine)> = vec![("decode + hash", engine(false, false, false)?)];
    stages.push(("+ OCR", engine(true, false, false)?));
    if nudity.is_some() {
        stages.push(("+ nudity", engine(true, true, false)?));
    } else {
        eprintln!(
            "the nudity model is not installed in {}: that stage is left out",
            nudenet.display()
        );
    }
    let all = engine(true, nudity.is_some(), true)?;
    stages.push(("+ speech to text (all on)", all));
    println!("| file | media s | stage | median wall s | real time × | share of full scan |");
    println!("|---|---:|---|---:|---:|---:|");
    for file in &files {
        let bytes = std::fs::read(file)?;
        let kind = sniff_media_kind(&bytes).ok_or("not a media file")?;
        let seconds = duration_s(&ffmpeg, file, kind)?;
        let item = Item {
            id: file.display().to_string(),
            text: None,
            media: vec![Media {
                kind,
                source: MediaSource::Inline {
                    data_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
                },
                mime: None,
            }],
            meta: Default::default(),
        };
        let mut walls = Vec::new();
        for (_, engine) in &stages {
            let mut times = Vec::new();
            for _ in 0..RUNS {
                let started = Instant::now();
                engine.scan(&item, Instant::now())?;
                times.push(started.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            walls.push(times[RUNS / 2]);
        }
        let full = walls.last().copied().unwrap_or(f64::NAN);
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        for (i, ((stage, _), wall)) in stages.iter().zip(&walls).enumerate() {
            let own = if i == 0 { *wall } else { wall - walls[i - 1] };
            println!(
                "| {name} | {seconds:.1} | {stage} | {wall:.3} | {:.1} | {:.0}% |",
                seconds / wall,
                100.0 * own / full
            );
        }
    }
    Ok(())
}

/// A detector switched off for one stage of the bench.
fn off<T>(what: &str) -> Result<T, String> {
    Err(format!("{what} off for this run"))
}

/// The media's length in seconds.
fn duration_s(
    ffmpeg: &Ffmpeg,
    file: &Path,
    kind: MediaKind,
) -> Result<f64, Box<dyn std::error::Error>> {
    Ok(match kind {
        MediaKind::Audio => {
            vigil_audio::decode(&std::fs::read(file)?, &vigil_audio::AudioLimits::default())?
                .duration_s
        }
        _ => ffmpeg.probe(file)?.duration_s,
    })
}
