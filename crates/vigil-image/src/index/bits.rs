//! Bit arithmetic of the index: Hamming distance, radius tests, and the
//! enumeration of every variant of a key within a radius.

/// Calls `visit(flip, bits_set)` for every `bits`-bit mask with at most
/// `radius` bits set, fewest first.
pub(super) fn for_each_flip(bits: u32, radius: u32, mut visit: impl FnMut(u32, u32)) {
    visit(0, 0);
    let end = 1u64 << bits;
    for set in 1..=radius.min(bits) {
        // Gosper's hack: the next larger integer with the same popcount
        // (its division by the lowest set bit done as a shift).
        let mut mask: u64 = (1 << set) - 1;
        while mask < end {
            visit(mask as u32, set);
            let lowest = mask.trailing_zeros();
            let ripple = mask + (1 << lowest);
            mask = (((ripple ^ mask) >> 2) >> lowest) | ripple;
        }
    }
}

/// How many `bits`-bit strings lie within `radius` of one.
pub(super) fn ball_volume(bits: u32, radius: u32) -> f64 {
    let mut binomial = 1.0;
    let mut total = 1.0;
    for i in 1..=radius.min(bits) {
        binomial = binomial * f64::from(bits - i + 1) / f64::from(i);
        total += binomial;
    }
    total
}

/// Whether `x` has at most `budget` bits set. Budgets in the probe loop are
/// 0 to 3, so clearing the lowest bit that many times beats a popcount,
/// which the baseline x86-64 target computes in software.
#[inline]
pub(super) fn at_most_bits_set(mut x: u32, budget: u32) -> bool {
    if budget > 3 {
        return x.count_ones() <= budget;
    }
    for _ in 0..budget {
        x &= x.wrapping_sub(1);
    }
    x == 0
}

#[inline]
pub(super) fn word_distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    if cfg!(target_feature = "popcnt") {
        return (0..4).map(|i| (a[i] ^ b[i]).count_ones()).sum();
    }
    // The baseline x86-64 target has no popcount instruction and
    // `count_ones` is a bit-slicing sequence per word; sharing its last step
    // (a multiply summing the byte counts) across the four words saves
    // three of the four.
    const ONES: u64 = 0x5555_5555_5555_5555;
    const PAIRS: u64 = 0x3333_3333_3333_3333;
    const NIBBLES: u64 = 0x0f0f_0f0f_0f0f_0f0f;
    const BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    let mut bytes = 0;
    for i in 0..4 {
        let x = a[i] ^ b[i];
        let x = x - ((x >> 1) & ONES);
        let x = (x & PAIRS) + ((x >> 2) & PAIRS);
        // Each byte counts at most 8, so four words' bytes sum to 32 at most.
        bytes += (x + (x >> 4)) & NIBBLES;
    }
    // The total can be 256, too much for a byte: sum in 16-bit lanes.
    let lanes = (bytes & BYTES) + ((bytes >> 8) & BYTES);
    (lanes.wrapping_mul(0x0001_0001_0001_0001) >> 48) as u32
}

pub(super) fn low_mask(bits: u32) -> u32 {
    if bits >= 32 {
        u32::MAX
    } else {
        (1 << bits) - 1
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn flips_cover_the_ball_once_each() {
        for (bits, radius) in [(0, 3), (1, 1), (5, 2), (12, 3), (20, 2), (6, 9)] {
            let mut seen = HashSet::new();
            for_each_flip(bits, radius, |flip, set| {
                assert_eq!(flip.count_ones(), set);
                assert!(set <= radius && u64::from(flip) < 1 << bits);
                assert!(seen.insert(flip), "{flip:b} twice");
            });
            assert_eq!(
                seen.len() as f64,
                ball_volume(bits, radius),
                "{bits} {radius}"
            );
        }
    }

    #[test]
    fn at_most_bits_set_agrees_with_a_popcount() {
        let mut x: u32 = 0x9e37_79b9;
        for _ in 0..2000 {
            x = x.rotate_left(7).wrapping_mul(0x0101_0101) ^ (x >> 3);
            let sparse = x & x.rotate_left(11) & x.rotate_left(23);
            for value in [x, sparse, sparse & (sparse >> 5), 0, u32::MAX] {
                for budget in 0..=33 {
                    let expected = value.count_ones() <= budget;
                    assert_eq!(
                        at_most_bits_set(value, budget),
                        expected,
                        "{value:b} {budget}"
                    );
                }
            }
        }
    }

    #[test]
    fn word_distance_counts_every_differing_bit() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let all = [u64::MAX; 4];
        assert_eq!(word_distance(&all, &[0; 4]), 256);
        for _ in 0..1000 {
            let (a, b) = (
                [next(), next(), next(), next()],
                [next(), 0, next(), u64::MAX],
            );
            let expected: u32 = (0..4).map(|i| (a[i] ^ b[i]).count_ones()).sum();
            assert_eq!(word_distance(&a, &b), expected);
        }
    }
}
