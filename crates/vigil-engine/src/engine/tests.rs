use super::*;
use crate::text::TextModels;
use vigil_core::Item;

fn engine() -> Engine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Engine::new(
        TextScorer::load(&TextModels::default()).expect("the shipped model loads"),
        PolicyState::load(&root.join("policies/default.toml")).expect("the default policy"),
        Limits::default(),
    )
}

#[test]
fn a_threat_is_restricted_and_a_greeting_allowed() {
    let engine = engine();
    let calm = engine
        .scan(
            &Item::text("1", "See you at the meeting tomorrow."),
            Instant::now(),
        )
        .expect("scans");
    assert_eq!(
        calm.decision.action,
        Action::Allow,
        "{:?}",
        calm.decision.reasons
    );
    let threat = engine
        .scan(
            &Item::text("2", "I will find you and beat you to death"),
            Instant::now(),
        )
        .expect("scans");
    assert!(
        threat.decision.action.is_restrictive(),
        "{:?}",
        threat.decision
    );
    assert!(!threat.decision.reasons.is_empty());
    assert_eq!(threat.decision.content.modalities, vec![Modality::Text]);
    assert!(threat.decision.input_digest.starts_with("sha256:"));
}

#[test]
fn media_without_a_detector_is_sent_to_review_not_allowed() {
    use base64::Engine as _;
    let engine = engine();
    let media = |kind, bytes: &[u8]| vigil_core::Media {
        kind,
        source: vigil_core::MediaSource::Inline {
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        },
        mime: None,
    };
    // No ffmpeg is configured: the video is not decoded, the text still is.
    let mut item = Item::text("3", "hello there");
    item.media
        .push(media(vigil_core::MediaKind::Video, b"\0\0\0\x20ftypisom"));
    let scan = engine.scan(&item, Instant::now()).expect("scans");
    assert_eq!(scan.decision.action, Action::Review);
    assert_eq!(scan.decision.not_analysed.len(), 1);
    assert!(scan.decision.not_analysed[0].detector.is_none());
    assert!(
        scan.decision.not_analysed[0].reason.contains("ffmpeg"),
        "{:?}",
        scan.decision.not_analysed
    );
    assert!(!scan.decision.categories.is_empty());

    // Audio that does not decode is refused, naming the attachment.
    let mut item = Item::text("4", "hello there");
    item.media
        .push(media(vigil_core::MediaKind::Audio, b"RIFF....not a wave"));
    let err = engine.scan(&item, Instant::now()).expect_err("corrupt");
    assert!(
        matches!(err, ScanError::Input(ref e) if e.kind() == "corrupt_media"),
        "{err}"
    );
    assert!(
        err.to_string().contains("media[0] is not a readable audio"),
        "{err}"
    );
}

/// A WAV file of `seconds` of silence, 16-bit mono at 16 kHz.
fn silent_wav(seconds: u32) -> Vec<u8> {
    let data_len = seconds * 16_000 * 2;
    let mut out = b"RIFF".to_vec();
    out.extend((36 + data_len).to_le_bytes());
    out.extend(b"WAVEfmt ");
    out.extend(16u32.to_le_bytes());
    out.extend(1u16.to_le_bytes()); // PCM
    out.extend(1u16.to_le_bytes()); // mono
    out.extend(16_000u32.to_le_bytes());
    out.extend(32_000u32.to_le_bytes()); // bytes a second
    out.extend(2u16.to_le_bytes()); // bytes a frame
    out.extend(16u16.to_le_bytes()); // bits a sample
    out.extend(b"data");
    out.extend(data_len.to_le_bytes());
    out.resize(out.len() + data_len as usize, 0);
    out
}

#[test]
fn audio_without_speech_to_text_or_banks_says_so_and_goes_to_review() {
    use base64::Engine as _;
    let engine = engine().with_asr(Err(
        "pocketsphinx is not installed: install the Debian packages pocketsphinx and \
         pocketsphinx-en-us"
            .to_owned(),
    ));
    let mut item = Item::text("5", "See you at the meeting tomorrow.");
    item.media.push(vigil_core::Media {
        kind: vigil_core::MediaKind::Audio,
        source: vigil_core::MediaSource::Inline {
            data_base64: base64::engine::general_purpose::STANDARD.encode(silent_wav(2)),
        },
        mime: None,
    });
    let d = engine.scan(&item, Instant::now()).expect("scans").decision;
    assert_eq!(d.action, Action::Review, "{d:#?}");
    let named = |detector: Option<&str>| {
        d.not_analysed
            .iter()
            .find(|n| n.detector.as_deref() == detector && n.modality == Modality::Audio)
            .unwrap_or_else(|| panic!("{detector:?} named: {:#?}", d.not_analysed))
    };
    assert!(named(Some("asr")).reason.contains("pocketsphinx-en-us"));
    assert!(named(Some("hash-match")).reason.contains("no hash banks"));
    assert!(named(None)
        .reason
        .contains("no detector examined the audio"));
    // The text was still scored.
    assert!(d
        .categories
        .iter()
        .any(|c| c.evidence.iter().any(|e| e.modality == Modality::Text)));
    assert!(d.models.iter().any(|m| m.name == "audio-decoder"));
}

#[test]
fn a_policy_swap_applies_to_the_next_scan() {
    let engine = engine();
    let dir = tempdir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("policies/default.toml")).expect("policy");
    let path = dir.join("p.toml");
    std::fs::write(
        &path,
        text.replace("name = \"default\"", "name = \"swapped\""),
    )
    .expect("write");
    engine.replace_policy(PolicyState::load(&path).expect("valid"));
    let scan = engine
        .scan(&Item::text("4", "hi"), Instant::now())
        .expect("scans");
    assert_eq!(scan.decision.policy.name, "swapped");
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vigil-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
