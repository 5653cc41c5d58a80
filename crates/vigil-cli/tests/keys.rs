//! `vigil keys create`, `list` and `revoke` on the embedded store.

mod util;

use util::Vigil;

/// Creates a key and returns its secret, checking that stdout held only it.
fn create(vigil: &Vigil, args: &[&str]) -> String {
    let run = vigil.run(["keys", "create"].iter().chain(args)).success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout: {:?}", run.stdout);
    assert!(lines[0].starts_with("vigil_vk_"), "{}", lines[0]);
    lines[0].to_owned()
}

/// The key id inside a secret: `vigil_<id>_<random>`.
fn key_id(secret: &str) -> &str {
    let rest = secret
        .strip_prefix("vigil_")
        .expect("secrets start with vigil_");
    let end = rest.rfind('_').expect("the id ends before the last `_`");
    &rest[..end]
}

#[test]
fn create_prints_the_secret_alone_on_one_line() {
    let vigil = Vigil::new();
    let secret = create(
        &vigil,
        &["--scope", "scan", "--scope", "review", "--name", "ingest"],
    );
    assert!(key_id(secret.as_str()).starts_with("vk_"), "{secret}");
    // Two keys never share a secret.
    assert_ne!(create(&vigil, &["--scope", "scan"]), secret);
}

#[test]
fn list_shows_ids_and_never_secrets() {
    let vigil = Vigil::new();
    let secret = create(&vigil, &["--scope", "admin", "--name", "ops"]);
    let run = vigil.run(["keys", "list"]).success();
    let header = run.stdout.lines().next().expect("a header line");
    for column in ["id", "name", "scopes", "created", "revoked"] {
        assert!(header.contains(column), "{header}");
    }
    let row = run
        .stdout
        .lines()
        .find(|l| l.starts_with(key_id(&secret)))
        .unwrap_or_else(|| panic!("no row for the key:\n{}", run.stdout));
    assert!(row.contains("ops") && row.contains("admin"), "{row}");
    let random_part = secret.rsplit('_').next().expect("the secret has parts");
    assert!(!run.stdout.contains(random_part), "{}", run.stdout);
    assert!(!run.stderr.contains(random_part), "{}", run.stderr);
}

#[test]
fn revoke_shows_in_the_list_and_cannot_be_repeated() {
    let vigil = Vigil::new();
    let secret = create(&vigil, &["--scope", "review"]);
    let id = key_id(&secret);
    let row = |vigil: &Vigil| {
        let run = vigil.run(["keys", "list"]).success();
        run.stdout
            .lines()
            .find(|l| l.starts_with(id))
            .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("no row for {id}:\n{}", run.stdout))
    };
    // id, name, scopes, created, revoked: `-` while active.
    assert_eq!(row(&vigil).last().map(String::as_str), Some("-"));

    vigil.run(["keys", "revoke", id]).success();
    let revoked = row(&vigil);
    let revoked_at = revoked.last().expect("a revoked column");
    assert!(revoked_at.ends_with('Z'), "{revoked:?}");

    let again = vigil.run(["keys", "revoke", id]).failure();
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("already revoked"), "{}", again.stderr);
}

#[test]
fn revoking_an_unknown_id_fails_clearly() {
    let run = Vigil::new()
        .run(["keys", "revoke", "vk_000000000000"])
        .failure();
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .contains("no API key has the id `vk_000000000000`"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_scope_fails_naming_the_valid_scopes() {
    let vigil = Vigil::new();
    let run = vigil.run(["keys", "create", "--scope", "write"]).failure();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("unknown scope `write`") && run.stderr.contains("scan, review, admin"),
        "{}",
        run.stderr
    );
    // Nothing was created.
    let list = vigil.run(["keys", "list"]).success();
    assert_eq!(list.stdout.lines().count(), 1, "{}", list.stdout);
}

#[test]
fn create_needs_a_scope_and_honours_db() {
    let vigil = Vigil::new();
    vigil.run(["keys", "create"]).failure();
    let db = vigil.home().join("elsewhere/keys.db");
    let db = db.to_str().expect("temporary paths are UTF-8");
    let secret = create(&vigil, &["--scope", "scan", "--db", db]);
    let run = vigil.run(["keys", "list", "--db", db]).success();
    assert!(run.stdout.contains(key_id(&secret)), "{}", run.stdout);
    let home_list = vigil.run(["keys", "list"]).success();
    assert!(
        !home_list.stdout.contains(key_id(&secret)),
        "{}",
        home_list.stdout
    );
}
