//! PDQ against Meta's reference: the hashes and qualities that the reference
//! (PyPI `pdqhash`, bindings to the C++ code) gives for ThreatExchange's
//! sample images, from `shared/data/images/pdq/expected-pdq.tsv`.
//!
//! The two decode JPEG with different libraries (the `image` crate here,
//! libjpeg there), so pixels may differ by a level and a hash by a few bits;
//! the thresholds below are the conformance contract.

use std::path::{Path, PathBuf};

use image::DynamicImage;
use vigil_image::pdq::{decode_image, Dihedral, PdqHasher};
use vigil_image::PdqHash;

/// Mean and largest Hamming distance allowed over the sample images.
const MAX_MEAN_BITS: f64 = 2.0;
const MAX_BITS: u32 = 8;
/// Largest quality difference allowed (of 100).
const MAX_QUALITY_DELTA: i32 = 2;

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/images/pdq");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (shared data)", dir.display());
        None
    }
}

struct Expected {
    hash: PdqHash,
    quality: i32,
    path: PathBuf,
}

/// The expected rows; the file names are bare, so find each in the folder.
fn expected(dir: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(dir.join("expected-pdq.tsv")).expect("expected-pdq.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "hash, quality, file: {line}");
            Expected {
                hash: cols[0].parse().expect("a hex hash"),
                quality: cols[1].parse().expect("a quality"),
                path: find(dir, cols[2]).unwrap_or_else(|| panic!("{} not found", cols[2])),
            }
        })
        .collect()
}

fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
    }
    None
}

#[test]
fn hashes_match_the_reference() {
    let Some(dir) = data_dir() else { return };
    let rows = expected(&dir);
    assert!(!rows.is_empty());
    let mut hasher = PdqHasher::new();
    let (mut total, mut worst, mut worst_quality) = (0u32, 0u32, 0i32);
    println!(
        "{:<24} {:>4} {:>8} {:>8}",
        "image", "bits", "quality", "expected"
    );
    for row in &rows {
        let out = hasher.hash_path(&row.path).expect("the sample decodes");
        let bits = out.hash.distance(&row.hash);
        let dq = i32::from(out.quality) - row.quality;
        let name = row.path.file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<24} {bits:>4} {:>8} {:>8}", out.quality, row.quality);
        total += bits;
        worst = worst.max(bits);
        worst_quality = worst_quality.max(dq.abs());
    }
    let mean = f64::from(total) / rows.len() as f64;
    println!(
        "{} images: mean {mean:.2} bits, max {worst} bits, max quality delta {worst_quality}",
        rows.len()
    );
    assert!(mean <= MAX_MEAN_BITS, "mean distance {mean:.2} bits");
    assert!(worst <= MAX_BITS, "max distance {worst} bits");
    assert!(
        worst_quality <= MAX_QUALITY_DELTA,
        "quality off by {worst_quality}"
    );
}

/// The image transformed as each dihedral variant names it, with the
/// `image` crate's own operations. Rotations in PDQ are counter-clockwise,
/// the `image` crate's clockwise.
fn transformed(image: &DynamicImage, variant: Dihedral) -> DynamicImage {
    match variant {
        Dihedral::Original => image.clone(),
        Dihedral::Rotate90 => image.rotate270(),
        Dihedral::Rotate180 => image.rotate180(),
        Dihedral::Rotate270 => image.rotate90(),
        Dihedral::FlipX => image.flipv(),
        Dihedral::FlipY => image.fliph(),
        Dihedral::FlipPlus1 => image.rotate90().fliph(),
        Dihedral::FlipMinus1 => image.rotate270().fliph(),
    }
}

#[test]
fn dihedral_hashes_match_hashes_of_transformed_images() {
    let Some(dir) = data_dir() else { return };
    let path = dir.join("bridge-mods/aaa-orig.jpg");
    let bytes = std::fs::read(&path).expect("aaa-orig.jpg");
    let image = decode_image(&bytes, Some(&path)).expect("decodes");
    let mut hasher = PdqHasher::new();
    let all = hasher.dihedral_image(&image);
    assert_eq!(all.hashes[0].1, hasher.hash_image(&image).hash);
    assert_eq!(all.quality, hasher.hash_image(&image).quality);
    for (variant, hash) in all.hashes {
        let plain = hasher.hash_image(&transformed(&image, variant)).hash;
        let bits = hash.distance(&plain);
        println!("{variant:<7} {bits:>3} bits from the hash of the transformed image");
        assert!(bits <= MAX_BITS, "{variant}: {bits} bits");
    }
}
