//! Hash banks: creating and listing them, adding entries once, removing,
//! enabling and disabling them, the version a server polls and the changes
//! since a version that it applies.

mod common;

use common::TempStore;
use vigil_store::{BankChanges, BankKind, EntriesAdded, NewEntry, StoreError};

/// A distinct valid hash for each `n`.
fn hash(n: u32) -> String {
    format!("{n:08x}").repeat(8)
}

fn entry(n: u32, label: &str) -> NewEntry {
    NewEntry {
        hash: hash(n),
        source: "case-17".to_owned(),
        label: label.to_owned(),
        enabled: true,
    }
}

#[tokio::test]
async fn banks_are_listed_in_name_order_with_their_kind_and_counts() {
    let t = TempStore::new().await;
    let s = &t.store;
    let created = s
        .create_bank("memes", BankKind::Negative, "known-benign memes")
        .await
        .expect("create");
    assert_eq!((created.entries, created.enabled), (0, 0));
    s.create_bank("known_terror", BankKind::Positive, "")
        .await
        .expect("create");
    s.add_bank_entries("known_terror", &[entry(1, "a"), entry(2, "b")])
        .await
        .expect("add");
    s.set_entry_enabled("known_terror", &hash(2), false)
        .await
        .expect("disable");

    let banks = s.list_banks().await.expect("list");
    let summary: Vec<_> = banks
        .iter()
        .map(|b| (b.name.as_str(), b.kind, b.entries, b.enabled))
        .collect();
    assert_eq!(
        summary,
        [
            ("known_terror", BankKind::Positive, 2, 1),
            ("memes", BankKind::Negative, 0, 0)
        ]
    );
    assert_eq!(banks[1].description, "known-benign memes");
    assert_eq!(banks[1].created_at, created.created_at);
    assert_eq!(s.get_bank("memes").await.expect("get"), Some(created));
    assert_eq!(s.get_bank("nothing").await.expect("get"), None);
}

#[tokio::test]
async fn bad_names_and_taken_names_are_refused_clearly() {
    let t = TempStore::new().await;
    for name in ["", "Known", "two words", "a/b", &"x".repeat(65)] {
        let err = t
            .store
            .create_bank(name, BankKind::Positive, "")
            .await
            .expect_err("a bad name");
        assert!(
            matches!(err, StoreError::InvalidBankName { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains("is not a bank name"), "{err}");
    }
    t.store
        .create_bank("known_terror", BankKind::Positive, "")
        .await
        .expect("create");
    let err = t
        .store
        .create_bank("known_terror", BankKind::Negative, "")
        .await
        .expect_err("taken");
    assert!(matches!(err, StoreError::DuplicateBank { .. }), "{err:?}");
    assert_eq!(err.to_string(), "bank `known_terror` already exists");
    assert_eq!(t.store.list_banks().await.expect("list").len(), 1);
}

#[tokio::test]
async fn a_hash_is_added_once_and_its_first_metadata_is_kept() {
    let t = TempStore::new().await;
    let s = &t.store;
    s.create_bank("b", BankKind::Positive, "")
        .await
        .expect("create");
    let first = s
        .add_bank_entries("b", &[entry(1, "first"), entry(2, "two")])
        .await
        .expect("add");
    assert_eq!(
        first,
        EntriesAdded {
            added: 2,
            already_present: 0
        }
    );
    // Upper case is the same hash; a repeat within one call counts once.
    let upper = NewEntry {
        label: "second".to_owned(),
        ..NewEntry::new(hash(1).to_ascii_uppercase())
    };
    let again = s
        .add_bank_entries("b", &[upper, entry(3, "three"), entry(3, "three again")])
        .await
        .expect("add");
    assert_eq!(
        again,
        EntriesAdded {
            added: 1,
            already_present: 2
        }
    );

    let entries = s.bank_entries("b").await.expect("entries");
    let rows: Vec<_> = entries
        .iter()
        .map(|e| (e.hash.clone(), e.label.as_str(), e.source.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (hash(1), "first", "case-17"),
            (hash(2), "two", "case-17"),
            (hash(3), "three", "case-17")
        ]
    );
    assert!(entries.windows(2).all(|w| w[0].id < w[1].id), "id order");
    assert!(entries.iter().all(|e| e.enabled && e.bank == "b"));
}

#[tokio::test]
async fn one_bad_hash_or_an_unknown_bank_writes_nothing() {
    let t = TempStore::new().await;
    let s = &t.store;
    s.create_bank("b", BankKind::Positive, "")
        .await
        .expect("create");
    let version = s.banks_version().await.expect("version");
    let err = s
        .add_bank_entries("b", &[entry(1, ""), NewEntry::new("not-a-hash")])
        .await
        .expect_err("a bad hash");
    assert!(matches!(err, StoreError::InvalidBankHash { .. }), "{err:?}");
    assert!(err.to_string().contains("`not-a-hash`"), "{err}");
    assert!(s.bank_entries("b").await.expect("entries").is_empty());
    assert_eq!(s.banks_version().await.expect("version"), version);

    let err = s
        .add_bank_entries("nothing", &[entry(1, "")])
        .await
        .expect_err("no such bank");
    assert_eq!(err.to_string(), "no bank is named `nothing`");
    for result in [
        s.remove_bank_entry("nothing", &hash(1)).await,
        s.set_entry_enabled("nothing", &hash(1), false).await,
    ] {
        assert!(
            matches!(result, Err(StoreError::UnknownBank { .. })),
            "{result:?}"
        );
    }
    assert!(matches!(
        s.bank_entries("nothing").await,
        Err(StoreError::UnknownBank { .. })
    ));
}

#[tokio::test]
async fn removed_and_disabled_entries_leave_the_match_set() {
    let t = TempStore::new().await;
    let s = &t.store;
    s.create_bank("bad", BankKind::Positive, "")
        .await
        .expect("create");
    s.create_bank("benign", BankKind::Negative, "")
        .await
        .expect("create");
    s.add_bank_entries("bad", &[entry(1, ""), entry(2, ""), entry(3, "")])
        .await
        .expect("add");
    // Two banks may hold the same hash.
    s.add_bank_entries("benign", &[entry(2, "meme")])
        .await
        .expect("add");

    assert!(s.remove_bank_entry("bad", &hash(1)).await.expect("remove"));
    assert!(!s.remove_bank_entry("bad", &hash(1)).await.expect("remove"));
    assert!(s
        .set_entry_enabled("bad", &hash(3), false)
        .await
        .expect("disable"));
    assert!(!s
        .set_entry_enabled("bad", &hash(9), false)
        .await
        .expect("absent"));

    let enabled: Vec<_> = s
        .all_enabled_entries()
        .await
        .expect("enabled")
        .into_iter()
        .map(|e| (e.bank, e.hash))
        .collect();
    assert_eq!(
        enabled,
        [("bad".to_owned(), hash(2)), ("benign".to_owned(), hash(2))]
    );
    // A disabled entry stays in its bank and comes back when enabled.
    let bad = s.bank_entries("bad").await.expect("entries");
    assert_eq!(bad.len(), 2);
    assert!(!bad[1].enabled);
    assert!(s
        .set_entry_enabled("bad", &hash(3), true)
        .await
        .expect("enable"));
    assert_eq!(s.all_enabled_entries().await.expect("enabled").len(), 3);
}

#[tokio::test]
async fn the_banks_version_rises_with_every_change_and_only_then() {
    let t = TempStore::new().await;
    let s = &t.store;
    let mut last = s.banks_version().await.expect("version");
    let mut rose = |now: i64, what: &str| {
        assert!(now > last, "{what}: {now} after {last}");
        last = now;
    };

    s.create_bank("b", BankKind::Positive, "")
        .await
        .expect("create");
    rose(s.banks_version().await.expect("version"), "create");
    s.add_bank_entries("b", &[entry(1, "")]).await.expect("add");
    rose(s.banks_version().await.expect("version"), "add");
    s.set_entry_enabled("b", &hash(1), false)
        .await
        .expect("disable");
    rose(s.banks_version().await.expect("version"), "disable");
    s.remove_bank_entry("b", &hash(1)).await.expect("remove");
    rose(s.banks_version().await.expect("version"), "remove");

    let unchanged = s.banks_version().await.expect("version");
    s.add_bank_entries("b", &[]).await.expect("add nothing");
    s.remove_bank_entry("b", &hash(1))
        .await
        .expect("remove absent");
    s.set_entry_enabled("b", &hash(1), true)
        .await
        .expect("absent");
    assert_eq!(s.banks_version().await.expect("version"), unchanged);
    s.add_bank_entries("b", &[entry(2, "")]).await.expect("add");
    s.add_bank_entries("b", &[entry(2, "")])
        .await
        .expect("add again");
    assert_eq!(s.banks_version().await.expect("version"), unchanged + 1);
}

#[tokio::test]
async fn a_large_batch_spans_several_statements_in_one_transaction() {
    let t = TempStore::new().await;
    let s = &t.store;
    s.create_bank("big", BankKind::Positive, "")
        .await
        .expect("create");
    let entries: Vec<NewEntry> = (0..1_234).map(|n| entry(n, "")).collect();
    let outcome = s.add_bank_entries("big", &entries).await.expect("add");
    assert_eq!(outcome.added, 1_234);
    let again = s.add_bank_entries("big", &entries).await.expect("add");
    assert_eq!((again.added, again.already_present), (0, 1_234));
    let bank = s.get_bank("big").await.expect("get").expect("exists");
    assert_eq!((bank.entries, bank.enabled), (1_234, 1_234));
}

#[tokio::test]
async fn banks_survive_reopening() {
    let t = TempStore::new().await;
    t.store
        .create_bank("b", BankKind::Negative, "kept")
        .await
        .expect("create");
    t.store
        .add_bank_entries("b", &[entry(7, "seven")])
        .await
        .expect("add");
    let version = t.store.banks_version().await.expect("version");
    t.store.close().await;
    let store = vigil_store::Store::open(&t.url()).await.expect("reopen");
    let entries = store.bank_entries("b").await.expect("entries");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].label, "seven");
    assert_eq!(store.banks_version().await.expect("version"), version);
    store.close().await;
}

/// The `(hash, enabled)` of each changed entry, in the order listed.
fn states(changes: &BankChanges) -> Vec<(String, bool)> {
    changes
        .changed
        .iter()
        .map(|e| (e.hash.clone(), e.enabled))
        .collect()
}

#[tokio::test]
async fn changes_since_a_version_are_exactly_the_entries_added_disabled_enabled_and_removed() {
    let t = TempStore::new().await;
    let s = &t.store;
    s.create_bank("bad", BankKind::Positive, "")
        .await
        .expect("create");
    s.add_bank_entries(
        "bad",
        &[entry(1, ""), entry(2, ""), entry(3, ""), entry(4, "")],
    )
    .await
    .expect("add");
    let removed_id = s.bank_entries("bad").await.expect("entries")[3].id;
    let seen = s.banks_version().await.expect("version");
    let nothing = s.bank_changes_since(seen).await.expect("changes");
    assert_eq!((nothing.version, nothing.len()), (seen, 0));
    assert_eq!(nothing.kinds["bad"], BankKind::Positive);

    s.set_entry_enabled("bad", &hash(2), false)
        .await
        .expect("disable");
    s.set_entry_enabled("bad", &hash(3), false)
        .await
        .expect("disable");
    let middle = s.banks_version().await.expect("version");
    s.set_entry_enabled("bad", &hash(3), true)
        .await
        .expect("enable");
    s.remove_bank_entry("bad", &hash(4)).await.expect("remove");
    // A new bank, with an entry: its kind comes with the changes.
    s.create_bank("benign", BankKind::Negative, "")
        .await
        .expect("create");
    s.add_bank_entries("benign", &[entry(5, "meme")])
        .await
        .expect("add");
    // Writes that change nothing leave no trace.
    assert!(!s.remove_bank_entry("bad", &hash(9)).await.expect("absent"));
    s.add_bank_entries("bad", &[entry(1, "")])
        .await
        .expect("add again");

    let changes = s.bank_changes_since(seen).await.expect("changes");
    assert_eq!(changes.version, s.banks_version().await.expect("version"));
    assert_eq!(
        states(&changes),
        [(hash(2), false), (hash(3), true), (hash(5), true)]
    );
    assert_eq!(changes.removed, [removed_id]);
    assert_eq!(changes.changed[2].bank, "benign");
    assert_eq!(changes.changed[2].label, "meme");
    assert_eq!(changes.kinds["benign"], BankKind::Negative);
    assert_eq!(changes.len(), 4);

    // From a later version, only what came after it.
    let later = s.bank_changes_since(middle).await.expect("changes");
    assert_eq!(states(&later), [(hash(3), true), (hash(5), true)]);
    assert_eq!(later.removed, [removed_id]);
    let none = s
        .bank_changes_since(changes.version)
        .await
        .expect("changes");
    assert!(none.is_empty(), "{none:?}");
}

#[tokio::test]
async fn a_reused_id_is_listed_as_removed_and_as_changed() {
    let t = TempStore::new().await;
    let s = &t.store;
    s.create_bank("b", BankKind::Positive, "")
        .await
        .expect("create");
    s.add_bank_entries("b", &[entry(1, ""), entry(2, "")])
        .await
        .expect("add");
    let last = s.bank_entries("b").await.expect("entries")[1].id;
    let seen = s.banks_version().await.expect("version");
    s.remove_bank_entry("b", &hash(2)).await.expect("remove");
    s.add_bank_entries("b", &[entry(3, "")]).await.expect("add");

    // SQLite gives the next entry the highest id plus one, so the removed
    // entry's id comes back: removals must be applied first.
    let changes = s.bank_changes_since(seen).await.expect("changes");
    assert_eq!(changes.removed, [last]);
    assert_eq!(changes.changed.len(), 1);
    assert_eq!(
        (changes.changed[0].id, changes.changed[0].hash.clone()),
        (last, hash(3))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_are_read_in_one_transaction_while_writers_work() {
    const BATCHES: u32 = 40;
    const PER_BATCH: u32 = 25;
    let t = TempStore::new().await;
    t.store
        .create_bank("b", BankKind::Positive, "")
        .await
        .expect("create");
    let seen = t.store.banks_version().await.expect("version");
    let writer = {
        let store = t.store.clone();
        tokio::spawn(async move {
            for batch in 0..BATCHES {
                let entries: Vec<NewEntry> = (0..PER_BATCH)
                    .map(|n| entry(batch * PER_BATCH + n, ""))
                    .collect();
                // One transaction, one version, PER_BATCH entries.
                store.add_bank_entries("b", &entries).await.expect("add");
            }
        })
    };
    let mut reads = 0;
    loop {
        let done = writer.is_finished();
        let changes = t.store.bank_changes_since(seen).await.expect("changes");
        // Read apart, a batch committed between the version and the
        // entries would show as entries beyond what the version accounts for.
        let versions = u64::try_from(changes.version - seen).expect("the version only rises");
        assert_eq!(
            changes.changed.len() as u64,
            versions * u64::from(PER_BATCH),
            "at version {}",
            changes.version
        );
        reads += 1;
        if done {
            assert_eq!(versions, u64::from(BATCHES));
            break;
        }
    }
    writer.await.expect("the writer finishes");
    assert!(reads > 1);
}
