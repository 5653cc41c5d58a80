//! `vigil data import` and `vigil data stats` through the real binary.

mod util;

use util::{shared_data, Vigil};

#[test]
fn import_then_stats_on_shared_sms_spam() {
    let Some(shared) = shared_data() else {
        eprintln!("skipping: ../shared/data not found (set VIGIL_SHARED_DATA)");
        return;
    };
    let vigil = Vigil::new();
    let out = vigil.home().join("sms");
    let src = shared.join("text/sms-spam");
    let run = vigil
        .run([
            "data".as_ref(),
            "import".as_ref(),
            "sms-spam".as_ref(),
            src.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
        .success();
    assert!(
        run.stdout.contains("read 5574 rows, wrote 5574"),
        "{}",
        run.stdout
    );
    let run = vigil
        .run(["data".as_ref(), "stats".as_ref(), out.as_os_str()])
        .success();
    let all_spam = run
        .stdout
        .lines()
        .find(|l| l.starts_with("spam_scam"))
        .unwrap_or_else(|| panic!("no spam_scam row:\n{}", run.stdout));
    let cols: Vec<&str> = all_spam.split_whitespace().collect();
    assert_eq!(
        cols.last(),
        Some(&"747"),
        "all-splits positives: {all_spam}"
    );
    assert_eq!(
        cols.get(cols.len() - 2),
        Some(&"5574"),
        "all-splits known: {all_spam}"
    );
}

#[test]
fn a_malformed_row_is_reported_with_its_line_or_fails_the_import() {
    let vigil = Vigil::new();
    let src = vigil.home().join("SMSSpamCollection");
    std::fs::write(
        &src,
        "Label\tSMS\nham\thello there\nspam\nspam\tWIN a prize now\n",
    )
    .expect("write");
    let out = vigil.home().join("out");
    let args = |mode: &str| -> Vec<std::ffi::OsString> {
        vec![
            "data".into(),
            "import".into(),
            "sms-spam".into(),
            src.clone().into(),
            "--out".into(),
            out.clone().into(),
            "--on-malformed".into(),
            mode.into(),
        ]
    };
    let run = vigil.run(args("skip")).success();
    assert!(run.stdout.contains("skipped 1 malformed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("SMSSpamCollection:3"),
        "the skipped row is named by line: {}",
        run.stdout
    );
    let run = vigil.run(args("fail")).failure();
    assert!(run.stderr.contains("SMSSpamCollection:3"), "{}", run.stderr);
}

#[test]
fn an_unknown_importer_names_the_choices() {
    let run = Vigil::new()
        .run(["data", "import", "reddit", "x", "--out", "y"])
        .failure();
    assert!(
        run.stderr.contains("davidson") && run.stderr.contains("toxigen"),
        "{}",
        run.stderr
    );
}
