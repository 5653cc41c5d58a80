//! `vigil doctor` lists every optional component as found or missing.

mod util;

use util::Vigil;

#[test]
fn doctor_reports_each_component() {
    let vigil = Vigil::new();
    let run = vigil.run(["doctor"]).success();
    for name in [
        "tesseract",
        "ffmpeg",
        "pocketsphinx",
        "fpcalc",
        "all-minilm-l6-v2",
        "nudenet",
    ] {
        let line = run
            .stdout
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not reported:\n{}", run.stdout));
        assert!(
            line.starts_with("found") || line.starts_with("missing"),
            "{line}"
        );
        if line.starts_with("missing") {
            assert!(
                line.contains("Install:"),
                "a missing component says how to install it: {line}"
            );
        }
    }
    // A private, empty home has no model files.
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("missing  nudenet")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&vigil.home().display().to_string()));
}
