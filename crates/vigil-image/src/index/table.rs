//! The substring tables: which bits each covers, and their CSR layout,
//! built by a counting sort and merged with new hashes in place.

use std::thread;

use super::bits::low_mask;
use super::IndexParams;

/// Below this many hashes a build or merge runs on the calling thread.
const PARALLEL_MIN_LEN: usize = 1 << 16;

/// Bits needed to address `len` positions (at least one).
pub(super) fn position_bits_for(len: usize) -> u32 {
    (usize::BITS - len.saturating_sub(1).leading_zeros()).max(1)
}

/// A run of hash bits, numbered from the first hex digit's high bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Substring {
    pub(super) start: u32,
    /// 1 to 32.
    pub(super) width: u32,
}

impl Substring {
    pub(super) fn key(self, words: &[u64; 4]) -> u32 {
        let word = (self.start / 64) as usize;
        let offset = self.start % 64;
        let mut bits = words[word] << offset;
        if offset + self.width > 64 {
            bits |= words[word + 1] >> (64 - offset);
        }
        (bits >> (64 - self.width)) as u32
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct TableSpec {
    substring: Substring,
    prefix_bits: u32,
}

/// The tables for a layout: `m` contiguous substrings, the first `256 mod m`
/// one bit wider; each directory at least wide enough that the substring's
/// remaining bits fit in an entry beside a position.
pub(super) fn table_specs(params: IndexParams, position_bits: u32) -> Vec<TableSpec> {
    let m = params.substrings;
    let (base, wider) = (256 / m, 256 % m);
    let mut start = 0;
    (0..m)
        .map(|t| {
            let width = base + u32::from(t < wider);
            let min_prefix = (width + position_bits).saturating_sub(32);
            let prefix_bits = params.bucket_bits.clamp(min_prefix, width);
            let substring = Substring { start, width };
            start += width;
            TableSpec {
                substring,
                prefix_bits,
            }
        })
        .collect()
}

/// One substring's table: CSR offsets over its top `prefix_bits`, and per
/// hash `(low bits << position_bits) | position`, grouped by bucket with
/// positions ascending inside each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SubstringTable {
    pub(super) substring: Substring,
    pub(super) prefix_bits: u32,
    /// Bucket `b` holds `entries[offsets[b]..offsets[b + 1]]`.
    pub(super) offsets: Vec<u32>,
    pub(super) entries: Vec<u32>,
}

impl SubstringTable {
    pub(super) fn suffix_bits(&self) -> u32 {
        self.substring.width - self.prefix_bits
    }

    /// `(bucket, entry)` for a hash at a position.
    fn entry(&self, hash: &[u64; 4], position: usize, position_bits: u32) -> (u32, u32) {
        let key = self.substring.key(hash);
        let suffix_bits = self.suffix_bits();
        let low = key & low_mask(suffix_bits);
        (key >> suffix_bits, (low << position_bits) | position as u32)
    }

    /// A counting sort of the hashes by bucket (stable, so positions ascend).
    fn build(spec: TableSpec, hashes: &[[u64; 4]], position_bits: u32) -> SubstringTable {
        let mut table = SubstringTable {
            substring: spec.substring,
            prefix_bits: spec.prefix_bits,
            offsets: vec![0; (1 << spec.prefix_bits) + 1],
            entries: vec![0; hashes.len()],
        };
        let suffix_bits = table.suffix_bits();
        for hash in hashes {
            table.offsets[(spec.substring.key(hash) >> suffix_bits) as usize + 1] += 1;
        }
        for b in 1..table.offsets.len() {
            table.offsets[b] += table.offsets[b - 1];
        }
        let mut next = table.offsets[..table.offsets.len() - 1].to_vec();
        for (position, hash) in hashes.iter().enumerate() {
            let (bucket, entry) = table.entry(hash, position, position_bits);
            let slot = &mut next[bucket as usize];
            table.entries[*slot as usize] = entry;
            *slot += 1;
        }
        table
    }

    /// Adds the hashes at `first_new..` (appended to the main segment) at
    /// the end of their buckets: the layout a fresh build would give.
    fn merge(&mut self, hashes: &[[u64; 4]], first_new: usize, position_bits: u32) {
        let mut added: Vec<(u32, u32)> = hashes[first_new..]
            .iter()
            .enumerate()
            .map(|(i, hash)| self.entry(hash, first_new + i, position_bits))
            .collect();
        // Stable, so positions still ascend within a bucket.
        added.sort_by_key(|&(bucket, _)| bucket);
        let old_len = self.entries.len();
        self.entries.reserve_exact(added.len());
        self.entries.resize(old_len + added.len(), 0);
        // From the back, so every old entry moves once, in place.
        let (mut read_end, mut write_end) = (old_len, self.entries.len());
        for &(bucket, entry) in added.iter().rev() {
            let bucket_end = self.offsets[bucket as usize + 1] as usize;
            let tail = read_end - bucket_end;
            self.entries
                .copy_within(bucket_end..read_end, write_end - tail);
            write_end -= tail + 1;
            self.entries[write_end] = entry;
            read_end = bucket_end;
        }
        let mut before = 0;
        for (bucket, offset) in self.offsets.iter_mut().enumerate() {
            while before < added.len() && (added[before].0 as usize) < bucket {
                before += 1;
            }
            *offset += before as u32;
        }
    }
}

fn worker_count(len: usize, tasks: usize) -> usize {
    if len < PARALLEL_MIN_LEN {
        return 1;
    }
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    cores.clamp(1, tasks.max(1))
}

pub(super) fn build_tables(
    specs: &[TableSpec],
    hashes: &[[u64; 4]],
    position_bits: u32,
) -> Vec<SubstringTable> {
    let per_worker = specs
        .len()
        .div_ceil(worker_count(hashes.len(), specs.len()));
    let build_chunk = |chunk: &[TableSpec]| -> Vec<SubstringTable> {
        chunk
            .iter()
            .map(|&spec| SubstringTable::build(spec, hashes, position_bits))
            .collect()
    };
    thread::scope(|scope| {
        let workers: Vec<_> = specs
            .chunks(per_worker)
            .map(|chunk| scope.spawn(move || build_chunk(chunk)))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    })
}

pub(super) fn merge_tables(
    tables: &mut [SubstringTable],
    hashes: &[[u64; 4]],
    first_new: usize,
    position_bits: u32,
) {
    let per_worker = tables
        .len()
        .div_ceil(worker_count(hashes.len(), tables.len()));
    thread::scope(|scope| {
        for chunk in tables.chunks_mut(per_worker) {
            scope.spawn(move || {
                for table in chunk {
                    table.merge(hashes, first_new, position_bits);
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{MAX_SUBSTRINGS, MIN_SUBSTRINGS};

    #[test]
    fn substring_keys_read_the_bits_in_hex_order() {
        let words = [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 0, u64::MAX];
        let bit = |i: u32| (words[(i / 64) as usize] >> (63 - i % 64)) & 1;
        for (start, width) in [(0, 32), (60, 8), (40, 26), (62, 3), (224, 32), (250, 6)] {
            let expected = (start..start + width).fold(0u64, |acc, i| (acc << 1) | bit(i));
            let key = Substring { start, width }.key(&words);
            assert_eq!(u64::from(key), expected, "start {start} width {width}");
        }
    }

    #[test]
    fn layouts_cover_every_bit_and_fit_entries() {
        for m in MIN_SUBSTRINGS..=MAX_SUBSTRINGS {
            for position_bits in [1, 11, 24, 31] {
                let params = IndexParams {
                    substrings: m,
                    bucket_bits: 20,
                };
                let specs = table_specs(params, position_bits);
                let mut next = 0;
                for spec in &specs {
                    assert_eq!(spec.substring.start, next);
                    next += spec.substring.width;
                    let suffix_bits = spec.substring.width - spec.prefix_bits;
                    assert!(suffix_bits + position_bits <= 32);
                }
                assert_eq!(next, 256);
            }
        }
    }

    #[test]
    fn position_bits_address_every_position() {
        assert_eq!(position_bits_for(0), 1);
        assert_eq!(position_bits_for(2), 1);
        assert_eq!(position_bits_for(3), 2);
        assert_eq!(position_bits_for(1 << 24), 24);
        assert_eq!(position_bits_for((1 << 24) + 1), 25);
    }
}
