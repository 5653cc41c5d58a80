//! `vigil classify` and `vigil train text-linear` through the real binary.

mod util;

use util::{repo_root, Vigil};
use vigil_core::Category;

#[test]
fn classify_with_the_shipped_model_writes_one_line_per_item() {
    let vigil = Vigil::new();
    let out = vigil.home().join("scores.jsonl");
    let input = repo_root().join("examples/items.jsonl");
    vigil
        .run([
            "classify".as_ref(),
            "--input".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .success();
    let text = std::fs::read_to_string(&out).expect("scores written");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["id"], "example-1");
    for c in Category::ALL {
        let s = lines[0]["scores"][c.as_str()].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&s), "{c}: {s}");
    }
    let unsafe_of = |i: usize| lines[i]["scores"]["unsafe"].as_f64().unwrap_or(-1.0);
    assert!(
        unsafe_of(2) > unsafe_of(0) + 0.5,
        "a threat scores far above a meeting note"
    );
    assert!(
        unsafe_of(3) > 0.5,
        "the obfuscated threat stays flagged: {}",
        unsafe_of(3)
    );
}

#[test]
fn classify_names_the_bad_line() {
    let vigil = Vigil::new();
    let input = vigil.home().join("items.jsonl");
    std::fs::write(&input, "{\"id\": \"a\", \"text\": \"hi\"}\n{not json\n").expect("write");
    let out = vigil.home().join("scores.jsonl");
    let run = vigil
        .run([
            "classify".as_ref(),
            "--input".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .failure();
    assert!(
        run.stderr.contains("items.jsonl:2: not a valid item"),
        "{}",
        run.stderr
    );
}

#[test]
fn train_then_classify_with_the_trained_model() {
    let vigil = Vigil::new();
    let model = vigil.home().join("model");
    let mut args: Vec<std::ffi::OsString> = vec![
        "train".into(),
        "text-linear".into(),
        "--epochs".into(),
        "2".into(),
        "--buckets-log2".into(),
        "14".into(),
        "--data".into(),
    ];
    for c in ["sexual", "self_harm", "illicit"] {
        args.push(repo_root().join("data/seed").join(c).into());
    }
    args.extend(["--out".into(), model.clone().into()]);
    let run = vigil.run(args).success();
    assert!(run.stdout.contains("self_harm"), "{}", run.stdout);
    let manifest = std::fs::read_to_string(model.join("manifest.toml")).expect("manifest written");
    assert!(
        manifest.contains("items_sha256"),
        "training data digests recorded"
    );
    assert!(manifest.contains("command = "), "the command is recorded");
    let out = vigil.home().join("scores.jsonl");
    let input = repo_root().join("examples/items.jsonl");
    vigil
        .run([
            "classify".as_ref(),
            "--model".as_ref(),
            model.as_os_str(),
            "--input".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .success();
    let first = std::fs::read_to_string(&out).expect("scores");
    assert!(first
        .lines()
        .next()
        .is_some_and(|l| l.contains("\"illicit\"")));
}

#[test]
fn the_cascade_consults_the_transformer_only_in_its_band() {
    let embedder = std::env::var_os("VIGIL_MODEL_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".vigil/models/all-minilm-l6-v2"));
    if !embedder.join("model.safetensors").is_file() {
        eprintln!(
            "skipping: transformer files not found at {} (scripts/setup.sh unpacks them)",
            embedder.display()
        );
        return;
    }
    let vigil = Vigil::new();
    let input = repo_root().join("examples/items.jsonl");
    let head = repo_root().join("models/text-head");
    let run_with = |band: &str| {
        let out = vigil.home().join(format!("scores-{band}.jsonl"));
        let run = vigil
            .run([
                "classify".as_ref(),
                "--head".as_ref(),
                head.as_os_str(),
                "--embedder".as_ref(),
                embedder.as_os_str(),
                "--band".as_ref(),
                band.as_ref(),
                "--input".as_ref(),
                input.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ])
            .success();
        (
            run.stderr,
            std::fs::read_to_string(&out).expect("scores written"),
        )
    };
    let (all, all_scores) = run_with("0,1");
    assert!(all.contains("6 consulted the transformer"), "{all}");
    let (none, _) = run_with("1,1");
    assert!(none.contains("0 consulted the transformer"), "{none}");
    let lines: Vec<serde_json::Value> = all_scores
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let unsafe_of = |i: usize| lines[i]["scores"]["unsafe"].as_f64().unwrap_or(-1.0);
    assert!(
        unsafe_of(2) > 0.8 && unsafe_of(0) < 0.3,
        "{} {}",
        unsafe_of(2),
        unsafe_of(0)
    );
    assert!(
        unsafe_of(5) < 0.5,
        "killing a Python process is safe: {}",
        unsafe_of(5)
    );
}
