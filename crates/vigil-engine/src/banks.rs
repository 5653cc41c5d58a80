//! The hash banks a scan matches images against: every enabled bank entry
//! in one [`MatchIndex`], kept up to date in place as the store's banks
//! change, so that an added or disabled hash takes effect without reading
//! every entry again or rebuilding the index.
//!
//! [`Banks::build`] indexes the entries read at one store version;
//! [`Banks::apply`] then applies a [`BanksUpdate`] (what changed since that
//! version): a new entry goes into the index's delta segment, a disabled or
//! removed one becomes a tombstone, a re-enabled one loses its tombstone.
//!
//! # Concurrency
//!
//! The engine hands every scan an `Arc<Banks>`, and scans run on many
//! threads while the server applies changes. The index and the entries sit
//! behind one `RwLock`: a scan holds the read lock while it matches one
//! image (8 queries), an update holds the write lock only while it mutates.
//! Updates are serialised among themselves by a second lock, so the long
//! steps can run beside the scans:
//!
//! - adds, disables, enables and removals take the write lock for their
//!   own duration: tens of nanoseconds each (0.3 ms for 10,000 at 10M);
//! - merging the delta ([`MatchIndex::compact`]) takes the write lock once
//!   the delta passes [`COMPACT_DELTA_MAX`] entries or 1 /
//!   [`COMPACT_DELTA_SHARE_DIVISOR`] of the index: one pass over the
//!   tables, the longest pause a scan can see (`docs/match-index.md` has
//!   the measured figure);
//! - a full rebuild ([`MatchIndex::rebuilt`]: when the index has grown
//!   [`REBUILD_GROWTH`] times past the size it was laid out for, or when a
//!   merge would cross a power of two and rebuild the tables anyway) runs
//!   under the read lock, beside the scans, and only the swap of the
//!   finished index takes the write lock. It needs memory for both indexes
//!   meanwhile, as a reload from the store does.
//!
//! Copy-on-write (a new `Banks` per change) would never block a scan, but
//! each change would copy the index (805 MiB at 10M hashes) or need an
//! overlay that every query consults; a short write lock costs less.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use vigil_image::index::{EntryId, IndexError, IndexParams, MatchIndex, MAX_ENTRIES};
use vigil_image::PdqHash;

/// Pending adds are merged into the index's tables once there are this
/// many. Every query scans the delta by brute force (about 6 ns a hash
/// without hardware popcount, 8 queries per image), so 10,000 pending adds
/// cost about 0.5 ms per image; 100,000 would cost more than the query of a
/// 10M-hash index itself.
pub const COMPACT_DELTA_MAX: usize = 10_000;

/// Pending adds are also merged once they pass 1 / this of the index (5%),
/// so that a small index stays a small brute-force scan plus its tables.
pub const COMPACT_DELTA_SHARE_DIVISOR: usize = 20;

/// When a merge finds the index this many times larger than the size its
/// layout was chosen for, the index is rebuilt with the layout
/// [`IndexParams::for_len`] picks for its present size instead.
pub const REBUILD_GROWTH: usize = 2;

/// Indexes smaller than this are never rebuilt for having grown: any
/// layout answers them in microseconds.
const REBUILD_FLOOR: usize = 1_024;

/// One bank entry as the engine reports a match on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntryInfo {
    /// The bank.
    pub bank: String,
    /// A negative (known-benign) bank.
    pub negative: bool,
    /// The entry's id in the store.
    pub entry: i64,
    /// Its label.
    pub label: String,
    /// Where it came from.
    pub source: String,
}

/// One entry whose state changed in the store: its hash, what a match on it
/// reports, and whether it is now enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankEntryChange {
    /// The entry's PDQ hash (an entry's hash never changes).
    pub hash: PdqHash,
    /// What a match reports; `info.entry` is the store's id of the entry.
    pub info: BankEntryInfo,
    /// Whether it takes part in matching now.
    pub enabled: bool,
}

/// What changed in the store's banks after the version a [`Banks`] holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BanksUpdate {
    /// The store's banks version these changes lead to.
    pub version: i64,
    /// Entries added, enabled or disabled, as they are now.
    pub changed: Vec<BankEntryChange>,
    /// Store ids of removed entries. Applied before `changed`, so an id the
    /// store gave to a new entry after removing the old one is both.
    pub removed: Vec<i64>,
}

impl BanksUpdate {
    /// Entries changed or removed.
    pub fn len(&self) -> usize {
        self.changed.len() + self.removed.len()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What [`Banks::apply`] did to the index afterwards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Maintenance {
    /// Nothing: the delta is still small.
    #[default]
    None,
    /// The delta, this many hashes, was merged into the tables.
    Compacted {
        /// Hashes merged.
        merged: usize,
    },
    /// The index was rebuilt beside the scans and swapped in.
    Rebuilt {
        /// Hashes in the new index.
        len: usize,
    },
}

/// What [`Banks::apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Entries newly indexed.
    pub added: usize,
    /// Indexed entries enabled again.
    pub enabled: usize,
    /// Indexed entries disabled.
    pub disabled: usize,
    /// Indexed entries removed (hidden for good).
    pub removed: usize,
    /// Changes that found the entry already in the state given (or a
    /// disabled entry the index never held).
    pub unchanged: usize,
    /// Compaction or rebuild.
    pub maintenance: Maintenance,
    /// The longest time the write lock was held, during which scans wait.
    pub longest_pause: Duration,
}

/// Every enabled bank entry, indexed for within-distance search, updatable
/// while scans read it (see the module documentation).
///
/// ```
/// use vigil_engine::{BankEntryChange, BankEntryInfo, Banks, BanksUpdate};
/// use vigil_image::PdqHash;
///
/// let info = |entry| BankEntryInfo {
///     bank: "known_bad".to_owned(),
///     negative: false,
///     entry,
///     label: String::new(),
///     source: String::new(),
/// };
/// let a = PdqHash::from_words([1, 2, 3, 4]);
/// let b = PdqHash::from_words([5, 6, 7, 8]);
/// let banks = Banks::build(vec![(a, info(10))], 3)?;
///
/// let applied = banks.apply(BanksUpdate {
///     version: 5,
///     changed: vec![BankEntryChange { hash: b, info: info(11), enabled: true }],
///     removed: vec![10],
/// })?;
/// assert_eq!((applied.added, applied.removed), (1, 1));
/// assert_eq!((banks.len(), banks.version()), (1, 5));
/// # Ok::<(), vigil_image::index::IndexError>(())
/// ```
#[derive(Debug, Default)]
pub struct Banks {
    /// Held for the whole of an update, so that one update can rebuild
    /// under the read lock without another changing the index meanwhile.
    updating: Mutex<()>,
    state: RwLock<BanksState>,
}

/// What the lock guards. Scans read `index` and `entries` (in `image.rs`).
#[derive(Debug, Default)]
pub(crate) struct BanksState {
    pub(crate) index: MatchIndex,
    /// What each indexed hash reports, at its [`EntryId`]: one per hash in
    /// the index, removed ones included (they are tombstoned there).
    pub(crate) entries: Vec<BankEntryInfo>,
    ids: StoreIds,
    /// Entries the index holds and does not hide.
    enabled: usize,
    version: i64,
    /// Hashes the index's layout was chosen for.
    laid_out_for: usize,
}

/// Finds the [`EntryId`] of a store id.
///
/// The entries of a build come from the store in id order, so they are
/// found by binary search in `entries[..sorted]` and cost no memory beyond
/// the entries themselves; a map of 10M ids would cost about 200 MB. Only
/// entries indexed later go into a map.
#[derive(Debug, Default)]
struct StoreIds {
    sorted: usize,
    /// Positions in `entries[..sorted]` whose entry was removed.
    removed: HashSet<EntryId>,
    later: HashMap<i64, EntryId>,
}

impl StoreIds {
    fn find(&self, entries: &[BankEntryInfo], id: i64) -> Option<EntryId> {
        if let Some(&at) = self.later.get(&id) {
            return Some(at);
        }
        let at = entries[..self.sorted]
            .binary_search_by_key(&id, |info| info.entry)
            .ok()?;
        // An index never holds 2^32 hashes (`Banks::build` refuses), so the
        // conversion cannot fail; if it did, the id is simply not found.
        let at = EntryId(u32::try_from(at).ok()?);
        (!self.removed.contains(&at)).then_some(at)
    }

    fn forget(&mut self, entries: &[BankEntryInfo], id: i64) -> Option<EntryId> {
        if let Some(at) = self.later.remove(&id) {
            return Some(at);
        }
        let at = self.find(entries, id)?;
        self.removed.insert(at);
        Some(at)
    }
}

impl Banks {
    /// An index over `entries`; `version` is the store's banks version they
    /// were read at (read before the entries, so that later changes are
    /// applied on top). A store id may appear once.
    pub fn build(
        mut entries: Vec<(PdqHash, BankEntryInfo)>,
        version: i64,
    ) -> Result<Banks, IndexError> {
        // The store lists entries in id order already; this only checks.
        if !entries.is_sorted_by_key(|(_, info)| info.entry) {
            entries.sort_unstable_by_key(|(_, info)| info.entry);
        }
        let index = MatchIndex::build(
            entries
                .iter()
                .enumerate()
                .map(|(i, (hash, _))| (*hash, EntryId(i as u32))),
        )?;
        let entries: Vec<BankEntryInfo> = entries.into_iter().map(|(_, info)| info).collect();
        let state = BanksState {
            index,
            ids: StoreIds {
                sorted: entries.len(),
                ..StoreIds::default()
            },
            enabled: entries.len(),
            laid_out_for: entries.len(),
            entries,
            version,
        };
        Ok(Banks {
            updating: Mutex::new(()),
            state: RwLock::new(state),
        })
    }

    /// Applies what changed in the store since [`Banks::version`]: removals
    /// first, then each changed entry's state; then merges or rebuilds the
    /// index when its delta has grown (see the module documentation).
    /// Scans running meanwhile see each image's matches wholly before or
    /// wholly after the changes.
    ///
    /// Applying the same changes twice changes nothing the second time, so
    /// changes read from a version older than the one the entries were
    /// really read at are safe. An error ([`IndexError::TooManyEntries`])
    /// leaves the changes before it applied and the version as it was.
    pub fn apply(&self, update: BanksUpdate) -> Result<Applied, IndexError> {
        let _updating = self.updating.lock().unwrap_or_else(PoisonError::into_inner);
        let mut applied = Applied::default();
        {
            let mut state = self.write();
            let held = Instant::now();
            let result = state.apply_changes(update, &mut applied);
            applied.longest_pause = held.elapsed();
            result?;
        }
        applied.maintenance = self.maintain(&mut applied.longest_pause);
        Ok(applied)
    }

    /// Merges the delta, under the write lock, once it is large enough; or
    /// rebuilds beside the scans when a merge would rebuild the tables
    /// anyway or the index has outgrown its layout.
    fn maintain(&self, longest_pause: &mut Duration) -> Maintenance {
        let (len, delta, params, laid_out_for) = {
            let state = self.read();
            let index = &state.index;
            (
                index.len(),
                index.delta_len(),
                index.params(),
                state.laid_out_for,
            )
        };
        if delta == 0 || (delta < COMPACT_DELTA_MAX && delta * COMPACT_DELTA_SHARE_DIVISOR < len) {
            return Maintenance::None;
        }
        let outgrown = len >= REBUILD_GROWTH * laid_out_for.max(REBUILD_FLOOR)
            && IndexParams::for_len(len) != params;
        if !outgrown && position_bits(len - delta) == position_bits(len) {
            let mut state = self.write();
            let held = Instant::now();
            state.index.compact();
            *longest_pause = (*longest_pause).max(held.elapsed());
            return Maintenance::Compacted { merged: delta };
        }
        // Only this thread changes the index (`updating` is held), so what
        // is rebuilt under the read lock is still current at the swap.
        let fresh = self.read().index.rebuilt();
        let old = {
            let mut state = self.write();
            let held = Instant::now();
            let old = std::mem::replace(&mut state.index, fresh);
            state.laid_out_for = len;
            *longest_pause = (*longest_pause).max(held.elapsed());
            old
        };
        // Freed after the lock is released: returning 800 MB to the
        // allocator is not instant either.
        drop(old);
        Maintenance::Rebuilt { len }
    }

    /// Enabled entries: those a scan can match.
    pub fn len(&self) -> usize {
        self.read().enabled
    }

    /// Whether no enabled entry is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hashes the index holds, hidden ones included.
    pub fn indexed_len(&self) -> usize {
        self.read().index.len()
    }

    /// Hashes the index holds but hides (disabled or removed entries). A
    /// fresh [`Banks::build`] from the store's enabled entries drops them.
    pub fn hidden_len(&self) -> usize {
        let state = self.read();
        state.index.len() - state.enabled
    }

    /// The store's banks version the entries are at.
    pub fn version(&self) -> i64 {
        self.read().version
    }

    /// The index and its entries, for one image's matching. Hold it no
    /// longer than that: an update waits for it.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, BanksState> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, BanksState> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl BanksState {
    fn apply_changes(
        &mut self,
        update: BanksUpdate,
        applied: &mut Applied,
    ) -> Result<(), IndexError> {
        for id in update.removed {
            match self.ids.forget(&self.entries, id) {
                Some(at) => {
                    if self.index.disable(at) {
                        self.enabled -= 1;
                    }
                    applied.removed += 1;
                }
                None => applied.unchanged += 1,
            }
        }
        for change in update.changed {
            match self.ids.find(&self.entries, change.info.entry) {
                Some(at) if change.enabled => {
                    if self.index.enable(at) {
                        self.enabled += 1;
                        applied.enabled += 1;
                    } else {
                        applied.unchanged += 1;
                    }
                }
                Some(at) => {
                    if self.index.disable(at) {
                        self.enabled -= 1;
                        applied.disabled += 1;
                    } else {
                        applied.unchanged += 1;
                    }
                }
                None if change.enabled => {
                    self.add(change)?;
                    applied.added += 1;
                }
                // Disabled and not indexed: nothing to hide.
                None => applied.unchanged += 1,
            }
        }
        self.version = update.version;
        Ok(())
    }

    /// Indexes a new entry at the next [`EntryId`].
    fn add(&mut self, change: BankEntryChange) -> Result<(), IndexError> {
        let too_many = IndexError::TooManyEntries {
            len: self.entries.len() + 1,
            max: MAX_ENTRIES,
        };
        let at = EntryId(u32::try_from(self.entries.len()).map_err(|_| too_many)?);
        self.index.add(change.hash, at)?;
        self.ids.later.insert(change.info.entry, at);
        self.entries.push(change.info);
        self.enabled += 1;
        Ok(())
    }
}

/// Bits a table entry of the index spends on a hash's position, as
/// `vigil_image::index` counts them for `len` hashes. When a merge would
/// change it, [`MatchIndex::compact`] rebuilds every table in place (3 s at
/// 10M), so [`Banks`] rebuilds beside the scans instead. Were this to
/// disagree with the index, a merge would only take longer, never answer
/// differently.
fn position_bits(len: usize) -> u32 {
    (usize::BITS - len.saturating_sub(1).leading_zeros()).max(1)
}

#[cfg(test)]
mod tests;
