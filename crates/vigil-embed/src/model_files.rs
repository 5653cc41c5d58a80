//! Locating and reading the three files of a model directory.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::EmbedError;

/// File name of the weights inside a model directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// File name of the tokenizer inside a model directory.
pub const TOKENIZER_FILE: &str = "tokenizer.json";
/// File name of the BERT configuration inside a model directory.
pub const CONFIG_FILE: &str = "config.json";

/// The raw contents of a model directory, read once at load time.
pub(crate) struct ModelFiles {
    pub config_path: PathBuf,
    pub config: Vec<u8>,
    pub tokenizer_path: PathBuf,
    pub tokenizer: Vec<u8>,
    pub weights_path: PathBuf,
    pub weights: Vec<u8>,
}

impl ModelFiles {
    /// Reads all three files, failing on the first missing or unreadable one.
    ///
    /// The weights are read into memory rather than memory-mapped: the whole
    /// file is hashed for the digest anyway, and an owned buffer needs no
    /// `unsafe` mmap whose contents could change under us.
    pub fn read(dir: &Path) -> Result<ModelFiles, EmbedError> {
        if !dir.is_dir() {
            return Err(EmbedError::ModelDirMissing {
                path: dir.to_path_buf(),
            });
        }
        let (config_path, config) = read_file(dir, CONFIG_FILE)?;
        let (tokenizer_path, tokenizer) = read_file(dir, TOKENIZER_FILE)?;
        let (weights_path, weights) = read_file(dir, WEIGHTS_FILE)?;
        Ok(ModelFiles {
            config_path,
            config,
            tokenizer_path,
            tokenizer,
            weights_path,
            weights,
        })
    }
}

fn read_file(dir: &Path, name: &str) -> Result<(PathBuf, Vec<u8>), EmbedError> {
    let path = dir.join(name);
    match fs::read(&path) {
        Ok(bytes) => Ok((path, bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            Err(EmbedError::FileMissing { path })
        }
        Err(source) => Err(EmbedError::Read { path, source }),
    }
}

/// `sha256:<hex>` of `bytes`, the form model manifests record.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_has_prefix_and_known_value() {
        assert_eq!(
            sha256_digest(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn missing_file_is_named() {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path();
        fs::write(dir.join(CONFIG_FILE), b"{}").expect("temp dir is writable");
        match ModelFiles::read(dir) {
            Err(EmbedError::FileMissing { path }) => {
                assert_eq!(path, dir.join(TOKENIZER_FILE));
                assert!(path.to_string_lossy().contains(TOKENIZER_FILE));
            }
            Err(other) => panic!("wrong error: {other}"),
            Ok(_) => panic!("read a directory with missing files"),
        }
    }
}
