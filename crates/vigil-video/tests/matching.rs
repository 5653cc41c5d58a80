//! vPDQ matching on real videos: a re-encoded copy (half the size, a low
//! bitrate) matches its original; an unrelated video does not. And the
//! one-pass scan samples what the detectors need.

mod common;

use std::ops::ControlFlow;
use std::path::Path;
use std::process::Command;

use vigil_video::vpdq::{DEFAULT_FRAME_DISTANCE, DEFAULT_MATCH_PERCENT, DEFAULT_QUALITY_FLOOR};
use vigil_video::{
    hash_video, match_videos, scan_video, Ffmpeg, SampleReason, Sampler, Sampling, VpdqFrame,
};

fn hashes(ffmpeg: &Ffmpeg, path: &Path) -> Vec<VpdqFrame> {
    hash_video(ffmpeg, path, Sampling::AllFrames).expect("the video hashes")
}

#[test]
fn a_reencoded_copy_matches_and_an_unrelated_video_does_not() {
    let (Some(dir), Some(ffmpeg)) = (common::video_dir(), common::ffmpeg()) else {
        return;
    };
    let original = dir.join("chair-22-sd-grey-bar.mp4");
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let copy = tmp.path().join("copy.mp4");
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-i"])
        .arg(&original)
        .args([
            "-vf",
            "scale=iw/2:-2",
            "-c:v",
            "libx264",
            "-b:v",
            "150k",
            "-an",
        ])
        .arg(&copy)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "re-encoding failed");
    let original = hashes(&ffmpeg, &original);
    let copy = hashes(&ffmpeg, &copy);
    let m = match_videos(
        &copy,
        &original,
        DEFAULT_FRAME_DISTANCE,
        DEFAULT_QUALITY_FLOOR,
    );
    eprintln!(
        "re-encoded copy (half size, 150 kb/s) against its original: query {:.1} %, compared {:.1} %",
        m.query_match_percent, m.compared_match_percent
    );
    assert!(m.is_match(DEFAULT_MATCH_PERCENT), "{m:?}");

    for (a, b) in [
        ("doorknob-hd-no-bar", "pattern-sd-grey-bar"),
        ("chair-19-sd-bar", "pattern-sd-grey-bar"),
        ("doorknob-hd-no-bar", "chair-22-sd-grey-bar"),
    ] {
        let m = match_videos(
            &hashes(&ffmpeg, &dir.join(format!("{a}.mp4"))),
            &hashes(&ffmpeg, &dir.join(format!("{b}.mp4"))),
            DEFAULT_FRAME_DISTANCE,
            DEFAULT_QUALITY_FLOOR,
        );
        eprintln!(
            "{a} against {b}: query {:.1} %, compared {:.1} %",
            m.query_match_percent, m.compared_match_percent
        );
        assert!(!m.is_match(DEFAULT_MATCH_PERCENT), "{a} vs {b}: {m:?}");
    }
}

#[test]
fn one_pass_hashes_every_frame_and_samples_a_few() {
    let (Some(dir), Some(ffmpeg)) = (common::video_dir(), common::ffmpeg()) else {
        return;
    };
    let path = dir.join("pattern-sd-grey-bar.mp4");
    let mut sampled = Vec::new();
    let scan = scan_video(&ffmpeg, &path, Sampler::default(), |s| {
        assert_eq!((s.image.width(), s.image.height()), (480, 720));
        sampled.push((s.frame.index, s.reason));
        ControlFlow::Continue(())
    })
    .expect("the video scans");
    assert_eq!(scan.frames, hashes(&ffmpeg, &path), "the same hashes");
    assert_eq!(scan.sampled, sampled.len());
    let on_clock: Vec<u64> = sampled
        .iter()
        .filter(|(_, r)| *r == SampleReason::Interval)
        .map(|(i, _)| *i)
        .collect();
    // 6.9 s at 30 fps: frames 0, 30, …, 180 (scene changes may restart the
    // clock on none of them: it runs from the last frame sampled on it).
    assert_eq!(on_clock, vec![0, 30, 60, 90, 120, 150, 180]);
    eprintln!("sampled {sampled:?}");

    // Stopping early stops ffmpeg and keeps the hashes decoded so far.
    let scan = scan_video(&ffmpeg, &path, Sampler::default(), |s| {
        if s.frame.index >= 30 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .expect("the video scans");
    assert!(scan.stopped_early);
    assert_eq!(scan.frames.len(), 31);
}
