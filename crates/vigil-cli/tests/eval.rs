//! `vigil eval` writes the three outputs from the shipped model and policy.

mod util;

use util::{repo_root, Vigil};

#[test]
fn eval_on_the_held_out_seed_data_writes_json_html_and_markdown() {
    let vigil = Vigil::new();
    let out = vigil.home().join("run");
    let mut args: Vec<std::ffi::OsString> = vec!["eval".into(), "--data".into()];
    for c in ["self_harm", "illicit", "sexual_minors"] {
        args.push(repo_root().join("data/seed").join(c).into());
    }
    args.extend(["--out".into(), out.clone().into()]);
    let run = vigil.run(args).success();
    assert!(run.stdout.contains("self_harm"), "{}", run.stdout);
    let json = std::fs::read_to_string(out.join("report.json")).expect("report.json");
    let report = vigil_eval::report::EvalReport::from_json(&json).expect("the documented schema");
    assert_eq!(report.split, "test");
    assert_eq!(report.policy, "default");
    let self_harm = report
        .categories
        .iter()
        .find(|c| c.category == "self_harm")
        .expect("self_harm measured");
    assert!(self_harm.n_known > 20 && self_harm.auprc.is_some());
    assert!(
        self_harm.obligation.is_some(),
        "the default policy's obligation is judged"
    );
    assert_eq!(self_harm.thresholds.len(), 3, "review, restrict and block");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("<svg") && html.contains("self_harm"));
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("self\\_harm"), "Markdown escapes underscores");
}

#[test]
fn eval_refuses_a_split_with_no_items() {
    let vigil = Vigil::new();
    let out = vigil.home().join("run");
    let empty = vigil.home().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let data = repo_root().join("data/seed/illicit");
    let run = vigil
        .run([
            "eval".as_ref(),
            "--split".as_ref(),
            "nonsense".as_ref(),
            "--data".as_ref(),
            data.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .failure();
    assert!(run.stderr.contains("nonsense"), "{}", run.stderr);
}

#[test]
fn calibrate_writes_a_valid_policy_and_reports_every_obligation() {
    let vigil = Vigil::new();
    let out = vigil.home().join("calibrated.toml");
    let mut args: Vec<std::ffi::OsString> = vec!["calibrate".into(), "--data".into()];
    for c in ["self_harm", "sexual_minors", "illicit"] {
        args.push(repo_root().join("data/seed").join(c).into());
    }
    args.extend(["--out".into(), out.clone().into()]);
    let run = vigil.run(args).success();
    // Every obligation of the default policy is either set or explained.
    for category in ["hate", "sexual_minors", "self_harm", "spam_scam"] {
        assert!(
            run.stdout.contains(category),
            "{category} not reported:\n{}",
            run.stdout
        );
    }
    // The new thresholds are then judged on the held-out test split.
    assert!(
        run.stdout.contains("checked on the test split:")
            && run.stdout.contains("self_harm: ")
            && run.stdout.contains("obligations hold,"),
        "{}",
        run.stdout
    );
    let written = std::fs::read_to_string(&out).expect("policy written");
    assert!(
        written.contains("# Vigil's default policy"),
        "comments are kept"
    );
    let check = vigil
        .run(["policy".as_ref(), "check".as_ref(), out.as_os_str()])
        .success();
    assert!(check.stdout.contains("ok"), "{}", check.stdout);
}

#[test]
fn calibrate_refuses_to_check_on_the_split_it_chose_on() {
    let vigil = Vigil::new();
    let out = vigil.home().join("calibrated.toml");
    let data = repo_root().join("data/seed/self_harm");
    let run = vigil
        .run([
            "calibrate".as_ref(),
            "--data".as_ref(),
            data.as_os_str(),
            "--check".as_ref(),
            "validation".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .failure();
    assert!(
        run.stderr.contains("--check must name another split"),
        "{}",
        run.stderr
    );
}

#[test]
fn each_eval_run_is_recorded_and_listed_by_history() {
    let vigil = Vigil::new();
    let data = repo_root().join("data/seed/self_harm");
    for run in ["a", "b"] {
        let out = vigil.home().join(run);
        vigil
            .run([
                "eval".as_ref(),
                "--data".as_ref(),
                data.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ])
            .success();
    }
    let history = vigil
        .run(["eval", "history", "--category", "self_harm"])
        .success();
    let rows = history
        .stdout
        .lines()
        .filter(|l| l.contains("vigil-text-linear"))
        .count();
    assert_eq!(rows, 2, "{}", history.stdout);
    let none = vigil
        .run(["eval", "history", "--category", "hate"])
        .success();
    assert!(
        none.stdout.contains("no evaluation run recorded"),
        "{}",
        none.stdout
    );
}

#[test]
fn compare_two_runs_of_the_same_model_finds_no_difference() {
    let vigil = Vigil::new();
    let data = repo_root().join("data/seed/illicit");
    let (a, b) = (vigil.home().join("a"), vigil.home().join("b"));
    for out in [&a, &b] {
        vigil
            .run([
                "eval".as_ref(),
                "--data".as_ref(),
                data.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ])
            .success();
        assert!(
            out.join("scores.jsonl").is_file(),
            "each run keeps its item scores"
        );
    }
    let run = vigil
        .run([
            "eval".as_ref(),
            "compare".as_ref(),
            a.as_os_str(),
            b.as_os_str(),
        ])
        .success();
    let auprc = run
        .stdout
        .lines()
        .find(|l| l.starts_with("illicit") && l.contains("AUPRC"))
        .unwrap_or_else(|| panic!("no illicit AUPRC row:\n{}", run.stdout));
    assert!(
        auprc.contains("no detectable difference") && auprc.contains("+0.0000"),
        "{auprc}"
    );
    let empty = vigil.home().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let run = vigil
        .run([
            "eval".as_ref(),
            "compare".as_ref(),
            a.as_os_str(),
            empty.as_os_str(),
        ])
        .failure();
    assert!(run.stderr.contains("report.json"), "{}", run.stderr);
}
