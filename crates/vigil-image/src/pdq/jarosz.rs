//! From pixels to the 64×64 luminance image PDQ transforms: luminance, the
//! reference's Jarosz filter (box filters along rows then columns, twice)
//! and decimation at pixel centres.
//!
//! Every sum is formed as the reference forms it — a running sum that adds
//! the element entering the window, then subtracts the one leaving it, then
//! divides by the window's current size, in `f32` — so the output matches
//! the reference bit for bit (a test below holds it to a plain
//! transcription). What differs is the shape of the work, for speed:
//!
//! - Rows are filtered eight at a time, interleaved (`[f32; 8]` per
//!   column), so that eight independent running sums advance together as
//!   one vector operation instead of one long dependency chain.
//! - Columns are filtered row by row against a vector of column sums,
//!   which reads memory in order and vectorises; the pass works in place,
//!   keeping a small ring of the input rows it has still to subtract.
//! - Luminance is computed straight into the first pass's lanes, and the
//!   second pair of passes computes only what the 64×64 sampling reads.
//!
//! So one image needs one full-size `f32` buffer, reused from image to image.

use std::borrow::Cow;

use image::DynamicImage;

/// The side of the decimated image.
pub(super) const SIDE: usize = 64;
/// Rows filtered together.
const LANES: usize = 8;
type Lane = [f32; LANES];

/// The reference's window for one direction: half the input pixels per
/// output pixel (two passes make up the whole), rounded up.
pub fn jarosz_window(old_dim: usize, new_dim: usize) -> usize {
    // The reference writes (old + 2 new - 1) / (2 new).
    old_dim.div_ceil(2 * new_dim)
}

/// The reference samples pixel centres: `floor((i + 0.5) * dim / 64)`.
fn sample_positions(dim: usize) -> [usize; SIDE] {
    std::array::from_fn(|i| (((i as f64 + 0.5) * dim as f64) / SIDE as f64) as usize)
}

/// The 8-bit pixels luminance is read from: the decoded buffer itself when
/// it is 8-bit RGB(A) or grey(A), else an 8-bit RGB copy (16-bit and float
/// images; the reference reads 8-bit RGB only).
pub(super) struct Pixels<'a> {
    raw: Cow<'a, [u8]>,
    channels: usize,
    grey: bool,
    rows: usize,
    cols: usize,
}

impl<'a> Pixels<'a> {
    pub(super) fn new(image: &'a DynamicImage) -> Pixels<'a> {
        let (raw, channels, grey): (Cow<'a, [u8]>, usize, bool) = match image {
            DynamicImage::ImageRgb8(i) => (Cow::Borrowed(i.as_raw()), 3, false),
            DynamicImage::ImageRgba8(i) => (Cow::Borrowed(i.as_raw()), 4, false),
            DynamicImage::ImageLuma8(i) => (Cow::Borrowed(i.as_raw()), 1, true),
            DynamicImage::ImageLumaA8(i) => (Cow::Borrowed(i.as_raw()), 2, true),
            other => (Cow::Owned(other.to_rgb8().into_raw()), 3, false),
        };
        Pixels {
            raw,
            channels,
            grey,
            rows: image.height() as usize,
            cols: image.width() as usize,
        }
    }

    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    pub(super) fn cols(&self) -> usize {
        self.cols
    }

    /// Row `r`'s luminance, one value per column, passed to `put`.
    ///
    /// Y = 0.299 R + 0.587 G + 0.114 B as the reference's Python bindings
    /// compute it from an RGB array: summed in `f64`, stored as `f32`. That
    /// is always the `f32` nearest to (299 R + 587 G + 114 B) / 1000, which
    /// one exact integer sum and one correctly rounded `f32` division give
    /// (a test checks all 2^24 colours). Alpha is ignored, as it is when the reference is given RGB; a grey
    /// pixel gives its grey value, as the reference's grey path does.
    #[inline(always)]
    fn luma_row(&self, r: usize, mut put: impl FnMut(usize, f32)) {
        let width = self.cols * self.channels;
        let row = &self.raw[r * width..(r + 1) * width];
        if self.grey {
            for (c, px) in row.chunks_exact(self.channels).enumerate() {
                put(c, f32::from(px[0]));
            }
        } else {
            for (c, px) in row.chunks_exact(self.channels).enumerate() {
                put(c, luma(px[0], px[1], px[2]));
            }
        }
    }

    /// The luminance of a 64×64 image, unfiltered (as the reference uses
    /// such an image: a video frame already scaled by ffmpeg).
    pub(super) fn luma_64(&self, out: &mut [[f32; SIDE]; SIDE]) {
        for (r, row) in out.iter_mut().enumerate() {
            self.luma_row(r, |c, y| row[c] = y);
        }
    }
}

/// Y of one 8-bit RGB pixel; see `Pixels::luma_row`.
#[inline(always)]
fn luma(r: u8, g: u8, b: u8) -> f32 {
    let thousandths = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
    // Exact: below 2^24.
    thousandths as f32 / 1000.0
}

/// The reference's 1-D box filter over `len` elements with `window`, as
/// its four phases: sum the first elements; add and write with a growing
/// window; add, subtract and write with the full window; subtract and
/// write with a shrinking one. Output `o` is the mean of
/// `input[o + half - 1 - window + 1 ..= o + half - 1]`, clipped.
fn run_box(len: usize, window: usize, state: &mut impl BoxState) {
    let (window, half) = box_shape(len, window);
    let mut count = 0u32;
    for r in 0..half - 1 {
        state.add(r);
        count += 1;
    }
    let mut o = 0;
    for _ in 0..window - half + 1 {
        state.add(o + half - 1);
        count += 1;
        state.emit(o, count as f32);
        o += 1;
    }
    for _ in 0..len - window {
        state.add(o + half - 1);
        state.sub(o + half - 1 - window);
        state.emit(o, count as f32);
        o += 1;
    }
    for _ in 0..half - 1 {
        state.sub(o + half - 1 - window);
        count -= 1;
        state.emit(o, count as f32);
        o += 1;
    }
}

/// The window (kept within the vector: `jarosz_window` gives
/// 1 <= window <= len anyway) and how far ahead of the output it reaches,
/// plus one.
fn box_shape(len: usize, window: usize) -> (usize, usize) {
    let window = window.clamp(1, len.max(1));
    (window, (window + 2) / 2)
}

/// What one running box filter does at each step.
trait BoxState {
    /// Add input element `i` to the running sum(s).
    fn add(&mut self, i: usize);
    /// Subtract input element `i`.
    fn sub(&mut self, i: usize);
    /// Output element `o` is the sum(s) divided by `count`.
    fn emit(&mut self, o: usize, count: f32);
}

/// Eight rows, interleaved, filtered along their length.
struct LaneRows<'a> {
    input: &'a [Lane],
    sum: Lane,
    out: &'a mut [Lane],
    /// When set, only these outputs (sorted, maybe repeated) are divided
    /// and written, to `out[0..64]`.
    keep: Option<(&'a [usize; SIDE], usize)>,
}

impl BoxState for LaneRows<'_> {
    #[inline(always)]
    fn add(&mut self, i: usize) {
        for (s, &v) in self.sum.iter_mut().zip(&self.input[i]) {
            *s += v;
        }
    }

    #[inline(always)]
    fn sub(&mut self, i: usize) {
        for (s, &v) in self.sum.iter_mut().zip(&self.input[i]) {
            *s -= v;
        }
    }

    #[inline(always)]
    fn emit(&mut self, o: usize, count: f32) {
        let mean = self.sum.map(|s| s / count);
        match &mut self.keep {
            None => self.out[o] = mean,
            Some((keep, next)) => {
                while *next < SIDE && keep[*next] == o {
                    self.out[*next] = mean;
                    *next += 1;
                }
            }
        }
    }
}

/// Columns filtered in place, one row at a time against the column sums.
struct ColumnsInPlace<'a> {
    image: &'a mut [f32],
    cols: usize,
    sums: &'a mut [f32],
    /// The last `lag` input rows: a row is subtracted `lag` outputs after
    /// it has been overwritten.
    ring: &'a mut [f32],
    lag: usize,
}

impl BoxState for ColumnsInPlace<'_> {
    #[inline(always)]
    fn add(&mut self, i: usize) {
        let row = &self.image[i * self.cols..(i + 1) * self.cols];
        for (s, &v) in self.sums.iter_mut().zip(row) {
            *s += v;
        }
    }

    #[inline(always)]
    fn sub(&mut self, i: usize) {
        let slot = (i % self.lag) * self.cols;
        for (s, &v) in self.sums.iter_mut().zip(&self.ring[slot..slot + self.cols]) {
            *s -= v;
        }
    }

    #[inline(always)]
    fn emit(&mut self, o: usize, count: f32) {
        // Slot o % lag held row o - lag, subtracted in this same step.
        let slot = (o % self.lag) * self.cols;
        let row = &mut self.image[o * self.cols..(o + 1) * self.cols];
        self.ring[slot..slot + self.cols].copy_from_slice(row);
        for (y, &s) in row.iter_mut().zip(self.sums.iter()) {
            *y = s / count;
        }
    }
}

/// The 64 sampled columns (rows × 64) filtered down, writing the 64
/// sampled rows.
struct SampledColumns<'a> {
    input: &'a [[f32; SIDE]],
    sums: [f32; SIDE],
    keep: &'a [usize; SIDE],
    next: usize,
    out: &'a mut [[f32; SIDE]; SIDE],
}

impl BoxState for SampledColumns<'_> {
    fn add(&mut self, i: usize) {
        for (s, &v) in self.sums.iter_mut().zip(&self.input[i]) {
            *s += v;
        }
    }

    fn sub(&mut self, i: usize) {
        for (s, &v) in self.sums.iter_mut().zip(&self.input[i]) {
            *s -= v;
        }
    }

    fn emit(&mut self, o: usize, count: f32) {
        while self.next < SIDE && self.keep[self.next] == o {
            self.out[self.next] = self.sums.map(|s| s / count);
            self.next += 1;
        }
    }
}

/// The buffers of the filter, kept from image to image.
#[derive(Debug, Default)]
pub(super) struct JaroszFilter {
    image: Vec<f32>,
    lanes_in: Vec<Lane>,
    lanes_out: Vec<Lane>,
    ring: Vec<f32>,
    sums: Vec<f32>,
    sampled: Vec<[f32; SIDE]>,
}

impl JaroszFilter {
    /// Luminance, blur and decimation: the 64×64 image of `pixels`.
    pub(super) fn blur_and_decimate(&mut self, pixels: &Pixels, out: &mut [[f32; SIDE]; SIDE]) {
        let (rows, cols) = (pixels.rows(), pixels.cols());
        let (along_rows, along_cols) = (jarosz_window(cols, SIDE), jarosz_window(rows, SIDE));
        // `resize` only writes new elements; every element is overwritten below.
        self.image.resize(rows * cols, 0.0);
        self.lanes_in.resize(cols, [0.0; LANES]);
        // Full rows out of pass 1; the 64 samples out of pass 2.
        self.lanes_out.resize(cols.max(SIDE), [0.0; LANES]);

        // Pass 1 along rows, from the pixels, into `image`.
        for first in (0..rows).step_by(LANES) {
            let group = (rows - first).min(LANES);
            for k in 0..group {
                let lanes = &mut self.lanes_in;
                pixels.luma_row(first + k, |c, y| lanes[c][k] = y);
            }
            let mut state = LaneRows {
                input: &self.lanes_in,
                sum: [0.0; LANES],
                out: &mut self.lanes_out,
                keep: None,
            };
            run_box(cols, along_rows, &mut state);
            let block = &mut self.image[first * cols..(first + group) * cols];
            for (k, row) in block.chunks_exact_mut(cols).enumerate() {
                for (y, lane) in row.iter_mut().zip(&self.lanes_out) {
                    *y = lane[k];
                }
            }
        }

        // Pass 1 along columns, in place.
        let (window, half) = box_shape(rows, along_cols);
        let lag = window + 1 - half;
        self.ring.resize(lag * cols, 0.0);
        self.sums.clear();
        self.sums.resize(cols, 0.0);
        let mut state = ColumnsInPlace {
            image: &mut self.image,
            cols,
            sums: &mut self.sums,
            ring: &mut self.ring,
            lag,
        };
        run_box(rows, along_cols, &mut state);

        // Pass 2 along rows, only at the sampled columns: rows × 64.
        let sample_cols = sample_positions(cols);
        self.sampled.resize(rows, [0.0; SIDE]);
        for first in (0..rows).step_by(LANES) {
            let group = (rows - first).min(LANES);
            let block = &self.image[first * cols..(first + group) * cols];
            for (k, row) in block.chunks_exact(cols).enumerate() {
                for (lane, &y) in self.lanes_in.iter_mut().zip(row) {
                    lane[k] = y;
                }
            }
            let mut state = LaneRows {
                input: &self.lanes_in,
                sum: [0.0; LANES],
                out: &mut self.lanes_out,
                keep: Some((&sample_cols, 0)),
            };
            run_box(cols, along_rows, &mut state);
            for (k, sampled) in self.sampled[first..first + group].iter_mut().enumerate() {
                for (y, lane) in sampled.iter_mut().zip(&self.lanes_out) {
                    *y = lane[k];
                }
            }
        }

        // Pass 2 along columns, only at the sampled rows.
        let mut state = SampledColumns {
            input: &self.sampled,
            sums: [0.0; SIDE],
            keep: &sample_positions(rows),
            next: 0,
            out,
        };
        run_box(rows, along_cols, &mut state);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// A deterministic noisy image with some structure.
    pub(in crate::pdq) fn test_image(width: u32, height: u32, seed: u64) -> RgbImage {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        RgbImage::from_fn(width, height, |x, y| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 56) as u32 % 40;
            let wave = (x * 7 + y * 3) % 200 + (x * y) % 17;
            let v = |k: u32| ((wave + noise + k * 50) % 256) as u8;
            Rgb([v(0), v(1), v(2)])
        })
    }

    // A plain transcription of the reference's steps: the oracle.

    fn plain_luma(image: &RgbImage) -> Vec<f32> {
        image
            .pixels()
            .map(|p| {
                let [r, g, b] = p.0.map(f64::from);
                (r * 0.299 + g * 0.587 + b * 0.114) as f32
            })
            .collect()
    }

    fn plain_box(input: &[f32], output: &mut [f32], len: usize, stride: usize, window: usize) {
        let half = (window + 2) / 2;
        let (mut li, mut ri, mut oi) = (0, 0, 0);
        let mut sum = 0f32;
        let mut count = 0;
        for _ in 0..half - 1 {
            sum += input[ri];
            count += 1;
            ri += stride;
        }
        for _ in 0..window - half + 1 {
            sum += input[ri];
            count += 1;
            output[oi] = sum / count as f32;
            ri += stride;
            oi += stride;
        }
        for _ in 0..len - window {
            sum += input[ri];
            sum -= input[li];
            output[oi] = sum / count as f32;
            li += stride;
            ri += stride;
            oi += stride;
        }
        for _ in 0..half - 1 {
            sum -= input[li];
            count -= 1;
            output[oi] = sum / count as f32;
            li += stride;
            oi += stride;
        }
    }

    fn plain_small(image: &RgbImage) -> [[f32; SIDE]; SIDE] {
        let (rows, cols) = (image.height() as usize, image.width() as usize);
        let mut a = plain_luma(image);
        let mut b = vec![0f32; a.len()];
        let (wr, wc) = (jarosz_window(cols, SIDE), jarosz_window(rows, SIDE));
        for _ in 0..2 {
            for i in 0..rows {
                plain_box(&a[i * cols..], &mut b[i * cols..], cols, 1, wr);
            }
            for j in 0..cols {
                plain_box(&b[j..], &mut a[j..], rows, cols, wc);
            }
        }
        std::array::from_fn(|i| {
            let r = (((i as f64 + 0.5) * rows as f64) / 64.0) as usize;
            std::array::from_fn(|j| {
                let c = (((j as f64 + 0.5) * cols as f64) / 64.0) as usize;
                a[r * cols + c]
            })
        })
    }

    #[test]
    fn the_filter_matches_the_reference_bit_for_bit() {
        let mut filter = JaroszFilter::default();
        let sizes = [
            (5, 5),
            (7, 200),
            (200, 7),
            (65, 129),
            (127, 128),
            (301, 300),
            (1004, 160),
            (64, 640),
            (9, 9),
        ];
        for (seed, (rows, cols)) in sizes.into_iter().enumerate() {
            let rgb = test_image(cols as u32, rows as u32, seed as u64);
            let expected = plain_small(&rgb);
            let image = DynamicImage::ImageRgb8(rgb);
            let mut small = [[0f32; SIDE]; SIDE];
            filter.blur_and_decimate(&Pixels::new(&image), &mut small);
            for i in 0..SIDE {
                for j in 0..SIDE {
                    assert_eq!(
                        small[i][j].to_bits(),
                        expected[i][j].to_bits(),
                        "{rows}x{cols} at ({i}, {j}): {} vs {}",
                        small[i][j],
                        expected[i][j]
                    );
                }
            }
        }
    }

    #[test]
    fn integer_luma_is_the_references_float_luma_for_every_colour() {
        for r in 0..=255u8 {
            for g in 0..=255u8 {
                for b in 0..=255u8 {
                    let (fr, fg, fb) = (f64::from(r), f64::from(g), f64::from(b));
                    let reference = (fr * 0.299 + fg * 0.587 + fb * 0.114) as f32;
                    assert_eq!(luma(r, g, b).to_bits(), reference.to_bits(), "{r} {g} {b}");
                }
            }
        }
    }

    #[test]
    fn the_window_is_the_references() {
        assert_eq!(jarosz_window(1024, 64), 8);
        assert_eq!(jarosz_window(1004, 64), 8);
        assert_eq!(jarosz_window(1600, 64), 13);
        assert_eq!(jarosz_window(64, 64), 1);
        assert_eq!(jarosz_window(5, 64), 1);
    }

    #[test]
    fn samples_are_pixel_centres() {
        let at = sample_positions(1600);
        assert_eq!((at[0], at[1], at[63]), (12, 37, 1587));
        let at = sample_positions(5);
        assert_eq!((at[0], at[12], at[13], at[63]), (0, 0, 1, 4));
    }
}
