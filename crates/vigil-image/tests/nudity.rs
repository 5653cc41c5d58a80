//! The nudity detector against the reference, the PyPI package nudenet
//! 3.4.2 on onnxruntime and OpenCV, through the numbers that
//! `bench/nudenet_reference.py` wrote into `tests/data/nudenet-reference.json`.
//!
//! The faithful test is the raw output on one identical input tensor (an
//! image made from integer formulas, which both sides build the same way):
//! tract must give onnxruntime's numbers within 1e-3. The shared photos are
//! decoded by different JPEG decoders on the two sides, so their scores are
//! compared more loosely. Tests that need the model skip with a message when
//! `$VIGIL_HOME/models/nudenet/320n.onnx` is absent (`scripts/setup.sh
//! --with-nudenet` installs it; VIGIL_HOME defaults to `.vigil` in the
//! repository).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use image::{DynamicImage, Rgb, RgbImage};
use serde_json::Value;
use vigil_image::nudity::{
    ModelInput, NudityClass, NudityDetector, RawOutput, ANCHORS, INPUT_SIDE, OUTPUT_ROWS,
};
use vigil_image::pdq::decode_image;

/// The contract: tract's raw output within this of onnxruntime's.
const RAW_TOLERANCE: f32 = 1e-3;
/// Photos are decoded by different JPEG decoders here and in the reference
/// (zune-jpeg, libjpeg-turbo): a pixel may differ by a level or two.
const PHOTO_SCORE_TOLERANCE: f32 = 0.03;
const PHOTO_MEAN_LEVEL_TOLERANCE: f64 = 0.5;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture() -> &'static Value {
    static FIXTURE: OnceLock<Value> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/nudenet-reference.json");
        let text = std::fs::read_to_string(&path).expect("the committed fixture");
        serde_json::from_str(&text).expect("the fixture is JSON")
    })
}

/// The model, loaded once for every test here; `None` (with the reason
/// printed) when it is not installed.
fn detector() -> Option<&'static NudityDetector> {
    static DETECTOR: OnceLock<Option<NudityDetector>> = OnceLock::new();
    let found = DETECTOR.get_or_init(|| {
        let home = std::env::var_os("VIGIL_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join(".vigil"));
        let path = home.join("models/nudenet/320n.onnx");
        if !path.is_file() {
            return None;
        }
        Some(NudityDetector::load(&path).expect("the installed model loads"))
    });
    if found.is_none() {
        eprintln!(
            "skipped: the NudeNet model is not installed in $VIGIL_HOME/models/nudenet/320n.onnx \
             (run scripts/setup.sh --with-nudenet)"
        );
    }
    found.as_ref()
}

/// The image `bench/nudenet_reference.py` constructs, from the same integer
/// formulas: colour ramps, a dark rectangle, a skin-toned ellipse.
fn constructed() -> RgbImage {
    let (width, height) = (480u32, 300u32);
    RgbImage::from_fn(width, height, |x, y| {
        let (xi, yi) = (i64::from(x), i64::from(y));
        let (a, b) = (70i64, 110i64);
        if (xi - 300).pow(2) * b * b + (yi - 150).pow(2) * a * a <= a * a * b * b {
            Rgb([224, 172, 140])
        } else if (40..140).contains(&x) && (60..240).contains(&y) {
            Rgb([30, 40, 50])
        } else {
            Rgb([
                (x * 255 / (width - 1)) as u8,
                (y * 255 / (height - 1)) as u8,
                ((x + 2 * y) % 256) as u8,
            ])
        }
    })
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_f64().expect("a number"))
        .collect()
}

fn levels(input: &ModelInput) -> Vec<i64> {
    input
        .pixels()
        .iter()
        .map(|v| (f64::from(*v) * 255.0).round() as i64)
        .collect()
}

#[test]
fn the_constructed_image_is_prepared_exactly_as_the_reference_prepares_it() {
    let expected = &fixture()["constructed"];
    let image = constructed();
    assert_eq!(
        (u64::from(image.width()), u64::from(image.height())),
        (
            expected["width"].as_u64().expect("width"),
            expected["height"].as_u64().expect("height")
        )
    );
    let levels = levels(&ModelInput::from_image(&DynamicImage::ImageRgb8(image)));
    let plane = INPUT_SIDE * INPUT_SIDE;
    let sums: Vec<f64> = levels
        .chunks(plane)
        .map(|c| c.iter().sum::<i64>() as f64)
        .collect();
    assert_eq!(
        sums,
        numbers(&expected["input_level_sums"]),
        "per-channel sums of levels"
    );
    let stride = expected["input_level_stride"].as_u64().expect("stride") as usize;
    let sample: Vec<f64> = levels.iter().step_by(stride).map(|v| *v as f64).collect();
    assert_eq!(sample, numbers(&expected["input_levels"]));
}

#[test]
fn raw_output_matches_onnxruntime_on_the_same_input_within_1e_3() {
    let Some(detector) = detector() else { return };
    let expected = &fixture()["constructed"];
    assert_eq!(
        numbers(&expected["output_shape"]),
        vec![1.0, OUTPUT_ROWS as f64, ANCHORS as f64]
    );
    let input = ModelInput::from_image(&DynamicImage::ImageRgb8(constructed()));
    let raw = detector.raw_output(&input).expect("inference");
    let stride = expected["anchor_stride"].as_u64().expect("stride") as usize;
    let mut worst = (0.0f32, 0, 0);
    // Class scores are mostly tiny (1e-6 to 1e-3), where an absolute bound
    // of 1e-3 says little: they must also agree to 1% of their value, give
    // or take 1e-6 (the fixture keeps seven significant digits).
    let mut worst_relative = 0.0f64;
    let sample = expected["output_sample"].as_array().expect("sample");
    assert_eq!(sample.len(), ANCHORS.div_ceil(stride));
    for (i, column) in sample.iter().enumerate() {
        let anchor = i * stride;
        for (row, want) in numbers(column).into_iter().enumerate() {
            let got = raw.value(row, anchor);
            let diff = (got - want as f32).abs();
            if diff > worst.0 {
                worst = (diff, row, anchor);
            }
            if row >= 4 {
                // Beside the relative bound, 1e-6 absolute: tract's sigmoid
                // is exact to about 1e-7, which is several percent of the
                // smallest scores.
                let excess = (f64::from(got) - want).abs() - 1e-6;
                worst_relative = worst_relative.max(excess / want.abs());
            }
        }
    }
    eprintln!(
        "largest difference from onnxruntime over the sampled anchors: {:.2e} (row {}, anchor {}); \
         largest relative difference of a class score beyond 1e-6: {worst_relative:.2e}",
        worst.0, worst.1, worst.2
    );
    assert!(worst.0 <= RAW_TOLERANCE, "{worst:?}");
    assert!(worst_relative <= 0.01, "{worst_relative}");
    // Over all 2,100 anchors: each row's largest value, and its sum (whose
    // error can grow with the count).
    let want_max = numbers(&expected["output_row_max"]);
    let want_sum = numbers(&expected["output_row_sums"]);
    for row in 0..OUTPUT_ROWS {
        let values = (0..ANCHORS).map(|a| raw.value(row, a));
        let max = values.clone().fold(f32::NEG_INFINITY, f32::max);
        let sum: f64 = values.map(f64::from).sum();
        assert!(
            (max - want_max[row] as f32).abs() <= RAW_TOLERANCE,
            "row {row}: max {max} against {}",
            want_max[row]
        );
        assert!(
            (sum - want_sum[row]).abs() <= f64::from(RAW_TOLERANCE) * ANCHORS as f64 / 10.0,
            "row {row}: sum {sum} against {}",
            want_sum[row]
        );
    }
}

/// (class, score, box) of the reference's detections.
fn reference_detections(list: &Value) -> Vec<(NudityClass, f32, [u32; 4])> {
    list.as_array()
        .expect("detections")
        .iter()
        .map(|d| {
            let class =
                NudityClass::from_name(d["class"].as_str().expect("class")).expect("a known class");
            let b = numbers(&d["box"]);
            (
                class,
                d["score"].as_f64().expect("score") as f32,
                [b[0] as u32, b[1] as u32, b[2] as u32, b[3] as u32],
            )
        })
        .collect()
}

#[test]
fn the_constructed_image_gives_the_reference_detections() {
    let Some(detector) = detector() else { return };
    let found = detector
        .detect(&DynamicImage::ImageRgb8(constructed()))
        .expect("inference");
    let want = reference_detections(&fixture()["constructed"]["detections"]);
    assert_eq!(found.len(), want.len(), "{found:?}");
    for (got, (class, score, region)) in found.iter().zip(want) {
        assert_eq!(got.class, class);
        assert!((got.score - score).abs() <= RAW_TOLERANCE, "{got:?}");
        let g = [got.region.0, got.region.1, got.region.2, got.region.3];
        assert!(
            g.iter().zip(region).all(|(a, b)| a.abs_diff(b) <= 1),
            "{g:?} against {region:?}"
        );
    }
}

fn shared_images() -> Option<PathBuf> {
    let dir = root().join("../shared/data/images/pdq");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (shared data)", dir.display());
        None
    }
}

#[test]
fn shared_photos_score_as_the_reference_scores_them() {
    let Some(detector) = detector() else { return };
    let Some(dir) = shared_images() else { return };
    let images = fixture()["images"].as_array().expect("images");
    assert_eq!(images.len(), 21, "the fixture covers the 21 shared images");
    let mut worst_score = 0.0f32;
    for expected in images {
        let file = expected["file"].as_str().expect("file");
        let bytes = std::fs::read(dir.join(file)).expect("a shared image");
        let image = decode_image(&bytes, None).expect("decodes");
        let input = ModelInput::from_image(&image);
        let plane = (INPUT_SIDE * INPUT_SIDE) as f64;
        let means: Vec<f64> = levels(&input)
            .chunks(INPUT_SIDE * INPUT_SIDE)
            .map(|c| c.iter().sum::<i64>() as f64 / plane)
            .collect();
        for (got, want) in means.iter().zip(numbers(&expected["input_level_means"])) {
            assert!(
                (got - want).abs() <= PHOTO_MEAN_LEVEL_TOLERANCE,
                "{file}: mean level {got} against {want}"
            );
        }
        let raw: RawOutput = detector.raw_output(&input).expect("inference");
        let best = (0..ANCHORS)
            .map(|a| raw.best_class(a))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("anchors");
        let want_best = expected["best"]["score"].as_f64().expect("score") as f32;
        worst_score = worst_score.max((best.1 - want_best).abs());
        assert!(
            (best.1 - want_best).abs() <= PHOTO_SCORE_TOLERANCE,
            "{file}: best score {} against {want_best}",
            best.1
        );
        let found = vigil_image::nudity::detections(&raw, &input);
        let want = reference_detections(&expected["detections"]);
        let classes: Vec<_> = found.iter().map(|d| d.class).collect();
        let want_classes: Vec<_> = want.iter().map(|d| d.0).collect();
        assert_eq!(classes, want_classes, "{file}");
        for (got, (_, score, region)) in found.iter().zip(want) {
            assert!(
                (got.score - score).abs() <= PHOTO_SCORE_TOLERANCE,
                "{file}: {got:?}"
            );
            let g = [got.region.0, got.region.1, got.region.2, got.region.3];
            assert!(
                g.iter().zip(region).all(|(a, b)| a.abs_diff(b) <= 2),
                "{file}: {g:?} against {region:?}"
            );
        }
    }
    eprintln!("largest best-score difference over the shared photos: {worst_score:.4}");
}
