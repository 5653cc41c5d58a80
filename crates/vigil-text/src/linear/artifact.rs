//! The model artifact: a folder with `manifest.toml` (what the model is, how
//! it was made, on what data, how well it did) and `weights.bin` (the
//! quantised weights).
//!
//! `weights.bin`, little-endian: the magic `VIGILLIN`, `u32` format version
//! (1), `u32` buckets, `u32` outputs, then `outputs` × `f32` scales,
//! `outputs` × `f32` biases, then `buckets × outputs` × `i8` weights,
//! bucket-major.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vigil_core::{sha256_hex, Category};

use super::{LinearModel, Platt, TrainConfig};

const MAGIC: &[u8; 8] = b"VIGILLIN";
const FORMAT: u32 = 1;
/// The manifest's file name.
pub const MANIFEST_FILE: &str = "manifest.toml";
/// The weights' file name.
pub const WEIGHTS_FILE: &str = "weights.bin";

/// Why a model folder could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArtifactError {
    /// A file could not be read or written.
    #[error("cannot read or write {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The manifest is not valid TOML for a model manifest.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The folder's content is not what its registry recorded: it was
    /// changed after it was registered.
    #[error("{dir}: the model's files hash to {found}, but the registry recorded {expected}; the folder was changed after it was registered")]
    Changed {
        /// The folder.
        dir: PathBuf,
        /// The digest recorded.
        expected: String,
        /// The digest of the files now.
        found: String,
    },
    /// The weights file does not match the manifest or is damaged.
    #[error("{path}: {message}")]
    Weights {
        /// The weights file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One training data set, identified by its digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSource {
    /// The data set's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `items_sha256` from its manifest.
    pub items_sha256: String,
    /// Rows used for training.
    pub train_rows: u64,
    /// Rows used for calibration.
    pub validation_rows: u64,
}

/// What the model knows about one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputInfo {
    /// The category.
    pub category: Category,
    /// Known training labels.
    pub train_known: u64,
    /// Positive training labels.
    pub train_positive: u64,
    /// Platt calibration (identity when not fitted).
    pub platt: Platt,
    /// Whether the calibration was fitted on validation data.
    pub calibrated: bool,
    /// Average precision on the validation split, when defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_auprc: Option<f64>,
    /// ROC AUC on the validation split, when defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_roc_auc: Option<f64>,
}

/// `manifest.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `text-linear`.
    pub kind: String,
    /// The model's name, recorded in decisions.
    pub name: String,
    /// The model's version, recorded in decisions.
    pub version: String,
    /// When it was trained (RFC 3339).
    pub created_at: String,
    /// The command that produced it.
    pub command: String,
    /// `sha256:` of `weights.bin`.
    pub weights_sha256: String,
    /// Training settings (including the feature configuration).
    pub train: TrainConfig,
    /// The data it was trained on.
    pub training_data: Vec<TrainingSource>,
    /// One entry per output, in output order.
    pub outputs: Vec<OutputInfo>,
    /// Whether `unsafe` is raised to the highest harm probability.
    #[serde(default)]
    pub unsafe_from_harms: bool,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArtifactError + '_ {
    move |source| ArtifactError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Encode the weights file.
fn encode(model: &LinearModel) -> Vec<u8> {
    let n = model.outputs.len();
    let mut out = Vec::with_capacity(20 + 8 * n + model.weights.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(model.features.buckets() as u32).to_le_bytes());
    out.extend_from_slice(&(n as u32).to_le_bytes());
    for s in &model.scales {
        out.extend_from_slice(&s.to_le_bytes());
    }
    for b in &model.biases {
        out.extend_from_slice(&b.to_le_bytes());
    }
    out.extend(model.weights.iter().map(|&w| w as u8));
    out
}

/// Write `model` and `manifest` into `dir` (created if needed). The
/// manifest's `weights_sha256` and per-output calibration are filled in here.
pub fn save(model: &LinearModel, manifest: &mut Manifest, dir: &Path) -> Result<(), ArtifactError> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let bytes = encode(model);
    manifest.weights_sha256 = sha256_hex(&bytes);
    manifest.unsafe_from_harms = model.unsafe_from_harms();
    for (info, platt) in manifest.outputs.iter_mut().zip(&model.calibration) {
        info.platt = *platt;
    }
    let weights = dir.join(WEIGHTS_FILE);
    fs::write(&weights, &bytes).map_err(io(&weights))?;
    let path = dir.join(MANIFEST_FILE);
    let text = toml::to_string_pretty(manifest).map_err(|e| ArtifactError::Manifest {
        path: path.clone(),
        message: e.to_string(),
    })?;
    fs::write(&path, text).map_err(io(&path))
}

/// Read a model folder, checking the weights against the manifest.
pub fn load(dir: &Path) -> Result<(LinearModel, Manifest), ArtifactError> {
    let (text, bytes) = read_files(dir)?;
    parse(&text, &bytes, dir)
}

/// The content digest of a model folder: `sha256:` over its two files,
/// each as its name, its length (8 bytes, little-endian) and its bytes, so
/// that no two different folders share a digest. A registry records it and
/// [`load_verified`] checks it.
pub fn folder_digest(dir: &Path) -> Result<String, ArtifactError> {
    let (manifest, weights) = read_files(dir)?;
    Ok(digest_of(manifest.as_bytes(), &weights))
}

/// Reads a model folder as [`load`] does, refusing it with
/// [`ArtifactError::Changed`] unless its [`folder_digest`] is `expected`.
/// The digest is taken over the very bytes that are then parsed.
pub fn load_verified(dir: &Path, expected: &str) -> Result<(LinearModel, Manifest), ArtifactError> {
    let (manifest, weights) = read_files(dir)?;
    let found = digest_of(manifest.as_bytes(), &weights);
    if found != expected {
        return Err(ArtifactError::Changed {
            dir: dir.to_owned(),
            expected: expected.to_owned(),
            found,
        });
    }
    parse(&manifest, &weights, dir)
}

fn read_files(dir: &Path) -> Result<(String, Vec<u8>), ArtifactError> {
    let path = dir.join(MANIFEST_FILE);
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    let weights_path = dir.join(WEIGHTS_FILE);
    let bytes = fs::read(&weights_path).map_err(io(&weights_path))?;
    Ok((text, bytes))
}

fn digest_of(manifest: &[u8], weights: &[u8]) -> String {
    let mut framed = Vec::with_capacity(manifest.len() + weights.len() + 64);
    for (name, bytes) in [(MANIFEST_FILE, manifest), (WEIGHTS_FILE, weights)] {
        framed.extend_from_slice(name.as_bytes());
        framed.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        framed.extend_from_slice(bytes);
    }
    sha256_hex(&framed)
}

/// Build a model from the two files' contents; `dir` names them in errors.
pub fn parse(
    manifest: &str,
    weights: &[u8],
    dir: &Path,
) -> Result<(LinearModel, Manifest), ArtifactError> {
    let path = dir.join(MANIFEST_FILE);
    let manifest: Manifest = toml::from_str(manifest).map_err(|e| ArtifactError::Manifest {
        path: path.clone(),
        message: e.message().to_owned(),
    })?;
    let bad = |message: String| ArtifactError::Manifest {
        path: path.clone(),
        message,
    };
    if manifest.kind != "text-linear" {
        return Err(bad(format!(
            "kind is `{}`, expected `text-linear`",
            manifest.kind
        )));
    }
    manifest.train.features.validate().map_err(bad)?;
    let weights_path = dir.join(WEIGHTS_FILE);
    let wbad = |message: String| ArtifactError::Weights {
        path: weights_path.clone(),
        message,
    };
    let digest = sha256_hex(weights);
    if digest != manifest.weights_sha256 {
        return Err(wbad(format!(
            "hashes to {digest} but the manifest says {}; the file is damaged or from another model",
            manifest.weights_sha256
        )));
    }
    let model = decode(weights, &manifest).map_err(wbad)?;
    Ok((model, manifest))
}

fn decode(bytes: &[u8], manifest: &Manifest) -> Result<LinearModel, String> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(8)? != MAGIC {
        return Err("not a Vigil linear weights file (bad magic)".to_owned());
    }
    let format = r.u32()?;
    if format != FORMAT {
        return Err(format!(
            "format version {format}; this Vigil reads version {FORMAT}"
        ));
    }
    let buckets = r.u32()? as usize;
    let n = r.u32()? as usize;
    let features = manifest.train.features;
    if buckets != features.buckets() || n != manifest.outputs.len() {
        return Err(format!(
            "holds {buckets} buckets × {n} outputs; the manifest says {} × {}",
            features.buckets(),
            manifest.outputs.len()
        ));
    }
    let scales = (0..n).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let biases = (0..n).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let weights: Vec<i8> = r.take(buckets * n)?.iter().map(|&b| b as i8).collect();
    if r.at != bytes.len() {
        return Err(format!("{} unexpected trailing bytes", bytes.len() - r.at));
    }
    let outputs = manifest.outputs.iter().map(|o| o.category).collect();
    let calibration = manifest.outputs.iter().map(|o| o.platt).collect();
    let mut model =
        LinearModel::from_parts(features, outputs, weights, scales, biases, calibration)?;
    model.set_unsafe_from_harms(manifest.unsafe_from_harms);
    Ok(model)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("truncated at byte {}", self.bytes.len()))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
}

impl LinearModel {
    /// Read a model folder (see the module docs for the format).
    pub fn load(dir: &Path) -> Result<(LinearModel, Manifest), ArtifactError> {
        load(dir)
    }

    /// Write the model and its manifest into `dir`.
    pub fn save(&self, manifest: &mut Manifest, dir: &Path) -> Result<(), ArtifactError> {
        save(self, manifest, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_changed_after_its_digest_was_taken_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (model, mut manifest) = crate::default_model::load().expect("the shipped model");
        model.save(&mut manifest, dir.path()).expect("saves");
        let digest = folder_digest(dir.path()).expect("digests");
        assert!(digest.starts_with("sha256:"));
        let (_, loaded) = load_verified(dir.path(), &digest).expect("loads unchanged");
        assert_eq!(loaded.name, manifest.name);
        // A changed manifest (same weights, so `load` alone would accept it).
        let path = dir.path().join(MANIFEST_FILE);
        let text = fs::read_to_string(&path).expect("reads");
        fs::write(&path, format!("{text}\n# edited\n")).expect("writes");
        assert!(load(dir.path()).is_ok());
        let err = load_verified(dir.path(), &digest).expect_err("refused");
        assert!(matches!(err, ArtifactError::Changed { .. }), "{err}");
        assert_ne!(folder_digest(dir.path()).expect("digests"), digest);
    }
}
