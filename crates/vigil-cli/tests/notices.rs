//! `vigil notices import` with the real binary: a good line is taken and
//! queued for review; a bad line is reported with its line number and
//! reason, counted, and fails the run.

mod util;

use util::Vigil;

#[test]
fn good_lines_are_taken_and_bad_lines_are_named_and_counted() {
    let vigil = Vigil::new();
    let file = vigil.home().join("notices.jsonl");
    let lines = [
        // 1: a user's notice, with the item.
        r#"{"item_id":"post-1","reporter_type":"user","category":"hate","explanation":"Slurs.","item":{"id":"post-1","text":"the reported text"}}"#,
        // 2: blank, skipped.
        "",
        // 3: an authority's order without the authority's name.
        r#"{"item_id":"post-2","reporter_type":"authority_order","category":"hate","explanation":"Order 12.","item":{"id":"post-2","text":"x"}}"#,
        // 4: not JSON.
        "{not json",
    ];
    std::fs::write(&file, lines.join("\n")).expect("write notices");
    let run = vigil
        .run([
            "notices".as_ref(),
            "import".as_ref(),
            file.as_os_str(),
            "--no-cascade".as_ref(),
            "--no-ocr".as_ref(),
        ])
        .failure();
    assert!(
        run.stdout.contains("1 notices taken, 2 refused"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("notices.jsonl:1: notice ") && run.stdout.contains("`post-1`"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("notices.jsonl:3: refused: invalid_request: `reporter_name` is required"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("notices.jsonl:4: refused: invalid_request: not a notice"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(":2:"), "{}", run.stderr);

    // The taken notice's item waits for a person with reason `notice`, at
    // a user's priority.
    let queue = vigil
        .run(["review", "queue", "--reason", "notice"])
        .success();
    assert!(queue.stdout.contains("notice 1"), "{}", queue.stdout);
    assert!(queue.stdout.contains("post-1"), "{}", queue.stdout);
    assert!(!queue.stdout.contains("post-2"), "{}", queue.stdout);
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let vigil = Vigil::new();
    let run = vigil
        .run(["notices", "import", "no-such-notices.jsonl", "--no-cascade"])
        .failure();
    assert!(
        run.stderr.contains("no-such-notices.jsonl"),
        "{}",
        run.stderr
    );
}
