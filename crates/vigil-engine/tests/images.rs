//! Images through the engine: hash-bank matches (with rotations and a
//! negative bank), and text in an image read by OCR and flagged.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use base64::Engine as _;
use vigil_core::{Action, Category, Item, Location, Media, MediaKind, MediaSource, Modality};
use vigil_engine::{BankEntryInfo, Banks, Engine, Limits, PolicyState, TextModels, TextScorer};
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

/// The default policy with two banks in use.
fn engine_with_banks(dir: &Path) -> Engine {
    let text = std::fs::read_to_string(root().join("policies/default.toml")).expect("policy");
    let path = dir.join("policy.toml");
    std::fs::write(
        &path,
        format!(
            "{text}\n[images]\nmatch_distance = 31\nquality_floor = 50\n\n\
             [banks.known_bad]\ncategory = \"violence_graphic\"\n\n\
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
