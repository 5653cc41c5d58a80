//! When two videos match under vPDQ, by the rule of the reference's brute
//! matcher (python-threatexchange `vpdq_brute_matcher.py`): identical hashes
//! are collapsed, frames below the quality floor are set aside, and each
//! side counts the share of its frames that lie within the distance of some
//! frame of the other.
//!
//! Brute force, O(n·m) popcounts: bank videos are small (hundreds to a few
//! thousand unique frames), and 256-bit distances run at about a billion a
//! second on one core. Many bank videos call for an index of their frames
//! (`vigil_image::MatchIndex`) to find candidate videos first.

use std::collections::HashSet;

use super::VpdqFrame;

/// Two frames match within this many differing bits (of 256), as in the
/// reference (`VPDQ_DISTANCE_THRESHOLD`).
pub const DEFAULT_FRAME_DISTANCE: u32 = 31;
/// Frames of lower quality are not compared (`VPDQ_QUALITY_THRESHOLD`).
pub const DEFAULT_QUALITY_FLOOR: u8 = 50;
/// The share of the bank video's frames that must be found in the upload
/// for [`VpdqMatch::is_match`].
pub const DEFAULT_MATCH_PERCENT: f64 = 80.0;

/// How much of each video was found in the other.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct VpdqMatch {
    /// Of the query's unique frames at or above the quality floor, the
    /// percentage within the distance of some such frame of the target.
    pub query_match_percent: f64,
    /// Of the target's unique frames at or above the quality floor, the
    /// percentage within the distance of some such frame of the query.
    pub compared_match_percent: f64,
}

impl VpdqMatch {
    /// Whether the target (the bank's video) is found in the query: at least
    /// `threshold_percent` of its frames are. Judging on the bank's side
    /// lets an upload that contains the bank video among other material
    /// match. Use [`DEFAULT_MATCH_PERCENT`] unless a policy says otherwise.
    pub fn is_match(&self, threshold_percent: f64) -> bool {
        self.compared_match_percent >= threshold_percent
    }
}

/// The frames with distinct hashes, each hash kept at its first occurrence,
/// in order (the reference's `dedupe`: identical hashes anywhere in the
/// video collapse, not only consecutive ones).
pub fn dedupe(frames: &[VpdqFrame]) -> Vec<VpdqFrame> {
    let mut seen = HashSet::with_capacity(frames.len());
    frames
        .iter()
        .filter(|f| seen.insert(f.hash))
        .copied()
        .collect()
}

/// Compare a query video with a target (usually a bank's) video. Frames are
/// de-duplicated, those below `quality_floor` dropped, and a frame counts as
/// found when some frame of the other side is within `frame_distance` bits
/// (inclusive, as the reference's Python matcher). A side with no frame
/// left gives 0 % on both sides.
///
/// ```
/// use vigil_video::vpdq::{match_videos, VpdqFrame, DEFAULT_FRAME_DISTANCE, DEFAULT_QUALITY_FLOOR};
/// use vigil_image::PdqHash;
///
/// let frame = |i: u64, byte: u8| VpdqFrame { index: i, quality: 100, hash: PdqHash([byte; 32]), time_s: i as f64 };
/// let query = [frame(0, 0x00), frame(1, 0xff)];
/// let target = [frame(0, 0x01)]; // 32 bits from the first query frame: too far at 31
/// let m = match_videos(&query, &target, DEFAULT_FRAME_DISTANCE, DEFAULT_QUALITY_FLOOR);
/// assert_eq!((m.query_match_percent, m.compared_match_percent), (0.0, 0.0));
/// let m = match_videos(&query, &target, 32, DEFAULT_QUALITY_FLOOR);
/// assert_eq!((m.query_match_percent, m.compared_match_percent), (50.0, 100.0));
/// ```
pub fn match_videos(
    query: &[VpdqFrame],
    target: &[VpdqFrame],
    frame_distance: u32,
    quality_floor: u8,
) -> VpdqMatch {
    let query = usable_words(query, quality_floor);
    let target = usable_words(target, quality_floor);
    if query.is_empty() || target.is_empty() {
        return VpdqMatch {
            query_match_percent: 0.0,
            compared_match_percent: 0.0,
        };
    }
    let percent = |found: usize, of: usize| found as f64 * 100.0 / of as f64;
    VpdqMatch {
        query_match_percent: percent(found_in(&query, &target, frame_distance), query.len()),
        compared_match_percent: percent(found_in(&target, &query, frame_distance), target.len()),
    }
}

/// Unique hashes at or above the floor, as 64-bit words so that the inner
/// loop is four XORs and popcounts.
fn usable_words(frames: &[VpdqFrame], quality_floor: u8) -> Vec<[u64; 4]> {
    dedupe(frames)
        .iter()
        .filter(|f| f.quality >= quality_floor)
        .map(|f| f.hash.words())
        .collect()
}

/// How many of `needles` lie within `max_bits` of some hash in `haystack`.
fn found_in(needles: &[[u64; 4]], haystack: &[[u64; 4]], max_bits: u32) -> usize {
    needles
        .iter()
        .filter(|a| haystack.iter().any(|b| distance(a, b) <= max_bits))
        .count()
}

/// Hamming distance of two 256-bit hashes. Plain and branch-free: this is
/// the inner loop of the brute-force match.
#[inline]
fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_image::PdqHash;

    fn frame(index: u64, quality: u8, bits_set: u32) -> VpdqFrame {
        // A hash with the first `bits_set` bits set.
        let mut words = [0u64; 4];
        for bit in 0..bits_set.min(256) {
            words[(bit / 64) as usize] |= 1 << (63 - bit % 64);
        }
        VpdqFrame {
            index,
            quality,
            hash: PdqHash::from_words(words),
            time_s: index as f64 / 30.0,
        }
    }

    #[test]
    fn identical_hashes_collapse_wherever_they_are() {
        let frames = [
            frame(0, 100, 0),
            frame(1, 100, 0),
            frame(2, 100, 5),
            frame(3, 100, 0),
        ];
        let unique = dedupe(&frames);
        assert_eq!(
            unique.iter().map(|f| f.index).collect::<Vec<_>>(),
            vec![0, 2]
        );
    }

    #[test]
    fn percentages_follow_the_reference_rule() {
        // Query: 4 unique usable frames (one duplicate, one of low quality).
        let query = [
            frame(0, 100, 0),
            frame(1, 100, 0),
            frame(2, 100, 100),
            frame(3, 100, 200),
            frame(4, 100, 256),
            frame(5, 10, 40),
        ];
        // Target: near frames 0 and 100 of the query, and one far from all.
        let target = [frame(0, 100, 31), frame(1, 100, 110), frame(2, 100, 160)];
        let m = match_videos(&query, &target, 31, 50);
        assert_eq!(m.query_match_percent, 50.0, "0 and 100 of 4 are found");
        assert!((m.compared_match_percent - 200.0 / 3.0).abs() < 1e-9);
        assert!(!m.is_match(DEFAULT_MATCH_PERCENT));
        assert!(m.is_match(60.0));
        // The low-quality frame would have matched the target's 31: ignored.
        let m = match_videos(&[frame(0, 10, 40)], &target, 31, 50);
        assert_eq!(m.query_match_percent, 0.0);
        assert_eq!(
            match_videos(&[], &target, 31, 50).compared_match_percent,
            0.0
        );
    }
}
