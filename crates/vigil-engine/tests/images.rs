//! Images through the engine: hash-bank matches (with rotations and a
//! negative bank), text in an image read by OCR and flagged, and the nudity
//! detector's findings (or the reason it did not run).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use base64::Engine as _;
use vigil_core::{Action, Category, Item, Location, Media, MediaKind, MediaSource, Modality};
use vigil_engine::{BankEntryInfo, Banks, Engine, Limits, PolicyState, TextModels, TextScorer};
use vigil_image::nudity::NudityDetector;
use vigil_image::ocr::Ocr;
use vigil_image::PdqHash;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pdq_dir() -> Option<PathBuf> {
    let dir = root().join("../shared/data/images/pdq");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

/// The default policy (whose `[images]` matches within 31 bits above a
/// quality of 50) with two banks in use.
fn engine_with_banks(dir: &Path) -> Engine {
    let text = std::fs::read_to_string(root().join("policies/default.toml")).expect("policy");
    let path = dir.join("policy.toml");
    std::fs::write(
        &path,
        format!(
            "{text}\n[banks.known_bad]\ncategory = \"violence_graphic\"\n\n\
             [banks.known_benign]\nsuppress = true\n"
        ),
    )
    .expect("write policy");
    Engine::new(
        TextScorer::load(&TextModels::default()).expect("model"),
        PolicyState::load(&path).expect("the policy with banks is valid"),
        Limits::default(),
    )
    .with_ocr(Err("not needed here".to_owned()))
}

fn bank_entry(bank: &str, negative: bool, entry: i64) -> BankEntryInfo {
    BankEntryInfo {
        bank: bank.to_owned(),
        negative,
        entry,
        label: "test entry".to_owned(),
        source: "tests".to_owned(),
    }
}

fn image_item(id: &str, bytes: &[u8]) -> Item {
    Item {
        id: id.to_owned(),
        text: None,
        media: vec![Media {
            kind: MediaKind::Image,
            source: MediaSource::Inline {
                data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            },
            mime: None,
        }],
        meta: Default::default(),
    }
}

fn original_hash(dir: &Path) -> PdqHash {
    let tsv = std::fs::read_to_string(dir.join("expected-pdq.tsv")).expect("expected hashes");
    tsv.lines()
        .find(|l| l.ends_with("aaa-orig.jpg"))
        .and_then(|l| l.split('\t').next())
        .expect("the original's row")
        .parse()
        .expect("a hash")
}

#[test]
fn an_edited_and_a_rotated_copy_of_a_banked_image_are_blocked() {
    let Some(dir) = pdq_dir() else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let engine = engine_with_banks(tmp.path());
    engine.replace_banks(
        Banks::build(
            vec![(original_hash(&dir), bank_entry("known_bad", false, 7))],
            1,
        )
        .expect("index"),
    );
    let blurred = std::fs::read(dir.join("bridge-mods/blur-a-lot.jpg")).expect("image");
    let scan = engine
        .scan(&image_item("blurred", &blurred), Instant::now())
        .expect("scans");
    let d = &scan.decision;
    assert_eq!(d.action, Action::Block, "{d:#?}");
    let c = d.category(Category::ViolenceGraphic).expect("the category");
    assert!(c.evidence.iter().any(|e| e.detector == "bank:known_bad"
        && e.media_index == Some(0)
        && e.detail.as_deref().is_some_and(|t| t.contains("entry #7"))));
    assert_eq!(d.hash_matches.len(), 1);
    assert!(d.hash_matches[0].distance <= 31 && d.hash_matches[0].variant == "orig");

    // Rotated a quarter turn: found through the dihedral hashes.
    let original = image::open(dir.join("bridge-mods/aaa-orig.jpg")).expect("decode");
    let mut png = Vec::new();
    original
        .rotate90()
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("encode");
    let rotated = engine
        .scan(&image_item("rotated", &png), Instant::now())
        .expect("scans")
        .decision;
    assert_eq!(rotated.action, Action::Block, "{:#?}", rotated.hash_matches);
    assert_ne!(rotated.hash_matches[0].variant, "orig");
}

#[test]
fn a_negative_bank_match_suppresses_the_positive_one_and_is_recorded() {
    let Some(dir) = pdq_dir() else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let engine = engine_with_banks(tmp.path());
    let hash = original_hash(&dir);
    engine.replace_banks(
        Banks::build(
            vec![
                (hash, bank_entry("known_bad", false, 1)),
                (hash, bank_entry("known_benign", true, 2)),
            ],
            2,
        )
        .expect("index"),
    );
    let bytes = std::fs::read(dir.join("bridge-mods/aaa-orig.jpg")).expect("image");
    let d = engine
        .scan(&image_item("benign", &bytes), Instant::now())
        .expect("scans")
        .decision;
    assert_ne!(d.action, Action::Block, "{d:#?}");
    let positive = d
        .hash_matches
        .iter()
        .find(|m| m.bank == "known_bad")
        .expect("the positive match is recorded");
    assert_eq!(positive.suppressed_by.as_deref(), Some("known_benign#2"));
    assert!(d
        .hash_matches
        .iter()
        .any(|m| m.bank == "known_benign" && m.negative));
    // OCR did not run, and the decision says so.
    assert!(d
        .not_analysed
        .iter()
        .any(|n| n.detector.as_deref() == Some("ocr") && n.reason == "not needed here"));
}

#[test]
fn text_rendered_into_an_image_is_flagged_through_ocr() {
    let convert = ["/usr/bin/convert", "convert"].into_iter().find(|c| {
        Command::new(c)
            .arg("-version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let (Some(convert), Ok(ocr)) = (convert, Ocr::find("tesseract")) else {
        eprintln!(
            "skipped: ImageMagick or tesseract is not installed (scripts/setup.sh installs both)"
        );
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let png = tmp.path().join("threat.png");
    let status = Command::new(convert)
        .args([
            "-size",
            "1000x140",
            "xc:white",
            "-pointsize",
            "40",
            "-fill",
            "black",
        ])
        .args([
            "-annotate",
            "+20+80",
            "I will find you and beat you to death",
        ])
        .arg(&png)
        .status()
        .expect("ImageMagick runs");
    assert!(status.success());
    let engine = engine_with_banks(tmp.path()).with_ocr(Ok(ocr));
    let bytes = std::fs::read(&png).expect("rendered image");
    let d = engine
        .scan(&image_item("threat", &bytes), Instant::now())
        .expect("scans")
        .decision;
    assert!(d.action.is_restrictive(), "{d:#?}");
    let violence = d.category(Category::Violence).expect("violence scored");
    let e = &violence.evidence[0];
    assert_eq!(
        (e.modality, e.detector.as_str()),
        (Modality::Image, "ocr+text")
    );
    assert!(matches!(e.location, Some(Location::Region { width, .. }) if width > 100));
    assert!(
        e.detail.as_deref().is_some_and(|t| t.contains("beat you")),
        "{e:?}"
    );
    assert!(d
        .models
        .iter()
        .any(|m| m.name == "tesseract" && !m.version.is_empty()));
}

/// NudeNet's model, loaded once; `None` (with the reason printed) when it is
/// not installed in `$VIGIL_HOME/models/nudenet/320n.onnx`.
fn nudity_model() -> Option<Arc<NudityDetector>> {
    static MODEL: OnceLock<Option<Arc<NudityDetector>>> = OnceLock::new();
    let model = MODEL.get_or_init(|| {
        let home = std::env::var_os("VIGIL_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| root().join(".vigil"));
        let path = home.join("models/nudenet/320n.onnx");
        path.is_file()
            .then(|| Arc::new(NudityDetector::load(&path).expect("the installed model loads")))
    });
    if model.is_none() {
        eprintln!(
            "skipped: the NudeNet model is not installed (run scripts/setup.sh --with-nudenet)"
        );
    }
    model.clone()
}

fn png(image: &image::RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encode");
    bytes
}

#[test]
fn with_the_nudity_model_a_clean_photo_gives_no_sexual_signal_and_names_the_model() {
    let (Some(model), Some(dir)) = (nudity_model(), pdq_dir()) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let engine = engine_with_banks(tmp.path()).with_nudity(Ok(model));
    let bytes = std::fs::read(dir.join("bridge-mods/aaa-orig.jpg")).expect("image");
    let d = engine
        .scan(&image_item("bridge", &bytes), Instant::now())
        .expect("scans")
        .decision;
    assert!(
        !d.categories
            .iter()
            .flat_map(|c| &c.evidence)
            .any(|e| e.detector == "nudenet-320n"),
        "{d:#?}"
    );
    let model = d
        .models
        .iter()
        .find(|m| m.name == "nudenet-320n")
        .expect("the model is listed");
    assert_eq!(model.version, "3.4.2");
    assert!(model
        .digest
        .as_deref()
        .is_some_and(|h| h.starts_with("sha256:c15d8273")));
    assert!(!d
        .not_analysed
        .iter()
        .any(|n| n.detector.as_deref() == Some("nudity")));
    // The detector examined the image: nothing is left unexamined.
    assert!(
        d.not_analysed.iter().all(|n| n.detector.is_some()),
        "{d:#?}"
    );
    assert_eq!(d.action, Action::Allow);
}

#[test]
fn a_nudity_detection_becomes_a_located_sexual_signal() {
    let Some(model) = nudity_model() else { return };
    // The image bench/nudenet_reference.py constructs (ramps, a dark
    // rectangle, a skin-toned ellipse), on which the reference finds
    // BUTTOCKS_EXPOSED at 0.268, box (226, 36, 145, 238): a false positive
    // far below the policy's review threshold, but enough to follow the
    // mapping from detection to signal.
    let (a, b) = (70i64, 110i64);
    let image = image::RgbImage::from_fn(480, 300, |x, y| {
        let (xi, yi) = (i64::from(x), i64::from(y));
        if (xi - 300).pow(2) * b * b + (yi - 150).pow(2) * a * a <= a * a * b * b {
            image::Rgb([224, 172, 140])
        } else if (40..140).contains(&x) && (60..240).contains(&y) {
            image::Rgb([30, 40, 50])
        } else {
            image::Rgb([
                (x * 255 / 479) as u8,
                (y * 255 / 299) as u8,
                ((x + 2 * y) % 256) as u8,
            ])
        }
    });
    let tmp = tempfile::tempdir().expect("temp dir");
    let engine = engine_with_banks(tmp.path()).with_nudity(Ok(model));
    let d = engine
        .scan(&image_item("pattern", &png(&image)), Instant::now())
        .expect("scans")
        .decision;
    let sexual = d.category(Category::Sexual).expect("sexual scored");
    assert!((sexual.score.get() - 0.268).abs() < 0.01, "{sexual:?}");
    let e = &sexual.evidence[0];
    assert_eq!(
        (e.modality, e.detector.as_str()),
        (Modality::Image, "nudenet-320n")
    );
    assert_eq!(e.media_index, Some(0));
    assert!(
        matches!(e.location, Some(Location::Region { x, y, width, height })
            if x.abs_diff(226) <= 1 && y.abs_diff(36) <= 1
                && width.abs_diff(145) <= 1 && height.abs_diff(238) <= 1),
        "{e:?}"
    );
    assert!(
        e.detail
            .as_deref()
            .is_some_and(|t| t.contains("BUTTOCKS_EXPOSED")),
        "{e:?}"
    );
    // Below the review threshold, and examined: allowed, not sent to review.
    assert_eq!(d.action, Action::Allow, "{d:#?}");
}

#[test]
fn without_the_nudity_model_the_decision_says_why() {
    let Some(dir) = pdq_dir() else { return };
    let tmp = tempfile::tempdir().expect("temp dir");
    let why = "the nudity model is not installed: run scripts/setup.sh --with-nudenet";
    let engine = engine_with_banks(tmp.path()).with_nudity(Err(why.to_owned()));
    let bytes = std::fs::read(dir.join("bridge-mods/aaa-orig.jpg")).expect("image");
    let d = engine
        .scan(&image_item("bridge", &bytes), Instant::now())
        .expect("scans")
        .decision;
    assert!(d
        .not_analysed
        .iter()
        .any(|n| n.detector.as_deref() == Some("nudity")
            && n.reason == why
            && n.media_index == Some(0)));
    assert!(!d.models.iter().any(|m| m.name == "nudenet-320n"));
    // Nothing else examined it either (no bank entry, no OCR): review.
    assert_eq!(d.action, Action::Review);
}
