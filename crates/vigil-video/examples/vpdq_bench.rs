//! vPDQ speed on the shared sample videos: decode only (ffmpeg to RGB24 on
//! a pipe), decode + PDQ per frame (vPDQ), and PDQ alone on frames already
//! decoded; with the real-time factor (seconds of video per wall second).
//!
//! ```sh
//! cargo build --release -p vigil-video --example vpdq_bench
//! taskset -c 0 target/release/examples/vpdq_bench [VIDEO_DIR]
//! ```
//!
//! `taskset -c 0` keeps ffmpeg and the hashing on one core (ffmpeg would
//! otherwise decode on several threads). Figures are in BENCHMARKS.md.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

use image::DynamicImage;
use vigil_image::pdq::PdqHasher;
use vigil_video::{hash_video, Ffmpeg, Sampling};

/// Each measurement is repeated and the best run kept: the machine is shared.
const RUNS: usize = 3;
/// Frames kept in memory for the PDQ-only measurement.
const PDQ_FRAMES: usize = 60;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/video"));
    let ffmpeg = Ffmpeg::locate(None)?;
    println!("{}", ffmpeg.version()?);
    println!(
        "{:<24} {:>9} {:>7} {:>11} {:>11} {:>13} {:>10}",
        "video", "size", "frames", "decode fps", "vPDQ fps", "PDQ ms/frame", "real time"
    );
    for name in ["chair-22-sd-grey-bar", "doorknob-hd-no-bar"] {
        let path = dir.join(format!("{name}.mp4"));
        let info = ffmpeg.probe(&path)?;

        let mut decode_s = f64::MAX;
        let mut frames = 0u64;
        for _ in 0..RUNS {
            let start = Instant::now();
            let done = ffmpeg.decode_frames(&path, |_| ControlFlow::Continue(()))?;
            decode_s = decode_s.min(start.elapsed().as_secs_f64());
            frames = done.frames;
        }

        let mut vpdq_s = f64::MAX;
        for _ in 0..RUNS {
            let start = Instant::now();
            let hashes = hash_video(&ffmpeg, &path, Sampling::AllFrames)?;
            vpdq_s = vpdq_s.min(start.elapsed().as_secs_f64());
            assert_eq!(hashes.len() as u64, frames);
        }

        let mut kept: Vec<DynamicImage> = Vec::new();
        ffmpeg.decode_frames(&path, |f| {
            kept.push(f.image.clone());
            if kept.len() < PDQ_FRAMES {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        })?;
        let mut hasher = PdqHasher::new();
        let mut pdq_s = f64::MAX;
        for _ in 0..RUNS {
            let start = Instant::now();
            let mut quality = 0u64;
            for image in &kept {
                quality += u64::from(hasher.hash_image(image).quality);
            }
            std::hint::black_box(quality);
            pdq_s = pdq_s.min(start.elapsed().as_secs_f64() / kept.len() as f64);
        }

        let video_s = frames as f64 / info.fps;
        println!(
            "{:<24} {:>9} {:>7} {:>11.0} {:>11.0} {:>13.2} {:>9.1}x",
            name,
            format!("{}x{}", info.width, info.height),
            frames,
            frames as f64 / decode_s,
            frames as f64 / vpdq_s,
            pdq_s * 1e3,
            video_s / vpdq_s,
        );
    }
    Ok(())
}
