//! The model registry end to end: `vigil train text-linear --register`,
//! `vigil promote` refusing a candidate that is worse on the golden set
//! (naming the failed check) and promoting a good one, `vigil models list`,
//! a changed registry folder refused, and serving picking the active model.
//!
//! The golden set is the test splits of the seed data sets in `data/seed`
//! (198 items), so the whole test runs in seconds.

mod util;

use std::path::{Path, PathBuf};

use util::{repo_root, Vigil};
use vigil_data::Dataset;

/// The seed data set folders.
fn seed_sets() -> Vec<PathBuf> {
    let mut sets: Vec<PathBuf> = std::fs::read_dir(repo_root().join("data/seed"))
        .expect("data/seed")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.join("dataset.toml").is_file())
        .collect();
    sets.sort();
    assert!(sets.len() >= 3, "the seed data sets are in the repository");
    sets
}

/// Copies of the seed data sets with every known label inverted: a model
/// trained on them ranks the golden set upside down.
fn inverted_sets(dir: &Path) -> Vec<PathBuf> {
    seed_sets()
        .iter()
        .map(|src| {
            let mut set = Dataset::open(src).expect("a seed set opens");
            set.manifest.name = format!("inverted-{}", set.manifest.name);
            for record in &mut set.records {
                let inverted: Vec<_> = record.labels.iter().map(|(c, l)| (c, !l)).collect();
                for (category, label) in inverted {
                    record.labels.set(category, label);
                }
            }
            let out = dir.join(&set.manifest.name);
            set.write(&out).expect("the inverted set is written");
            out
        })
        .collect()
}

/// The default policy with its obligations replaced by one that a model
/// trained on the seed data meets on its test splits.
fn gate_policy(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join("policies/default.toml")).expect("policy");
    let mut kept = String::new();
    let mut in_obligation = false;
    for line in text.lines() {
        if line.starts_with('[') {
            in_obligation = line.starts_with("[obligations.");
        }
        if !in_obligation {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept.push_str(
        "\n[obligations.unsafe]\naction = \"review\"\nmin_recall = 0.5\nconfidence = 0.9\n",
    );
    let path = dir.join("gate.toml");
    std::fs::write(&path, kept).expect("policy written");
    path
}

fn train(vigil: &Vigil, data: &[PathBuf], version: &str) {
    let out = vigil.home().join(format!("trained-{version}"));
    let mut args: Vec<std::ffi::OsString> =
        vec!["train".into(), "text-linear".into(), "--data".into()];
    args.extend(data.iter().map(|d| d.clone().into()));
    args.extend([
        "--out".into(),
        out.into(),
        "--version".into(),
        version.into(),
        "--register".into(),
    ]);
    let run = vigil.run(args).success();
    assert!(
        run.stdout
            .contains(&format!("registered text-linear@{version} as a candidate")),
        "{}",
        run.stdout
    );
}

fn promote(vigil: &Vigil, model: &str, policy: &Path, extra: &[&str]) -> util::Run {
    let mut args: Vec<std::ffi::OsString> = vec!["promote".into(), model.into(), "--golden".into()];
    args.extend(seed_sets().into_iter().map(Into::into));
    args.extend(["--policy".into(), policy.into()]);
    args.extend(extra.iter().map(Into::into));
    vigil.run(args)
}

#[test]
fn a_worse_candidate_is_refused_with_the_failed_check_and_a_good_one_is_promoted() {
    let vigil = Vigil::new();
    let policy = gate_policy(vigil.home());
    train(&vigil, &seed_sets(), "good");
    train(&vigil, &inverted_sets(vigil.home()), "bad");

    // The first model: nothing is active, so no comparison (--force-first);
    // the policy's obligation is still checked, and holds.
    let good = promote(&vigil, "text-linear@good", &policy, &["--force-first"]).success();
    assert!(
        good.stdout.contains("unsafe             obligation  PASS"),
        "{}",
        good.stdout
    );
    assert!(
        good.stdout.contains("promoted text-linear@good"),
        "{}",
        good.stdout
    );

    // The inverted model against the active one, on the same golden items.
    let bad = promote(&vigil, "text-linear@bad", &policy, &[]).failure();
    assert!(
        bad.stdout.contains("auprc       FAIL") && bad.stdout.contains(": worse"),
        "the AUPRC regression is named:\n{}",
        bad.stdout
    );
    assert!(
        bad.stdout.contains("unsafe             obligation  FAIL"),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stdout.contains("refused text-linear@bad: ")
            && bad.stdout.contains("unsafe auprc: candidate"),
        "{}",
        bad.stdout
    );

    let list = vigil.run(["models", "list"]).success();
    let line = |id: &str| {
        list.stdout
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} not listed:\n{}", list.stdout))
            .to_owned()
    };
    assert!(
        line("text-linear@good").contains(" active "),
        "{}",
        list.stdout
    );
    let refused = line("text-linear@bad");
    assert!(
        refused.contains(" refused ") && refused.contains("auprc"),
        "{refused}"
    );

    // Serving now scores with the active model.
    let scan = vigil
        .run([
            "scan",
            "--text",
            "hello there",
            "--no-ocr",
            "--no-nudity",
            "--no-video",
            "--no-asr",
        ])
        .success();
    assert!(
        scan.stdout.contains("\"version\":\"good\""),
        "the decision names the registry's model:\n{}",
        scan.stdout
    );

    // A registered folder changed behind the registry's back is refused.
    let manifest = vigil
        .home()
        .join("models/registry/text-linear/bad/manifest.toml");
    let text = std::fs::read_to_string(&manifest).expect("the registry owns a copy");
    std::fs::write(&manifest, format!("{text}\n# edited\n")).expect("edit");
    let changed = promote(&vigil, "text-linear@bad", &policy, &[]).failure();
    assert!(
        changed.stderr.contains("changed after it was registered"),
        "{}",
        changed.stderr
    );
}

#[test]
fn promote_names_what_it_cannot_find() {
    let vigil = Vigil::new();
    let policy = gate_policy(vigil.home());
    let run = promote(&vigil, "text-linear@nope", &policy, &[]).failure();
    assert!(
        run.stderr
            .contains("no model text-linear@nope is registered"),
        "{}",
        run.stderr
    );
    let run = vigil.run(["promote", "no-version"]).failure();
    assert!(run.stderr.contains("NAME@VERSION"), "{}", run.stderr);
}
