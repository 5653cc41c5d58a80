//! `vigil policy check` on the default policy and on every malformed case.

mod util;

use util::{repo_root, Vigil};

#[test]
fn the_default_policy_passes() {
    let run = Vigil::new()
        .run(["policy", "check", "policies/default.toml"])
        .success();
    assert!(run.stdout.contains("ok — policy default"), "{}", run.stdout);
    assert!(run.stdout.contains("11 categories"), "{}", run.stdout);
}

#[test]
fn each_malformed_policy_fails_with_its_line_and_message() {
    let dir = repo_root().join("crates/vigil-policy/tests/data/bad");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("the malformed policies exist") {
        let path = entry.expect("dir entry").path();
        let text = std::fs::read_to_string(&path).expect("readable");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("an expect line");
        let (position, fragment) = expect.split_at(expect.find(": ").expect("L:C: message"));
        let run = Vigil::new()
            .run(["policy".as_ref(), "check".as_ref(), path.as_os_str()])
            .failure();
        let wanted = format!("{}:{position}: error: ", path.display());
        let line = run
            .stderr
            .lines()
            .find(|l| l.starts_with(&wanted))
            .unwrap_or_else(|| panic!("no `{wanted}` line in:\n{}", run.stderr));
        assert!(line.contains(fragment[2..].trim()), "{line}");
        seen += 1;
    }
    assert!(seen >= 14);
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let run = Vigil::new()
        .run(["policy", "check", "no/such/policy.toml"])
        .failure();
    assert!(
        run.stderr.contains("cannot read the policy file"),
        "{}",
        run.stderr
    );
}
