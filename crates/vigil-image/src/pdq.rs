//! PDQ, Meta's perceptual image hash, computed as the reference does it
//! (facebook/ThreatExchange `pdq/`): luminance, a two-pass Jarosz (box)
//! filter, decimation to 64×64, a 16×16 DCT, the median threshold, and the
//! gradient quality metric; plus the 8 dihedral hashes from one DCT.
//!
//! The arithmetic follows the reference step by step, in `f32`, in the same
//! order of additions, so that the same pixels give the same hash bit for
//! bit; only the shape of the work differs, for speed. This module decodes
//! and holds the public interface; `jarosz` goes from pixels to the 64×64
//! luminance image, `dct` from there to bits.

mod dct;
mod jarosz;

use std::fmt;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};

use crate::PdqHash;
use dct::{dct64_to_16, dihedral_dct, hash_from_dct, quality, Dct16};
pub use jarosz::jarosz_window;
use jarosz::{JaroszFilter, Pixels, SIDE};

/// Images narrower or shorter than this get the all-zero hash and quality 0,
/// as in the reference.
pub const MIN_HASHABLE_DIM: u32 = 5;

/// A PDQ hash and its quality (0 to 100; the reference suggests ignoring
/// hashes of quality below 50 when matching).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PdqOutput {
    pub hash: PdqHash,
    pub quality: u8,
}

/// The 8 dihedral variants of an image (rotations and reflections), named
/// as the reference's `pdq-photo-hasher --pdqdih -d` prints them. Rotations
/// are counter-clockwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dihedral {
    /// The image as it is (`orig`).
    Original,
    /// Rotated 90° counter-clockwise (`rot90`).
    Rotate90,
    /// Rotated 180° (`rot180`).
    Rotate180,
    /// Rotated 270° counter-clockwise, i.e. 90° clockwise (`rot270`).
    Rotate270,
    /// Flipped about the horizontal axis: upside down (`flipx`).
    FlipX,
    /// Flipped about the vertical axis: mirrored left to right (`flipy`).
    FlipY,
    /// Transposed: reflected about the main diagonal (`flipp`).
    FlipPlus1,
    /// Transversed: reflected about the anti-diagonal (`flipm`).
    FlipMinus1,
}

impl Dihedral {
    /// All 8, in the reference's order.
    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];

    /// The stable name: `orig`, `rot90`, `rot180`, `rot270`, `flipx`,
    /// `flipy`, `flipp`, `flipm`.
    pub fn name(self) -> &'static str {
        match self {
            Dihedral::Original => "orig",
            Dihedral::Rotate90 => "rot90",
            Dihedral::Rotate180 => "rot180",
            Dihedral::Rotate270 => "rot270",
            Dihedral::FlipX => "flipx",
            Dihedral::FlipY => "flipy",
            Dihedral::FlipPlus1 => "flipp",
            Dihedral::FlipMinus1 => "flipm",
        }
    }
}

impl fmt::Display for Dihedral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of [`Dihedral::name`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a dihedral variant: expected orig, rot90, rot180, rot270, flipx, flipy, flipp or flipm")]
pub struct InvalidDihedral(pub String);

impl FromStr for Dihedral {
    type Err = InvalidDihedral;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dihedral::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| InvalidDihedral(s.chars().take(40).collect()))
    }
}

/// The 8 dihedral hashes of one image, in [`Dihedral::ALL`]'s order, and
/// the quality they share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdqDihedral {
    pub hashes: [(Dihedral, PdqHash); 8],
    pub quality: u8,
}

impl PdqDihedral {
    /// The hash of one variant.
    pub fn get(&self, variant: Dihedral) -> PdqHash {
        self.hashes[variant as usize].1
    }
}

/// Why an image could not be hashed. Each names the input: the file's path,
/// or "image bytes" when there is none.
#[derive(Debug, thiserror::Error)]
pub enum PdqError {
    /// The file could not be read (missing, a folder, no permission).
    #[error("{}: cannot read the file: {source}", shown(path))]
    Unreadable {
        path: Option<PathBuf>,
        source: std::io::Error,
    },
    /// No image format recognised from the first bytes.
    #[error(
        "{}: not an image in a format Vigil reads (PNG, JPEG, GIF, WebP, BMP, TIFF)",
        shown(path)
    )]
    NotAnImage { path: Option<PathBuf> },
    /// The file stops before the image does.
    #[error("{}: the image is truncated: {detail}", shown(path))]
    Truncated {
        path: Option<PathBuf>,
        detail: String,
    },
    /// The decoder found data it cannot make sense of.
    #[error("{}: the image is damaged: {detail}", shown(path))]
    Damaged {
        path: Option<PathBuf>,
        detail: String,
    },
    /// A format or variant of one that Vigil does not decode.
    #[error("{}: unsupported image: {detail}", shown(path))]
    Unsupported {
        path: Option<PathBuf>,
        detail: String,
    },
    /// Decoding would need more memory than the decoder's limit (512 MiB).
    #[error("{}: the image is too large to decode: {detail}", shown(path))]
    TooLarge {
        path: Option<PathBuf>,
        detail: String,
    },
}

fn shown(path: &Option<PathBuf>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "image bytes".to_string(),
    }
}

impl PdqError {
    fn from_image(path: Option<&Path>, e: ImageError) -> PdqError {
        let path = path.map(Path::to_path_buf);
        let detail = e.to_string();
        match e {
            ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                PdqError::Truncated { path, detail }
            }
            ImageError::IoError(source) => PdqError::Unreadable { path, source },
            ImageError::Limits(_) => PdqError::TooLarge { path, detail },
            ImageError::Unsupported(_) => PdqError::Unsupported { path, detail },
            _ if looks_truncated(&detail) => PdqError::Truncated { path, detail },
            _ => PdqError::Damaged { path, detail },
        }
    }
}

/// Decoders report a short read in their own words; these are the ones the
/// `image` crate's decoders use.
fn looks_truncated(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "eof",
        "end of file",
        "truncated",
        "unexpected end",
        "no more bytes",
        "exhausted",
        "not enough bytes",
    ]
    .iter()
    .any(|w| d.contains(w))
}

/// Decode an image file's bytes and apply its EXIF orientation, as the
/// reference's callers do before hashing. `path` only names the input in
/// errors.
pub fn decode_image(bytes: &[u8], path: Option<&Path>) -> Result<DynamicImage, PdqError> {
    let fail = |e| PdqError::from_image(path, e);
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| fail(ImageError::IoError(e)))?;
    match reader.format() {
        None => {
            return Err(PdqError::NotAnImage {
                path: path.map(Path::to_path_buf),
            })
        }
        // The JPEG decoder pads a short file with grey rather than fail;
        // a hash of half a picture is no hash of it.
        Some(ImageFormat::Jpeg) if jpeg_is_cut_short(bytes) => {
            return Err(PdqError::Truncated {
                path: path.map(Path::to_path_buf),
                detail: "no end-of-image marker after the last scan".to_string(),
            })
        }
        Some(_) => {}
    }
    let mut decoder = reader.into_decoder().map_err(fail)?;
    let orientation = decoder.orientation().map_err(fail)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(fail)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether a JPEG stops before its end-of-image marker (FF D9). Inside
/// entropy-coded data a 0xFF byte is always followed by 0x00 or a restart
/// marker, so the last FF D9 ends the main image exactly when no
/// start-of-scan (FF DA) follows it; an EXIF thumbnail's marker, early in
/// the file, does not count.
fn jpeg_is_cut_short(bytes: &[u8]) -> bool {
    let marker = |code: u8| move |w: &[u8]| w[0] == 0xff && w[1] == code;
    match bytes.windows(2).rposition(marker(0xd9)) {
        None => true,
        Some(end) => bytes[end..].windows(2).any(marker(0xda)),
    }
}

/// The PDQ hash of an image file.
pub fn pdq_from_path(path: impl AsRef<Path>) -> Result<PdqOutput, PdqError> {
    PdqHasher::new().hash_path(path.as_ref())
}

/// The PDQ hash of an image file's bytes (any format [`decode_image`] reads).
pub fn pdq_from_bytes(bytes: &[u8]) -> Result<PdqOutput, PdqError> {
    PdqHasher::new().hash_bytes(bytes, None)
}

/// The PDQ hash of a decoded image, taken as it is (no orientation applied).
pub fn pdq_from_image(image: &DynamicImage) -> PdqOutput {
    PdqHasher::new().hash_image(image)
}

/// The 8 dihedral hashes of an image file.
pub fn pdq_dihedral_from_path(path: impl AsRef<Path>) -> Result<PdqDihedral, PdqError> {
    PdqHasher::new().dihedral_path(path.as_ref())
}

/// The 8 dihedral hashes of an image file's bytes.
pub fn pdq_dihedral_from_bytes(bytes: &[u8]) -> Result<PdqDihedral, PdqError> {
    PdqHasher::new().dihedral_bytes(bytes, None)
}

/// The 8 dihedral hashes of a decoded image, taken as it is.
pub fn pdq_dihedral_from_image(image: &DynamicImage) -> PdqDihedral {
    PdqHasher::new().dihedral_image(image)
}

/// Hashes image after image, reusing its buffers: one full-size `f32`
/// luminance buffer and a few small ones. The free functions make a new one
/// per call; hash many images with one of these.
///
/// ```
/// use image::{DynamicImage, RgbImage};
/// use vigil_image::pdq::PdqHasher;
///
/// let mut hasher = PdqHasher::new();
/// let grey = DynamicImage::ImageRgb8(RgbImage::from_pixel(80, 60, image::Rgb([90, 90, 90])));
/// let out = hasher.hash_image(&grey);
/// assert_eq!(out.quality, 0); // a flat image has no gradients
/// ```
#[derive(Debug, Default)]
pub struct PdqHasher {
    filter: JaroszFilter,
}

impl PdqHasher {
    pub fn new() -> PdqHasher {
        PdqHasher::default()
    }

    /// Read, decode, orient and hash one file.
    pub fn hash_path(&mut self, path: &Path) -> Result<PdqOutput, PdqError> {
        let bytes = read(path)?;
        self.hash_bytes(&bytes, Some(path))
    }

    /// Decode, orient and hash an image file's bytes; `path` names it in errors.
    pub fn hash_bytes(&mut self, bytes: &[u8], path: Option<&Path>) -> Result<PdqOutput, PdqError> {
        let image = decode_image(bytes, path)?;
        Ok(self.hash_image(&image))
    }

    /// Hash a decoded image as it is.
    pub fn hash_image(&mut self, image: &DynamicImage) -> PdqOutput {
        match self.dct(image) {
            Some((dct, quality)) => PdqOutput {
                hash: hash_from_dct(&dct),
                quality,
            },
            None => PdqOutput {
                hash: PdqHash([0; 32]),
                quality: 0,
            },
        }
    }

    /// Read, decode, orient and hash one file in its 8 dihedral variants.
    pub fn dihedral_path(&mut self, path: &Path) -> Result<PdqDihedral, PdqError> {
        let bytes = read(path)?;
        self.dihedral_bytes(&bytes, Some(path))
    }

    /// Decode, orient and hash an image file's bytes in 8 variants.
    pub fn dihedral_bytes(
        &mut self,
        bytes: &[u8],
        path: Option<&Path>,
    ) -> Result<PdqDihedral, PdqError> {
        let image = decode_image(bytes, path)?;
        Ok(self.dihedral_image(&image))
    }

    /// Hash a decoded image in its 8 dihedral variants, from one DCT: each
    /// variant's coefficients are the original's, transposed and with signs
    /// changed, as the reference derives them.
    pub fn dihedral_image(&mut self, image: &DynamicImage) -> PdqDihedral {
        let Some((dct, quality)) = self.dct(image) else {
            return PdqDihedral {
                hashes: Dihedral::ALL.map(|d| (d, PdqHash([0; 32]))),
                quality: 0,
            };
        };
        PdqDihedral {
            hashes: Dihedral::ALL.map(|d| (d, hash_from_dct(&dihedral_dct(&dct, d)))),
            quality,
        }
    }

    /// The 16×16 DCT and the quality, or `None` for an image too small to hash.
    fn dct(&mut self, image: &DynamicImage) -> Option<(Dct16, u8)> {
        let (cols, rows) = (image.width(), image.height());
        if cols < MIN_HASHABLE_DIM || rows < MIN_HASHABLE_DIM {
            return None;
        }
        let pixels = Pixels::new(image);
        let mut small = [[0f32; SIDE]; SIDE];
        if pixels.rows() == SIDE && pixels.cols() == SIDE {
            pixels.luma_64(&mut small);
        } else {
            self.filter.blur_and_decimate(&pixels, &mut small);
        }
        Some((dct64_to_16(&small), quality(&small)))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, PdqError> {
    std::fs::read(path).map_err(|source| PdqError::Unreadable {
        path: Some(path.to_path_buf()),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::dct::DCT_SIDE;
    use super::jarosz::tests::test_image;
    use super::*;
    use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

    #[test]
    fn dihedral_coefficients_are_those_of_the_transformed_image() {
        // At 64×64 the luminance goes to the DCT unfiltered, so a transformed
        // image's coefficients equal the sign-changed, transposed original's
        // up to the rounding of the sums.
        let image = DynamicImage::ImageRgb8(test_image(64, 64, 9));
        let mut hasher = PdqHasher::new();
        let (dct, _) = hasher.dct(&image).expect("hashable");
        let transforms: [(Dihedral, DynamicImage); 8] = [
            (Dihedral::Original, image.clone()),
            (Dihedral::Rotate90, image.rotate270()),
            (Dihedral::Rotate180, image.rotate180()),
            (Dihedral::Rotate270, image.rotate90()),
            (Dihedral::FlipX, image.flipv()),
            (Dihedral::FlipY, image.fliph()),
            (Dihedral::FlipPlus1, image.rotate90().fliph()),
            (Dihedral::FlipMinus1, image.rotate270().fliph()),
        ];
        for (variant, transformed) in transforms {
            let derived = dihedral_dct(&dct, variant);
            let (direct, _) = hasher.dct(&transformed).expect("hashable");
            for i in 0..DCT_SIDE {
                for j in 0..DCT_SIDE {
                    let diff = (derived[i][j] - direct[i][j]).abs();
                    assert!(
                        diff < 1e-2,
                        "{variant} ({i}, {j}): {} vs {}",
                        derived[i][j],
                        direct[i][j]
                    );
                }
            }
        }
    }

    #[test]
    fn dihedral_names_round_trip() {
        for d in Dihedral::ALL {
            assert_eq!(d.name().parse::<Dihedral>(), Ok(d));
            assert_eq!(Dihedral::ALL[d as usize], d);
        }
        assert!("rotate90".parse::<Dihedral>().is_err());
    }

    #[test]
    fn tiny_and_flat_images_get_the_references_answers() {
        let tiny = DynamicImage::ImageRgb8(test_image(4, 100, 1));
        let out = pdq_from_image(&tiny);
        assert_eq!((out.hash, out.quality), (PdqHash([0; 32]), 0));
        let all = pdq_dihedral_from_image(&tiny);
        assert!(all.hashes.iter().all(|(_, h)| *h == PdqHash([0; 32])));
        let flat = DynamicImage::ImageRgb8(RgbImage::from_pixel(300, 200, Rgb([120, 30, 200])));
        assert_eq!(pdq_from_image(&flat).quality, 0);
    }

    #[test]
    fn alpha_is_ignored_and_16_bits_become_8() {
        let rgb = test_image(120, 90, 3);
        let rgba = RgbaImage::from_fn(120, 90, |x, y| {
            let Rgb([r, g, b]) = *rgb.get_pixel(x, y);
            Rgba([r, g, b, (x % 256) as u8])
        });
        let plain = pdq_from_image(&DynamicImage::ImageRgb8(rgb.clone()));
        assert_eq!(pdq_from_image(&DynamicImage::ImageRgba8(rgba)), plain);
        let deep = DynamicImage::ImageRgb8(rgb).to_rgb16();
        assert_eq!(pdq_from_image(&DynamicImage::ImageRgb16(deep)), plain);
    }

    fn encoded(image: &RgbImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).expect("encodes");
        out.into_inner()
    }

    #[test]
    fn bytes_decode_and_hash_like_the_image() {
        let rgb = test_image(150, 100, 4);
        let png = encoded(&rgb, image::ImageFormat::Png);
        let from_bytes = pdq_from_bytes(&png).expect("a PNG");
        assert_eq!(from_bytes, pdq_from_image(&DynamicImage::ImageRgb8(rgb)));
        let all = pdq_dihedral_from_bytes(&png).expect("a PNG");
        assert_eq!(all.get(Dihedral::Original), from_bytes.hash);
    }

    #[test]
    fn exif_orientation_is_applied() {
        let rgb = test_image(160, 100, 5);
        // A big-endian TIFF header with one IFD entry: Orientation = 6
        // (the stored pixels must be turned 90° clockwise to display).
        let exif = [
            b'M', b'M', 0, 42, 0, 0, 0, 8, // header, IFD at 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // orientation, SHORT, 1, 6
            0, 0, 0, 0, // no next IFD
        ];
        let mut jpeg = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95);
        encoder
            .set_exif_metadata(exif.to_vec())
            .expect("JPEG takes EXIF");
        encoder
            .write_image(rgb.as_raw(), 160, 100, image::ExtendedColorType::Rgb8)
            .expect("encodes");
        let decoded = decode_image(&jpeg, None).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (100, 160));
        let upright = DynamicImage::ImageRgb8(rgb).rotate90();
        let bits = pdq_from_bytes(&jpeg)
            .expect("hashes")
            .hash
            .distance(&pdq_from_image(&upright).hash);
        assert!(
            bits <= 16,
            "{bits} bits from the upright image (JPEG loss only)"
        );
    }

    #[test]
    fn bad_input_is_an_error_naming_it_never_a_panic() {
        let path = Path::new("holiday.jpg");
        for bytes in [&b""[..], b"not an image at all", &[0xff, 0xd8, 0xff][..]] {
            let e = PdqHasher::new()
                .hash_bytes(bytes, Some(path))
                .expect_err("not an image");
            assert!(e.to_string().starts_with("holiday.jpg: "), "{e}");
        }
        let rgb = test_image(97, 61, 6);
        for format in [
            image::ImageFormat::Jpeg,
            image::ImageFormat::Png,
            image::ImageFormat::Gif,
            image::ImageFormat::Bmp,
            image::ImageFormat::Tiff,
            image::ImageFormat::WebP,
        ] {
            let whole = encoded(&rgb, format);
            for cut in [
                1,
                2,
                8,
                16,
                40,
                whole.len() / 3,
                whole.len() / 2,
                whole.len() - 1,
            ] {
                // PNG and GIF may stop short of their last chunk with every
                // pixel read; a file cut earlier must fail, and nothing panics.
                match pdq_from_bytes(&whole[..cut]) {
                    Err(e) => assert!(e.to_string().starts_with("image bytes: "), "{e}"),
                    Ok(_) => assert!(
                        cut > whole.len() / 2 && format != image::ImageFormat::Jpeg,
                        "{format:?} cut to {cut} of {} bytes hashed",
                        whole.len()
                    ),
                }
            }
        }
        // Random bytes, some behind a real signature.
        let mut state = 0x9e3779b97f4a7c15u64;
        for round in 0..200 {
            let len = 1 + round * 7 % 3000;
            let mut bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 32) as u8
                })
                .collect();
            let magic: &[u8] = match round % 4 {
                0 => &[0xff, 0xd8, 0xff, 0xe0],
                1 => b"\x89PNG\r\n\x1a\n",
                2 => b"GIF89a",
                _ => b"",
            };
            let n = magic.len().min(bytes.len());
            bytes[..n].copy_from_slice(&magic[..n]);
            let _ = pdq_from_bytes(&bytes);
        }
    }

    #[test]
    fn a_missing_file_is_unreadable() {
        let e = pdq_from_path("/nonexistent/x.png").expect_err("missing");
        assert!(matches!(e, PdqError::Unreadable { .. }), "{e:?}");
        assert!(
            e.to_string().starts_with("/nonexistent/x.png: cannot read"),
            "{e}"
        );
    }
}
