use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::*;

/// A deterministic stream of numbers (splitmix64).
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn hash(&mut self) -> PdqHash {
        PdqHash::from_words([self.next(), self.next(), self.next(), self.next()])
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `hash` with its first `bits` bits flipped.
fn near(hash: PdqHash, bits: u32) -> PdqHash {
    let mut words = hash.words();
    words[0] ^= if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    PdqHash::from_words(words)
}

fn info(entry: i64) -> BankEntryInfo {
    BankEntryInfo {
        bank: "b".to_owned(),
        negative: false,
        entry,
        label: format!("entry {entry}"),
        source: String::new(),
    }
}

fn change(hash: PdqHash, entry: i64, enabled: bool) -> BankEntryChange {
    BankEntryChange {
        hash,
        info: info(entry),
        enabled,
    }
}

/// The store ids within `distance` of `hash`, in order.
fn matched(banks: &Banks, hash: &PdqHash, distance: u32) -> Vec<i64> {
    let state = banks.read();
    let mut ids: Vec<i64> = state
        .index
        .query(hash, distance)
        .iter()
        .map(|m| state.entries[m.id.0 as usize].entry)
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn adds_disables_enables_and_removals_take_effect_at_once() {
    let mut n = Numbers(1);
    let (a, b, c) = (n.hash(), n.hash(), n.hash());
    let banks = Banks::build(vec![(a, info(1)), (b, info(2))], 7).expect("build");
    assert_eq!((banks.len(), banks.version()), (2, 7));

    let applied = banks
        .apply(BanksUpdate {
            version: 8,
            changed: vec![change(c, 3, true), change(b, 2, false)],
            removed: vec![1],
        })
        .expect("apply");
    assert_eq!(
        (applied.added, applied.disabled, applied.removed),
        (1, 1, 1)
    );
    assert_eq!(
        (banks.len(), banks.version(), banks.hidden_len()),
        (1, 8, 2)
    );
    assert_eq!(matched(&banks, &near(c, 5), 31), [3]);
    assert!(matched(&banks, &a, 31).is_empty());
    assert!(matched(&banks, &b, 31).is_empty());

    let applied = banks
        .apply(BanksUpdate {
            version: 9,
            changed: vec![change(b, 2, true), change(c, 3, false)],
            removed: Vec::new(),
        })
        .expect("apply");
    assert_eq!((applied.enabled, applied.disabled), (1, 1));
    assert_eq!(matched(&banks, &b, 0), [2]);
    assert!(matched(&banks, &c, 31).is_empty());
}

#[test]
fn applying_the_same_changes_twice_changes_nothing_more() {
    let mut n = Numbers(2);
    let (a, b) = (n.hash(), n.hash());
    let banks = Banks::build(vec![(a, info(1))], 1).expect("build");
    let update = BanksUpdate {
        version: 2,
        changed: vec![change(b, 2, true), change(a, 1, false)],
        removed: Vec::new(),
    };
    banks.apply(update.clone()).expect("apply");
    let again = banks.apply(update).expect("apply again");
    assert_eq!((again.added, again.disabled, again.unchanged), (0, 0, 2));
    assert_eq!((banks.len(), banks.indexed_len()), (1, 2));
    assert_eq!(matched(&banks, &b, 0), [2]);
}

#[test]
fn a_disabled_entry_the_index_never_held_is_indexed_when_enabled() {
    let mut n = Numbers(3);
    let a = n.hash();
    let banks = Banks::default();
    let applied = banks
        .apply(BanksUpdate {
            version: 1,
            changed: vec![change(a, 5, false)],
            removed: Vec::new(),
        })
        .expect("apply");
    assert_eq!((applied.unchanged, banks.indexed_len()), (1, 0));
    banks
        .apply(BanksUpdate {
            version: 2,
            changed: vec![change(a, 5, true)],
            removed: Vec::new(),
        })
        .expect("apply");
    assert_eq!(matched(&banks, &a, 0), [5]);
}

#[test]
fn an_id_removed_and_given_to_a_new_entry_matches_only_the_new_hash() {
    let mut n = Numbers(4);
    let (old, new) = (n.hash(), n.hash());
    let banks = Banks::build(vec![(old, info(9))], 1).expect("build");
    banks
        .apply(BanksUpdate {
            version: 3,
            changed: vec![change(new, 9, true)],
            removed: vec![9],
        })
        .expect("apply");
    assert!(matched(&banks, &old, 31).is_empty());
    assert_eq!(matched(&banks, &new, 0), [9]);
    // And removed again: neither matches.
    banks
        .apply(BanksUpdate {
            version: 4,
            changed: Vec::new(),
            removed: vec![9],
        })
        .expect("apply");
    assert!(matched(&banks, &new, 31).is_empty());
    assert!(banks.is_empty());
}

#[test]
fn the_delta_is_merged_past_its_threshold() {
    let mut n = Numbers(5);
    let built: Vec<_> = (0..400).map(|i| (n.hash(), info(i))).collect();
    let banks = Banks::build(built, 1).expect("build");
    let few = BanksUpdate {
        version: 2,
        changed: (400..410).map(|i| change(n.hash(), i, true)).collect(),
        removed: Vec::new(),
    };
    let applied = banks.apply(few).expect("apply");
    assert_eq!(applied.maintenance, Maintenance::None);
    assert_eq!(banks.read().index.delta_len(), 10);
    // 10 + 15 pending of 425: past 5%.
    let more = BanksUpdate {
        version: 3,
        changed: (410..425).map(|i| change(n.hash(), i, true)).collect(),
        removed: Vec::new(),
    };
    let applied = banks.apply(more).expect("apply");
    assert_eq!(applied.maintenance, Maintenance::Compacted { merged: 25 });
    assert_eq!(banks.read().index.delta_len(), 0);
    assert_eq!(banks.len(), 425);
}

#[test]
fn an_index_grown_far_past_its_layout_is_rebuilt() {
    let mut n = Numbers(6);
    let banks = Banks::default();
    let mut rebuilt = 0;
    for batch in 0..30 {
        let applied = banks
            .apply(BanksUpdate {
                version: batch + 1,
                changed: (0..200)
                    .map(|i| change(n.hash(), batch * 200 + i, true))
                    .collect(),
                removed: Vec::new(),
            })
            .expect("apply");
        if let Maintenance::Rebuilt { len } = applied.maintenance {
            assert_eq!(len, banks.indexed_len());
            rebuilt += 1;
        }
    }
    assert!(rebuilt >= 2, "rebuilt {rebuilt} times");
    assert_eq!(
        banks.read().index.params(),
        IndexParams::for_len(banks.read().laid_out_for)
    );
}

/// Random changes applied in batches answer, after every batch, what a
/// brute-force search over the entries' true states answers.
#[test]
fn random_updates_match_brute_force_over_the_true_states() {
    let mut n = Numbers(7);
    // Store id -> (hash, enabled); removed ids leave the map.
    let mut truth: BTreeMap<i64, (PdqHash, bool)> = BTreeMap::new();
    let mut next_id = 0;
    for _ in 0..300 {
        truth.insert(next_id, (n.hash(), true));
        next_id += 1;
    }
    let built = truth
        .iter()
        .map(|(&id, &(hash, _))| (hash, info(id)))
        .collect();
    let banks = Banks::build(built, 0).expect("build");
    let mut rebuilt_or_compacted = 0;
    for version in 1..=60 {
        let mut update = BanksUpdate {
            version,
            ..BanksUpdate::default()
        };
        let mut touched = HashSet::new();
        for _ in 0..n.below(40) {
            let ids: Vec<i64> = truth.keys().copied().collect();
            let pick = ids[n.below(ids.len() as u64) as usize];
            if !touched.insert(pick) {
                continue;
            }
            match n.below(4) {
                0 => {
                    // Near an existing hash, so that matches cluster.
                    let hash = near(truth[&pick].0, n.below(20) as u32);
                    let enabled = n.below(5) > 0;
                    truth.insert(next_id, (hash, enabled));
                    update.changed.push(change(hash, next_id, enabled));
                    // The store lists an entry once per change set.
                    touched.insert(next_id);
                    next_id += 1;
                }
                1 => {
                    truth.remove(&pick);
                    update.removed.push(pick);
                }
                _ => {
                    let state = truth.get_mut(&pick).expect("picked from the keys");
                    state.1 = !state.1;
                    update.changed.push(change(state.0, pick, state.1));
                }
            }
        }
        let applied = banks.apply(update).expect("apply");
        if applied.maintenance != Maintenance::None {
            rebuilt_or_compacted += 1;
        }
        assert_eq!(banks.len(), truth.values().filter(|(_, on)| *on).count());
        for _ in 0..20 {
            let ids: Vec<&(PdqHash, bool)> = truth.values().collect();
            let query = near(ids[n.below(ids.len() as u64) as usize].0, 12);
            let expected: Vec<i64> = truth
                .iter()
                .filter(|(_, (hash, on))| *on && hash.distance(&query) <= 31)
                .map(|(&id, _)| id)
                .collect();
            assert_eq!(matched(&banks, &query, 31), expected, "version {version}");
        }
    }
    assert!(rebuilt_or_compacted > 0);
}

#[test]
fn scans_read_while_updates_apply() {
    let mut n = Numbers(8);
    let stable = n.hash();
    let built: Vec<_> = std::iter::once((stable, info(0)))
        .chain((1..2_000).map(|i| (n.hash(), info(i))))
        .collect();
    let banks = Arc::new(Banks::build(built, 0).expect("build"));
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (banks, stop) = (banks.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut reads = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    assert_eq!(matched(&banks, &stable, 0), [0]);
                    reads += 1;
                }
                reads
            })
        })
        .collect();
    let mut next = 2_000;
    for version in 1..=50 {
        let changed = (0..100).map(|i| change(n.hash(), next + i, true)).collect();
        next += 100;
        banks
            .apply(BanksUpdate {
                version,
                changed,
                removed: vec![version],
            })
            .expect("apply");
    }
    stop.store(true, Ordering::Relaxed);
    for reader in readers {
        assert!(reader.join().expect("a reader finishes") > 0);
    }
    assert_eq!(banks.len(), 2_000 + 5_000 - 50);
}

/// The pauses scans see at 10M entries (`VIGIL_BANKS_PAUSE_N` to
/// change): applying 1,000 adds and 1,000 disables, and merging a
/// delta of [`COMPACT_DELTA_MAX`] adds, for docs/match-index.md.
///
/// ```text
/// cargo test --release -p vigil-engine --lib -- --ignored --nocapture update_pauses_measurement
/// ```
#[test]
#[ignore = "a measurement at 10M entries; run by hand in release"]
fn update_pauses_measurement() {
    let len: i64 = std::env::var("VIGIL_BANKS_PAUSE_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let mut n = Numbers(9);
    let started = Instant::now();
    let built: Vec<_> = (0..len).map(|i| (n.hash(), info(i))).collect();
    let banks = Banks::build(built, 0).expect("build");
    println!(
        "built {len} entries in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let small = BanksUpdate {
        version: 1,
        changed: (0..1_000)
            .map(|i| change(n.hash(), len + i, true))
            // An indexed entry is found by its id; its hash is not read.
            .chain((0..1_000).map(|i| change(PdqHash::from_words([0; 4]), i * 7, false)))
            .collect(),
        removed: Vec::new(),
    };
    let applied = banks.apply(small).expect("apply");
    println!("1,000 adds + 1,000 disables: {applied:?}");
    let rest = COMPACT_DELTA_MAX as i64 - 1_000;
    let started = Instant::now();
    let merge = BanksUpdate {
        version: 2,
        changed: (0..rest)
            .map(|i| change(n.hash(), len + 1_000 + i, true))
            .collect(),
        removed: Vec::new(),
    };
    let applied = banks.apply(merge).expect("apply");
    println!(
        "{rest} more adds, reaching {COMPACT_DELTA_MAX} pending: {applied:?} in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    assert!(matches!(applied.maintenance, Maintenance::Compacted { .. }));
}
