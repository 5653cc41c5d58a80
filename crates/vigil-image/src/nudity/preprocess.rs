//! From an image to the model's input, as NudeNet 3.4.2 makes it: the image
//! padded with black on the right and at the bottom to a square, that square
//! resized to 320×320 by OpenCV's bilinear `resize`, and the bytes scaled to
//! 0..1, planar, RGB.
//!
//! One deliberate difference: NudeNet 3.4.2 converts OpenCV's BGR pixels with
//! `COLOR_RGBA2BGR` and then asks `blobFromImage` to swap red and blue again,
//! so the published package feeds the model BGR (reported upstream as NudeNet
//! issue 203; the release before it fed RGB). The model is a YOLOv8 detector,
//! trained on RGB, so Vigil feeds RGB; the reference script compares against
//! the package with that one swap undone.
//!
//! OpenCV resizes 8-bit images in fixed point (11-bit weights, and a vertical
//! pass that rounds each row's product separately), and it treats the edges
//! of rows and columns differently. Those details move a few output levels by
//! one, so they are followed here exactly: on the same pixels the tensor is
//! the reference's, bit for bit (`bench/nudenet_reference.py` checks it on
//! the shared images; the constructed image of `tests/nudity.rs` pins it).

use std::borrow::Cow;

use image::{DynamicImage, RgbImage};

/// The side of the model's square input, in pixels.
pub const INPUT_SIDE: usize = 320;

/// Pixels in one channel of the input.
const PLANE: usize = INPUT_SIDE * INPUT_SIDE;

/// OpenCV's `INTER_RESIZE_COEF_BITS`: weights are integers out of 2048.
const COEF_SCALE: f32 = 2048.0;

/// An image prepared for the model: the input tensor and the size of the
/// image it came from, to map boxes back.
#[derive(Clone, PartialEq)]
pub struct ModelInput {
    /// 3 × 320 × 320 values in 0..1: the red plane, then green, then blue.
    pixels: Vec<f32>,
    width: u32,
    height: u32,
}

impl std::fmt::Debug for ModelInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelInput")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl ModelInput {
    /// Prepares `image` (already decoded, EXIF orientation applied): its
    /// colour channels as 8-bit RGB (alpha dropped, as OpenCV's `imread`
    /// drops it), padded to a square and resized to 320×320.
    pub fn from_image(image: &DynamicImage) -> ModelInput {
        let rgb: Cow<'_, RgbImage> = match image.as_rgb8() {
            Some(rgb) => Cow::Borrowed(rgb),
            None => Cow::Owned(image.to_rgb8()),
        };
        let (width, height) = rgb.dimensions();
        let mut pixels = vec![0.0; 3 * PLANE];
        if width > 0 && height > 0 {
            resize_padded(&rgb, &mut pixels);
        }
        ModelInput {
            pixels,
            width,
            height,
        }
    }

    /// A tensor built elsewhere (3 × 320 × 320, planar RGB, 0..1) for an
    /// image of `width` × `height`; `None` when the length is not that.
    pub fn from_tensor(pixels: Vec<f32>, width: u32, height: u32) -> Option<ModelInput> {
        (pixels.len() == 3 * PLANE).then_some(ModelInput {
            pixels,
            width,
            height,
        })
    }

    /// The tensor: 3 × 320 × 320, planar RGB, 0..1.
    pub fn pixels(&self) -> &[f32] {
        &self.pixels
    }

    /// The width of the original image.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The height of the original image.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The side of the padded square: the longer of width and height.
    pub fn padded_side(&self) -> u32 {
        self.width.max(self.height)
    }
}

/// One output column or row: the two source pixels it blends and their
/// weights out of 2048.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tap {
    first: u32,
    second: u32,
    first_weight: i32,
    second_weight: i32,
}

/// The taps of OpenCV's bilinear resize from `side` to 320, for columns
/// (`clamp_weights`: at an edge the weight goes wholly to the edge pixel) or
/// rows (the weights stay as computed and both source rows are clamped).
fn taps(side: u32, clamp_weights: bool) -> [Tap; INPUT_SIDE] {
    // OpenCV keeps the inverse scale and derives the scale from it, in f64.
    let scale = 1.0 / (INPUT_SIDE as f64 / f64::from(side));
    let last = side as i64 - 1;
    std::array::from_fn(|d| {
        let position = ((d as f64 + 0.5) * scale - 0.5) as f32;
        let mut source = position.floor() as i64;
        let mut fraction = position - source as f32;
        if clamp_weights {
            if source < 0 {
                (source, fraction) = (0, 0.0);
            }
            if source >= last {
                (source, fraction) = (last, 0.0);
            }
        }
        // `saturate_cast<short>` of a float rounds half to even.
        let first_weight = ((1.0 - fraction) * COEF_SCALE).round_ties_even() as i32;
        Tap {
            first: source.clamp(0, last) as u32,
            second: (source + 1).clamp(0, last) as u32,
            first_weight,
            second_weight: COEF_SCALE as i32 - first_weight,
        }
    })
}

/// Resizes `image`, padded with black to a square, into the planar tensor.
fn resize_padded(image: &RgbImage, out: &mut [f32]) {
    let (width, height) = image.dimensions();
    let side = width.max(height);
    let columns = taps(side, true);
    let rows = taps(side, false);
    let mut upper = [0i32; 3 * INPUT_SIDE];
    let mut lower = [0i32; 3 * INPUT_SIDE];
    for (y, row) in rows.iter().enumerate() {
        horizontal(image, row.first, &columns, &mut upper);
        horizontal(image, row.second, &columns, &mut lower);
        for x in 0..INPUT_SIDE {
            for c in 0..3 {
                // OpenCV's vectorised vertical pass: each product is shifted
                // down on its own before the sum is rounded. Written as it is
                // so that the rounding matches.
                let a = (row.first_weight * (upper[3 * x + c] >> 4)) >> 16;
                let b = (row.second_weight * (lower[3 * x + c] >> 4)) >> 16;
                let level = ((a + b + 2) >> 2).clamp(0, 255);
                out[c * PLANE + y * INPUT_SIDE + x] = level as f32 / 255.0;
            }
        }
    }
}

/// One source row blended across: RGB sums weighted out of 2048. A row
/// below the image is padding, black.
fn horizontal(image: &RgbImage, y: u32, columns: &[Tap; INPUT_SIDE], out: &mut [i32]) {
    if y >= image.height() {
        out.fill(0);
        return;
    }
    let width = image.width();
    let pixel = |x: u32, c: usize| -> i32 {
        if x < width {
            i32::from(image.get_pixel(x, y)[c])
        } else {
            0
        }
    };
    for (x, tap) in columns.iter().enumerate() {
        for c in 0..3 {
            out[3 * x + c] =
                pixel(tap.first, c) * tap.first_weight + pixel(tap.second, c) * tap.second_weight;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn level(input: &ModelInput, channel: usize, x: usize, y: usize) -> u8 {
        (input.pixels()[channel * PLANE + y * INPUT_SIDE + x] * 255.0).round() as u8
    }

    #[test]
    fn a_320_square_passes_through_unchanged() {
        let image = RgbImage::from_fn(320, 320, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 251) as u8])
        });
        let input = ModelInput::from_image(&DynamicImage::ImageRgb8(image.clone()));
        for (x, y, p) in image.enumerate_pixels() {
            for c in 0..3 {
                assert_eq!(
                    level(&input, c, x as usize, y as usize),
                    p[c],
                    "({x}, {y}) {c}"
                );
            }
        }
    }

    #[test]
    fn a_wide_image_is_padded_below_with_black() {
        // 640 × 320 of white: the top half of the input is white, the
        // bottom half black, in every channel.
        let image = RgbImage::from_pixel(640, 320, Rgb([255, 255, 255]));
        let input = ModelInput::from_image(&DynamicImage::ImageRgb8(image));
        assert_eq!(input.padded_side(), 640);
        for c in 0..3 {
            assert_eq!(level(&input, c, 10, 10), 255);
            assert_eq!(level(&input, c, 300, 159), 255);
            assert_eq!(level(&input, c, 10, 160), 0);
            assert_eq!(level(&input, c, 300, 319), 0);
        }
    }

    #[test]
    fn channels_are_red_green_blue_in_that_order() {
        let image = RgbImage::from_pixel(50, 50, Rgb([200, 100, 10]));
        let input = ModelInput::from_image(&DynamicImage::ImageRgb8(image));
        assert_eq!(
            [0, 1, 2].map(|c| level(&input, c, 100, 100)),
            [200, 100, 10]
        );
    }

    #[test]
    fn edge_weights_are_clamped_for_columns_and_kept_for_rows() {
        // Upscaling 42 → 320: the first output position falls before the
        // first source pixel.
        let columns = taps(42, true);
        let rows = taps(42, false);
        assert_eq!((columns[0].first, columns[0].first_weight), (0, 2048));
        assert_eq!((rows[0].first, rows[0].second), (0, 0));
        assert!(rows[0].first_weight < 2048);
        assert_eq!(rows[0].first_weight + rows[0].second_weight, 2048);
    }
}
