//! The match index against brute force: the shared haystack and needles at
//! every distance, random hashes with perturbed copies across layouts and
//! distances either side of the substring counts, updates, compaction, and
//! the edges (empty, duplicates, distances past the tables).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use vigil_image::index::{EntryId, IndexError, IndexParams, Match, MatchIndex, QueryPlan};
use vigil_image::PdqHash;

/// SplitMix64: a seeded generator, enough for test data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn hash(&mut self) -> PdqHash {
        PdqHash::from_words([self.next(), self.next(), self.next(), self.next()])
    }

    /// `hash` with exactly `k` distinct bits flipped.
    fn flip(&mut self, hash: &PdqHash, k: u32) -> PdqHash {
        let mut words = hash.words();
        let mut flipped = 0;
        while flipped < k {
            let bit = self.below(256) as usize;
            let mask = 1u64 << (bit % 64);
            if words[bit / 64] & mask == hash.words()[bit / 64] & mask {
                words[bit / 64] ^= mask;
                flipped += 1;
            }
        }
        PdqHash::from_words(words)
    }
}

fn brute_force(
    entries: &[(PdqHash, EntryId)],
    disabled: &HashSet<EntryId>,
    query: &PdqHash,
    max_distance: u32,
) -> Vec<Match> {
    let mut out: Vec<Match> = entries
        .iter()
        .filter(|(_, id)| !disabled.contains(id))
        .map(|(hash, id)| Match {
            id: *id,
            distance: hash.distance(query),
        })
        .filter(|m| m.distance <= max_distance)
        .collect();
    out.sort_by_key(|m| (m.distance, m.id));
    out
}

/// The index's answer, under its own plan and under each forced plan,
/// equals brute force.
fn assert_exact(
    index: &MatchIndex,
    entries: &[(PdqHash, EntryId)],
    disabled: &HashSet<EntryId>,
    query: &PdqHash,
    max_distance: u32,
) {
    let expected = brute_force(entries, disabled, query, max_distance);
    let context = format!("query {query} at {max_distance}, {:?}", index.params());
    assert_eq!(index.query(query, max_distance), expected, "{context}");
    let mut out = Vec::new();
    for plan in [QueryPlan::MultiIndex, QueryPlan::Scan] {
        index.query_with_plan(query, max_distance, plan, &mut out);
        assert_eq!(out, expected, "{context}, {plan:?}");
    }
}

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/hash-index");
    if dir.join("haystack.txt").is_file() && dir.join("needles.txt").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (shared data)", dir.display());
        None
    }
}

fn read_hashes(path: &Path) -> Vec<PdqHash> {
    let text = std::fs::read_to_string(path).expect("shared data is readable");
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            line.trim()
                .parse()
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1))
        })
        .collect()
}

/// Random hashes, then copies of them with 0 to 40 bits flipped; ids are
/// positions.
fn perturbed_haystack(rng: &mut SplitMix64, originals: usize, copies: usize) -> Vec<PdqHash> {
    let mut hashes: Vec<PdqHash> = (0..originals).map(|_| rng.hash()).collect();
    for _ in 0..copies {
        let original = hashes[rng.below(originals as u64) as usize];
        let k = rng.below(41) as u32;
        hashes.push(rng.flip(&original, k));
    }
    hashes
}

/// Half copies of indexed hashes with 0 to 40 bits flipped, half random.
fn queries(rng: &mut SplitMix64, haystack: &[PdqHash], count: usize) -> Vec<PdqHash> {
    (0..count)
        .map(|i| {
            if i % 2 == 0 {
                let indexed = haystack[rng.below(haystack.len() as u64) as usize];
                let k = rng.below(41) as u32;
                rng.flip(&indexed, k)
            } else {
                rng.hash()
            }
        })
        .collect()
}

fn with_ids(hashes: &[PdqHash]) -> Vec<(PdqHash, EntryId)> {
    (0..).zip(hashes).map(|(i, &h)| (h, EntryId(i))).collect()
}

#[test]
fn shared_needles_match_brute_force_at_every_distance() {
    let Some(dir) = shared_data() else { return };
    let entries = with_ids(&read_hashes(&dir.join("haystack.txt")));
    let needles = read_hashes(&dir.join("needles.txt"));
    assert_eq!((entries.len(), needles.len()), (1350, 100));
    let none = HashSet::new();
    let default = MatchIndex::build(entries.iter().copied()).expect("builds");
    let sixteen = IndexParams {
        substrings: 16,
        bucket_bits: 6,
    };
    let other = MatchIndex::build_with_params(entries.iter().copied(), sixteen).expect("builds");
    let mut matched_at_31 = 0;
    for needle in &needles {
        for distance in [0, 8, 16, 24, 31, 32, 48] {
            assert_exact(&default, &entries, &none, needle, distance);
            assert_exact(&other, &entries, &none, needle, distance);
        }
        matched_at_31 += usize::from(!default.query(needle, 31).is_empty());
    }
    // Every needle has a near-duplicate in the haystack: the test is not
    // vacuous.
    assert_eq!(matched_at_31, 100);
}

#[test]
fn perturbed_copies_match_brute_force_across_layouts_and_distances() {
    let mut rng = SplitMix64(7);
    let haystack = perturbed_haystack(&mut rng, 600, 900);
    let entries = with_ids(&haystack);
    let queries = queries(&mut rng, &haystack, 40);
    let none = HashSet::new();
    for substrings in [8, 10, 11, 12, 16, 21, 32, 64] {
        for bucket_bits in [0, 7, 14] {
            let params = IndexParams {
                substrings,
                bucket_bits,
            };
            let index =
                MatchIndex::build_with_params(entries.iter().copied(), params).expect("builds");
            // Either side of each multiple of m, where the probe radii step.
            let mut distances = vec![0, 1, 31, 32, 40];
            for k in 1..=3 {
                let edge = k * substrings;
                distances.extend([edge - 2, edge - 1, edge].into_iter().filter(|&d| d <= 40));
            }
            for query in &queries {
                for &distance in &distances {
                    assert_exact(&index, &entries, &none, query, distance);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_layout_and_distance_is_exact(
        seed in any::<u64>(),
        substrings in 8u32..=64,
        bucket_bits in 0u32..=12,
        distance in 0u32..=48,
    ) {
        let mut rng = SplitMix64(seed);
        let haystack = perturbed_haystack(&mut rng, 150, 250);
        let entries = with_ids(&haystack);
        let params = IndexParams { substrings, bucket_bits };
        let index = MatchIndex::build_with_params(entries.iter().copied(), params)
            .expect("valid params");
        let none = HashSet::new();
        for query in queries(&mut rng, &haystack, 10) {
            assert_exact(&index, &entries, &none, &query, distance);
        }
    }
}

#[test]
fn adds_and_disables_are_seen_at_once_and_survive_compact() {
    let mut rng = SplitMix64(11);
    let haystack = perturbed_haystack(&mut rng, 300, 300);
    let mut entries = with_ids(&haystack);
    let mut index = MatchIndex::build(entries.iter().copied()).expect("builds");
    let mut disabled = HashSet::new();

    let target = rng.hash();
    let near = rng.flip(&target, 5);
    index.add(near, EntryId(10_000)).expect("room");
    entries.push((near, EntryId(10_000)));
    assert_eq!(
        index.query(&target, 8),
        vec![Match {
            id: EntryId(10_000),
            distance: 5
        }]
    );

    // Disable some built entries and some added ones, then add more under
    // an id that is already disabled: it is hidden from the start.
    for id in [0, 3, 301, 599] {
        assert!(index.disable(EntryId(id)));
        disabled.insert(EntryId(id));
    }
    let hidden = rng.flip(&target, 3);
    index.add(hidden, EntryId(3)).expect("room");
    entries.push((hidden, EntryId(3)));
    assert!(!index.query(&target, 8).iter().any(|m| m.id == EntryId(3)));
    for i in 0..200 {
        let base = haystack[rng.below(haystack.len() as u64) as usize];
        let k = rng.below(20) as u32;
        let added = (rng.flip(&base, k), EntryId(20_000 + i));
        index.add(added.0, added.1).expect("room");
        entries.push(added);
    }
    assert!(index.disable(EntryId(20_007)));
    disabled.insert(EntryId(20_007));

    let probes = queries(&mut rng, &haystack, 30);
    let check = |index: &MatchIndex, disabled: &HashSet<EntryId>| {
        for query in probes.iter().chain([&target]) {
            for distance in [0, 10, 24, 31] {
                assert_exact(index, &entries, disabled, query, distance);
            }
        }
    };
    check(&index, &disabled);
    assert_eq!(index.delta_len(), 202);
    index.compact();
    assert_eq!(index.delta_len(), 0);
    assert_eq!(index.len(), entries.len());
    check(&index, &disabled);

    assert!(index.enable(EntryId(3)));
    assert!(!index.enable(EntryId(3)));
    disabled.remove(&EntryId(3));
    check(&index, &disabled);
    assert!(index.query(&target, 8).iter().any(|m| m.id == EntryId(3)));
}

#[test]
fn compact_gives_the_index_a_fresh_build_gives() {
    let mut rng = SplitMix64(13);
    // 1,000 built, then 24 added (merged in place), then 100 more, which
    // takes positions past 1,024 (tables rebuilt with wider positions).
    let haystack = perturbed_haystack(&mut rng, 400, 724);
    let params = IndexParams {
        substrings: 12,
        bucket_bits: 7,
    };
    let mut index =
        MatchIndex::build_with_params(with_ids(&haystack[..1000]), params).expect("builds");
    for stop in [1024, 1124] {
        for (i, &hash) in haystack.iter().enumerate().take(stop).skip(index.len()) {
            index.add(hash, EntryId(i as u32)).expect("room");
        }
        index.disable(EntryId(5));
        index.compact();
        let mut fresh =
            MatchIndex::build_with_params(with_ids(&haystack[..stop]), params).expect("builds");
        fresh.disable(EntryId(5));
        assert!(
            index == fresh,
            "compacted to {stop} differs from a fresh build"
        );
    }
}

#[test]
fn an_index_grown_by_adds_is_rebuilt_for_its_size() {
    let mut rng = SplitMix64(29);
    let haystack = perturbed_haystack(&mut rng, 2000, 2000);
    let entries = with_ids(&haystack);
    let mut index = MatchIndex::default();
    for &(hash, id) in &entries {
        index.add(hash, id).expect("room");
    }
    index.disable(EntryId(9));
    index.compact();
    assert_eq!(index.params(), IndexParams::for_len(0));
    let rebuilt = index.rebuilt();
    assert_eq!(rebuilt.params(), IndexParams::for_len(entries.len()));
    assert!(rebuilt.is_disabled(EntryId(9)));
    let disabled = HashSet::from([EntryId(9)]);
    for query in queries(&mut rng, &haystack, 20) {
        for distance in [0, 16, 31] {
            assert_exact(&index, &entries, &disabled, &query, distance);
            assert_exact(&rebuilt, &entries, &disabled, &query, distance);
        }
    }
}

#[test]
fn an_empty_index_finds_nothing_until_added_to() {
    let empty = MatchIndex::build(std::iter::empty()).expect("builds");
    assert!(empty.is_empty());
    assert_eq!(empty, MatchIndex::default());
    let query = SplitMix64(17).hash();
    for distance in [0, 31, 256, u32::MAX] {
        assert_eq!(empty.query(&query, distance), vec![]);
    }
    let mut index = empty.clone();
    index.compact();
    index.add(query, EntryId(1)).expect("room");
    assert_eq!(
        index.query(&query, 0),
        vec![Match {
            id: EntryId(1),
            distance: 0
        }]
    );
    index.compact();
    assert_eq!(
        index.query(&query, 0),
        vec![Match {
            id: EntryId(1),
            distance: 0
        }]
    );
}

#[test]
fn a_hash_indexed_under_two_ids_is_reported_under_both() {
    let mut rng = SplitMix64(19);
    let shared = rng.hash();
    let mut entries: Vec<_> = (0..500).map(|i| (rng.hash(), EntryId(i))).collect();
    entries.push((shared, EntryId(900)));
    entries.push((shared, EntryId(800)));
    let index = MatchIndex::build(entries.iter().copied()).expect("builds");
    let near = rng.flip(&shared, 4);
    let expected = vec![
        Match {
            id: EntryId(800),
            distance: 4,
        },
        Match {
            id: EntryId(900),
            distance: 4,
        },
    ];
    assert_eq!(index.query(&near, 31), expected);
    assert_exact(&index, &entries, &HashSet::new(), &near, 31);
}

#[test]
fn distances_past_the_tables_scan_and_stay_exact() {
    let mut rng = SplitMix64(23);
    let haystack = perturbed_haystack(&mut rng, 500, 500);
    let entries = with_ids(&haystack);
    let index = MatchIndex::build(entries.iter().copied()).expect("builds");
    assert_eq!(index.plan(256), QueryPlan::Scan);
    let query = rng.hash();
    assert_eq!(index.query(&query, 256).len(), entries.len());
    assert_eq!(index.query(&query, u32::MAX).len(), entries.len());
    for distance in [64, 96, 128] {
        assert_exact(&index, &entries, &HashSet::new(), &query, distance);
    }

    // A hash and its complement are 256 bits apart, the most there is.
    let complement = PdqHash::from_words(query.words().map(|w| !w));
    let pair = [(query, EntryId(1)), (complement, EntryId(2))];
    let index = MatchIndex::build(pair).expect("builds");
    for distance in [0, 31, 255, 256] {
        assert_exact(&index, &pair, &HashSet::new(), &query, distance);
    }
    assert_eq!(index.query(&query, 256)[1].distance, 256);
}

#[test]
fn layouts_outside_the_ranges_are_refused() {
    let layouts = [
        (7, 8, IndexError::SubstringsOutOfRange(7)),
        (65, 8, IndexError::SubstringsOutOfRange(65)),
        (12, 25, IndexError::BucketBitsOutOfRange(25)),
    ];
    for (substrings, bucket_bits, error) in layouts {
        let params = IndexParams {
            substrings,
            bucket_bits,
        };
        assert_eq!(params.validate(), Err(error.clone()));
        let built = MatchIndex::build_with_params(std::iter::empty(), params);
        assert_eq!(built.err(), Some(error));
    }
}

#[test]
fn default_layouts_keep_ten_to_sixteen_tables() {
    for len in [0, 1, 1_350, 100_000, 1_000_000, 10_000_000, 1 << 31] {
        let params = IndexParams::for_len(len);
        assert!(params.validate().is_ok(), "{len}: {params:?}");
        assert!((10..=16).contains(&params.substrings), "{len}: {params:?}");
    }
}
