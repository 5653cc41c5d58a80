//! `vigil store init` and `status` on the embedded store.

mod util;

use util::{repo_root, Vigil};

/// The newest migration the store crate carries: what `init` brings a
/// fresh store up to.
fn newest_migration() -> u32 {
    std::fs::read_dir(repo_root().join("crates/vigil-store/migrations/sqlite"))
        .expect("the migrations folder")
        .filter_map(|e| {
            let name = e.expect("a folder entry").file_name();
            name.to_str()?.split('_').next()?.parse().ok()
        })
        .max()
        .expect("at least one migration")
}

#[test]
fn init_creates_the_embedded_store_and_status_reads_it() {
    let vigil = Vigil::new();
    let run = vigil.run(["store", "init"]).success();
    let version = format!("schema version {}", newest_migration());
    assert!(run.stdout.contains(&version), "{}", run.stdout);
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
