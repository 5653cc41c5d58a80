//! Speed of the nudity detector alone: images per second through
//! [`NudityDetector::detect`] (preparing the input, the model, reading the
//! output) on already decoded images, and the model's share of it.
//!
//! ```sh
//! scripts/setup.sh --with-nudenet
//! cargo run --release -p vigil-image --example nudity_speed
//! ```
//!
//! tract runs on one thread here: Vigil builds it without its `multithread-mm`
//! feature, so one image uses one core and a server scales by scanning
//! several images at once.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use image::DynamicImage;
use vigil_image::nudity::{ModelInput, NudityDetector};
use vigil_image::pdq::decode_image;

#[derive(Parser)]
struct Args {
    /// The model. Default: $VIGIL_HOME/models/nudenet/320n.onnx (VIGIL_HOME
    /// defaults to .vigil in the repository).
    #[arg(long)]
    model: Option<PathBuf>,
    /// A folder of images, searched recursively. Default: the shared PDQ
    /// sample images.
    #[arg(long)]
    images: Option<PathBuf>,
    /// Times each image is scanned.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let model = args.model.unwrap_or_else(|| {
        std::env::var_os("VIGIL_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join(".vigil"))
            .join("models/nudenet/320n.onnx")
    });
    let folder = args
        .images
        .unwrap_or_else(|| root.join("../shared/data/images/pdq"));
    let started = Instant::now();
    let detector = NudityDetector::load(&model)?;
    println!(
        "model {} loaded and optimised in {:.2} s",
        model.display(),
        started.elapsed().as_secs_f64()
    );
    let mut files = Vec::new();
    find_images(&folder, &mut files)
        .with_context(|| format!("cannot list {}", folder.display()))?;
    files.sort();
    let images: Vec<DynamicImage> = files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
            decode_image(&bytes, Some(f)).with_context(|| format!("cannot decode {}", f.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(!images.is_empty(), "no image in {}", folder.display());
    // One pass to warm caches and the allocator.
    for image in &images {
        detector.detect(image)?;
    }

    let scans = images.len() * args.rounds;
    // Each image's fastest scan too: on a shared machine the mean counts the
    // time other processes held the core, the fastest much less so.
    let mut fastest = vec![f64::INFINITY; images.len()];
    let cpu_before = thread_cpu_s();
    let started = Instant::now();
    let mut found = 0;
    for _ in 0..args.rounds {
        for (image, best) in images.iter().zip(&mut fastest) {
            let scan = Instant::now();
            found += detector.detect(image)?.len();
            *best = best.min(scan.elapsed().as_secs_f64());
        }
    }
    let whole = started.elapsed().as_secs_f64();
    let cpu = thread_cpu_s()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let fastest: f64 = fastest.iter().sum::<f64>() / images.len() as f64;

    let started = Instant::now();
    let inputs: Vec<ModelInput> = images.iter().map(ModelInput::from_image).collect();
    let preparing = started.elapsed().as_secs_f64() / images.len() as f64;
    let started = Instant::now();
    for _ in 0..args.rounds {
        for input in &inputs {
            detector.raw_output(input)?;
        }
    }
    let model_only = started.elapsed().as_secs_f64() / scans as f64;

    println!(
        "{} images × {} rounds, one thread: {:.1} images/s ({:.1} ms an image: \
         {:.1} ms preparing the input, {:.1} ms in the model; each image's fastest scan \
         {:.1} ms, {:.1} images/s); {} detections a round",
        images.len(),
        args.rounds,
        scans as f64 / whole,
        1e3 * whole / scans as f64,
        1e3 * preparing,
        1e3 * model_only,
        1e3 * fastest,
        1.0 / fastest,
        found / args.rounds
    );
    if let Some(cpu) = cpu {
        println!(
            "on the CPU (this thread's run time, without the time it waited for a core): \
             {:.1} ms an image, {:.1} images/s",
            1e3 * cpu / scans as f64,
            scans as f64 / cpu
        );
    }
    Ok(())
}

/// Seconds this thread has run on a CPU (Linux's schedstat), if readable.
fn thread_cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn find_images(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_images(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["jpg", "jpeg", "png"].contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(path);
        }
    }
    Ok(())
}
