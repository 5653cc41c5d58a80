//! An exact within-distance match index over PDQ hashes: every indexed hash
//! within the asked Hamming distance of a query, and nothing else.
//!
//! The index is multi-index hashing (Norouzi, Punjani and Fleet, 2012). The
//! 256 bits are cut into `m` disjoint substrings, one table each. If two
//! hashes differ in at most `r` bits, then for any radii `r_i` with
//! `Σ (r_i + 1) = r + 1` some substring `i` differs in at most `r_i` bits
//! (pigeonhole: were every substring `r_i + 1` or more apart, the whole would
//! be `r + 1` or more apart). So a query probes each table with every
//! variant of its substring within `r_i` and checks each candidate with the
//! full 256-bit distance. A candidate is kept only from the first table that
//! finds it, which dedupes without a visited set.
//!
//! A table is a directory of `2^p` buckets addressed by the top `p` bits of
//! its substring (CSR offsets) over one `u32` per hash packing the hash's
//! position with the substring's remaining low bits, so a bucket's entries
//! are filtered on the whole substring before any hash is read. Variants are
//! enumerated over the `p` directory bits only; the low bits are compared
//! with what is left of the radius.
//!
//! Updates never rebuild on the query path: [`MatchIndex::add`] appends to a
//! small delta segment that queries scan, [`MatchIndex::disable`] marks an id
//! in a tombstone set that queries consult for hits only, and
//! [`MatchIndex::compact`] merges the delta into the tables in one pass over
//! them. `docs/match-index.md` has the parameters, memory per hash and
//! measured figures.

mod bits;
mod table;

use std::collections::HashSet;

use crate::PdqHash;
use bits::{at_most_bits_set, ball_volume, for_each_flip, low_mask, word_distance};
use table::{build_tables, merge_tables, position_bits_for, table_specs, SubstringTable};

/// The most hashes one index holds: positions are packed into 31 bits.
pub const MAX_ENTRIES: usize = 1 << 31;

const MIN_SUBSTRINGS: u32 = 8;
const MAX_SUBSTRINGS: u32 = 64;
const MAX_BUCKET_BITS: u32 = 24;

/// The caller's name for one indexed hash, such as a hash bank's row number.
///
/// Ids need not be unique: an id indexed with two hashes is reported once per
/// hash that matches, and disabling it disables both.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct EntryId(pub u32);

/// One indexed hash within the asked distance of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// The id the hash was indexed under.
    pub id: EntryId,
    /// Bits in which the indexed hash and the query differ.
    pub distance: u32,
}

/// The layout of an index's tables. [`IndexParams::for_len`] chooses them;
/// any valid choice gives the same answers, only faster or slower.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct IndexParams {
    /// `m`: the 256 bits are cut into this many disjoint substrings of
    /// `256 / m` or one more bits, one table each (8 to 64). Each table costs
    /// 4 bytes per hash.
    pub substrings: u32,
    /// Each table's directory has `2^bucket_bits` buckets (0 to 24), more
    /// where the substring's low bits do not fit beside a position.
    pub bucket_bits: u32,
}

impl IndexParams {
    /// The layout for about `len` hashes, tuned for queries at distance 31
    /// on the development machine (`docs/match-index.md`): substrings of
    /// about `log2(len) + 3` bits, which balances directory probes against
    /// random candidates (11 tables at a million hashes, 10 at ten million),
    /// kept between 10 tables (memory) and 16; about 4 hashes per bucket.
    pub fn for_len(len: usize) -> IndexParams {
        let log2_len = (len.max(2) as f64).log2();
        let substrings = (256.0 / (log2_len + 3.0)).round().clamp(10.0, 16.0) as u32;
        let bucket_bits = (log2_len.round() - 2.0).clamp(0.0, f64::from(MAX_BUCKET_BITS)) as u32;
        IndexParams {
            substrings,
            bucket_bits,
        }
    }

    /// Refuses a layout outside the documented ranges.
    pub fn validate(&self) -> Result<(), IndexError> {
        if !(MIN_SUBSTRINGS..=MAX_SUBSTRINGS).contains(&self.substrings) {
            return Err(IndexError::SubstringsOutOfRange(self.substrings));
        }
        if self.bucket_bits > MAX_BUCKET_BITS {
            return Err(IndexError::BucketBitsOutOfRange(self.bucket_bits));
        }
        Ok(())
    }
}

/// How a query reads the main segment. The delta segment is always scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum QueryPlan {
    /// Probe the substring tables and verify candidates.
    MultiIndex,
    /// Compare the query with every hash (cheaper at large distances).
    Scan,
}

/// What an index refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// More hashes than positions can address.
    #[error("an index holds at most {max} hashes; {len} were given")]
    TooManyEntries {
        /// How many there would have been.
        len: usize,
        /// [`MAX_ENTRIES`].
        max: usize,
    },
    /// `IndexParams::substrings` outside 8 to 64.
    #[error("substrings must be from 8 to 64, not {0}")]
    SubstringsOutOfRange(u32),
    /// `IndexParams::bucket_bits` above 24.
    #[error("bucket_bits must be at most 24, not {0}")]
    BucketBitsOutOfRange(u32),
}

/// Heap bytes an index holds, by part (capacities, not lengths).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct IndexMemory {
    /// The main segment's hashes, 32 bytes each.
    pub hashes_bytes: usize,
    /// The main segment's ids, 4 bytes each.
    pub ids_bytes: usize,
    /// The substring tables: 4 bytes per hash per table plus directories.
    pub tables_bytes: usize,
    /// The delta segment, 36 bytes per hash.
    pub delta_bytes: usize,
    /// The tombstone set (an estimate of the hash set's allocation).
    pub tombstones_bytes: usize,
}

impl IndexMemory {
    /// All parts together.
    pub fn total_bytes(&self) -> usize {
        self.hashes_bytes
            + self.ids_bytes
            + self.tables_bytes
            + self.delta_bytes
            + self.tombstones_bytes
    }
}

/// An exact within-distance index of `(PdqHash, EntryId)` pairs.
///
/// ```
/// use vigil_image::index::{EntryId, Match, MatchIndex};
/// use vigil_image::PdqHash;
///
/// let a: PdqHash = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22".parse()?;
/// let b: PdqHash = "f8f8f0cee0f4a84f06370a2a038f63f0b36e26d596621e1d33e6b39c4e9c9b22".parse()?;
/// let mut index = MatchIndex::build([(a, EntryId(7))])?;
/// index.add(b, EntryId(8))?;
/// assert_eq!(
///     index.query(&a, 31),
///     vec![Match { id: EntryId(7), distance: 0 }, Match { id: EntryId(8), distance: 2 }]
/// );
/// index.disable(EntryId(7));
/// index.compact();
/// assert_eq!(index.query(&a, 31), vec![Match { id: EntryId(8), distance: 2 }]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchIndex {
    params: IndexParams,
    /// Bits of a table entry that hold a position in the main segment.
    position_bits: u32,
    hashes: Vec<[u64; 4]>,
    ids: Vec<EntryId>,
    tables: Vec<SubstringTable>,
    delta_hashes: Vec<[u64; 4]>,
    delta_ids: Vec<EntryId>,
    disabled: HashSet<EntryId>,
}

impl Default for MatchIndex {
    fn default() -> Self {
        MatchIndex::from_parts(Vec::new(), Vec::new(), IndexParams::for_len(0))
    }
}

impl MatchIndex {
    /// An index of `entries`, laid out by [`IndexParams::for_len`].
    pub fn build(
        entries: impl IntoIterator<Item = (PdqHash, EntryId)>,
    ) -> Result<MatchIndex, IndexError> {
        let (hashes, ids) = collect_entries(entries)?;
        let params = IndexParams::for_len(hashes.len());
        Ok(MatchIndex::from_parts(hashes, ids, params))
    }

    /// An index of `entries` with a chosen layout.
    pub fn build_with_params(
        entries: impl IntoIterator<Item = (PdqHash, EntryId)>,
        params: IndexParams,
    ) -> Result<MatchIndex, IndexError> {
        params.validate()?;
        let (hashes, ids) = collect_entries(entries)?;
        Ok(MatchIndex::from_parts(hashes, ids, params))
    }

    fn from_parts(hashes: Vec<[u64; 4]>, ids: Vec<EntryId>, params: IndexParams) -> MatchIndex {
        let position_bits = position_bits_for(hashes.len());
        let tables = build_tables(&table_specs(params, position_bits), &hashes, position_bits);
        MatchIndex {
            params,
            position_bits,
            hashes,
            ids,
            tables,
            delta_hashes: Vec::new(),
            delta_ids: Vec::new(),
            disabled: HashSet::new(),
        }
    }

    /// The layout in use (kept by [`MatchIndex::compact`]).
    pub fn params(&self) -> IndexParams {
        self.params
    }

    /// Indexed pairs, disabled ones included.
    pub fn len(&self) -> usize {
        self.hashes.len() + self.delta_hashes.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pairs added since the last compaction (scanned by every query).
    pub fn delta_len(&self) -> usize {
        self.delta_hashes.len()
    }

    /// Every indexed pair, disabled ones included: the main segment in
    /// build order, then the delta in order of addition.
    pub fn entries(&self) -> impl Iterator<Item = (PdqHash, EntryId)> + '_ {
        let main = self.hashes.iter().zip(&self.ids);
        let delta = self.delta_hashes.iter().zip(&self.delta_ids);
        main.chain(delta)
            .map(|(words, &id)| (PdqHash::from_words(*words), id))
    }

    /// Indexes one more pair, seen by the next query. It lives in the delta
    /// segment until [`MatchIndex::compact`].
    pub fn add(&mut self, hash: PdqHash, id: EntryId) -> Result<(), IndexError> {
        let len = self.len() + 1;
        if len > MAX_ENTRIES {
            return Err(IndexError::TooManyEntries {
                len,
                max: MAX_ENTRIES,
            });
        }
        self.delta_hashes.push(hash.words());
        self.delta_ids.push(id);
        Ok(())
    }

    /// Hides every pair with this id from queries until it is enabled,
    /// including pairs added later. Returns whether it was enabled.
    pub fn disable(&mut self, id: EntryId) -> bool {
        self.disabled.insert(id)
    }

    /// Shows the id's pairs again. Returns whether it was disabled.
    pub fn enable(&mut self, id: EntryId) -> bool {
        self.disabled.remove(&id)
    }

    /// Whether the id is disabled.
    pub fn is_disabled(&self, id: EntryId) -> bool {
        self.disabled.contains(&id)
    }

    /// Merges the delta segment into the tables: one pass over each table,
    /// no re-reading of the indexed hashes, about the memory of one more
    /// delta. Tombstones are kept. The result equals an index built from
    /// [`MatchIndex::entries`] with the same params (a full rebuild happens
    /// only when the positions outgrow their bits, at a power of two).
    pub fn compact(&mut self) {
        if self.delta_hashes.is_empty() {
            return;
        }
        let first_new = self.hashes.len();
        self.hashes.reserve_exact(self.delta_hashes.len());
        self.hashes.append(&mut self.delta_hashes);
        self.ids.reserve_exact(self.delta_ids.len());
        self.ids.append(&mut self.delta_ids);
        self.delta_hashes = Vec::new();
        self.delta_ids = Vec::new();
        let position_bits = position_bits_for(self.hashes.len());
        if position_bits == self.position_bits {
            merge_tables(&mut self.tables, &self.hashes, first_new, position_bits);
        } else {
            self.tables = Vec::new();
            self.position_bits = position_bits;
            let specs = table_specs(self.params, position_bits);
            self.tables = build_tables(&specs, &self.hashes, position_bits);
        }
    }

    /// A fresh index of the same pairs and tombstones, laid out by
    /// [`IndexParams::for_len`] for its present size. Compaction keeps the
    /// layout an index was built with, so one that has grown far past it
    /// (an empty index filled by adds, say) answers more slowly, though
    /// still exactly, until it is rebuilt. Needs memory for both indexes.
    pub fn rebuilt(&self) -> MatchIndex {
        let mut hashes = Vec::with_capacity(self.len());
        hashes.extend_from_slice(&self.hashes);
        hashes.extend_from_slice(&self.delta_hashes);
        let mut ids = Vec::with_capacity(self.len());
        ids.extend_from_slice(&self.ids);
        ids.extend_from_slice(&self.delta_ids);
        let mut index = MatchIndex::from_parts(hashes, ids, IndexParams::for_len(self.len()));
        index.disabled = self.disabled.clone();
        index
    }

    /// Heap bytes held, by part.
    pub fn memory(&self) -> IndexMemory {
        let tables_bytes = self
            .tables
            .iter()
            .map(|t| 4 * (t.offsets.capacity() + t.entries.capacity()))
            .sum();
        IndexMemory {
            hashes_bytes: 32 * self.hashes.capacity(),
            ids_bytes: 4 * self.ids.capacity(),
            tables_bytes,
            delta_bytes: 32 * self.delta_hashes.capacity() + 4 * self.delta_ids.capacity(),
            tombstones_bytes: 5 * self.disabled.capacity(),
        }
    }

    /// Every enabled pair within `max_distance` bits of `hash`, sorted by
    /// distance then id. Exact at every distance: the index probes its
    /// tables where that is expected to be cheaper than a scan (up to about
    /// 56 bits at a million hashes, past 64 at ten million) and scans
    /// otherwise.
    pub fn query(&self, hash: &PdqHash, max_distance: u32) -> Vec<Match> {
        let mut out = Vec::new();
        self.query_into(hash, max_distance, &mut out);
        out
    }

    /// [`MatchIndex::query`] into a reused vector (cleared first).
    pub fn query_into(&self, hash: &PdqHash, max_distance: u32, out: &mut Vec<Match>) {
        self.query_with_plan(hash, max_distance, self.plan(max_distance), out);
    }

    /// [`MatchIndex::query_into`] with a forced plan; both plans give the
    /// same answer.
    pub fn query_with_plan(
        &self,
        hash: &PdqHash,
        max_distance: u32,
        plan: QueryPlan,
        out: &mut Vec<Match>,
    ) {
        out.clear();
        let query = hash.words();
        match plan {
            QueryPlan::MultiIndex => self.probe_tables(&query, max_distance, out),
            QueryPlan::Scan => scan(
                &self.hashes,
                &self.ids,
                &self.disabled,
                &query,
                max_distance,
                out,
            ),
        }
        let (delta, delta_ids) = (&self.delta_hashes, &self.delta_ids);
        scan(delta, delta_ids, &self.disabled, &query, max_distance, out);
        out.sort_unstable_by_key(|m| (m.distance, m.id));
    }

    /// The plan [`MatchIndex::query`] uses at this distance: the cheaper by
    /// a cost model of uniformly random hashes (directory probes, entry
    /// checks and candidate verifications against one pass over every hash).
    pub fn plan(&self, max_distance: u32) -> QueryPlan {
        // Nanoseconds per operation on the development machine; only the
        // ratios matter, and a wrong guess costs time, never answers.
        const PROBE_NS: f64 = 60.0;
        const CHECK_NS: f64 = 1.0;
        const VERIFY_NS: f64 = 40.0;
        const SCAN_NS: f64 = 5.0;
        let len = self.hashes.len() as f64;
        let m = self.tables.len() as u32;
        let mut probing = 0.0;
        for (t, table) in self.tables.iter().enumerate() {
            let Some(radius) = probe_radius(m, max_distance, t as u32) else {
                continue;
            };
            let buckets = ball_volume(table.prefix_bits, radius);
            let per_bucket = len / 2f64.powi(table.prefix_bits as i32);
            let width = table.substring.width;
            let candidates = len * ball_volume(width, radius) / 2f64.powi(width as i32);
            probing += buckets * (PROBE_NS + per_bucket * CHECK_NS) + candidates * VERIFY_NS;
        }
        if probing < len * SCAN_NS {
            QueryPlan::MultiIndex
        } else {
            QueryPlan::Scan
        }
    }

    /// The multi-index search of the main segment.
    ///
    /// Nearly all its time is cache misses (a directory read and a bucket
    /// read per variant, a hash read per candidate), so it runs in three
    /// passes, each a loop of reads that do not depend on one another: the
    /// processor then keeps many misses in flight instead of one at a time.
    fn probe_tables(&self, query: &[u64; 4], max_distance: u32, out: &mut Vec<Match>) {
        let m = self.tables.len() as u32;
        let mut query_keys = [0u32; MAX_SUBSTRINGS as usize];
        for (key, table) in query_keys.iter_mut().zip(&self.tables) {
            *key = table.substring.key(query);
        }

        // Pass 1: the directory range of every variant within each radius.
        let mut runs = Vec::new();
        for (t, table) in self.tables.iter().enumerate() {
            let Some(radius) = probe_radius(m, max_distance, t as u32) else {
                continue;
            };
            let query_prefix = query_keys[t] >> table.suffix_bits();
            for_each_flip(table.prefix_bits, radius, |flip, flipped| {
                let bucket = (query_prefix ^ flip) as usize;
                runs.push(Run {
                    table: t as u32,
                    budget: radius - flipped,
                    start: table.offsets[bucket],
                    end: table.offsets[bucket + 1],
                });
            });
        }

        // Pass 2: entries whose packed low bits keep them within the radius.
        let mut query_suffixes = [0u32; MAX_SUBSTRINGS as usize];
        for (t, table) in self.tables.iter().enumerate() {
            query_suffixes[t] = query_keys[t] & low_mask(table.suffix_bits());
        }
        let position_mask = low_mask(self.position_bits);
        let mut candidates = Vec::new();
        for run in &runs {
            let (table, query_suffix) = (run.table as usize, query_suffixes[run.table as usize]);
            let entries = &self.tables[table].entries[run.start as usize..run.end as usize];
            for &entry in entries {
                if at_most_bits_set((entry >> self.position_bits) ^ query_suffix, run.budget) {
                    candidates.push((entry & position_mask, run.table));
                }
            }
        }

        // Pass 3: the full distance, once per hash (from the first table
        // that finds it), then the tombstones.
        for &(position, table) in &candidates {
            let hash = &self.hashes[position as usize];
            let distance = word_distance(hash, query);
            if distance > max_distance
                || self.found_earlier(hash, table as usize, &query_keys, max_distance)
            {
                continue;
            }
            let id = self.ids[position as usize];
            if !self.disabled.contains(&id) {
                out.push(Match { id, distance });
            }
        }
    }

    /// Whether a table probed before table `t` also finds `hash`, so that
    /// each match is reported once.
    fn found_earlier(
        &self,
        hash: &[u64; 4],
        t: usize,
        query_keys: &[u32],
        max_distance: u32,
    ) -> bool {
        let m = self.tables.len() as u32;
        self.tables[..t].iter().enumerate().any(|(earlier, table)| {
            probe_radius(m, max_distance, earlier as u32).is_some_and(|radius| {
                (table.substring.key(hash) ^ query_keys[earlier]).count_ones() <= radius
            })
        })
    }
}

/// One bucket to read: entries `start..end` of a table, kept where their
/// low bits differ from the query's in at most `budget` bits.
struct Run {
    table: u32,
    budget: u32,
    start: u32,
    end: u32,
}

/// The radius table `t` of `m` is probed with at distance `r`, if probed.
/// With `r + 1 = k·m + s`, the first `s` tables (the widest) get `k` and the
/// rest `k − 1`, so the radii plus one sum to exactly `r + 1`.
fn probe_radius(m: u32, max_distance: u32, t: u32) -> Option<u32> {
    let needed = max_distance.saturating_add(1);
    let (k, s) = (needed / m, needed % m);
    if t < s {
        Some(k)
    } else {
        k.checked_sub(1)
    }
}

/// Appends every enabled pair of a segment within `max_distance`.
fn scan(
    hashes: &[[u64; 4]],
    ids: &[EntryId],
    disabled: &HashSet<EntryId>,
    query: &[u64; 4],
    max_distance: u32,
    out: &mut Vec<Match>,
) {
    for (hash, &id) in hashes.iter().zip(ids) {
        let distance = word_distance(hash, query);
        if distance <= max_distance && !disabled.contains(&id) {
            out.push(Match { id, distance });
        }
    }
}

fn collect_entries(
    entries: impl IntoIterator<Item = (PdqHash, EntryId)>,
) -> Result<(Vec<[u64; 4]>, Vec<EntryId>), IndexError> {
    let entries = entries.into_iter();
    // Exact capacities: a doubling Vec would hold up to twice the hashes.
    let expected = entries.size_hint().0.min(MAX_ENTRIES);
    let mut hashes = Vec::with_capacity(expected);
    let mut ids = Vec::with_capacity(expected);
    for (hash, id) in entries {
        if hashes.len() == MAX_ENTRIES {
            return Err(IndexError::TooManyEntries {
                len: MAX_ENTRIES + 1,
                max: MAX_ENTRIES,
            });
        }
        hashes.push(hash.words());
        ids.push(id);
    }
    hashes.shrink_to_fit();
    ids.shrink_to_fit();
    Ok((hashes, ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_radii_plus_one_sum_to_the_distance_plus_one() {
        for m in MIN_SUBSTRINGS..=MAX_SUBSTRINGS {
            for r in 0..=300 {
                let sum: u32 = (0..m)
                    .filter_map(|t| probe_radius(m, r, t))
                    .map(|radius| radius + 1)
                    .sum();
                assert_eq!(sum, r + 1, "m {m} r {r}");
            }
        }
    }
}
