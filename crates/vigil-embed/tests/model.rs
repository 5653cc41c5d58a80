//! Integration tests against the real all-MiniLM-L6-v2 files, skipped when absent.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use vigil_embed::{EmbedError, Embedder, CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE};

/// `$VIGIL_MODEL_DIR`, else the model cache the setup script fills.
fn model_dir() -> PathBuf {
    match std::env::var_os("VIGIL_MODEL_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.vigil/models/all-minilm-l6-v2"),
    }
}

/// The embedder, loaded once per test binary; `None` (after saying why) when
/// the model files are not installed.
fn embedder() -> Option<&'static Embedder> {
    static EMBEDDER: OnceLock<Option<Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            let dir = model_dir();
            if !dir.join(WEIGHTS_FILE).is_file() {
                return None;
            }
            Some(Embedder::load(&dir).expect("installed model files load"))
        })
        .as_ref()
}

macro_rules! embedder_or_skip {
    () => {
        match embedder() {
            Some(embedder) => embedder,
            None => {
                eprintln!(
                    "skipping: model files not found at {}",
                    model_dir().display()
                );
                return;
            }
        }
    };
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

const SHORT: &str = "A man is playing a guitar.";
const LONG: &str = "The committee met on Tuesday afternoon to review the quarterly report, \
    discuss the budget for the coming year, hear from three regional managers about their \
    hiring plans, and agree on a schedule for the next round of product launches in Europe.";

#[test]
fn dimension_and_digest() {
    let embedder = embedder_or_skip!();
    assert_eq!(embedder.dim(), 384);
    let digest = embedder.model_digest();
    let hex = digest
        .strip_prefix("sha256:")
        .expect("digest starts with sha256:");
    assert_eq!(hex.len(), 64);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
}

#[test]
fn embeddings_have_unit_norm_including_empty_text() {
    let embedder = embedder_or_skip!();
    let vectors = embedder.embed(&[SHORT, "", LONG, "ok"]).expect("embed");
    assert_eq!(vectors.len(), 4);
    for vector in &vectors {
        assert_eq!(vector.len(), 384);
        let norm = cosine(vector, vector).sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
    }
}

#[test]
fn empty_batch_gives_no_vectors() {
    let embedder = embedder_or_skip!();
    assert!(embedder.embed(&[]).expect("embed").is_empty());
}

/// The padding-mask test: padding a short sentence up to a long batch-mate
/// must not change its embedding.
#[test]
fn padding_does_not_change_an_embedding() {
    let embedder = embedder_or_skip!();
    let alone = embedder.embed(&[SHORT]).expect("embed alone");
    let short_first = embedder.embed(&[SHORT, LONG]).expect("embed padded");
    let long_first = embedder.embed(&[LONG, SHORT]).expect("embed padded");
    let long_alone = embedder.embed(&[LONG]).expect("embed long");
    assert!(max_abs_diff(&alone[0], &short_first[0]) < 1e-4);
    assert!(max_abs_diff(&alone[0], &long_first[1]) < 1e-4);
    assert!(max_abs_diff(&long_alone[0], &short_first[1]) < 1e-4);
}

#[test]
fn similar_sentences_are_closer_than_unrelated_ones() {
    let embedder = embedder_or_skip!();
    let vectors = embedder
        .embed(&[
            SHORT,
            "Someone plays the guitar.",
            "The stock market fell today.",
        ])
        .expect("embed");
    let similar = cosine(&vectors[0], &vectors[1]);
    let unrelated = cosine(&vectors[0], &vectors[2]);
    assert!(similar > 0.6, "similar pair cosine {similar}");
    assert!(unrelated < 0.3, "unrelated pair cosine {unrelated}");
    assert!(similar > unrelated + 0.3);
}

/// First six components of the sentence-transformers (Python) embeddings of
/// four texts, as published in the reference-comparison test of an
/// independent all-MiniLM-L6-v2 port (the R package `sbert`, via ONNX, which
/// matches the Python output to 1e-6). The batch mixes lengths, an empty text
/// and non-ASCII text, so it checks tokenisation, masking and pooling at once.
#[test]
fn matches_sentence_transformers_reference_values() {
    let embedder = embedder_or_skip!();
    let texts = [
        "This is an example sentence",
        "Each sentence is converted.",
        "",
        "Caf\u{e9} d\u{e9}j\u{e0} vu \u{2014} \u{6771}\u{4eac}",
    ];
    let expected: [[f32; 6]; 4] = [
        [
            0.06765693, 0.06349593, 0.04871314, 0.07930495, 0.03744806, 0.00265273,
        ],
        [
            0.07853645,
            0.08856265,
            -0.0020927,
            -0.00717247,
            -0.01252624,
            0.01881747,
        ],
        [
            -0.11883835,
            0.04829856,
            -0.00254805,
            -0.01101118,
            0.0519507,
            0.01029179,
        ],
        [
            0.05083271,
            0.00967685,
            0.09635572,
            -0.00997369,
            -0.01987603,
            0.01692343,
        ],
    ];
    let vectors = embedder.embed(&texts).expect("embed");
    for ((text, vector), want) in texts.iter().zip(&vectors).zip(&expected) {
        let diff = max_abs_diff(&vector[..6], want);
        assert!(diff < 2e-5, "{text:?}: got {:?}, diff {diff}", &vector[..6]);
    }
}

/// More texts than one micro-batch, in an order that sorting by length
/// scrambles: results must come back in input order.
#[test]
fn results_follow_input_order_across_micro_batches() {
    let embedder = embedder_or_skip!();
    let texts: Vec<String> = (0..45)
        .map(|i| format!("item {i}: {}", "very ".repeat((i * 7) % 23)))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let batched = embedder.embed(&refs).expect("embed batch");
    for (text, vector) in refs.iter().zip(&batched).step_by(4) {
        let alone = embedder.embed(&[text]).expect("embed alone");
        assert!(
            max_abs_diff(&alone[0], vector) < 1e-4,
            "mismatch for {text:?}"
        );
    }
}

#[test]
fn overlong_text_is_truncated_not_refused() {
    let embedder = embedder_or_skip!();
    let huge = "tokens upon tokens ".repeat(2_000);
    let vectors = embedder.embed(&[&huge, SHORT]).expect("embed");
    assert_eq!(vectors[0].len(), 384);
    assert!(vectors[0].iter().all(|x| x.is_finite()));
}

#[test]
fn concurrent_callers_get_the_same_answers() {
    let embedder = embedder_or_skip!();
    let expected = embedder.embed(&[SHORT, LONG]).expect("embed");
    let shared = Arc::new(expected);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let expected = Arc::clone(&shared);
            std::thread::spawn(move || {
                let got = embedder.embed(&[SHORT, LONG]).expect("embed");
                for (a, b) in got.iter().zip(expected.iter()) {
                    assert!(max_abs_diff(a, b) < 1e-5);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("worker thread did not panic");
    }
}

/// Copies the real config and tokenizer into a temporary directory and
/// writes `weights` as the safetensors file.
fn model_dir_with_weights(weights: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [CONFIG_FILE, TOKENIZER_FILE] {
        std::fs::copy(model_dir().join(name), dir.path().join(name)).expect("copy model file");
    }
    std::fs::write(dir.path().join(WEIGHTS_FILE), weights).expect("write weights");
    dir
}

#[test]
fn corrupt_weights_are_reported_with_their_path() {
    let _ = embedder_or_skip!();
    let dir = model_dir_with_weights(b"this is not a safetensors file");
    let err = Embedder::load(dir.path()).expect_err("garbage weights");
    match &err {
        EmbedError::Weights { path, .. } => assert_eq!(path, &dir.path().join(WEIGHTS_FILE)),
        other => panic!("wrong error: {other}"),
    }
    assert!(err.to_string().contains(WEIGHTS_FILE));
}

#[test]
fn weights_missing_tensors_are_reported() {
    let _ = embedder_or_skip!();
    // A valid safetensors file with no tensors: 8-byte header length, then `{}`.
    let mut empty = 2u64.to_le_bytes().to_vec();
    empty.extend_from_slice(b"{}");
    let dir = model_dir_with_weights(&empty);
    let err = Embedder::load(dir.path()).expect_err("no tensors");
    assert!(
        matches!(err, EmbedError::Weights { .. }),
        "wrong error: {err}"
    );
}

#[test]
fn broken_config_is_reported_with_its_path() {
    let _ = embedder_or_skip!();
    let dir = model_dir_with_weights(b"");
    std::fs::write(dir.path().join(CONFIG_FILE), b"{ not json").expect("write config");
    let err = Embedder::load(dir.path()).expect_err("bad config");
    match &err {
        EmbedError::Config { path, .. } => assert_eq!(path, &dir.path().join(CONFIG_FILE)),
        other => panic!("wrong error: {other}"),
    }
}
