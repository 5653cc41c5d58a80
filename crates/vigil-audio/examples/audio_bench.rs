//! Where the time goes when Vigil reads an audio file: decoding and
//! resampling, fingerprinting, speech to text, and the real-time factor of
//! the whole (audio seconds per wall second).
//!
//! ```text
//! taskset -c 0 cargo run --release -p vigil-audio --example audio_bench -- FILE \
//!     [--runs N] [--ds N] [--topn N] [--maxhmmpf N] [--pl-window N] \
//!     [--beam X] [--wbeam X] [--no-fwdflat] [--no-bestpath] [--expect "reference words"]
//! ```
//!
//! Pocketsphinx runs as its own process; `taskset` keeps it on the same core.
//! Besides wall time, CPU time is read from `/proc/self/stat` (this process
//! for decoding and fingerprints, its waited-for children for pocketsphinx),
//! which a busy shared machine does not inflate.

use std::time::Instant;

use anyhow::{bail, Context, Result};
use vigil_audio::{
    decode, fingerprint, AudioLimits, Pocketsphinx, PocketsphinxOptions, SpeechToText,
};

struct Args {
    file: String,
    runs: usize,
    options: PocketsphinxOptions,
    expect: Option<String>,
}

fn parse_args() -> Result<Args> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut runs = 3;
    let mut options = PocketsphinxOptions::default();
    let mut expect = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--runs" => runs = value()?.parse()?,
            "--ds" => options.ds = value()?.parse()?,
            "--topn" => options.topn = value()?.parse()?,
            "--maxhmmpf" => options.maxhmmpf = value()?.parse()?,
            "--pl-window" => options.pl_window = value()?.parse()?,
            "--beam" => options.beam = value()?.parse()?,
            "--wbeam" => options.wbeam = value()?.parse()?,
            "--no-fwdflat" => options.fwdflat = false,
            "--no-bestpath" => options.bestpath = false,
            "--expect" => expect = Some(value()?),
            other if other.starts_with("--") => bail!("unknown flag {other}"),
            other => file = Some(other.to_owned()),
        }
    }
    Ok(Args {
        file: file.context("usage: audio_bench FILE [flags]")?,
        runs: runs.max(1),
        options,
        expect,
    })
}

/// CPU seconds used so far by this process and by its finished children
/// (Linux: fields 14–17 of /proc/self/stat, in clock ticks of 1/100 s).
fn cpu_s() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name may hold spaces; the fields start after its ')'.
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0.0))
        .collect();
    let tick = |i: usize| fields.get(i).copied().unwrap_or(0.0) / 100.0;
    // After ')': state is index 0, so utime (field 14) is index 11.
    (tick(11) + tick(12), tick(13) + tick(14))
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file))?;
    let asr = Pocketsphinx::with_options(None, args.options.clone())?;
    let limits = AudioLimits {
        max_duration_s: 3600.0,
    };
    // The best of several runs of each stage: the machine is shared.
    let (mut decode_s, mut print_s, mut asr_s) = (f64::MAX, f64::MAX, f64::MAX);
    let mut asr_cpu_s = f64::MAX;
    let mut last = None;
    for _ in 0..args.runs {
        let t = Instant::now();
        let audio = decode(&bytes, &limits)?;
        decode_s = decode_s.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let print = fingerprint(&audio);
        print_s = print_s.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let (_, children_before) = cpu_s();
        let transcript = asr.transcribe(&audio)?;
        asr_s = asr_s.min(t.elapsed().as_secs_f64());
        asr_cpu_s = asr_cpu_s.min(cpu_s().1 - children_before);
        last = Some((audio, print, transcript));
    }
    let Some((audio, print, transcript)) = last else {
        bail!("no run");
    };
    let total = decode_s + print_s + asr_s;
    let share = |s: f64| 100.0 * s / total;
    println!(
        "file: {} ({}, {} Hz x {}, {:.2} s)",
        args.file, audio.codec, audio.source_rate, audio.channels, audio.duration_s
    );
    println!("asr: {}", asr.version().unwrap_or_default());
    println!(
        "decode+resample {:8.3} s  {:5.1} %  {:7.1}x real time",
        decode_s,
        share(decode_s),
        audio.duration_s / decode_s
    );
    println!(
        "fingerprint     {:8.3} s  {:5.1} %  {:7.1}x real time  ({} values)",
        print_s,
        share(print_s),
        audio.duration_s / print_s,
        print.values.len()
    );
    println!(
        "speech to text  {:8.3} s  {:5.1} %  {:7.1}x real time  ({} segments)",
        asr_s,
        share(asr_s),
        audio.duration_s / asr_s,
        transcript.segments.len()
    );
    println!(
        "overall         {:8.3} s          {:7.1}x real time (wall)",
        total,
        audio.duration_s / total
    );
    // On a shared machine wall time counts other people's work; CPU time
    // does not. Decoding and fingerprints are short enough that their best
    // wall time is their CPU time.
    let total_cpu = decode_s + print_s + asr_cpu_s;
    println!(
        "pocketsphinx CPU {:7.3} s; overall by CPU time {:7.3} s, {:.1}x real time; shares: decode {:.1} %, fingerprint {:.1} %, speech to text {:.1} %",
        asr_cpu_s,
        total_cpu,
        audio.duration_s / total_cpu,
        100.0 * decode_s / total_cpu,
        100.0 * print_s / total_cpu,
        100.0 * asr_cpu_s / total_cpu
    );
    let text = transcript.text().replace('\n', " ");
    println!("transcript: {text}");
    if let Some(expect) = args.expect {
        let heard: Vec<&str> = text.split_whitespace().collect();
        let words: Vec<String> = expect
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect();
        let found = words.iter().filter(|w| heard.contains(&w.as_str())).count();
        println!(
            "reference words heard: {found}/{} ({:.0} %)",
            words.len(),
            100.0 * found as f64 / words.len().max(1) as f64
        );
    }
    Ok(())
}
