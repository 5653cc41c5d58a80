//! Training the linear model: FTRL-Proximal logistic regression, one output
//! per category, class-weighted, on known labels only; then int8
//! quantisation and Platt calibration on the validation split.

use vigil_core::{Category, Labels};

use super::calibrate::{sigmoid, Platt};
use super::LinearModel;
use crate::features::{FeatureConfig, Featurizer, SparseVec};
use crate::normalize::{Normalized, Normalizer};

/// One labelled text.
#[derive(Debug, Clone, Copy)]
pub struct Example<'a> {
    /// The raw text (normalised by the trainer).
    pub text: &'a str,
    /// Known labels; absent categories are skipped, never taken as negative.
    pub labels: &'a Labels,
}

/// Training settings. The defaults are the ones the shipped model uses.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Feature extraction.
    pub features: FeatureConfig,
    /// Passes over the training data.
    pub epochs: u32,
    /// FTRL learning rate α.
    pub alpha: f32,
    /// FTRL β.
    pub beta: f32,
    /// L1 strength (sparsity).
    pub l1: f32,
    /// L2 strength.
    pub l2: f32,
    /// Upper bound on the positive-class weight `sqrt(negatives / positives)`.
    pub max_positive_weight: f32,
    /// Seed of the shuffling.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            features: FeatureConfig::default(),
            epochs: 20,
            alpha: 0.3,
            beta: 1.0,
            l1: 0.000_5,
            l2: 0.000_5,
            max_positive_weight: 4.0,
            seed: 0x5eed,
        }
    }
}

/// A trained model and what was learned about it on the way.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The model.
    pub model: LinearModel,
    /// Per output: (known, positive) training labels.
    pub train_counts: Vec<(usize, usize)>,
    /// Per output: whether Platt calibration was fitted (else identity).
    pub calibrated: Vec<bool>,
    /// Per output: validation `(probability, label)` pairs, for metrics.
    pub validation_scores: Vec<Vec<(f64, bool)>>,
}

struct Featurized {
    fv: SparseVec,
    /// Per output: `Some(label)` when known.
    targets: Vec<Option<bool>>,
}

fn featurize(
    examples: &[Example<'_>],
    outputs: &[Category],
    features: FeatureConfig,
) -> Vec<Featurized> {
    let mut normalizer = Normalizer::new();
    let mut normalized = Normalized::default();
    let mut featurizer = Featurizer::new(features);
    examples
        .iter()
        .map(|e| {
            normalizer.normalize_into(e.text, &mut normalized);
            let mut fv = SparseVec::default();
            featurizer.extract(normalized.as_str(), &mut fv);
            let targets = outputs.iter().map(|c| e.labels.get(*c)).collect();
            Featurized { fv, targets }
        })
        .collect()
}

/// Class weights `(positive, negative)`: the rarer class is weighted
/// `sqrt(majority / minority)`, bounded by `max`, so that rare categories are
/// not drowned without letting a handful of examples dominate.
pub(crate) fn class_weights(positives: usize, negatives: usize, max: f32) -> (f32, f32) {
    if positives == 0 || negatives == 0 {
        return (1.0, 1.0);
    }
    let ratio = (negatives as f32 / positives as f32).sqrt();
    if ratio >= 1.0 {
        (ratio.min(max), 1.0)
    } else {
        (1.0, (1.0 / ratio).min(max))
    }
}

/// A small deterministic generator for shuffling (SplitMix64).
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// FTRL-Proximal state for every (bucket, output), interleaved by bucket.
struct Ftrl {
    z: Vec<f32>,
    n: Vec<f32>,
    bias: Vec<f32>,
    bias_n: Vec<f32>,
    outputs: usize,
    cfg: TrainConfig,
}

impl Ftrl {
    fn new(buckets: usize, outputs: usize, cfg: TrainConfig) -> Ftrl {
        Ftrl {
            z: vec![0.0; buckets * outputs],
            n: vec![0.0; buckets * outputs],
            bias: vec![0.0; outputs],
            bias_n: vec![0.0; outputs],
            outputs,
            cfg,
        }
    }

    #[inline]
    fn weight(&self, k: usize) -> f32 {
        let z = self.z[k];
        if z.abs() <= self.cfg.l1 {
            0.0
        } else {
            -(z - z.signum() * self.cfg.l1)
                / ((self.cfg.beta + self.n[k].sqrt()) / self.cfg.alpha + self.cfg.l2)
        }
    }

    fn step(&mut self, fv: &SparseVec, o: usize, label: bool, weight: f32) {
        let mut logit = self.bias[o];
        for (&i, &v) in fv.idx.iter().zip(&fv.val) {
            logit += self.weight(i as usize * self.outputs + o) * v;
        }
        let g = (sigmoid(logit) - if label { 1.0 } else { 0.0 }) * weight;
        for (&i, &v) in fv.idx.iter().zip(&fv.val) {
            let k = i as usize * self.outputs + o;
            let gi = g * v;
            let w = self.weight(k);
            let sigma = ((self.n[k] + gi * gi).sqrt() - self.n[k].sqrt()) / self.cfg.alpha;
            self.z[k] += gi - sigma * w;
            self.n[k] += gi * gi;
        }
        // The bias learns with plain AdaGrad and no regularisation.
        self.bias_n[o] += g * g;
        self.bias[o] -= self.cfg.alpha * g / (self.cfg.beta + self.bias_n[o].sqrt());
    }

    /// Quantise to int8 per output: scale = max |w| / 127.
    fn quantise(&self) -> (Vec<i8>, Vec<f32>) {
        let buckets = self.z.len() / self.outputs;
        let dense: Vec<f32> = (0..self.z.len()).map(|k| self.weight(k)).collect();
        let mut scales = vec![0.0f32; self.outputs];
        for (k, w) in dense.iter().enumerate() {
            let o = k % self.outputs;
            scales[o] = scales[o].max(w.abs());
        }
        for s in &mut scales {
            *s = if *s > 0.0 { *s / 127.0 } else { 1.0 };
        }
        let mut q = vec![0i8; buckets * self.outputs];
        for (k, w) in dense.iter().enumerate() {
            q[k] = (w / scales[k % self.outputs]).round().clamp(-127.0, 127.0) as i8;
        }
        (q, scales)
    }
}

/// Train a model for `outputs` on `train`, calibrating on `validation`.
/// Neither slice may contain test-split items; the caller enforces that.
pub fn train(
    train: &[Example<'_>],
    validation: &[Example<'_>],
    outputs: &[Category],
    cfg: TrainConfig,
) -> Trained {
    let data = featurize(train, outputs, cfg.features);
    let n_out = outputs.len();
    let train_counts: Vec<(usize, usize)> = (0..n_out)
        .map(|o| {
            let known = data.iter().filter(|d| d.targets[o].is_some()).count();
            let pos = data.iter().filter(|d| d.targets[o] == Some(true)).count();
            (known, pos)
        })
        .collect();
    let class_weight: Vec<(f32, f32)> = train_counts
        .iter()
        .map(|&(known, pos)| class_weights(pos, known - pos, cfg.max_positive_weight))
        .collect();

    let mut ftrl = Ftrl::new(cfg.features.buckets(), n_out, cfg);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = SplitMix(cfg.seed);
    for _ in 0..cfg.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let d = &data[i];
            for (o, target) in d.targets.iter().enumerate() {
                if let Some(label) = *target {
                    let (wp, wn) = class_weight[o];
                    ftrl.step(&d.fv, o, label, if label { wp } else { wn });
                }
            }
        }
    }

    let (weights, scales) = ftrl.quantise();
    let uncalibrated = LinearModel {
        features: cfg.features,
        outputs: outputs.to_vec(),
        weights,
        scales,
        biases: ftrl.bias.clone(),
        calibration: vec![Platt::default(); n_out],
        unsafe_from_harms: false,
    };
    let val = featurize(validation, outputs, cfg.features);
    let mut logits = vec![0.0f32; n_out];
    let mut pairs: Vec<Vec<(f32, bool)>> = vec![Vec::new(); n_out];
    for d in &val {
        uncalibrated.logits_into(&d.fv, &mut logits);
        for o in 0..n_out {
            if let Some(label) = d.targets[o] {
                pairs[o].push((logits[o], label));
            }
        }
    }
    let fits: Vec<Option<Platt>> = pairs.iter().map(|p| Platt::fit(p, 5)).collect();
    let calibrated = fits.iter().map(Option::is_some).collect();
    let calibration: Vec<Platt> = fits.into_iter().map(Option::unwrap_or_default).collect();
    let mut model = LinearModel {
        calibration,
        ..uncalibrated
    };
    // Decide on validation data whether raising `unsafe` to the highest harm
    // probability ranks better than the `unsafe` head alone.
    if let Some(u) = outputs.iter().position(|c| *c == Category::Unsafe) {
        let ap = |model: &LinearModel| -> f64 {
            let scores = validation_probabilities(model, &val, n_out);
            vigil_eval::average_precision(&scores[u]).unwrap_or(0.0)
        };
        let alone = ap(&model);
        model.unsafe_from_harms = true;
        let combined = ap(&model);
        model.unsafe_from_harms = combined > alone;
    }
    let validation_scores = validation_probabilities(&model, &val, n_out);
    Trained {
        model,
        train_counts,
        calibrated,
        validation_scores,
    }
}

/// Per output, `(probability, label)` of every validation item whose label is known.
fn validation_probabilities(
    model: &LinearModel,
    val: &[Featurized],
    n_out: usize,
) -> Vec<Vec<(f64, bool)>> {
    let mut out: Vec<Vec<(f64, bool)>> = vec![Vec::new(); n_out];
    let mut probs = vec![0.0f32; n_out];
    for d in val {
        model.logits_into(&d.fv, &mut probs);
        model.calibrate_in_place(&mut probs);
        for (o, target) in d.targets.iter().enumerate() {
            if let Some(label) = *target {
                out[o].push((f64::from(probs[o]), label));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(spam: Option<bool>) -> Labels {
        let mut l = Labels::new();
        if let Some(v) = spam {
            l.set(Category::SpamScam, v);
        }
        l
    }

    #[test]
    fn learns_a_separable_toy_problem_and_ignores_unknown_labels() {
        let spam = labels(Some(true));
        let ham = labels(Some(false));
        let unknown = labels(None);
        let mut train_set = Vec::new();
        for i in 0..200 {
            let t: &'static str = if i % 2 == 0 {
                "win a free prize now click here"
            } else {
                "see you at lunch tomorrow"
            };
            train_set.push(Example {
                text: t,
                labels: if i % 2 == 0 { &spam } else { &ham },
            });
        }
        // Unknown rows that would teach the opposite if read as negatives.
        for _ in 0..200 {
            train_set.push(Example {
                text: "win a free prize now click here",
                labels: &unknown,
            });
        }
        let val: Vec<Example<'_>> = train_set.iter().take(40).copied().collect();
        let cfg = TrainConfig {
            features: FeatureConfig {
                buckets_log2: 12,
                ..FeatureConfig::default()
            },
            ..TrainConfig::default()
        };
        let trained = train(&train_set, &val, &[Category::SpamScam], cfg);
        assert_eq!(trained.train_counts, vec![(200, 100)]);
        let mut scorer = trained.model.scorer();
        let p_spam = scorer.score("WIN a free prize, click here!")[0];
        let p_ham = scorer.score("lunch tomorrow?")[0];
        assert!(p_spam > 0.8 && p_ham < 0.2, "{p_spam} {p_ham}");
    }
}
