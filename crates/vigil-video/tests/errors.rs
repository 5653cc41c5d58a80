//! Bad input is an error naming the problem, never a panic: random bytes,
//! a truncated MP4, audio without video, a missing file; and the audio
//! track comes back as 16 kHz mono samples.

mod common;

use std::ops::ControlFlow;

use vigil_video::{hash_video, FfmpegError, Sampling, TempVideo};

#[test]
fn random_bytes_and_truncated_videos_are_named_errors() {
    let Some(ffmpeg) = common::ffmpeg() else {
        return;
    };
    let mut state = 0x9e3779b97f4a7c15u64;
    let random: Vec<u8> = (0..50_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    let file = TempVideo::new(&random).expect("a temporary file");
    let e = hash_video(&ffmpeg, file.path(), Sampling::AllFrames).expect_err("not a video");
    assert!(matches!(e, FfmpegError::Failed { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with(&file.path().display().to_string()),
        "{text}"
    );
    assert!(text.contains("ffprobe cannot read it: "), "{text}");
    eprintln!("random bytes: {text}");

    let Some(dir) = common::video_dir() else {
        return;
    };
    let whole = std::fs::read(dir.join("chair-19-sd-bar.mp4")).expect("the video");
    for cut in [100, whole.len() / 2, whole.len() - 1000] {
        let file = TempVideo::new(&whole[..cut]).expect("a temporary file");
        // This MP4's index comes first, so ffmpeg decodes up to the cut and
        // exits with 0; the missing frames make it an error.
        let e = hash_video(&ffmpeg, file.path(), Sampling::AllFrames).expect_err("truncated");
        eprintln!("cut to {cut} bytes: {e}");
        let text = e.to_string();
        assert!(
            text.starts_with(&file.path().display().to_string()),
            "{text}"
        );
        assert!(
            text.contains("no video stream") || text.contains("frames the container lists"),
            "{text}"
        );
    }
}

#[test]
fn a_missing_file_and_audio_only_input_are_named() {
    let Some(ffmpeg) = common::ffmpeg() else {
        return;
    };
    let e = ffmpeg
        .decode_frames("/nonexistent/clip.mp4".as_ref(), |_| {
            ControlFlow::Continue(())
        })
        .expect_err("missing");
    assert!(
        e.to_string()
            .starts_with("/nonexistent/clip.mp4: cannot read the file"),
        "{e}"
    );

    let Some(dir) = common::video_dir() else {
        return;
    };
    // The audio track alone, as WAV: no video stream.
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let wav = tmp.path().join("sound.wav");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(dir.join("pattern-sd-grey-bar.mp4"))
        .args(["-vn", "-t", "2"])
        .arg(&wav)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let e = hash_video(&ffmpeg, &wav, Sampling::AllFrames).expect_err("no video");
    assert!(matches!(e, FfmpegError::NoVideo { .. }), "{e}");
    let samples = ffmpeg
        .audio_pcm(&wav, 16_000)
        .expect("audio decodes")
        .expect("an audio stream");
    assert!(
        (31_000..=33_000).contains(&samples.len()),
        "{}",
        samples.len()
    );
}

#[test]
fn probe_and_audio_of_a_sample_video() {
    let (Some(dir), Some(ffmpeg)) = (common::video_dir(), common::ffmpeg()) else {
        return;
    };
    let path = dir.join("doorknob-hd-no-bar.mp4");
    let info = ffmpeg.probe(&path).expect("probes");
    assert_eq!((info.width, info.height, info.fps), (1280, 720, 30.0));
    assert_eq!(info.frame_count, Some(120));
    assert!(info.has_video && info.has_audio);
    assert!((info.duration_s - 4.3).abs() < 0.1, "{}", info.duration_s);
    let samples = ffmpeg
        .audio_pcm(&path, 16_000)
        .expect("audio decodes")
        .expect("an audio stream");
    let seconds = samples.len() as f64 / 16_000.0;
    assert!((seconds - 4.3).abs() < 0.1, "{seconds} s of audio");
    assert!(
        samples.iter().any(|&s| s.unsigned_abs() > 100),
        "quiet (about -40 dB at its loudest) but not silent"
    );
    assert!(ffmpeg
        .version()
        .expect("a version")
        .starts_with("ffmpeg version"));
}
