//! vPDQ against Meta's reference: the per-frame hashes the reference's
//! `vpdq-hash-video` gives for ThreatExchange's five sample videos
//! (`shared/data/video/vpdq-expected`). The two decode through different
//! builds of ffmpeg's libraries and convert YUV to RGB each their own way,
//! so a frame may differ by a few bits; the thresholds below are the
//! conformance contract.

mod common;

use vigil_video::{hash_video, parse_vpdq, Sampling, VpdqFrame};

/// A frame conforms when its hash is within this many bits of the reference's.
const FRAME_BITS: u32 = 10;
/// Share of frames that must conform, per video.
const MIN_CONFORMING_PERCENT: f64 = 95.0;
/// Largest mean distance per video, in bits.
const MAX_MEAN_BITS: f64 = 1.0;
/// Largest mean quality difference (of 100) per video.
const MAX_MEAN_QUALITY_DELTA: f64 = 2.0;

#[test]
fn every_sample_video_hashes_close_to_the_reference() {
    let (Some(dir), Some(ffmpeg)) = (common::video_dir(), common::ffmpeg()) else {
        return;
    };
    let mut failures = Vec::new();
    for name in common::VIDEOS {
        let expected = std::fs::read_to_string(dir.join(format!("vpdq-expected/{name}.txt")))
            .expect("the expected file");
        let expected = parse_vpdq(&expected).expect("the expected file parses");
        let ours = hash_video(
            &ffmpeg,
            &dir.join(format!("{name}.mp4")),
            Sampling::AllFrames,
        )
        .expect("the video hashes");
        let report = compare(&ours, &expected);
        eprintln!("{name}: {report}");
        if ours.len() != expected.len() {
            failures.push(format!(
                "{name}: {} frames, the reference has {}",
                ours.len(),
                expected.len()
            ));
        }
        if report.conforming_percent < MIN_CONFORMING_PERCENT {
            failures.push(format!("{name}: {report}"));
        }
        if report.mean_bits > MAX_MEAN_BITS {
            failures.push(format!("{name}: mean distance too high: {report}"));
        }
        if report.mean_quality_delta > MAX_MEAN_QUALITY_DELTA {
            failures.push(format!("{name}: quality off: {report}"));
        }
        if report.timestamps_equal != expected.len().min(ours.len()) {
            failures.push(format!("{name}: timestamps differ: {report}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn one_frame_a_second_takes_the_references_frames() {
    let (Some(dir), Some(ffmpeg)) = (common::video_dir(), common::ffmpeg()) else {
        return;
    };
    let name = "pattern-sd-grey-bar";
    let every = hash_video(
        &ffmpeg,
        &dir.join(format!("{name}.mp4")),
        Sampling::EverySeconds(1.0),
    )
    .expect("the video hashes");
    let indices: Vec<u64> = every.iter().map(|f| f.index).collect();
    // 206 frames at 30 fps: frames 0, 30, …, 180.
    assert_eq!(indices, (0..7).map(|i| i * 30).collect::<Vec<u64>>());
    let expected = std::fs::read_to_string(dir.join(format!("vpdq-expected/{name}.txt")))
        .expect("the expected file");
    let expected = parse_vpdq(&expected).expect("parses");
    for f in &every {
        let want = &expected[f.index as usize];
        assert!(
            f.hash.distance(&want.hash) <= FRAME_BITS,
            "frame {}",
            f.index
        );
        assert_eq!(format!("{:.3}", f.time_s), format!("{:.3}", want.time_s));
    }
}

struct Report {
    frames: usize,
    identical: usize,
    conforming_percent: f64,
    mean_bits: f64,
    max_bits: u32,
    mean_quality_delta: f64,
    timestamps_equal: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} frames, {} identical, {:.1} % within {FRAME_BITS} bits, mean {:.2} bits, max {}, mean quality delta {:.2}, {} timestamps equal",
            self.frames,
            self.identical,
            self.conforming_percent,
            self.mean_bits,
            self.max_bits,
            self.mean_quality_delta,
            self.timestamps_equal
        )
    }
}

/// Frame by frame, by frame number.
fn compare(ours: &[VpdqFrame], expected: &[VpdqFrame]) -> Report {
    let pairs: Vec<(&VpdqFrame, &VpdqFrame)> = ours.iter().zip(expected).collect();
    assert!(
        pairs.iter().all(|(a, b)| a.index == b.index),
        "frame numbers"
    );
    let n = pairs.len().max(1) as f64;
    let bits: Vec<u32> = pairs
        .iter()
        .map(|(a, b)| a.hash.distance(&b.hash))
        .collect();
    Report {
        frames: pairs.len(),
        identical: bits.iter().filter(|&&d| d == 0).count(),
        conforming_percent: bits.iter().filter(|&&d| d <= FRAME_BITS).count() as f64 * 100.0
            / expected.len().max(1) as f64,
        mean_bits: bits.iter().map(|&d| f64::from(d)).sum::<f64>() / n,
        max_bits: bits.iter().copied().max().unwrap_or(0),
        mean_quality_delta: pairs
            .iter()
            .map(|(a, b)| (f64::from(a.quality) - f64::from(b.quality)).abs())
            .sum::<f64>()
            / n,
        timestamps_equal: pairs
            .iter()
            .filter(|(a, b)| format!("{:.3}", a.time_s) == format!("{:.3}", b.time_s))
            .count(),
    }
}
