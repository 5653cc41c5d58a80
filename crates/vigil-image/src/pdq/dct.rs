//! From the 64×64 luminance image to bits: the quality metric, the 16×16
//! DCT, the 8 dihedral variants of its coefficients, and the median
//! threshold, each as the reference computes it.

use super::jarosz::SIDE;
use super::Dihedral;
use crate::PdqHash;

/// The side of the DCT output the hash is made of.
pub(super) const DCT_SIDE: usize = 16;

/// The reference's quality: the sum of quantised absolute differences
/// between neighbours of the 64×64 image, scaled and capped at 100.
pub(super) fn quality(small: &[[f32; SIDE]; SIDE]) -> u8 {
    // Truncation toward zero of the scaled difference, as C's float-to-int.
    let step = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    let mut gradient_sum: i32 = 0;
    for (upper, lower) in small.iter().zip(&small[1..]) {
        for (&u, &v) in upper.iter().zip(lower) {
            gradient_sum += step(u, v).abs();
        }
    }
    for row in small {
        for j in 0..SIDE - 1 {
            gradient_sum += step(row[j], row[j + 1]).abs();
        }
    }
    (gradient_sum / 90).min(100) as u8
}

pub(super) type Dct16 = [[f32; DCT_SIDE]; DCT_SIDE];

/// The reference's 16×64 DCT-II matrix without the DC row:
/// `D[i][j] = sqrt(2/64) · cos(π/128 · (i+1) · (2j+1))`, the scale rounded to
/// `f32` first and the product computed in `f64`, as the reference does.
fn dct_matrix() -> &'static [[f32; SIDE]; DCT_SIDE] {
    static MATRIX: std::sync::OnceLock<[[f32; SIDE]; DCT_SIDE]> = std::sync::OnceLock::new();
    MATRIX.get_or_init(|| {
        let scale = (2.0f64 / SIDE as f64).sqrt() as f32;
        std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                let angle = (std::f64::consts::PI / 2.0 / SIDE as f64)
                    * (i + 1) as f64
                    * (2 * j + 1) as f64;
                (f64::from(scale) * angle.cos()) as f32
            })
        })
    })
}

/// B = D · A · Dᵀ as two small matrix products. Each output sums its 64
/// terms in index order, as the reference does, while the loops run along
/// contiguous rows so that the compiler vectorises them.
pub(super) fn dct64_to_16(a: &[[f32; SIDE]; SIDE]) -> Dct16 {
    let d = dct_matrix();
    // T = D · A (16 × 64).
    let mut t = [[0f32; SIDE]; DCT_SIDE];
    for (t_row, d_row) in t.iter_mut().zip(d) {
        for (&dk, a_row) in d_row.iter().zip(a) {
            for (x, &v) in t_row.iter_mut().zip(a_row) {
                *x += dk * v;
            }
        }
    }
    // B = T · Dᵀ (16 × 16), with Dᵀ laid out as 64 rows of 16.
    let mut dt = [[0f32; DCT_SIDE]; SIDE];
    for (i, d_row) in d.iter().enumerate() {
        for (k, &v) in d_row.iter().enumerate() {
            dt[k][i] = v;
        }
    }
    let mut b = [[0f32; DCT_SIDE]; DCT_SIDE];
    for (b_row, t_row) in b.iter_mut().zip(&t) {
        for (&tk, dt_row) in t_row.iter().zip(&dt) {
            for (x, &v) in b_row.iter_mut().zip(dt_row) {
                *x += tk * v;
            }
        }
    }
    b
}

/// The coefficients of a dihedral variant of the image, from the
/// original's: reflecting the image negates the odd-frequency basis
/// functions along that axis (frequency index i is cosine number i+1), and
/// a diagonal reflection transposes the matrix.
pub(super) fn dihedral_dct(a: &Dct16, variant: Dihedral) -> Dct16 {
    let mut b = [[0f32; DCT_SIDE]; DCT_SIDE];
    for (i, row) in a.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            let (i_odd, j_odd) = (i % 2 == 1, j % 2 == 1);
            // (transpose?, keep the sign?)
            let (transpose, keep) = match variant {
                Dihedral::Original => (false, true),
                Dihedral::Rotate90 => (true, j_odd),
                Dihedral::Rotate180 => (false, i_odd == j_odd),
                Dihedral::Rotate270 => (true, i_odd),
                Dihedral::FlipX => (false, i_odd),
                Dihedral::FlipY => (false, j_odd),
                Dihedral::FlipPlus1 => (true, true),
                Dihedral::FlipMinus1 => (true, i_odd == j_odd),
            };
            let v = if keep { v } else { -v };
            if transpose {
                b[j][i] = v;
            } else {
                b[i][j] = v;
            }
        }
    }
    b
}

/// One bit per coefficient: set when it is above the median. Coefficient
/// (i, j) is bit `16 i + j`; bit k sits in 16-bit word `k / 16` at position
/// `k % 16`, and the words are printed from the 16th down to the 1st, so
/// word i is bytes `2 (15 - i)` (high) and `2 (15 - i) + 1` (low).
pub(super) fn hash_from_dct(dct: &Dct16) -> PdqHash {
    let median = median(dct);
    let mut bytes = [0u8; 32];
    for (i, row) in dct.iter().enumerate() {
        let mut word: u16 = 0;
        for (j, &v) in row.iter().enumerate() {
            if v > median {
                word |= 1 << j;
            }
        }
        bytes[2 * (15 - i)..2 * (15 - i) + 2].copy_from_slice(&word.to_be_bytes());
    }
    PdqHash(bytes)
}

/// The reference's median of 256 values (Torben's method): the 128th
/// smallest, i.e. the lower of the two middle values.
fn median(dct: &Dct16) -> f32 {
    let mut values: [f32; DCT_SIDE * DCT_SIDE] = [0.0; DCT_SIDE * DCT_SIDE];
    for (chunk, row) in values.chunks_exact_mut(DCT_SIDE).zip(dct) {
        chunk.copy_from_slice(row);
    }
    // Torben's median returns the element of rank (n + 1) / 2, counting from 1.
    let mid = values.len().div_ceil(2) - 1;
    *values.select_nth_unstable_by(mid, f32::total_cmp).1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's products, each output summing its 64 terms in order.
    fn plain_dct(a: &[[f32; SIDE]; SIDE]) -> Dct16 {
        let d = dct_matrix();
        let mut t = [[0f32; SIDE]; DCT_SIDE];
        for i in 0..DCT_SIDE {
            for j in 0..SIDE {
                let mut s = 0f32;
                for k in 0..SIDE {
                    s += d[i][k] * a[k][j];
                }
                t[i][j] = s;
            }
        }
        std::array::from_fn(|i| {
            std::array::from_fn(|j| {
                let mut s = 0f32;
                for k in 0..SIDE {
                    s += t[i][k] * d[j][k];
                }
                s
            })
        })
    }

    #[test]
    fn the_dct_sums_as_the_reference_does() {
        let a: [[f32; SIDE]; SIDE] = std::array::from_fn(|i| {
            std::array::from_fn(|j| ((i * 37 + j * 11) % 255) as f32 + (i ^ j) as f32 / 7.0)
        });
        let (fast, plain) = (dct64_to_16(&a), plain_dct(&a));
        for i in 0..DCT_SIDE {
            for j in 0..DCT_SIDE {
                assert_eq!(fast[i][j].to_bits(), plain[i][j].to_bits(), "({i}, {j})");
            }
        }
    }

    #[test]
    fn bits_are_placed_in_the_references_order() {
        // Coefficient (i, j) is bit 16 i + j; only (0, 0) and (15, 15) are
        // above a median of 0.
        let mut dct = [[0f32; DCT_SIDE]; DCT_SIDE];
        dct[0][0] = 1.0;
        dct[15][15] = 1.0;
        dct[0][9] = -1.0;
        let hex = hash_from_dct(&dct).to_hex();
        assert_eq!(
            &hex[..4],
            "8000",
            "bit 255 is the first hex digit's top bit"
        );
        assert_eq!(&hex[60..], "0001", "bit 0 is the last hex digit's low bit");
        assert_eq!(hex[4..60], "0".repeat(56));
    }

    #[test]
    fn the_median_is_the_lower_middle_value() {
        let mut dct = [[0f32; DCT_SIDE]; DCT_SIDE];
        for (k, v) in dct.iter_mut().flatten().enumerate() {
            *v = (255 - k) as f32;
        }
        assert_eq!(median(&dct), 127.0);
        let ones: u32 = hash_from_dct(&dct)
            .words()
            .iter()
            .map(|w| w.count_ones())
            .sum();
        assert_eq!(ones, 128);
    }

    #[test]
    fn quality_counts_quantised_gradients() {
        let flat = [[77f32; SIDE]; SIDE];
        assert_eq!(quality(&flat), 0);
        // Columns alternating 0 and 255: 64 x 63 steps of 100 = 403,200 / 90 > 100.
        let stripes: [[f32; SIDE]; SIDE] =
            std::array::from_fn(|_| std::array::from_fn(|j| if j % 2 == 0 { 0.0 } else { 255.0 }));
        assert_eq!(quality(&stripes), 100);
        // Steps of 2.6 levels quantise to 1 each: 64 x 63 / 90 = 44.
        let ramp: [[f32; SIDE]; SIDE] =
            std::array::from_fn(|_| std::array::from_fn(|j| j as f32 * 2.6));
        assert_eq!(quality(&ramp), 44);
    }
}
