//! The hash banks the engine matches against: read from the store and
//! indexed at start, then kept current by applying only what changed.
//!
//! At each reload period the watcher compares the store's banks version
//! with the one the engine's [`Banks`] holds. When they differ it reads the
//! changes since the held version ([`Store::bank_changes_since`]: two
//! indexed reads, sized by the change) and applies them to the index in
//! place ([`Banks::apply`]), so that an added or disabled hash takes effect
//! within one period without re-reading every entry. It reads and builds
//! everything again ([`load_banks`]) only when that is cheaper or needed: a
//! change set larger than a fifth of the index, an index more than half
//! hidden (disabled or removed entries), or a store whose version went
//! backwards (another file put in place).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vigil_engine::{
    Applied, BankEntryChange, BankEntryInfo, Banks, BanksUpdate, Engine, Maintenance,
};
use vigil_store::{BankEntry, BankKind, Store};

use crate::log;

/// A change set larger than 1 / this of the index (a fifth) is loaded from
/// scratch instead of applied: the result is a compact index with the
/// layout for its size, at a cost close to applying that many changes.
const RELOAD_SHARE_DIVISOR: usize = 5;

/// Change sets up to this size are always applied: applying them takes
/// milliseconds whatever the size of the index.
const RELOAD_MIN_CHANGES: usize = 10_000;

/// Every enabled entry of every bank, indexed, at the store's current banks
/// version.
pub async fn load_banks(store: &Store) -> Result<Banks, String> {
    // The version first: a write that lands before the entries are read is
    // then applied again on top, which changes nothing.
    let version = store.banks_version().await.map_err(|e| e.to_string())?;
    let kinds = store.bank_kinds().await.map_err(|e| e.to_string())?;
    let entries = store
        .all_enabled_entries()
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || {
        let entries = entries
            .into_iter()
            .map(|e| indexed(e, &kinds).map(|change| (change.hash, change.info)))
            .collect::<Result<Vec<_>, _>>()?;
        Banks::build(entries, version).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A stored entry as the engine indexes it.
fn indexed(
    entry: BankEntry,
    kinds: &BTreeMap<String, BankKind>,
) -> Result<BankEntryChange, String> {
    let hash = entry
        .hash
        .parse()
        .map_err(|err| format!("bank {} entry #{}: {err}", entry.bank, entry.id))?;
    Ok(BankEntryChange {
        hash,
        info: BankEntryInfo {
            negative: kinds.get(&entry.bank) == Some(&BankKind::Negative),
            bank: entry.bank,
            entry: entry.id,
            label: entry.label,
            source: entry.source,
        },
        enabled: entry.enabled,
    })
}

/// What one look at the store's banks did.
#[derive(Debug)]
pub(crate) enum Refresh {
    /// The version had not moved.
    Unchanged,
    /// The changes were applied to the index in place.
    Applied {
        /// Entries changed or removed in the store.
        changes: usize,
        /// What applying them did.
        applied: Applied,
        /// The version reached.
        version: i64,
        /// Reading and applying, end to end.
        took: Duration,
    },
    /// Everything was read and indexed again, and swapped in.
    Rebuilt {
        /// Enabled entries indexed.
        entries: usize,
        /// The version reached.
        version: i64,
        /// Why not incrementally.
        reason: String,
        /// Reading and building, end to end.
        took: Duration,
    },
}

impl fmt::Display for Refresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refresh::Unchanged => f.write_str("hash banks unchanged"),
            Refresh::Applied {
                changes,
                applied,
                version,
                took,
            } => {
                let plural = if *changes == 1 { "" } else { "s" };
                write!(
                    f,
                    "hash banks: applied {changes} change{plural} ({} added, {} enabled, {} disabled, {} removed",
                    applied.added, applied.enabled, applied.disabled, applied.removed
                )?;
                match applied.maintenance {
                    Maintenance::None => {}
                    Maintenance::Compacted { merged } => {
                        write!(f, "; {merged} pending hashes merged into the index")?
                    }
                    Maintenance::Rebuilt { len } => {
                        write!(f, "; index laid out anew for {len} hashes beside the scans")?
                    }
                }
                write!(
                    f,
                    ") to reach version {version} in {:.1} ms; scans waited at most {:.1} ms",
                    millis(*took),
                    millis(applied.longest_pause)
                )
            }
            Refresh::Rebuilt {
                entries,
                version,
                reason,
                took,
            } => write!(
                f,
                "hash banks rebuilt from the store: {entries} entries at version {version} in {:.1} ms ({reason})",
                millis(*took)
            ),
        }
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Brings the engine's banks to the store's version: the changes since the
/// version held, applied in place, or everything read again where that is
/// cheaper or needed (see the module documentation).
pub(crate) async fn refresh_banks(engine: &Engine, store: &Store) -> Result<Refresh, String> {
    let started = Instant::now();
    let version = store.banks_version().await.map_err(|e| e.to_string())?;
    let banks = engine.banks();
    let held = banks.version();
    if version == held {
        return Ok(Refresh::Unchanged);
    }
    let limit = (banks.indexed_len() / RELOAD_SHARE_DIVISOR).max(RELOAD_MIN_CHANGES);
    let reason = if version < held {
        format!("the store's banks version went back from {held} to {version}")
    } else if banks.hidden_len() > (banks.indexed_len() / 2).max(RELOAD_MIN_CHANGES) {
        format!(
            "{} of the {} indexed hashes were disabled or removed",
            banks.hidden_len(),
            banks.indexed_len()
        )
    } else {
        let changes = store
            .bank_changes_since(held)
            .await
            .map_err(|e| e.to_string())?;
        if changes.len() <= limit {
            return apply_changes(banks, changes, started).await;
        }
        format!("{} changes, more than {limit}", changes.len())
    };
    let fresh = load_banks(store).await?;
    let refresh = Refresh::Rebuilt {
        entries: fresh.len(),
        version: fresh.version(),
        reason,
        took: started.elapsed(),
    };
    engine.replace_banks(fresh);
    Ok(refresh)
}

/// Applies `changes` to `banks` on the blocking pool (a merge or a rebuild
/// of the index can take a while; scans go on meanwhile).
async fn apply_changes(
    banks: Arc<Banks>,
    changes: vigil_store::BankChanges,
    started: Instant,
) -> Result<Refresh, String> {
    let count = changes.len();
    let kinds = changes.kinds;
    let update = BanksUpdate {
        version: changes.version,
        changed: changes
            .changed
            .into_iter()
            .map(|e| indexed(e, &kinds))
            .collect::<Result<_, _>>()?,
        removed: changes.removed,
    };
    let version = update.version;
    let applied = tokio::task::spawn_blocking(move || banks.apply(update))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(Refresh::Applied {
        changes: count,
        applied,
        version,
        took: started.elapsed(),
    })
}

/// What is wrong between the policy's `[banks.NAME]` and the store's banks:
/// a bank the policy names that does not exist, or whose kind disagrees.
pub async fn check_policy_banks(store: &Store, policy: &vigil_policy::Policy) -> Vec<String> {
    let Ok(banks) = store.list_banks().await else {
        return vec!["cannot list the store's hash banks".to_owned()];
    };
    let mut problems = Vec::new();
    for used in &policy.banks {
        match banks.iter().find(|b| b.name == used.name) {
            None => problems.push(format!(
                "the policy uses hash bank `{}`, which the store does not have (create it with `vigil bank create`)",
                used.name
            )),
            Some(b) if used.suppress && b.kind != BankKind::Negative => problems.push(format!(
                "the policy suppresses with bank `{}`, but it is a positive bank",
                used.name
            )),
            Some(b) if !used.suppress && b.kind == BankKind::Negative => problems.push(format!(
                "the policy signals `{}` from bank `{}`, but it is a negative bank",
                used.category.map_or("?", |c| c.as_str()),
                used.name
            )),
            Some(_) => {}
        }
    }
    problems
}

/// Keeps the engine's banks at the store's version, looking every `every`.
pub(crate) async fn watch_banks(engine: Arc<Engine>, store: Store, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match refresh_banks(&engine, &store).await {
            Ok(Refresh::Unchanged) => {}
            Ok(refresh) => log("info", refresh),
            Err(e) => log("error", format_args!("hash banks not refreshed: {e}")),
        }
        match crate::media_banks::refresh_media_banks(&engine, &store).await {
            Ok(None) => {}
            Ok(Some(said)) => log("info", said),
            Err(e) => log(
                "error",
                format_args!("video and audio banks not refreshed: {e}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use vigil_engine::{Limits, PolicyState, TextModels, TextScorer};
    use vigil_store::NewEntry;

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

        /// A random PDQ hash as 64 hex digits.
        fn hash(&mut self) -> String {
            (0..4).map(|_| format!("{:016x}", self.next())).collect()
        }
    }

    fn engine() -> Engine {
        let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/default.toml");
        Engine::new(
            TextScorer::load(&TextModels::default()).expect("the shipped text model loads"),
            PolicyState::load(&policy).expect("the default policy is valid"),
            Limits::default(),
        )
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime")
    }

    #[test]
    fn small_changes_are_applied_and_large_ones_reloaded() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let runtime = runtime();
        let engine = engine();
        runtime.block_on(async {
            let store = Store::open_sqlite(&dir.path().join("vigil.db"))
                .await
                .expect("a store");
            let mut n = Numbers(1);
            store
                .create_bank("bad", BankKind::Positive, "")
                .await
                .expect("create");
            let first: Vec<NewEntry> = (0..10).map(|_| NewEntry::new(n.hash())).collect();
            store.add_bank_entries("bad", &first).await.expect("add");
            engine.replace_banks(load_banks(&store).await.expect("load"));
            assert!(matches!(
                refresh_banks(&engine, &store).await,
                Ok(Refresh::Unchanged)
            ));

            store
                .add_bank_entries("bad", &[NewEntry::new(n.hash())])
                .await
                .expect("add");
            store
                .set_entry_enabled("bad", &first[0].hash, false)
                .await
                .expect("disable");
            let refresh = refresh_banks(&engine, &store).await.expect("refresh");
            assert!(
                refresh.to_string().starts_with(
                    "hash banks: applied 2 changes (1 added, 0 enabled, 1 disabled, 0 removed"
                ),
                "{refresh}"
            );
            assert_eq!(engine.banks().len(), 10);
            assert_eq!(
                engine.banks().version(),
                store.banks_version().await.expect("version")
            );

            // More changes than RELOAD_MIN_CHANGES and a fifth of the index.
            let many: Vec<NewEntry> = (0..=RELOAD_MIN_CHANGES)
                .map(|_| NewEntry::new(n.hash()))
                .collect();
            store.add_bank_entries("bad", &many).await.expect("add");
            let refresh = refresh_banks(&engine, &store).await.expect("refresh");
            let line = refresh.to_string();
            assert!(
                line.starts_with("hash banks rebuilt from the store"),
                "{line}"
            );
            assert!(line.contains("10001 changes, more than 10000"), "{line}");
            assert_eq!(engine.banks().len(), 10 + RELOAD_MIN_CHANGES + 1);
            store.close().await;
        });
    }

    /// The figures for BENCHMARKS.md: a full load of a bank of N random
    /// hashes (1,000,000 unless `VIGIL_BANKS_MEASURE_N` says otherwise)
    /// against an incremental refresh after 1,000 adds and 1,000 disables.
    ///
    /// ```text
    /// cargo test --release -p vigil-server --lib -- --ignored --nocapture bank_refresh_measurement
    /// ```
    #[test]
    #[ignore = "a measurement of a million-entry bank; run by hand in release"]
    fn bank_refresh_measurement() {
        let n_entries: usize = std::env::var("VIGIL_BANKS_MEASURE_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        const CHUNK: usize = 50_000;
        const ADDS: usize = 1_000;
        const DISABLES: usize = 1_000;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let runtime = runtime();
        let engine = engine();
        runtime.block_on(async {
            let store = Store::open_sqlite(&dir.path().join("vigil.db"))
                .await
                .expect("a store");
            store
                .create_bank("big", BankKind::Positive, "")
                .await
                .expect("create");
            let mut n = Numbers(42);
            let mut first_hashes = Vec::new();
            let started = Instant::now();
            for chunk_start in (0..n_entries).step_by(CHUNK) {
                let entries: Vec<NewEntry> = (chunk_start..n_entries.min(chunk_start + CHUNK))
                    .map(|_| NewEntry::new(n.hash()))
                    .collect();
                if first_hashes.len() < DISABLES {
                    first_hashes.extend(entries.iter().take(DISABLES).map(|e| e.hash.clone()));
                }
                store.add_bank_entries("big", &entries).await.expect("add");
            }
            println!(
                "inserted {n_entries} entries in chunks of {CHUNK}: {:.1} s",
                started.elapsed().as_secs_f64()
            );

            let started = Instant::now();
            let read = store.all_enabled_entries().await.expect("read");
            let read_s = started.elapsed().as_secs_f64();
            drop(read);
            let started = Instant::now();
            let banks = load_banks(&store).await.expect("load");
            let load_s = started.elapsed().as_secs_f64();
            println!(
                "full load_banks (read + parse + build) of {} entries: {load_s:.2} s \
                 (the read alone, measured separately: {read_s:.2} s)",
                banks.len()
            );
            engine.replace_banks(banks);

            let adds: Vec<NewEntry> = (0..ADDS).map(|_| NewEntry::new(n.hash())).collect();
            store.add_bank_entries("big", &adds).await.expect("add");
            for hash in first_hashes.iter().take(DISABLES) {
                store
                    .set_entry_enabled("big", hash, false)
                    .await
                    .expect("disable");
            }
            let held = engine.banks().version();
            let started = Instant::now();
            let changes = store.bank_changes_since(held).await.expect("changes");
            println!(
                "bank_changes_since alone: {} changes in {:.1} ms",
                changes.len(),
                started.elapsed().as_secs_f64() * 1e3
            );
            let refresh = refresh_banks(&engine, &store).await.expect("refresh");
            println!("incremental refresh (read changes + apply): {refresh}");
            assert!(matches!(refresh, Refresh::Applied { .. }), "{refresh}");
            assert_eq!(engine.banks().len(), n_entries + ADDS - DISABLES);
            store.close().await;
        });
    }
}
