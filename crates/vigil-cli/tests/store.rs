//! `vigil store init` and `status` on the embedded store.

mod util;

use util::Vigil;

#[test]
fn init_creates_the_embedded_store_and_status_reads_it() {
    let vigil = Vigil::new();
    let run = vigil.run(["store", "init"]).success();
    assert!(run.stdout.contains("schema version 9"), "{}", run.stdout);
    assert!(
        vigil.home().join("vigil.db").is_file(),
        "the store is HOME/vigil.db"
    );
    // Idempotent.
    vigil.run(["store", "init"]).success();
    let run = vigil.run(["store", "status"]).success();
    assert!(run.stdout.contains("0 decisions"), "{}", run.stdout);
    for action in ["allow", "review", "restrict", "block"] {
        assert!(run.stdout.contains(action), "{}", run.stdout);
    }
}

#[test]
fn an_unsupported_store_url_is_a_clear_error() {
    let run = Vigil::new()
        .run(["store", "init", "--db", "postgres://localhost/vigil"])
        .failure();
    assert!(run.stderr.contains("PostgreSQL"), "{}", run.stderr);
}
