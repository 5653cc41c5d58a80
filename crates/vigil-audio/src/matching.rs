//! Where, if anywhere, a query fingerprint lies inside a reference.
//!
//! Candidate alignments come from values whose top 20 bits are equal in both
//! fingerprints (each such pair votes for the offset that lines them up);
//! the best-voted offsets, and their neighbours, are then scored by the bit
//! error rate (BER) over the overlap, and the lowest wins. Matching the top
//! bits only makes the votes survive the few flipped low bits of a
//! re-encoded copy, while 20 bits keep chance agreements rare.

use std::collections::HashMap;

use crate::fingerprint::{Fingerprint, ITEM_DURATION_S};

/// The default largest bit error rate that counts as a match: midway
/// between the worst copy measured (0.255, speech sped up 5 %; re-encodes,
/// noise, telephone band and clips measure 0.01–0.08) and the closest that
/// unrelated speech comes at any offset with 5 s of overlap (0.364, found
/// only by trying every offset; the candidate offsets give 0.44 or nothing).
/// The measurements are in docs/audio.md and the tests print them.
pub const DEFAULT_MAX_BER: f64 = 0.30;

/// Overlap required for a match, in seconds; shorter audio must overlap
/// over its whole length. Below this a chance alignment of unrelated audio
/// can reach a low bit error rate.
pub const MIN_OVERLAP_S: f64 = 5.0;

/// Fingerprints shorter than this never match: too few bits to tell a copy
/// from a coincidence.
const MIN_MATCH_S: f64 = 3.0;

/// Bits of each value used to find candidate offsets.
const CANDIDATE_BITS: u32 = 20;

/// Best-voted offsets scored in full.
const CANDIDATES: usize = 12;

/// Where a query was found in a reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioMatch {
    /// Where the query's start falls in the reference, in seconds; negative
    /// when the query starts before the reference does.
    pub offset_s: f64,
    /// Length of the part both cover, in seconds.
    pub overlap_s: f64,
    /// Share of differing bits over the overlap, 0 (identical) to 1.
    pub bit_error_rate: f64,
    /// Where the overlap starts in the query, in seconds.
    pub query_start_s: f64,
    /// Where the overlap ends in the query, in seconds.
    pub query_end_s: f64,
}

/// The best alignment of `query` inside `reference` if its bit error rate is
/// at most `max_ber` ([`DEFAULT_MAX_BER`] is a measured choice) over an
/// overlap of at least [`MIN_OVERLAP_S`] (or all of the shorter one).
///
/// Fingerprints covering less than 3 s never match.
pub fn match_fingerprints(
    query: &Fingerprint,
    reference: &Fingerprint,
    max_ber: f64,
) -> Option<AudioMatch> {
    let (q, r) = (&query.values, &reference.values);
    let shorter = q.len().min(r.len());
    if (shorter as f64) * ITEM_DURATION_S < MIN_MATCH_S {
        return None;
    }
    let min_overlap = ((MIN_OVERLAP_S / ITEM_DURATION_S).ceil() as usize).min(shorter);
    let mut best: Option<(i64, f64, usize)> = None;
    for offset in candidate_offsets(q, r) {
        let Some((ber, overlap)) = bit_error_rate(q, r, offset) else {
            continue;
        };
        if overlap < min_overlap {
            continue;
        }
        if best.is_none_or(|(_, best_ber, _)| ber < best_ber) {
            best = Some((offset, ber, overlap));
        }
    }
    let (offset, ber, overlap) = best?;
    if ber > max_ber {
        return None;
    }
    // Query item i lines up with reference item i + offset.
    let query_start = (-offset).max(0) as f64;
    Some(AudioMatch {
        offset_s: offset as f64 * ITEM_DURATION_S,
        overlap_s: overlap as f64 * ITEM_DURATION_S,
        bit_error_rate: ber,
        query_start_s: query_start * ITEM_DURATION_S,
        query_end_s: (query_start + overlap as f64) * ITEM_DURATION_S,
    })
}

/// Offsets (reference index − query index) worth scoring: the most voted by
/// pairs of values with equal top bits, each with its two neighbours.
fn candidate_offsets(q: &[u32], r: &[u32]) -> Vec<i64> {
    let shift = 32 - CANDIDATE_BITS;
    let mut positions: HashMap<u32, Vec<usize>> = HashMap::with_capacity(r.len());
    for (j, value) in r.iter().enumerate() {
        positions.entry(value >> shift).or_default().push(j);
    }
    let mut votes: HashMap<i64, u32> = HashMap::new();
    for (i, value) in q.iter().enumerate() {
        if let Some(js) = positions.get(&(value >> shift)) {
            for &j in js {
                *votes.entry(j as i64 - i as i64).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(i64, u32)> = votes.into_iter().collect();
    // Most votes first; ties broken by offset so the result is deterministic.
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut offsets: Vec<i64> = ranked
        .iter()
        .take(CANDIDATES)
        .flat_map(|&(offset, _)| [offset - 1, offset, offset + 1])
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    offsets
}

/// Bit error rate and overlap (in items) of `q` placed at `offset` in `r`;
/// `None` if they do not overlap.
fn bit_error_rate(q: &[u32], r: &[u32], offset: i64) -> Option<(f64, usize)> {
    let q_start = (-offset).max(0) as usize;
    let r_start = offset.max(0) as usize;
    if q_start >= q.len() || r_start >= r.len() {
        return None;
    }
    let overlap = (q.len() - q_start).min(r.len() - r_start);
    let differing: u32 = q[q_start..q_start + overlap]
        .iter()
        .zip(&r[r_start..r_start + overlap])
        .map(|(a, b)| (a ^ b).count_ones())
        .sum();
    Some((f64::from(differing) / (32.0 * overlap as f64), overlap))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random fingerprint (xorshift).
    fn random_print(seed: u64, len: usize) -> Fingerprint {
        let mut state = seed | 1;
        let values = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u32
            })
            .collect();
        Fingerprint {
            values,
            duration_s: len as f64 * ITEM_DURATION_S,
        }
    }

    #[test]
    fn a_clip_is_found_at_its_offset() {
        let reference = random_print(1, 500);
        let mut clip = reference.clone();
        clip.values = reference.values[100..200].to_vec();
        let found = match_fingerprints(&clip, &reference, DEFAULT_MAX_BER).expect("exact clip");
        assert!((found.offset_s - 100.0 * ITEM_DURATION_S).abs() < 1e-9);
        assert_eq!(found.bit_error_rate, 0.0);
        assert!((found.overlap_s - 100.0 * ITEM_DURATION_S).abs() < 1e-9);
        assert_eq!(found.query_start_s, 0.0);
    }

    #[test]
    fn a_query_starting_before_the_reference_has_a_negative_offset() {
        let long = random_print(2, 400);
        let reference = Fingerprint {
            values: long.values[150..].to_vec(),
            duration_s: 0.0,
        };
        let found = match_fingerprints(&long, &reference, DEFAULT_MAX_BER).expect("contains it");
        assert!((found.offset_s + 150.0 * ITEM_DURATION_S).abs() < 1e-9);
        assert!((found.query_start_s - 150.0 * ITEM_DURATION_S).abs() < 1e-9);
        assert!((found.query_end_s - 400.0 * ITEM_DURATION_S).abs() < 1e-9);
    }

    #[test]
    fn flipped_low_bits_still_match_and_unrelated_does_not() {
        let reference = random_print(3, 300);
        let mut noisy = reference.clone();
        for (i, v) in noisy.values.iter_mut().enumerate() {
            *v ^= (i as u32 % 7) * 0x101; // a few low bits per value
        }
        let found = match_fingerprints(&noisy, &reference, DEFAULT_MAX_BER).expect("noisy copy");
        assert_eq!(found.offset_s, 0.0);
        assert!(found.bit_error_rate < 0.1);
        assert!(match_fingerprints(&random_print(4, 300), &reference, DEFAULT_MAX_BER).is_none());
    }

    #[test]
    fn short_prints_never_match() {
        let tiny = random_print(5, 10);
        assert!(match_fingerprints(&tiny, &tiny, 1.0).is_none());
    }
}
