//! Load errors that need no model files: each names what is missing.

use std::path::Path;

use vigil_embed::{EmbedError, Embedder, CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE};

#[test]
fn missing_directory_is_named() {
    let dir = Path::new("/nonexistent/vigil/models/all-minilm-l6-v2");
    let err = Embedder::load(dir).expect_err("no such directory");
    assert!(matches!(&err, EmbedError::ModelDirMissing { path } if path == dir));
    assert!(err.to_string().contains(&*dir.to_string_lossy()));
}

#[test]
fn each_missing_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Files are read in this order; add one at a time and check the next is named.
    let order = [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE];
    for (present, missing) in order.iter().enumerate() {
        let err = Embedder::load(dir.path()).expect_err("a file is missing");
        match &err {
            EmbedError::FileMissing { path } => assert_eq!(path, &dir.path().join(missing)),
            other => panic!("wrong error with {present} files present: {other}"),
        }
        std::fs::write(dir.path().join(missing), b"").expect("write placeholder");
    }
}

#[test]
fn invalid_tokenizer_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = r#"{"vocab_size": 10, "hidden_size": 4, "num_hidden_layers": 1,
        "num_attention_heads": 2, "intermediate_size": 8, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "max_position_embeddings": 16, "type_vocab_size": 2,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#;
    std::fs::write(dir.path().join(CONFIG_FILE), config).expect("write config");
    std::fs::write(dir.path().join(TOKENIZER_FILE), b"[]").expect("write tokenizer");
    std::fs::write(dir.path().join(WEIGHTS_FILE), b"").expect("write weights");
    let err = Embedder::load(dir.path()).expect_err("bad tokenizer");
    match &err {
        EmbedError::Tokenizer { path, .. } => assert_eq!(path, &dir.path().join(TOKENIZER_FILE)),
        other => panic!("wrong error: {other}"),
    }
}

#[test]
fn unsupported_config_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = r#"{"vocab_size": 10, "hidden_size": 5, "num_hidden_layers": 1,
        "num_attention_heads": 2, "intermediate_size": 8, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "max_position_embeddings": 16, "type_vocab_size": 2,
        "initializer_range": 0.02, "layer_norm_eps": 1e-12, "pad_token_id": 0}"#;
    for name in [TOKENIZER_FILE, WEIGHTS_FILE] {
        std::fs::write(dir.path().join(name), b"").expect("write placeholder");
    }
    std::fs::write(dir.path().join(CONFIG_FILE), config).expect("write config");
    let err = Embedder::load(dir.path()).expect_err("hidden not divisible by heads");
    assert!(
        matches!(err, EmbedError::ConfigUnsupported { .. }),
        "wrong error: {err}"
    );
    assert!(err.to_string().contains("num_attention_heads"));
}
