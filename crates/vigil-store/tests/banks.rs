//! Hash banks: creating and listing them, adding entries once, removing,
//! enabling and disabling them, and the version a server polls.

mod common;

use common::TempStore;
use vigil_store::{BankKind, EntriesAdded, NewEntry, StoreError};

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
