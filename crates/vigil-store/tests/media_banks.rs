//! Video and audio banks: creating them, adding entries once, disabling,
//! enabling and removing them by id, the version a server polls, refusing
//! entries of the wrong medium, and migration 0008 over a store that already
//! holds image banks.

mod common;

use common::{raw_connection, TempStore};
use vigil_store::{BankKind, BankMedia, EntriesAdded, NewEntry, NewMediaEntry, Store, StoreError};

/// Three frames of a vPDQ hash, distinct for each `n`.
fn vpdq(n: u32) -> String {
    (0..3)
        .map(|frame| {
            let hash = format!("{:08x}", n * 16 + frame).repeat(8);
            format!("{frame},100,{hash},{:.3}\n", f64::from(frame) / 30.0)
        })
        .collect()
}

/// A raw Chromaprint fingerprint, distinct for each `n`.
fn chromaprint(n: u32) -> String {
    (0..8)
        .map(|i| (n.wrapping_mul(2_654_435_761) ^ i).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn entry(content: String, label: &str) -> NewMediaEntry {
    NewMediaEntry {
        content,
        duration_s: 12.5,
        source: "case-17".to_owned(),
        label: label.to_owned(),
        enabled: true,
    }
}

/// A store with a positive video bank `clips` and a negative audio bank
/// `jingles`.
async fn store_with_media_banks() -> TempStore {
    let t = TempStore::new().await;
    t.store
        .create_media_bank("clips", BankKind::Positive, BankMedia::Video, "known clips")
        .await
        .expect("create video bank");
    t.store
        .create_media_bank("jingles", BankKind::Negative, BankMedia::Audio, "")
        .await
        .expect("create audio bank");
    t
}

#[tokio::test]
async fn banks_say_their_media_and_count_their_media_entries() {
    let t = store_with_media_banks().await;
    let s = &t.store;
    let photos = s
        .create_bank("photos", BankKind::Positive, "")
        .await
        .expect("create image bank");
    assert_eq!(photos.media, BankMedia::Image);
    s.add_media_entries("clips", &[entry(vpdq(1), "a"), entry(vpdq(2), "b")])
        .await
        .expect("add");
    let id = s.media_entries("clips").await.expect("list")[1].id;
    assert!(s
        .set_media_entry_enabled("clips", id, false)
        .await
        .expect("disable"));

    let banks = s.list_banks().await.expect("list banks");
    let summary: Vec<_> = banks
        .iter()
        .map(|b| (b.name.as_str(), b.kind, b.media, b.entries, b.enabled))
        .collect();
    assert_eq!(
        summary,
        [
            ("clips", BankKind::Positive, BankMedia::Video, 2, 1),
            ("jingles", BankKind::Negative, BankMedia::Audio, 0, 0),
            ("photos", BankKind::Positive, BankMedia::Image, 0, 0),
        ]
    );
    let clips = s.get_bank("clips").await.expect("get").expect("exists");
    assert_eq!(
        (clips.media, clips.entries, clips.enabled),
        (BankMedia::Video, 2, 1)
    );
    assert_eq!(clips.description, "known clips");
}

#[tokio::test]
async fn entries_are_added_once_and_read_back_as_given() {
    let t = store_with_media_banks().await;
    let s = &t.store;
    let before = s.banks_version().await.expect("version");
    let outcome = s
        .add_media_entries(
            "clips",
            &[
                entry(vpdq(1), "a"),
                entry(vpdq(2), "b"),
                entry(vpdq(1), "again"),
            ],
        )
        .await
        .expect("add");
    assert_eq!(
        outcome,
        EntriesAdded {
            added: 2,
            already_present: 1
        }
    );
    assert_eq!(s.banks_version().await.expect("version"), before + 1);

    // The same content again, with another label: the stored entry stays.
    let again = s
        .add_media_entries("clips", &[entry(vpdq(2), "other label")])
        .await
        .expect("add again");
    assert_eq!(
        again,
        EntriesAdded {
            added: 0,
            already_present: 1
        }
    );
    assert_eq!(
        s.banks_version().await.expect("version"),
        before + 1,
        "a write that changes nothing does not raise the version"
    );

    let entries = s.media_entries("clips").await.expect("list");
    assert_eq!(entries.len(), 2);
    let first = &entries[0];
    assert_eq!(
        (first.bank.as_str(), first.media, first.content.as_str()),
        ("clips", BankMedia::Video, vpdq(1).as_str())
    );
    assert_eq!(
        (first.label.as_str(), first.source.as_str()),
        ("a", "case-17")
    );
    assert_eq!(first.duration_s, 12.5);
    assert!(first.enabled);
    assert_eq!(first.content_digest.len(), 64);
    assert_eq!(entries[1].label, "b");
    assert!(entries[0].id < entries[1].id);

    // Another bank may hold the same content.
    let other = s
        .add_media_entries("jingles", &[entry(vpdq(1), "")])
        .await
        .expect("add to another bank");
    assert_eq!(other.added, 1);
}

#[tokio::test]
async fn entries_are_disabled_enabled_and_removed_by_id() {
    let t = store_with_media_banks().await;
    let s = &t.store;
    s.add_media_entries(
        "jingles",
        &[entry(chromaprint(1), "x"), entry(chromaprint(2), "y")],
    )
    .await
    .expect("add");
    let ids: Vec<i64> = s
        .media_entries("jingles")
        .await
        .expect("list")
        .iter()
        .map(|e| e.id)
        .collect();

    let v0 = s.banks_version().await.expect("version");
    assert!(s
        .set_media_entry_enabled("jingles", ids[0], false)
        .await
        .expect("disable"));
    assert_eq!(s.banks_version().await.expect("version"), v0 + 1);
    let enabled: Vec<i64> = s
        .all_enabled_media_entries()
        .await
        .expect("enabled")
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(enabled, [ids[1]]);

    assert!(s
        .set_media_entry_enabled("jingles", ids[0], true)
        .await
        .expect("enable"));
    assert_eq!(
        s.all_enabled_media_entries().await.expect("enabled").len(),
        2
    );

    assert!(s
        .remove_media_entry("jingles", ids[1])
        .await
        .expect("remove"));
    let v1 = s.banks_version().await.expect("version");
    assert_eq!(v1, v0 + 3);
    let left: Vec<i64> = s
        .media_entries("jingles")
        .await
        .expect("list")
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(left, [ids[0]]);

    // An id the bank does not hold, or holds no longer: false, no change.
    assert!(!s
        .remove_media_entry("jingles", ids[1])
        .await
        .expect("remove again"));
    assert!(!s
        .set_media_entry_enabled("jingles", 999, false)
        .await
        .expect("unknown id"));
    assert!(!s
        .remove_media_entry("clips", ids[0])
        .await
        .expect("another bank's id"));
    assert_eq!(s.banks_version().await.expect("version"), v1);
}

#[tokio::test]
async fn media_writes_are_not_image_changes() {
    let t = store_with_media_banks().await;
    let s = &t.store;
    let since = s.banks_version().await.expect("version");
    s.add_media_entries("clips", &[entry(vpdq(1), "")])
        .await
        .expect("add");
    let id = s.media_entries("clips").await.expect("list")[0].id;
    s.remove_media_entry("clips", id).await.expect("remove");
    let changes = s.bank_changes_since(since).await.expect("changes");
    assert_eq!(changes.version, since + 2);
    assert!(changes.is_empty(), "{changes:?}");
}

#[tokio::test]
async fn a_snapshot_holds_the_version_the_enabled_entries_and_the_kinds() {
    let t = store_with_media_banks().await;
    let s = &t.store;
    s.add_media_entries("clips", &[entry(vpdq(1), "v")])
        .await
        .expect("add video");
    let mut off = entry(chromaprint(1), "off");
    off.enabled = false;
    s.add_media_entries("jingles", &[entry(chromaprint(2), "a"), off])
        .await
        .expect("add audio");

    let snapshot = s.media_bank_snapshot().await.expect("snapshot");
    assert_eq!(snapshot.version, s.banks_version().await.expect("version"));
    let entries: Vec<_> = snapshot
        .entries
        .iter()
        .map(|e| (e.bank.as_str(), e.media, e.label.as_str()))
        .collect();
    assert_eq!(
        entries,
        [
            ("clips", BankMedia::Video, "v"),
            ("jingles", BankMedia::Audio, "a")
        ]
    );
    assert_eq!(snapshot.kinds["jingles"], BankKind::Negative);
    assert_eq!(snapshot.kinds["clips"], BankKind::Positive);
}

#[tokio::test]
async fn entries_of_the_wrong_media_are_refused_naming_the_bank() {
    let t = store_with_media_banks().await;
    let s = &t.store;
    s.create_bank("photos", BankKind::Positive, "")
        .await
        .expect("create image bank");
    let before = s.banks_version().await.expect("version");

    let err = s
        .add_media_entries("photos", &[entry(vpdq(1), "")])
        .await
        .expect_err("an image bank takes no video");
    assert!(
        matches!(&err, StoreError::WrongBankMedia { bank, media: BankMedia::Image, .. } if bank == "photos"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "bank `photos` holds image hashes, not video or audio hashes"
    );

    let hash = "ab".repeat(32);
    let err = s
        .add_bank_entries("clips", &[NewEntry::new(&hash)])
        .await
        .expect_err("a video bank takes no PDQ hash");
    assert_eq!(
        err.to_string(),
        "bank `clips` holds video hashes, not image hashes"
    );
    for result in [
        s.remove_bank_entry("jingles", &hash).await,
        s.set_entry_enabled("jingles", &hash, false).await,
    ] {
        assert!(
            matches!(
                result,
                Err(StoreError::WrongBankMedia {
                    media: BankMedia::Audio,
                    ..
                })
            ),
            "{result:?}"
        );
    }
    assert!(s.bank_entries("clips").await.is_err());
    assert!(s.media_entries("photos").await.is_err());
    assert!(matches!(
        s.remove_media_entry("photos", 1).await,
        Err(StoreError::WrongBankMedia { .. })
    ));
    assert!(matches!(
        s.add_media_entries("nothing", &[entry(vpdq(1), "")]).await,
        Err(StoreError::UnknownBank { .. })
    ));
    assert_eq!(s.banks_version().await.expect("version"), before);
}

#[tokio::test]
async fn a_bad_entry_leaves_the_bank_as_it_was() {
    let t = store_with_media_banks().await;
    let s = &t.store;
    let before = s.banks_version().await.expect("version");
    let mut bad = entry(vpdq(2), "");
    bad.duration_s = f64::NAN;
    let err = s
        .add_media_entries("clips", &[entry(vpdq(1), ""), bad])
        .await
        .expect_err("a NaN duration");
    assert!(
        matches!(err, StoreError::InvalidMediaEntry { index: 2, .. }),
        "{err:?}"
    );
    let err = s
        .add_media_entries("clips", &[entry(String::new(), "")])
        .await
        .expect_err("empty content");
    assert!(err.to_string().contains("content is empty"), "{err}");
    assert!(s.media_entries("clips").await.expect("list").is_empty());
    assert_eq!(s.banks_version().await.expect("version"), before);
}

#[tokio::test]
async fn bank_names_are_shared_across_media() {
    let t = store_with_media_banks().await;
    let err = t
        .store
        .create_media_bank("clips", BankKind::Positive, BankMedia::Audio, "")
        .await
        .expect_err("name taken by a video bank");
    assert!(matches!(err, StoreError::DuplicateBank { .. }), "{err:?}");
    let err = t
        .store
        .create_bank("jingles", BankKind::Positive, "")
        .await
        .expect_err("name taken by an audio bank");
    assert!(matches!(err, StoreError::DuplicateBank { .. }), "{err:?}");
}

/// Applies migrations 0001 to 0007 (the schema before media banks) to a
/// new file, through sqlx's migrator so that `Store::open` sees them as
/// applied and runs only 0008.
async fn store_file_at_schema_7(path: &std::path::Path) {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    let dir = tempfile::tempdir().expect("a folder for the old migrations");
    for file in std::fs::read_dir(&source).expect("read the migrations") {
        let file = file.expect("a migration");
        let name = file.file_name().to_string_lossy().into_owned();
        if name.as_str() < "0008" {
            std::fs::copy(file.path(), dir.path().join(&name)).expect("copy a migration");
        }
    }
    let migrator = sqlx::migrate::Migrator::new(dir.path())
        .await
        .expect("read the old migrations");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("create the old store");
    migrator.run(&pool).await.expect("apply 0001 to 0007");
    pool.close().await;
}

#[tokio::test]
async fn the_migration_makes_existing_banks_image_banks() {
    let t = TempStore::new().await;
    t.store.close().await;
    let path = t.path.with_file_name("old.db");
    store_file_at_schema_7(&path).await;
    {
        let mut conn = raw_connection(&path).await;
        for statement in [
            "INSERT INTO banks (name, kind, description, created_at) \
             VALUES ('memes', 'negative', 'old', '2025-03-01T09:00:00Z')",
            "INSERT INTO bank_entries (bank, hash, source, label, added_at, enabled, change_seq) \
             VALUES ('memes', '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', \
                     'feed', 'cat', '2025-03-01T09:00:00Z', 1, 1)",
            "UPDATE banks_changes SET counter = 1",
        ] {
            sqlx::query(statement)
                .execute(&mut conn)
                .await
                .expect("write the old store");
        }
    }

    let store = Store::open_sqlite(&path).await.expect("open and migrate");
    assert!(store.schema_version().await.expect("version") >= 9);
    let memes = store.get_bank("memes").await.expect("get").expect("kept");
    assert_eq!(
        (memes.kind, memes.media, memes.entries, memes.enabled),
        (BankKind::Negative, BankMedia::Image, 1, 1)
    );
    assert_eq!(store.banks_version().await.expect("version"), 1);
    let entries = store.bank_entries("memes").await.expect("entries");
    assert_eq!(entries[0].label, "cat");

    store
        .create_media_bank("clips", BankKind::Positive, BankMedia::Video, "")
        .await
        .expect("a video bank beside the old one");
    let added = store
        .add_media_entries("clips", &[entry(vpdq(1), "")])
        .await
        .expect("add");
    assert_eq!(added.added, 1);
    assert_eq!(store.banks_version().await.expect("version"), 3);
    store.close().await;
}
