//! Audio and video through the service: a threat spoken in a recording and
//! a threat shown as a caption in a video each come back with the right
//! category and the right time range in the evidence, and the decision can
//! be read back by id.
//!
//! The media are made here with espeak-ng, ImageMagick and ffmpeg, and read
//! with ffmpeg, tesseract and pocketsphinx (all from `scripts/setup.sh`);
//! without them the test skips with a message, unless `CI` is set.

mod common;

use std::path::Path;
use std::process::Command;

use common::{base64, Options, TestServer};
use serde_json::{json, Value};

fn missing(what: &str) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing; scripts/setup.sh installs it");
    }
    eprintln!("skipped: {what} is missing (scripts/setup.sh installs it)");
    true
}

fn tools_missing(programs: &[&str]) -> bool {
    programs.iter().any(|p| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .map_or(true, |o| !o.status.success())
            && missing(p)
    })
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn scan_media(server: &TestServer, id: &str, kind: &str, path: &Path) -> Value {
    let bytes = std::fs::read(path).expect("media");
    let reply = server.post_json(
        "/v1/scan",
        Some(&server.keys.scan),
        &json!({"id": id, "media": [{"kind": kind, "data_base64": base64(&bytes)}]}),
    );
    reply.expect_status(200);
    reply.json()
}

/// The evidence of `category` from `detector`, and its time range.
fn timed_evidence(decision: &Value, category: &str, detector: &str) -> (Value, f64, f64) {
    let cat = decision["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == category)
        .unwrap_or_else(|| panic!("{category} scored: {decision:#}"));
    let evidence = cat["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .find(|e| e["detector"] == detector)
        .unwrap_or_else(|| panic!("{detector} evidence for {category}: {cat:#}"))
        .clone();
    let at = &evidence["location"];
    assert_eq!(at["type"], "time_range", "{evidence:#}");
    let (start, end) = (
        at["start_s"].as_f64().expect("start"),
        at["end_s"].as_f64().expect("end"),
    );
    (evidence, start, end)
}

fn media_server() -> TestServer {
    TestServer::start_with(Options {
        media_tools: true,
        ..Options::default()
    })
}

#[test]
fn a_spoken_threat_is_flagged_with_its_time_range() {
    if tools_missing(&["espeak-ng", "ffmpeg", "pocketsphinx_continuous"]) {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let speech = tmp.path().join("speech.wav").display().to_string();
    let clip = tmp.path().join("clip.mp3").display().to_string();
    run(
        "espeak-ng",
        &[
            "-v",
            "en-us+f2",
            "-s",
            "140",
            "-w",
            &speech,
            "I am going to kill you",
        ],
    );
    // Four seconds of silence, then the threat, as an MP3.
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-t",
            "4",
            "-i",
            "anullsrc=r=22050:cl=mono",
            "-i",
            &speech,
            "-filter_complex",
            "[0][1]concat=n=2:v=0:a=1",
            "-b:a",
            "64k",
            &clip,
        ],
    );
    let server = media_server();
    let d = scan_media(&server, "spoken", "audio", Path::new(&clip));
    assert!(
        matches!(d["action"].as_str(), Some("restrict" | "block")),
        "{d:#}"
    );
    let (evidence, start, end) = timed_evidence(&d, "violence", "asr+text");
    assert!(
        (3.0..=5.5).contains(&start),
        "starts at {start}: {evidence:#}"
    );
    assert!(end > start, "{evidence:#}");
    assert!(
        evidence["detail"]
            .as_str()
            .is_some_and(|t| t.contains("kill")),
        "{evidence:#}"
    );
    let id = d["id"].as_str().expect("id");
    let stored = server.get(&format!("/v1/decisions/{id}"), Some(&server.keys.review));
    stored.expect_status(200);
    assert_eq!(stored.json()["categories"], d["categories"]);
}

#[test]
fn a_caption_in_a_video_is_flagged_with_its_time_range() {
    if tools_missing(&["convert", "ffmpeg", "tesseract"]) {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let caption = |name: &str, text: &str| {
        let path = tmp.path().join(name).display().to_string();
        run(
            "convert",
            &[
                "-size",
                "960x540",
                "xc:white",
                "-pointsize",
                "44",
                "-fill",
                "black",
                "-annotate",
                "+40+280",
                text,
                &path,
            ],
        );
        path
    };
    let calm = caption("calm.png", "Lovely weather for a picnic today");
    let threat = caption("threat.png", "I will find you and beat you to death");
    let video = tmp.path().join("captions.mp4").display().to_string();
    // 2 s calm, 3 s threat, 2 s calm again.
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-loop",
            "1",
            "-t",
            "2",
            "-i",
            &calm,
            "-loop",
            "1",
            "-t",
            "3",
            "-i",
            &threat,
            "-loop",
            "1",
            "-t",
            "2",
            "-i",
            &calm,
            "-filter_complex",
            "[0][1][2]concat=n=3:v=1:a=0,format=yuv420p",
            "-r",
            "10",
            "-c:v",
            "libx264",
            &video,
        ],
    );
    let server = media_server();
    let d = scan_media(&server, "captioned", "video", Path::new(&video));
    assert!(
        matches!(d["action"].as_str(), Some("restrict" | "block")),
        "{d:#}"
    );
    let (evidence, start, end) = timed_evidence(&d, "violence", "ocr+text");
    assert_eq!(evidence["modality"], "video");
    assert!(
        (start - 2.0).abs() <= 0.5,
        "starts at {start}: {evidence:#}"
    );
    assert!((end - 5.0).abs() <= 0.5, "ends at {end}: {evidence:#}");
}
