//! Opening stores: URLs, file creation, WAL, migrations and their versions.

mod common;

use common::{raw_connection, TempStore};
use vigil_store::{Store, StoreError};

/// The version numbers of the migration files this build embeds.
fn migration_files() -> Vec<i64> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    std::fs::read_dir(&dir)
        .expect("the migrations folder")
        .filter_map(|e| {
            let name = e.expect("a folder entry").file_name();
            let name = name.to_str()?.to_owned();
            name.strip_suffix(".sql")?.split('_').next()?.parse().ok()
        })
        .collect()
}

/// The newest migration's version: what a fresh store is brought up to.
fn newest_migration() -> i64 {
    migration_files()
        .into_iter()
        .max()
        .expect("at least one migration")
}

#[tokio::test]
async fn a_fresh_store_is_migrated_to_the_current_version() {
    let t = TempStore::new().await;
    assert_eq!(
        t.store.schema_version().await.expect("version"),
        newest_migration()
    );
    let mut conn = raw_connection(&t.path).await;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'decision%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list tables");
    assert_eq!(tables, ["decision_content", "decision_scores", "decisions"]);
}

#[tokio::test]
async fn reopening_applies_nothing_twice() {
    let t = TempStore::new().await;
    t.store.close().await;
    for _ in 0..3 {
        let store = Store::open(&t.url()).await.expect("reopen");
        assert_eq!(
            store.schema_version().await.expect("version"),
            newest_migration()
        );
        store.close().await;
    }
    let mut conn = raw_connection(&t.path).await;
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut conn)
        .await
        .expect("count migrations");
    assert_eq!(applied, migration_files().len() as i64);
}

#[tokio::test]
async fn the_file_is_in_wal_mode() {
    let t = TempStore::new().await;
    let mut conn = raw_connection(&t.path).await;
    // WAL is a property of the file, so a fresh connection reports it.
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .expect("read journal mode");
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_sqlite_url_creates_the_file_and_its_folders() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("nested/deeper/vigil.db");
    let store = Store::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("open creates the file");
    assert!(path.is_file());
    store.close().await;
    let bare = dir.path().join("bare.db");
    let store = Store::open(&bare.display().to_string())
        .await
        .expect("a bare path opens too");
    assert!(bare.is_file());
    store.close().await;
}

#[tokio::test]
async fn postgres_is_refused_plainly() {
    let err = Store::open("postgres://vigil@localhost/vigil")
        .await
        .expect_err("PostgreSQL is not supported yet");
    assert!(matches!(err, StoreError::Unsupported { .. }), "{err:?}");
    assert!(
        err.to_string().contains("PostgreSQL support is planned"),
        "{err}"
    );
}

#[tokio::test]
async fn a_folder_is_not_a_store() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let err = Store::open_sqlite(dir.path())
        .await
        .expect_err("a folder cannot be opened as a database");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
}

#[tokio::test]
async fn a_schema_from_a_newer_build_is_refused() {
    let t = TempStore::new().await;
    t.store.close().await;
    let mut conn = raw_connection(&t.path).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations \
         (version, description, installed_on, success, checksum, execution_time) \
         VALUES (9999, 'from the future', CURRENT_TIMESTAMP, TRUE, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .expect("record a future migration");
    let err = Store::open(&t.url()).await.expect_err("too new");
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                found: 9999,
                supported,
            } if supported == newest_migration()
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_closed_store_refuses_work() {
    let t = TempStore::new().await;
    t.store.close().await;
    let err = t
        .store
        .get_decision(vigil_core::DecisionId::new())
        .await
        .expect_err("closed");
    assert!(matches!(err, StoreError::Query { .. }), "{err:?}");
}
