//! `vigil scan` with the real binary: an image in a bank is blocked with the
//! bank match as evidence, and the decision is in the log.

mod util;

use util::{repo_root, shared_data, Vigil};

#[test]
fn a_banked_image_is_blocked_and_logged() {
    let Some(shared) = shared_data() else {
        eprintln!("skipped: no shared data");
        return;
    };
    let pdq = shared.join("images/pdq");
    let vigil = Vigil::new();
    vigil.run(["bank", "create", "known_bad"]).success();
    vigil
        .run([
            "bank",
            "add",
            "known_bad",
            "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
            "--label",
            "bridge",
        ])
        .success();
    let policy = vigil.home().join("policy.toml");
    let text = std::fs::read_to_string(repo_root().join("policies/default.toml")).expect("policy");
    std::fs::write(
        &policy,
        format!("{text}\n[banks.known_bad]\ncategory = \"violence_graphic\"\n"),
    )
    .expect("write policy");
    let image = pdq.join("bridge-mods/sharpen-a-lot.jpg");
    let run = vigil
        .run([
            "scan".as_ref(),
            "--no-cascade".as_ref(),
            "--policy".as_ref(),
            policy.as_os_str(),
            image.as_os_str(),
        ])
        .success();
    let decision: serde_json::Value =
        serde_json::from_str(run.stdout.trim()).expect("one decision a line");
    assert_eq!(decision["action"], "block", "{decision}");
    assert_eq!(decision["hash_matches"][0]["bank"], "known_bad");
    assert_eq!(decision["hash_matches"][0]["label"], "bridge");
    let status = vigil.run(["store", "status"]).success();
    assert!(status.stdout.contains("block    1"), "{}", status.stdout);
}

#[test]
fn a_bad_file_is_named_and_fails_the_run() {
    let vigil = Vigil::new();
    let bad = vigil.home().join("not-an-image.png");
    std::fs::write(&bad, b"plain text, not an image").expect("write");
    let run = vigil
        .run([
            "scan".as_ref(),
            "--no-cascade".as_ref(),
            "--no-ocr".as_ref(),
            bad.as_os_str(),
        ])
        .failure();
    assert!(
        run.stderr.contains("not-an-image.png")
            && run.stderr.contains("not an image, audio or video format"),
        "{}",
        run.stderr
    );
}

#[test]
fn items_files_are_scanned_in_order_with_media_relative_to_the_file() {
    let vigil = Vigil::new();
    let folder = vigil.home().join("batch");
    std::fs::create_dir_all(folder.join("img")).expect("mkdir");
    // A 2x2 PNG written by the image crate's encoder would need a dependency;
    // a shared test image is enough when the data is present.
    let image_line = shared_data().map(|shared| {
        let src = shared.join("images/pdq/bridge-mods/sharpen-a-lot.jpg");
        std::fs::copy(src, folder.join("img/bridge.jpg")).expect("copy");
        r#"{"id":"pic","media":[{"kind":"image","path":"img/bridge.jpg"}]}"#
    });
    let mut lines = vec![
        r#"{"id":"calm","text":"See you at the meeting tomorrow."}"#,
        r#"{"id":"threat","text":"I am going to find you and kill you."}"#,
    ];
    lines.extend(image_line);
    let file = folder.join("items.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let run = vigil
        .run([
            "scan".as_ref(),
            "--no-cascade".as_ref(),
            "--no-ocr".as_ref(),
            "--items".as_ref(),
            file.as_os_str(),
        ])
        .success();
    let decisions: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one decision a line"))
        .collect();
    let ids: Vec<&str> = decisions
        .iter()
        .map(|d| d["item_id"].as_str().expect("item_id"))
        .collect();
    assert_eq!(ids, ["calm", "threat", "pic"][..lines.len()]);
    assert_eq!(decisions[0]["action"], "allow", "{}", decisions[0]);
    assert_ne!(decisions[1]["action"], "allow", "{}", decisions[1]);

    // A bad line is named by its number and nothing is scanned.
    std::fs::write(&file, "{\"id\":\"ok\",\"text\":\"hi\"}\n{not json}\n").expect("write");
    let run = vigil
        .run([
            "scan".as_ref(),
            "--no-cascade".as_ref(),
            "--items".as_ref(),
            file.as_os_str(),
        ])
        .failure();
    assert!(run.stderr.contains("items.jsonl:2"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

/// Runs a program that makes test media; panics with its stderr on failure.
fn make(program: &str, args: &[&str]) {
    let out = std::process::Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn speech_and_video_captions_are_flagged_with_timecodes() {
    let have = |p: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let needed = [
        "espeak-ng",
        "ffmpeg",
        "pocketsphinx_continuous",
        "convert",
        "tesseract",
    ];
    if let Some(absent) = needed.iter().find(|p| !have(p)) {
        assert!(
            std::env::var_os("CI").is_none(),
            "{absent} is missing; scripts/setup.sh installs it"
        );
        eprintln!("skipped: {absent} is missing (scripts/setup.sh installs it)");
        return;
    }
    let vigil = Vigil::new();
    let dir = vigil.home().join("media");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = |name: &str| dir.join(name).display().to_string();
    make(
        "espeak-ng",
        &[
            "-v",
            "en-us+f2",
            "-s",
            "140",
            "-w",
            &path("speech.wav"),
            "I am going to kill you",
        ],
    );
    make(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-t",
            "3",
            "-i",
            "anullsrc=r=22050:cl=mono",
            "-i",
            &path("speech.wav"),
            "-filter_complex",
            "[0][1]concat=n=2:v=0:a=1",
            &path("threat.ogg"),
        ],
    );
    make(
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
            "I will find you and beat you to death",
            &path("caption.png"),
        ],
    );
    make(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-t",
            "2",
            "-i",
            "color=white:s=960x540:r=10",
            "-loop",
            "1",
            "-t",
            "3",
            "-i",
            &path("caption.png"),
            "-filter_complex",
            "[0][1]concat=n=2:v=1:a=0,format=yuv420p",
            "-r",
            "10",
            &path("caption.mp4"),
        ],
    );
    let run = vigil
        .run([
            "scan",
            "--no-cascade",
            "--no-nudity",
            &path("threat.ogg"),
            &path("caption.mp4"),
        ])
        .success();
    let decisions: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one decision a line"))
        .collect();
    assert_eq!(decisions.len(), 2, "{}", run.stdout);
    for (d, detector, from_s) in [
        (&decisions[0], "asr+text", 3.0),
        (&decisions[1], "ocr+text", 2.0),
    ] {
        assert!(d["action"] == "restrict" || d["action"] == "block", "{d:#}");
        let violence = d["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .find(|c| c["category"] == "violence")
            .expect("violence scored");
        let e = violence["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .find(|e| e["detector"] == detector)
            .unwrap_or_else(|| panic!("{detector} evidence: {violence:#}"));
        let start = e["location"]["start_s"].as_f64().expect("a time range");
        assert!((start - from_s).abs() <= 1.0, "starts at {start}: {e:#}");
    }
}
