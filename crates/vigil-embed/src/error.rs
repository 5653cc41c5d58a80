//! The one error type of this crate: what went wrong, and with which file.

use std::path::PathBuf;

/// Why loading the model or embedding a batch failed.
///
/// Load-time variants name the file involved, so an operator can tell a
/// missing model cache from a corrupt download.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model directory itself does not exist (or is not a directory).
    #[error("model directory not found: {path} (run scripts/setup.sh to unpack the model files)")]
    ModelDirMissing {
        /// The directory that was asked for.
        path: PathBuf,
    },

    /// One of the three model files is absent from an existing directory.
    #[error("model file missing: {path}")]
    FileMissing {
        /// The file that was expected.
        path: PathBuf,
    },

    /// A model file exists but could not be read.
    #[error("cannot read model file {path}: {source}")]
    Read {
        /// The file that failed to read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// `config.json` is not valid JSON or not a BERT configuration.
    #[error("invalid model config {path}: {source}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// The parse error, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// `config.json` parses but describes a model this crate cannot run.
    #[error("unsupported model config {path}: {reason}")]
    ConfigUnsupported {
        /// The configuration file.
        path: PathBuf,
        /// What is out of range.
        reason: String,
    },

    /// `tokenizer.json` could not be parsed or configured.
    #[error("invalid tokenizer {path}: {source}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// The error reported by the `tokenizers` crate.
        #[source]
        source: tokenizers::Error,
    },

    /// `model.safetensors` is corrupt or lacks tensors the configuration needs.
    #[error("invalid model weights {path}: {source}")]
    Weights {
        /// The weights file.
        path: PathBuf,
        /// The error reported by candle (names the missing or misshapen tensor).
        #[source]
        source: candle_core::Error,
    },

    /// Tokenising one of the input texts failed.
    #[error("cannot tokenise input text #{index}: {source}")]
    Tokenize {
        /// Position of the offending text in the caller's slice.
        index: usize,
        /// The error reported by the `tokenizers` crate.
        #[source]
        source: tokenizers::Error,
    },

    /// The forward pass failed (a tensor shape or backend error).
    #[error("model inference failed: {0}")]
    Inference(#[from] candle_core::Error),
}
