//! The combined text model, arranged as a cascade: the linear model scores
//! every text; only texts whose `unsafe` probability falls inside the
//! uncertain band are embedded by the transformer, and for those a stacker
//! per category combines the linear logit and the embedding head's logit into
//! one calibrated probability.
//!
//! The head artifact is a folder: `manifest.toml` (band, stackers, the
//! digests of the linear weights and transformer weights it was fitted with,
//! validation metrics, the command) and `head.bin` (the dense head, f32
//! little-endian: `outputs × dim` weights then `outputs` biases).

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use vigil_core::{sha256_hex, Category};

use crate::dense::DenseHead;
use crate::linear::calibrate::sigmoid;
use crate::linear::{ArtifactError, LinearModel};

/// The head's manifest file.
pub const HEAD_MANIFEST: &str = "manifest.toml";
/// The head's weights file.
pub const HEAD_WEIGHTS: &str = "head.bin";

/// `p = sigmoid(w_linear · linear_logit + w_head · head_logit + b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stacker {
    /// Weight of the linear model's raw logit.
    pub w_linear: f32,
    /// Weight of the embedding head's raw logit.
    pub w_head: f32,
    /// Intercept.
    pub b: f32,
}

impl Stacker {
    /// The combined probability.
    pub fn probability(&self, linear_logit: f32, head_logit: f32) -> f32 {
        sigmoid(self.w_linear * linear_logit + self.w_head * head_logit + self.b)
    }

    /// Fit by Newton's method on the log loss with a small ridge, on
    /// `(linear_logit, head_logit, label)`; `None` with fewer than
    /// `min_per_class` of either class.
    pub fn fit(rows: &[(f32, f32, bool)], min_per_class: usize) -> Option<Stacker> {
        let pos = rows.iter().filter(|r| r.2).count();
        if pos < min_per_class || rows.len() - pos < min_per_class {
            return None;
        }
        let mut w = [0.5f64, 0.5, 0.0];
        for _ in 0..50 {
            let mut g = [0.0f64; 3];
            let mut h = [[0.0f64; 3]; 3];
            for &(a, b, y) in rows {
                let x = [f64::from(a), f64::from(b), 1.0];
                let z: f64 = w.iter().zip(&x).map(|(w, x)| w * x).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let d = p - if y { 1.0 } else { 0.0 };
                let s = (p * (1.0 - p)).max(1e-12);
                for i in 0..3 {
                    g[i] += d * x[i];
                    for j in 0..3 {
                        h[i][j] += s * x[i] * x[j];
                    }
                }
            }
            for (i, row) in h.iter_mut().enumerate() {
                row[i] += 1e-3;
                g[i] += 1e-3 * w[i];
            }
            let step = solve3(h, g)?;
            for i in 0..3 {
                w[i] -= step[i];
            }
            if step.iter().all(|s| s.abs() < 1e-8) {
                break;
            }
        }
        w.iter().all(|v| v.is_finite()).then_some(Stacker {
            w_linear: w[0] as f32,
            w_head: w[1] as f32,
            b: w[2] as f32,
        })
    }
}

/// Solve a 3×3 system by Gaussian elimination with partial pivoting.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-15 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..3 {
            let f = a[row][col] / pivot_row[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let s: f64 = (row + 1..3).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

/// Per-output facts recorded in the head manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadOutput {
    /// The category.
    pub category: Category,
    /// The stacker (absent when validation data was too thin: the linear
    /// probability is kept for that category).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stacker: Option<Stacker>,
    /// Validation AUPRC of the linear model alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_auprc_linear: Option<f64>,
    /// Validation AUPRC of the stacked model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_auprc_stacked: Option<f64>,
}

/// The head's `manifest.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadManifest {
    /// Always `text-transformer-head`.
    pub kind: String,
    /// Name recorded in decisions.
    pub name: String,
    /// Version recorded in decisions.
    pub version: String,
    /// When it was trained.
    pub created_at: String,
    /// The command that produced it.
    pub command: String,
    /// `weights_sha256` of the linear model it stacks on.
    pub linear_weights_sha256: String,
    /// Digest of the transformer weights (`model.safetensors`).
    pub embedder_sha256: String,
    /// The uncertain band of the linear `unsafe` probability, `[low, high]`.
    pub band: (f32, f32),
    /// `sha256:` of `head.bin`.
    pub head_sha256: String,
    /// One entry per head output, in output order.
    pub outputs: Vec<HeadOutput>,
}

/// A fitted head and its manifest.
#[derive(Debug, Clone)]
pub struct Head {
    /// The dense head over embeddings.
    pub dense: DenseHead,
    /// Its manifest.
    pub manifest: HeadManifest,
}

impl Head {
    /// Write `head.bin` and `manifest.toml` into `dir`.
    pub fn save(&mut self, dir: &Path) -> Result<(), ArtifactError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| ArtifactError::Io { path, source }
        };
        fs::create_dir_all(dir).map_err(io(dir))?;
        let mut bytes =
            Vec::with_capacity(4 * (self.dense.weights.len() + self.dense.biases.len()));
        for v in self.dense.weights.iter().chain(&self.dense.biases) {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        self.manifest.head_sha256 = sha256_hex(&bytes);
        let weights = dir.join(HEAD_WEIGHTS);
        fs::write(&weights, &bytes).map_err(io(&weights))?;
        let path = dir.join(HEAD_MANIFEST);
        let text = toml::to_string_pretty(&self.manifest).map_err(|e| ArtifactError::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        fs::write(&path, text).map_err(io(&path))
    }

    /// Read a head folder, checking its weights against the manifest and the
    /// manifest against the linear model it must stack on.
    pub fn load(
        dir: &Path,
        linear_weights_sha256: &str,
        dim: usize,
    ) -> Result<Head, ArtifactError> {
        let path = dir.join(HEAD_MANIFEST);
        let text = fs::read_to_string(&path).map_err(|source| ArtifactError::Io {
            path: path.clone(),
            source,
        })?;
        let weights_path = dir.join(HEAD_WEIGHTS);
        let bytes = fs::read(&weights_path).map_err(|source| ArtifactError::Io {
            path: weights_path.clone(),
            source,
        })?;
        Head::parse(&text, &bytes, dir, linear_weights_sha256, dim)
    }

    /// A head from the text of its manifest and the bytes of its weights;
    /// `dir` names where they came from in errors.
    pub fn parse(
        text: &str,
        bytes: &[u8],
        dir: &Path,
        linear_weights_sha256: &str,
        dim: usize,
    ) -> Result<Head, ArtifactError> {
        let path = dir.join(HEAD_MANIFEST);
        let weights_path = dir.join(HEAD_WEIGHTS);
        let invalid = |path: &Path, message: String| ArtifactError::Manifest {
            path: path.to_owned(),
            message,
        };
        let manifest: HeadManifest =
            toml::from_str(text).map_err(|e| invalid(&path, e.message().to_owned()))?;
        if manifest.linear_weights_sha256 != linear_weights_sha256 {
            return Err(invalid(
                &path,
                format!(
                    "was fitted on linear weights {} but the linear model loaded has {linear_weights_sha256}",
                    manifest.linear_weights_sha256
                ),
            ));
        }
        if sha256_hex(bytes) != manifest.head_sha256 {
            return Err(invalid(
                &weights_path,
                "does not match the manifest's head_sha256".to_owned(),
            ));
        }
        let n = manifest.outputs.len();
        if bytes.len() != 4 * (n * dim + n) {
            return Err(invalid(
                &weights_path,
                format!(
                    "holds {} bytes; {n} outputs × {dim} dimensions need {}",
                    bytes.len(),
                    4 * (n * dim + n)
                ),
            ));
        }
        let floats: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let dense = DenseHead {
            outputs: manifest.outputs.iter().map(|o| o.category).collect(),
            dim,
            weights: floats[..n * dim].to_vec(),
            biases: floats[n * dim..].to_vec(),
        };
        Ok(Head { dense, manifest })
    }

    /// Combine the linear logits and calibrated probabilities of one text
    /// with its embedding: stacked outputs replace the linear probability.
    /// `linear_logits`/`probs` are in the linear model's output order.
    pub fn combine(
        &self,
        linear: &LinearModel,
        linear_logits: &[f32],
        embedding: &[f32],
        probs: &mut [f32],
    ) {
        let mut head_logits = vec![0.0f32; self.dense.outputs.len()];
        self.dense.logits_into(embedding, &mut head_logits);
        for (h, out) in self.manifest.outputs.iter().enumerate() {
            let Some(stacker) = out.stacker else { continue };
            if let Some(o) = linear.outputs().iter().position(|c| *c == out.category) {
                probs[o] = stacker.probability(linear_logits[o], head_logits[h]);
            }
        }
        // Keep `unsafe` at least the highest harm, as the linear model does.
        if linear.unsafe_from_harms() {
            if let Some(u) = linear.outputs().iter().position(|c| *c == Category::Unsafe) {
                let top = probs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != u)
                    .map(|(_, p)| *p)
                    .fold(0.0f32, f32::max);
                probs[u] = probs[u].max(top);
            }
        }
    }

    /// Whether a linear `unsafe` probability is uncertain enough to consult
    /// the transformer.
    pub fn in_band(&self, unsafe_probability: f32) -> bool {
        let (lo, hi) = self.manifest.band;
        unsafe_probability >= lo && unsafe_probability <= hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stacker_learns_which_input_carries_the_signal() {
        // The label follows the head logit; the linear logit is noise.
        let rows: Vec<(f32, f32, bool)> = (0..600)
            .map(|i| {
                let head = (i % 40) as f32 / 4.0 - 5.0;
                let noise = ((i * 7919) % 13) as f32 - 6.0;
                (noise, head, head > 0.0)
            })
            .collect();
        let s = Stacker::fit(&rows, 5).expect("fits");
        assert!(s.w_head > 1.0 && s.w_linear.abs() < 0.2 * s.w_head, "{s:?}");
        assert!(s.probability(0.0, 4.0) > 0.95 && s.probability(0.0, -4.0) < 0.05);
    }

    #[test]
    fn solve3_solves() {
        let x = solve3(
            [[2.0, 0.0, 0.0], [0.0, 4.0, 0.0], [1.0, 0.0, 1.0]],
            [2.0, 8.0, 4.0],
        )
        .expect("regular");
        assert!(
            (x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12 && (x[2] - 3.0).abs() < 1e-12
        );
    }
}

/// Scores from the cascade, and how many texts consulted the transformer.
#[derive(Debug, Clone)]
pub struct CascadeScores {
    /// Calibrated probabilities per text, in the linear model's output order.
    pub scores: Vec<Vec<f32>>,
    /// Texts whose linear `unsafe` fell in the band and were embedded.
    pub consulted: usize,
}

/// Score texts with the cascade: the linear model on every text (all cores),
/// the transformer only on the uncertain band, in micro-batches.
pub fn score_cascade(
    linear: &LinearModel,
    head: &Head,
    embedder: &vigil_embed::Embedder,
    texts: &[&str],
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<CascadeScores, vigil_embed::EmbedError> {
    let mut scores = crate::batch::score_texts(linear, texts, threads, progress);
    let Some(u) = linear.outputs().iter().position(|c| *c == Category::Unsafe) else {
        return Ok(CascadeScores {
            scores,
            consulted: 0,
        });
    };
    let uncertain: Vec<usize> = (0..texts.len())
        .filter(|&i| head.in_band(scores[i][u]))
        .collect();
    let mut scorer = linear.scorer();
    for chunk in uncertain.chunks(256) {
        // The transformer reads normalised text, as in training.
        let normalized: Vec<String> = chunk
            .iter()
            .map(|&i| crate::normalize::normalize(texts[i]).as_str().to_owned())
            .collect();
        let batch: Vec<&str> = normalized.iter().map(String::as_str).collect();
        let embeddings = embedder.embed(&batch)?;
        for (&i, e) in chunk.iter().zip(&embeddings) {
            let logits = scorer.logits(texts[i]).to_vec();
            head.combine(linear, &logits, e, &mut scores[i]);
        }
    }
    Ok(CascadeScores {
        scores,
        consulted: uncertain.len(),
    })
}
