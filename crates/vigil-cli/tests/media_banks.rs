//! `vigil bank` with video and audio banks: creating them, hashing files
//! into them (videos from `../shared/data/video`, speech made by
//! `espeak-ng`), reference vPDQ files, entries addressed by id, and JSON
//! Lines export and import.

mod util;

use std::path::{Path, PathBuf};

use util::{shared_data, Vigil};

/// A PDQ hash, for refusals.
const PDQ: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

/// The row of `vigil bank list` for `name`, split on whitespace: name,
/// kind, entries, enabled, media, created, description….
fn bank_row(vigil: &Vigil, name: &str) -> Vec<String> {
    let run = vigil.run(["bank", "list"]).success();
    run.stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_else(|| panic!("no row for {name}:\n{}", run.stdout))
}

/// The entry rows of `vigil bank list NAME`, split on whitespace: id,
/// enabled, added, duration_s, frames or values, sha256, source, label.
fn entry_rows(vigil: &Vigil, name: &str) -> Vec<Vec<String>> {
    let run = vigil.run(["bank", "list", name]).success();
    run.stdout
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect()
}

/// Whether `program` runs; when it does not, outside CI the test is
/// skipped with the reason, and in CI it fails.
fn have(program: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is missing; scripts/setup.sh installs it"
        );
        eprintln!("skipped: {program} is missing (scripts/setup.sh installs it)");
    }
    found
}

/// The shared test videos and their reference vPDQ files, if present.
fn shared_videos() -> Option<PathBuf> {
    let dir = shared_data()?.join("video");
    if dir.join("vpdq-expected").is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

/// A few seconds of speech as a WAV file in `dir`, made by espeak-ng.
fn speech(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    let out = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "140", "-w"])
        .arg(&path)
        .arg(text)
        .output()
        .expect("espeak-ng runs");
    assert!(out.status.success(), "espeak-ng failed: {out:?}");
    path
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[test]
fn videos_are_hashed_into_a_video_bank_and_addressed_by_id() {
    let Some(videos) = shared_videos() else {
        return;
    };
    if !have("ffmpeg") {
        return;
    }
    let vigil = Vigil::new();
    let run = vigil
        .run(["bank", "create", "clips", "--media", "video"])
        .success();
    assert!(
        run.stdout.contains("created positive video bank clips"),
        "{}",
        run.stdout
    );
    let door = videos.join("doorknob-hd-no-bar.mp4");
    let run = vigil
        .run(["bank", "add", "clips", text(&door), "--label", "door"])
        .success();
    assert!(run.stdout.contains("120 frames"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("bank clips: added 1, already present 0"),
        "{}",
        run.stdout
    );
    let run = vigil.run(["bank", "add", "clips", text(&door)]).success();
    assert!(
        run.stdout.contains("added 0, already present 1"),
        "the same file is banked once: {}",
        run.stdout
    );

    // A reference vPDQ file is one more entry, its name the source.
    let reference = videos.join("vpdq-expected/pattern-sd-grey-bar.txt");
    vigil
        .run(["bank", "add", "clips", "--vpdq", text(&reference)])
        .success();
    assert_eq!(
        bank_row(&vigil, "clips")[1..5],
        ["positive", "2", "2", "video"]
    );
    let rows = entry_rows(&vigil, "clips");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][4], "120");
    assert_eq!(rows[0][6..], ["doorknob-hd-no-bar.mp4", "door"]);
    assert_eq!(rows[1][6..], ["pattern-sd-grey-bar.txt", "-"]);

    // Entries are disabled, enabled and removed by id.
    let id = rows[0][0].clone();
    let run = vigil.run(["bank", "disable", "clips", &id]).success();
    assert!(
        run.stdout
            .contains(&format!("disabled entry {id} in bank clips")),
        "{}",
        run.stdout
    );
    assert_eq!(bank_row(&vigil, "clips")[2..4], ["2", "1"]);
    vigil.run(["bank", "enable", "clips", &id]).success();
    assert_eq!(bank_row(&vigil, "clips")[2..4], ["2", "2"]);
    let run = vigil.run(["bank", "disable", "clips", PDQ]).failure();
    assert!(run.stderr.contains("is not an entry id"), "{}", run.stderr);
    vigil.run(["bank", "remove", "clips", &id]).success();
    let run = vigil.run(["bank", "remove", "clips", &id]).failure();
    assert!(
        run.stderr
            .contains(&format!("bank clips holds no entry {id}")),
        "{}",
        run.stderr
    );
    assert_eq!(bank_row(&vigil, "clips")[2], "1");
}

#[test]
fn a_video_bank_exports_and_imports_as_json_lines() {
    let Some(videos) = shared_videos() else {
        return;
    };
    let vigil = Vigil::new();
    vigil
        .run(["bank", "create", "first", "--media", "video"])
        .success();
    for name in ["doorknob-hd-no-bar", "chair-19-sd-bar"] {
        let reference = videos.join(format!("vpdq-expected/{name}.txt"));
        vigil
            .run([
                "bank",
                "add",
                "first",
                "--vpdq",
                text(&reference),
                "--label",
                name,
            ])
            .success();
    }
    let first_id = &entry_rows(&vigil, "first")[0][0];
    vigil.run(["bank", "disable", "first", first_id]).success();

    let dir = tempfile::tempdir().expect("a temporary folder");
    let exported = dir.path().join("first.jsonl");
    vigil
        .run(["bank", "export", "first", "--out", text(&exported)])
        .success();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&exported)
        .expect("written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["label"], "doorknob-hd-no-bar");
    assert_eq!(lines[0]["source"], "doorknob-hd-no-bar.txt");
    assert_eq!(lines[0]["enabled"], false);
    assert_eq!(lines[1]["enabled"], true);
    let content = lines[0]["content"].as_str().expect("content");
    assert_eq!(content.lines().count(), 120);
    assert!(lines[0]["duration_s"].as_f64().is_some_and(|d| d > 3.0));

    vigil
        .run(["bank", "create", "second", "--media", "video", "--negative"])
        .success();
    let run = vigil
        .run(["bank", "import", "second", text(&exported)])
        .success();
    assert!(
        run.stdout.contains("added 2, already present 0"),
        "{}",
        run.stdout
    );
    let again = vigil.run(["bank", "export", "second"]).success();
    assert_eq!(
        again.stdout,
        std::fs::read_to_string(&exported).expect("written"),
        "the same entries, labels, sources and states"
    );

    // Video hashes are not audio fingerprints: every line is named.
    vigil
        .run(["bank", "create", "tunes", "--media", "audio"])
        .success();
    let run = vigil
        .run(["bank", "import", "tunes", text(&exported)])
        .failure();
    let path = text(&exported);
    for line in [1, 2] {
        assert!(
            run.stderr
                .contains(&format!("{path}:{line}: not a Chromaprint")),
            "{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("nothing was added"), "{}", run.stderr);
    assert_eq!(bank_row(&vigil, "tunes")[2], "0");
}

#[test]
fn speech_is_fingerprinted_into_an_audio_bank() {
    if !have("espeak-ng") {
        return;
    }
    let vigil = Vigil::new();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let wav = speech(
        dir.path(),
        "notice.wav",
        "This recording is a known notice. It is long enough for a fingerprint of several \
         seconds, which the audio bank keeps instead of the sound.",
    );
    vigil
        .run([
            "bank",
            "create",
            "notices",
            "--media",
            "audio",
            "--negative",
        ])
        .success();
    let run = vigil
        .run(["bank", "add", "notices", text(&wav), "--source", "case-9"])
        .success();
    assert!(run.stdout.contains("fingerprint values"), "{}", run.stdout);
    assert!(
        run.stdout.contains("added 1, already present 0"),
        "{}",
        run.stdout
    );
    let run = vigil.run(["bank", "add", "notices", text(&wav)]).success();
    assert!(
        run.stdout.contains("added 0, already present 1"),
        "{}",
        run.stdout
    );

    assert_eq!(
        bank_row(&vigil, "notices")[1..5],
        ["negative", "1", "1", "audio"]
    );
    let rows = entry_rows(&vigil, "notices");
    assert_eq!(rows[0][6..], ["case-9", "-"]);
    let duration: f64 = rows[0][3].parse().expect("a duration");
    assert!(duration > 5.0, "{duration}");

    // The export holds the raw fingerprint: comma-separated integers.
    let run = vigil.run(["bank", "export", "notices"]).success();
    let line: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("JSON");
    let content = line["content"].as_str().expect("content");
    assert!(
        content.split(',').all(|v| v.parse::<u32>().is_ok()),
        "{content}"
    );

    // A file that is not audio is named, and nothing is added.
    let not_audio = dir.path().join("notes.txt");
    std::fs::write(&not_audio, "not a recording").expect("written");
    let run = vigil
        .run(["bank", "add", "notices", text(&wav), text(&not_audio)])
        .failure();
    assert!(
        run.stderr
            .contains(&format!("cannot fingerprint {} as audio", text(&not_audio))),
        "{}",
        run.stderr
    );
    assert_eq!(bank_row(&vigil, "notices")[2], "1");
}

#[test]
fn each_kind_of_bank_refuses_the_others_entries() {
    let vigil = Vigil::new();
    let run = vigil
        .run(["bank", "create", "b", "--media", "pictures"])
        .failure();
    assert!(
        run.stderr.contains("unknown bank medium `pictures`"),
        "{}",
        run.stderr
    );
    vigil.run(["bank", "create", "photos"]).success();
    vigil
        .run(["bank", "create", "tunes", "--media", "audio"])
        .success();

    // A PDQ hash is not a file of a video or audio bank.
    let run = vigil.run(["bank", "add", "tunes", PDQ]).failure();
    assert!(run.stderr.contains(PDQ), "{}", run.stderr);
    let run = vigil
        .run(["bank", "add", "photos", "--vpdq", "clip.txt"])
        .failure();
    assert!(
        run.stderr
            .contains("--vpdq adds to video banks; bank photos holds image hashes"),
        "{}",
        run.stderr
    );
    let run = vigil
        .run(["bank", "add", "tunes", "--vpdq", "clip.txt"])
        .failure();
    assert!(
        run.stderr.contains("bank tunes holds audio hashes"),
        "{}",
        run.stderr
    );
    let run = vigil
        .run(["bank", "add", "tunes", "--file", "list.txt"])
        .failure();
    assert!(
        run.stderr.contains("--file reads PDQ hash lists"),
        "{}",
        run.stderr
    );
    let run = vigil.run(["bank", "disable", "photos", "1"]).failure();
    assert!(run.stderr.contains("hash"), "{}", run.stderr);
    let run = vigil.run(["bank", "remove", "nothing", "1"]).failure();
    assert!(
        run.stderr.contains("no bank is named `nothing`"),
        "{}",
        run.stderr
    );

    // Fingerprints written by hand (or by `fpcalc -raw`) import; a line's
    // metadata is kept and the file's name is the default source.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let list = dir.path().join("tunes.jsonl");
    std::fs::write(
        &list,
        "{\"content\":\"1,2,3,4\",\"label\":\"jingle\",\"enabled\":false}\n\n\
         {\"content\":\"5, 6, -1\",\"duration_s\":12}\n",
    )
    .expect("written");
    let run = vigil
        .run(["bank", "import", "tunes", text(&list)])
        .success();
    assert!(
        run.stdout.contains("added 2, already present 0"),
        "{}",
        run.stdout
    );
    let rows = entry_rows(&vigil, "tunes");
    assert_eq!(rows[0][1], "no");
    assert_eq!(rows[0][6..], ["tunes.jsonl", "jingle"]);
    assert_eq!(rows[1][3..5], ["12.000", "3"]);
    let run = vigil.run(["bank", "export", "tunes"]).success();
    assert!(
        run.stdout.contains("\"content\":\"5,6,4294967295\""),
        "{}",
        run.stdout
    );
}

/// `vigil scan` of `file` under the default policy with `banks` (name,
/// category) named: the decision.
fn scan_with_banks(vigil: &Vigil, banks: &[(&str, &str)], file: &Path) -> serde_json::Value {
    let policy = vigil.home().join("policy.toml");
    let mut text = std::fs::read_to_string(util::repo_root().join("policies/default.toml"))
        .expect("the default policy");
    for (name, category) in banks {
        text.push_str(&format!("\n[banks.{name}]\ncategory = \"{category}\"\n"));
    }
    std::fs::write(&policy, text).expect("write policy");
    let run = vigil
        .run([
            "scan".as_ref(),
            "--no-cascade".as_ref(),
            "--policy".as_ref(),
            policy.as_os_str(),
            file.as_os_str(),
        ])
        .success();
    serde_json::from_str(run.stdout.trim()).expect("one decision a line")
}

#[test]
fn what_bank_add_stores_is_what_scan_matches() {
    let Some(videos) = shared_videos() else {
        return;
    };
    if !have("ffmpeg") || !have("espeak-ng") {
        return;
    }
    let vigil = Vigil::new();
    let dir = tempfile::tempdir().expect("a temporary folder");

    // A video banked from the reference's vPDQ file is found in the video.
    vigil
        .run(["bank", "create", "clips", "--media", "video"])
        .success();
    let reference = videos.join("vpdq-expected/doorknob-hd-no-bar.txt");
    vigil
        .run([
            "bank",
            "add",
            "clips",
            "--vpdq",
            text(&reference),
            "--label",
            "door",
        ])
        .success();
    let decision = scan_with_banks(
        &vigil,
        &[("clips", "violence_graphic")],
        &videos.join("doorknob-hd-no-bar.mp4"),
    );
    assert_eq!(decision["action"], "block", "{decision}");
    assert_eq!(decision["media_matches"][0]["bank"], "clips", "{decision}");
    assert_eq!(decision["media_matches"][0]["label"], "door", "{decision}");

    // A recording banked from its file is found in the same recording.
    let wav = speech(
        dir.path(),
        "notice.wav",
        "This recording is a known notice. It is long enough for a fingerprint of several \
         seconds, which the audio bank keeps instead of the sound.",
    );
    vigil
        .run(["bank", "create", "notices", "--media", "audio"])
        .success();
    vigil.run(["bank", "add", "notices", text(&wav)]).success();
    let decision = scan_with_banks(&vigil, &[("notices", "violence_graphic")], &wav);
    assert_eq!(decision["action"], "block", "{decision}");
    assert_eq!(
        decision["media_matches"][0]["bank"], "notices",
        "{decision}"
    );
    assert_eq!(
        decision["media_matches"][0]["source"], "notice.wav",
        "{decision}"
    );
}
