//! `vigil bank`: creating, listing, adding, removing, disabling, and
//! hash-list files in and out, on the embedded store.

mod util;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use util::{shared_data, Vigil};

const A: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const B: &str = "b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5";
const C: &str = "b022eb9c2eb170c1567fcb672d9a5568c561218add1e374a70a4ebbc8b135cb5";
/// Not in the shared haystack (which holds `B` and `C`).
const D: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The shared haystack of 1,350 PDQ hashes, if the shared data is present.
fn haystack() -> Option<PathBuf> {
    let path = shared_data()?.join("hash-index/haystack.txt");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

/// The hashes of a hash-list file: the first field of each data line.
fn hashes_in(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .expect("readable")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split([',', '\t'])
                .next()
                .unwrap_or(l)
                .to_ascii_lowercase()
        })
        .collect()
}

/// The row of `vigil bank list` for `name`, split on whitespace.
fn bank_row(vigil: &Vigil, name: &str) -> Vec<String> {
    let run = vigil.run(["bank", "list"]).success();
    run.stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_else(|| panic!("no row for {name}:\n{}", run.stdout))
}

#[test]
fn banks_are_listed_with_their_kind_and_counts() {
    let vigil = Vigil::new();
    vigil
        .run(["bank", "create", "known_bad", "--description", "case 17"])
        .success();
    let run = vigil
        .run(["bank", "create", "benign_memes", "--negative"])
        .success();
    assert!(
        run.stdout.contains("created negative bank benign_memes"),
        "{}",
        run.stdout
    );

    let run = vigil.run(["bank", "list"]).success();
    let header = run.stdout.lines().next().expect("a header");
    for column in [
        "name",
        "kind",
        "entries",
        "enabled",
        "media",
        "created",
        "description",
    ] {
        assert!(header.contains(column), "{header}");
    }
    // name, kind, entries, enabled, media, created, description…
    assert_eq!(
        bank_row(&vigil, "benign_memes")[1..5],
        ["negative", "0", "0", "image"]
    );
    let known_bad = bank_row(&vigil, "known_bad");
    assert_eq!(known_bad[1..5], ["positive", "0", "0", "image"]);
    assert_eq!(known_bad[6..], ["case", "17"]);
}

#[test]
fn names_are_checked_and_unknown_banks_named() {
    let vigil = Vigil::new();
    let run = vigil.run(["bank", "create", "Known Bad"]).failure();
    assert!(run.stderr.contains("is not a bank name"), "{}", run.stderr);
    vigil.run(["bank", "create", "b"]).success();
    let run = vigil.run(["bank", "create", "b", "--negative"]).failure();
    assert!(
        run.stderr.contains("bank `b` already exists"),
        "{}",
        run.stderr
    );
    for args in [
        vec!["bank", "add", "nothing", A],
        vec!["bank", "list", "nothing"],
        vec!["bank", "export", "nothing"],
        vec!["bank", "disable", "nothing", A],
    ] {
        let run = vigil.run(&args).failure();
        assert!(
            run.stderr.contains("no bank is named `nothing`"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn entries_are_added_once_disabled_enabled_and_removed() {
    let vigil = Vigil::new();
    vigil.run(["bank", "create", "b"]).success();
    let run = vigil
        .run([
            "bank", "add", "b", A, B, "--label", "cat meme", "--source", "te",
        ])
        .success();
    assert!(
        run.stdout.contains("bank b: added 2, already present 0"),
        "{}",
        run.stdout
    );
    let upper = A.to_ascii_uppercase();
    let run = vigil.run(["bank", "add", "b", &upper, C]).success();
    assert!(
        run.stdout.contains("added 1, already present 1"),
        "{}",
        run.stdout
    );

    vigil.run(["bank", "disable", "b", B]).success();
    assert_eq!(bank_row(&vigil, "b")[2..4], ["3", "2"]);
    let run = vigil.run(["bank", "list", "b"]).success();
    assert!(
        run.stdout
            .starts_with("bank b (positive): 3 entries, 2 enabled"),
        "{}",
        run.stdout
    );
    let row_of = |hash: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(hash))
            .unwrap_or_else(|| panic!("no row for {hash}:\n{}", run.stdout))
            .to_owned()
    };
    assert!(
        row_of(B).contains(" no ") && row_of(B).ends_with("te  cat meme"),
        "{}",
        row_of(B)
    );
    assert!(
        row_of(C).contains(" yes ") && row_of(C).ends_with("-  -"),
        "{}",
        row_of(C)
    );

    vigil.run(["bank", "enable", "b", B]).success();
    assert_eq!(bank_row(&vigil, "b")[2..4], ["3", "3"]);
    vigil.run(["bank", "remove", "b", A]).success();
    let run = vigil.run(["bank", "remove", "b", A]).failure();
    assert!(
        run.stderr.contains(&format!("bank b holds no hash {A}")),
        "{}",
        run.stderr
    );
    assert_eq!(bank_row(&vigil, "b")[2..4], ["2", "2"]);

    let run = vigil.run(["bank", "add", "b", A, "not-a-hash"]).failure();
    assert!(run.stderr.contains("hash 2 of 2"), "{}", run.stderr);
    assert!(run.stderr.contains("is not a PDQ hash"), "{}", run.stderr);
    assert_eq!(bank_row(&vigil, "b")[2], "2", "nothing was added");
}

#[test]
fn the_shared_haystack_imports_once() {
    let Some(haystack) = haystack() else { return };
    let vigil = Vigil::new();
    vigil.run(["bank", "create", "haystack"]).success();
    let file = haystack.to_str().expect("a UTF-8 path");
    let run = vigil.run(["bank", "import", "haystack", file]).success();
    assert!(
        run.stdout
            .contains("bank haystack: added 1350, already present 0"),
        "{}",
        run.stdout
    );
    let run = vigil.run(["bank", "import", "haystack", file]).success();
    assert!(
        run.stdout.contains("added 0, already present 1350"),
        "{}",
        run.stdout
    );
    assert_eq!(bank_row(&vigil, "haystack")[2..4], ["1350", "1350"]);
    // With no source in the file or on the command line, the file's name is the source.
    let run = vigil.run(["bank", "list", "haystack"]).success();
    let first = run.stdout.lines().nth(2).expect("an entry row");
    assert!(first.ends_with("haystack.txt  -"), "{first}");
}

#[test]
fn an_export_imports_into_a_second_bank_unchanged() {
    let vigil = Vigil::new();
    let dir = tempfile::tempdir().expect("a temporary folder");
    vigil.run(["bank", "create", "first"]).success();
    if let Some(haystack) = haystack() {
        let file = haystack.to_str().expect("a UTF-8 path");
        vigil
            .run(["bank", "import", "first", file, "--source", "shared"])
            .success();
    }
    vigil
        .run([
            "bank",
            "add",
            "first",
            A,
            D,
            "--label",
            "a, \"quoted\" label",
        ])
        .success();
    vigil.run(["bank", "disable", "first", D]).success();

    let exported = dir.path().join("first.csv");
    let out = exported.to_str().expect("a UTF-8 path");
    vigil
        .run(["bank", "export", "first", "--out", out])
        .success();
    let text = std::fs::read_to_string(&exported).expect("written");
    assert!(
        text.lines()
            .any(|l| l == "# columns: hash,label,source,added_at,enabled"),
        "{text}"
    );

    vigil
        .run(["bank", "create", "second", "--negative"])
        .success();
    let run = vigil.run(["bank", "import", "second", out]).success();
    let first = bank_row(&vigil, "first");
    assert!(
        run.stdout
            .contains(&format!("added {}, already present 0", first[2])),
        "{}",
        run.stdout
    );
    assert_eq!(bank_row(&vigil, "second")[2..4], first[2..4]);

    // Exported again, the second bank lists the same hashes with the same
    // labels, sources and states: only the header and added times differ.
    let run = vigil.run(["bank", "export", "second"]).success();
    let again = dir.path().join("second.csv");
    std::fs::write(&again, &run.stdout).expect("written");
    assert_eq!(hashes_in(&again), hashes_in(&exported));
    let rows = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let fields: Vec<&str> = l.split(',').collect();
                let (head, tail) = fields.split_at(fields.len() - 2);
                format!("{}|{}", head.join(","), tail[1])
            })
            .collect()
    };
    let (before, after) = (rows(&text), rows(&run.stdout));
    assert_eq!(before.len(), after.len());
    if let Some((b, a)) = before.iter().zip(&after).find(|(b, a)| b != a) {
        panic!("rows differ after the round trip:\n{b}\n{a}");
    }
    assert!(
        run.stdout.contains(r#""a, ""quoted"" label""#),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(D) && l.ends_with(",false")),
        "{D} stays disabled"
    );
}

#[test]
fn a_bad_line_is_named_and_nothing_is_written() {
    let vigil = Vigil::new();
    let dir = tempfile::tempdir().expect("a temporary folder");
    vigil.run(["bank", "create", "b"]).success();
    let file = dir.path().join("list.txt");
    std::fs::write(
        &file,
        format!("# a ThreatExchange hash list\n{A}\n\n{B}\tcat meme\n{C}x,te-1\n{A},te-2,0.9\n"),
    )
    .expect("written");
    let path = file.to_str().expect("a UTF-8 path");
    let run = vigil.run(["bank", "import", "b", path]).failure();
    assert!(
        run.stderr.contains(&format!("{path}:5: ")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("is not a PDQ hash"), "{}", run.stderr);
    assert!(run.stderr.contains("1 bad line"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was added"), "{}", run.stderr);
    assert_eq!(bank_row(&vigil, "b")[2], "0");

    // Fixed, the file imports; metadata after the hash becomes the label.
    std::fs::write(
        &file,
        format!("# a ThreatExchange hash list\n{A}\n\n{B}\tcat meme\n{C},te-1,0.9\n"),
    )
    .expect("written");
    let run = vigil.run(["bank", "import", "b", path]).success();
    assert!(
        run.stdout.contains("added 3, already present 0"),
        "{}",
        run.stdout
    );
    let run = vigil.run(["bank", "list", "b"]).success();
    assert!(run.stdout.contains("list.txt  cat meme"), "{}", run.stdout);
    assert!(run.stdout.contains("list.txt  te-1,0.9"), "{}", run.stdout);
}

#[test]
fn add_reads_a_file_of_hashes_too() {
    let vigil = Vigil::new();
    let dir = tempfile::tempdir().expect("a temporary folder");
    vigil.run(["bank", "create", "b", "--negative"]).success();
    let file = dir.path().join("hashes.txt");
    std::fs::write(&file, format!("{B}\n# one more\n{C}\n")).expect("written");
    let path = file.to_str().expect("a UTF-8 path");
    let run = vigil
        .run(["bank", "add", "b", A, "--file", path, "--label", "memes"])
        .success();
    assert!(
        run.stdout.contains("added 3, already present 0"),
        "{}",
        run.stdout
    );
    let run = vigil.run(["bank", "list", "b"]).success();
    assert_eq!(run.stdout.matches("memes").count(), 3, "{}", run.stdout);
}
