//! A multi-label logistic head over dense vectors (sentence embeddings),
//! trained with mini-batch Adam on known labels only, class-weighted.

use serde::{Deserialize, Serialize};
use vigil_core::Category;

use crate::linear::calibrate::sigmoid;
use crate::linear::train::{class_weights, SplitMix};

/// Per-output weights over a `dim`-dimensional input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenseHead {
    /// Categories, in output order.
    pub outputs: Vec<Category>,
    /// Input dimension.
    pub dim: usize,
    /// `weights[o * dim + j]`.
    pub weights: Vec<f32>,
    /// One bias per output.
    pub biases: Vec<f32>,
}

/// Training settings of the head.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenseConfig {
    /// Passes over the data.
    pub epochs: u32,
    /// Adam step size.
    pub learning_rate: f32,
    /// L2 penalty on the weights.
    pub l2: f32,
    /// Examples per update.
    pub batch: usize,
    /// Bound on the class weight.
    pub max_positive_weight: f32,
    /// Shuffle seed.
    pub seed: u64,
}

impl Default for DenseConfig {
    fn default() -> Self {
        DenseConfig {
            epochs: 30,
            learning_rate: 0.01,
            l2: 1e-4,
            batch: 256,
            max_positive_weight: 4.0,
            seed: 0x5eed,
        }
    }
}

impl DenseHead {
    /// Raw logits of one input vector, into `out`.
    pub fn logits_into(&self, x: &[f32], out: &mut [f32]) {
        for (o, (slot, bias)) in out.iter_mut().zip(&self.biases).enumerate() {
            let w = &self.weights[o * self.dim..(o + 1) * self.dim];
            *slot = bias + w.iter().zip(x).map(|(a, b)| a * b).sum::<f32>();
        }
    }
}

/// Train a head. `targets[i][o]` is the known label of input `i` for output
/// `o`, or `None`.
pub fn train_dense(
    xs: &[Vec<f32>],
    targets: &[Vec<Option<bool>>],
    outputs: &[Category],
    cfg: DenseConfig,
) -> DenseHead {
    let dim = xs.first().map_or(0, Vec::len);
    let n_out = outputs.len();
    let mut head = DenseHead {
        outputs: outputs.to_vec(),
        dim,
        weights: vec![0.0; n_out * dim],
        biases: vec![0.0; n_out],
    };
    let class_weight: Vec<(f32, f32)> = (0..n_out)
        .map(|o| {
            let pos = targets.iter().filter(|t| t[o] == Some(true)).count();
            let neg = targets.iter().filter(|t| t[o] == Some(false)).count();
            class_weights(pos, neg, cfg.max_positive_weight)
        })
        .collect();
    // Adam moments for weights and biases.
    let (mut m, mut v) = (
        vec![0.0f32; head.weights.len()],
        vec![0.0f32; head.weights.len()],
    );
    let (mut mb, mut vb) = (vec![0.0f32; n_out], vec![0.0f32; n_out]);
    let (beta1, beta2, eps) = (0.9f32, 0.999f32, 1e-8f32);
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut rng = SplitMix(cfg.seed);
    let mut grad = vec![0.0f32; head.weights.len()];
    let mut grad_b = vec![0.0f32; n_out];
    let mut logits = vec![0.0f32; n_out];
    let mut step = 0i32;
    for _ in 0..cfg.epochs {
        rng.shuffle(&mut order);
        for chunk in order.chunks(cfg.batch.max(1)) {
            grad.fill(0.0);
            grad_b.fill(0.0);
            let mut counts = vec![0.0f32; n_out];
            for &i in chunk {
                head.logits_into(&xs[i], &mut logits);
                for o in 0..n_out {
                    let Some(y) = targets[i][o] else { continue };
                    let (wp, wn) = class_weight[o];
                    let g =
                        (sigmoid(logits[o]) - if y { 1.0 } else { 0.0 }) * if y { wp } else { wn };
                    for (gw, x) in grad[o * dim..(o + 1) * dim].iter_mut().zip(&xs[i]) {
                        *gw += g * x;
                    }
                    grad_b[o] += g;
                    counts[o] += 1.0;
                }
            }
            step += 1;
            let (c1, c2) = (1.0 - beta1.powi(step), 1.0 - beta2.powi(step));
            for o in 0..n_out {
                if counts[o] == 0.0 {
                    continue;
                }
                for k in o * dim..(o + 1) * dim {
                    let g = grad[k] / counts[o] + cfg.l2 * head.weights[k];
                    m[k] = beta1 * m[k] + (1.0 - beta1) * g;
                    v[k] = beta2 * v[k] + (1.0 - beta2) * g * g;
                    head.weights[k] -= cfg.learning_rate * (m[k] / c1) / ((v[k] / c2).sqrt() + eps);
                }
                let g = grad_b[o] / counts[o];
                mb[o] = beta1 * mb[o] + (1.0 - beta1) * g;
                vb[o] = beta2 * vb[o] + (1.0 - beta2) * g * g;
                head.biases[o] -= cfg.learning_rate * (mb[o] / c1) / ((vb[o] / c2).sqrt() + eps);
            }
        }
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_clusters_and_skips_unknown_labels() {
        let mut xs = Vec::new();
        let mut ts = Vec::new();
        for i in 0..400 {
            let pos = i % 2 == 0;
            let c = if pos { 1.0 } else { -1.0 };
            xs.push(vec![c + (i % 7) as f32 * 0.01, 0.5, -c]);
            ts.push(vec![Some(pos)]);
        }
        // Unknown rows placed in the negative cluster but "positive"-looking
        // would hurt only if read as labels.
        for _ in 0..400 {
            xs.push(vec![-1.0, 0.5, 1.0]);
            ts.push(vec![None]);
        }
        let head = train_dense(&xs, &ts, &[Category::Hate], DenseConfig::default());
        let mut out = [0.0f32];
        head.logits_into(&[1.0, 0.5, -1.0], &mut out);
        assert!(out[0] > 1.0, "{out:?}");
        head.logits_into(&[-1.0, 0.5, 1.0], &mut out);
        assert!(out[0] < -1.0, "{out:?}");
    }
}
