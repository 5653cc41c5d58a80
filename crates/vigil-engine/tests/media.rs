//! Video and audio through the engine: a caption shown in a video is read
//! and flagged with its time range; a re-encoded copy of a banked video is
//! matched and an unrelated video is not; without ffmpeg the video is named
//! as not examined and the rest of the item is still scanned.
//!
//! The programs (ffmpeg, tesseract, ImageMagick) come from
//! `scripts/setup.sh`; without them a test skips with a message, unless
//! `CI` is set, where their absence is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use base64::Engine as _;
use vigil_core::{Action, Category, Item, Location, Media, MediaKind, MediaSource, Modality};
use vigil_engine::{
    BankEntryInfo, Banks, Engine, Limits, MediaBankEntry, MediaBanks, MediaContent, PolicyState,
    TextModels, TextScorer,
};
use vigil_image::ocr::Ocr;
use vigil_video::vpdq::{hash_video, Sampling};
use vigil_video::Ffmpeg;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether a missing tool fails the test (in CI) or skips it.
fn missing(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing; scripts/setup.sh installs it");
    }
    eprintln!("skipped: {what} is missing (scripts/setup.sh installs it)");
}

fn ffmpeg() -> Option<Ffmpeg> {
    Ffmpeg::locate(None)
        .map_err(|e| missing(&e.to_string()))
        .ok()
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The default policy with a video bank in use.
fn engine(dir: &Path) -> Engine {
    let text = std::fs::read_to_string(root().join("policies/default.toml")).expect("policy");
    let path = dir.join("policy.toml");
    std::fs::write(
        &path,
        format!("{text}\n[banks.known_videos]\ncategory = \"violence_graphic\"\n"),
    )
    .expect("write policy");
    Engine::new(
        TextScorer::load(&TextModels::default()).expect("model"),
        PolicyState::load(&path).expect("the policy with a bank is valid"),
        Limits {
            max_media_bytes: 50 * 1024 * 1024,
            ..Limits::default()
        },
    )
    .with_ocr(Err("not needed here".to_owned()))
}

fn video_item(id: &str, bytes: &[u8]) -> Item {
    Item {
        id: id.to_owned(),
        text: None,
        media: vec![Media {
            kind: MediaKind::Video,
            source: MediaSource::Inline {
                data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            },
            mime: None,
        }],
        meta: Default::default(),
    }
}

fn caption_png(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name).display().to_string();
    run(
        "convert",
        &[
            "-size",
            "960x540",
            "xc:white",
            "-pointsize",
            "44",
            "-fill",
            "black",
            "-annotate",
            "+40+280",
            text,
            &path,
        ],
    );
    path
}

#[test]
fn a_hateful_caption_in_a_video_is_flagged_with_its_time_range() {
    let Some(ffmpeg) = ffmpeg() else { return };
    let Ok(ocr) = Ocr::find("tesseract") else {
        return missing("tesseract");
    };
    if Command::new("convert").arg("-version").output().is_err() {
        return missing("ImageMagick (convert)");
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let calm = caption_png(
        tmp.path(),
        "calm.png",
        "Happy birthday grandma, see you soon",
    );
    let hate = caption_png(
        tmp.path(),
        "hate.png",
        "I will find you and beat you to death",
    );
    let video = tmp.path().join("captions.mp4").display().to_string();
    // 3 s of a calm caption, then 3 s of the threat, at 10 frames a second.
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-loop",
            "1",
            "-t",
            "3",
            "-i",
            &calm,
            "-loop",
            "1",
            "-t",
            "3",
            "-i",
            &hate,
            "-filter_complex",
            "[0][1]concat=n=2:v=1:a=0,format=yuv420p",
            "-r",
            "10",
            "-c:v",
            "libx264",
            &video,
        ],
    );
    let engine = engine(tmp.path()).with_ffmpeg(Ok(ffmpeg)).with_ocr(Ok(ocr));
    let bytes = std::fs::read(&video).expect("video");
    let d = engine
        .scan(&video_item("captions", &bytes), Instant::now())
        .expect("scans")
        .decision;
    assert!(d.action.is_restrictive(), "{d:#?}");
    let violence = d.category(Category::Violence).expect("violence scored");
    let e = violence
        .evidence
        .iter()
        .find(|e| e.detector == "ocr+text")
        .unwrap_or_else(|| panic!("OCR evidence: {violence:#?}"));
    assert_eq!(e.modality, Modality::Video);
    assert!(
        e.detail.as_deref().is_some_and(|t| t.contains("beat you")),
        "{e:?}"
    );
    match e.location {
        Some(Location::TimeRange { start_s, end_s }) => {
            assert!((start_s - 3.0).abs() <= 0.5, "starts at {start_s}");
            assert!((end_s - 6.0).abs() <= 0.5, "ends at {end_s}");
        }
        ref other => panic!("a time range, not {other:?}"),
    }
    // The calm caption's own signals are low and point at 0 s.
    assert!(d
        .models
        .iter()
        .any(|m| m.name == "ffmpeg" && !m.version.is_empty()));
    assert!(d.models.iter().any(|m| m.name == "tesseract"));
}

fn shared_video(name: &str) -> Option<PathBuf> {
    let path = root().join("../shared/data/video").join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

#[test]
fn a_re_encoded_copy_of_a_banked_video_is_matched_and_an_unrelated_video_is_not() {
    let Some(ffmpeg) = ffmpeg() else { return };
    let (Some(banked), Some(unrelated)) = (
        shared_video("chair-22-sd-grey-bar.mp4"),
        shared_video("pattern-sd-grey-bar.mp4"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let copy = tmp.path().join("copy.mp4").display().to_string();
    // Half the size, a low bit rate: a typical re-upload.
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-i",
            &banked.display().to_string(),
            "-vf",
            "scale=iw/2:-2",
            "-b:v",
            "150k",
            "-an",
            &copy,
        ],
    );
    let frames = hash_video(&ffmpeg, &banked, Sampling::AllFrames).expect("hashes");
    let engine = engine(tmp.path()).with_ffmpeg(Ok(ffmpeg));
    engine.replace_media_banks(MediaBanks::new(
        7,
        vec![MediaBankEntry {
            id: 42,
            bank: "known_videos".to_owned(),
            negative: false,
            label: "chair".to_owned(),
            source: "tests".to_owned(),
            content: MediaContent::Video(frames),
        }],
    ));
    let scan = |path: &Path| {
        let bytes = std::fs::read(path).expect("video");
        engine
            .scan(&video_item("v", &bytes), Instant::now())
            .expect("scans")
            .decision
    };
    let d = scan(Path::new(&copy));
    assert_eq!(d.action, Action::Block, "{d:#?}");
    let m = &d.media_matches[0];
    assert_eq!(
        (m.bank.as_str(), m.entry, m.modality),
        ("known_videos", 42, Modality::Video)
    );
    assert!(m.percent >= 80.0, "{m:?}");
    assert!(m.end_s > m.start_s, "{m:?}");
    let graphic = d.category(Category::ViolenceGraphic).expect("scored");
    assert!(graphic
        .evidence
        .iter()
        .any(|e| e.detector == "bank:known_videos"
            && matches!(e.location, Some(Location::TimeRange { .. }))));
    assert!(d
        .models
        .iter()
        .any(|m| m.name == "media-banks" && m.version == "7"));

    let d = scan(&unrelated);
    assert!(d.media_matches.is_empty(), "{:#?}", d.media_matches);
    assert_ne!(d.action, Action::Block, "{d:#?}");
}

#[test]
fn a_banked_image_shown_in_a_video_is_matched_at_its_frame() {
    let Some(ffmpeg) = ffmpeg() else { return };
    let image = root().join("../shared/data/images/pdq/bridge-mods/aaa-orig.jpg");
    if !image.is_file() {
        eprintln!("skipped: {} is absent", image.display());
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let video = tmp.path().join("slides.mp4").display().to_string();
    // 2 s of black, then the photo for 2 s, at 10 frames a second.
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-t",
            "2",
            "-i",
            "color=black:s=640x480:r=10",
            "-loop",
            "1",
            "-t",
            "2",
            "-i",
            &image.display().to_string(),
            "-filter_complex",
            "[1]scale=640:480,setsar=1[p];[0][p]concat=n=2:v=1:a=0,format=yuv420p",
            "-r",
            "10",
            &video,
        ],
    );
    let photo = vigil_image::pdq::pdq_from_path(&image).expect("the photo hashes");
    let engine = engine(tmp.path()).with_ffmpeg(Ok(ffmpeg));
    let policy = engine.policy().text.clone();
    let path = tmp.path().join("image-bank.toml");
    std::fs::write(
        &path,
        format!("{policy}\n[banks.known_images]\ncategory = \"violence_graphic\"\n"),
    )
    .expect("write policy");
    engine.replace_policy(PolicyState::load(&path).expect("valid"));
    engine.replace_banks(
        Banks::build(
            vec![(
                photo.hash,
                BankEntryInfo {
                    bank: "known_images".to_owned(),
                    negative: false,
                    entry: 9,
                    label: "bridge".to_owned(),
                    source: "tests".to_owned(),
                },
            )],
            1,
        )
        .expect("index"),
    );
    let bytes = std::fs::read(&video).expect("video");
    let d = engine
        .scan(&video_item("slides", &bytes), Instant::now())
        .expect("scans")
        .decision;
    assert_eq!(d.action, Action::Block, "{d:#?}");
    assert_eq!(
        d.hash_matches.len(),
        1,
        "one match per entry: {:#?}",
        d.hash_matches
    );
    assert_eq!(d.hash_matches[0].entry, 9);
    let graphic = d.category(Category::ViolenceGraphic).expect("scored");
    let e = graphic
        .evidence
        .iter()
        .find(|e| e.detector == "bank:known_images")
        .unwrap_or_else(|| panic!("bank evidence: {graphic:#?}"));
    assert_eq!(e.modality, Modality::Video);
    match e.location {
        Some(Location::Frame { time_s, .. }) => {
            assert!((time_s - 2.0).abs() <= 0.6, "matched at {time_s} s")
        }
        ref other => panic!("a frame, not {other:?}"),
    }
}
