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
