//! The fast path: a multi-label logistic regression over hashed n-grams.
//!
//! [`LinearModel`] holds int8-quantised weights laid out bucket-major (all
//! outputs of one bucket side by side, so one feature touches one cache
//! line), a bias and scale per output, and a Platt calibration per output.
//! [`LinearScorer`] scores texts with reusable buffers. [`train`] fits a model
//! with FTRL-Proximal, counting only known labels.

pub mod artifact;
pub(crate) mod calibrate;
pub(crate) mod train;

use vigil_core::Category;

pub use artifact::{ArtifactError, Manifest, OutputInfo, TrainingSource};
pub use calibrate::Platt;
pub use train::{train, Example, TrainConfig, Trained};

use crate::features::{FeatureConfig, Featurizer, SparseVec};
use crate::normalize::{Normalized, Normalizer};

/// A trained, quantised linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    features: FeatureConfig,
    outputs: Vec<Category>,
    /// `weights[bucket * outputs.len() + o]`.
    weights: Vec<i8>,
    scales: Vec<f32>,
    biases: Vec<f32>,
    calibration: Vec<Platt>,
    /// Whether `unsafe` is raised to the highest harm probability (chosen
    /// at training time on validation data).
    unsafe_from_harms: bool,
}

impl LinearModel {
    /// Build from parts; `weights.len()` must be `buckets × outputs`.
    pub(crate) fn from_parts(
        features: FeatureConfig,
        outputs: Vec<Category>,
        weights: Vec<i8>,
        scales: Vec<f32>,
        biases: Vec<f32>,
        calibration: Vec<Platt>,
    ) -> Result<LinearModel, String> {
        let n = outputs.len();
        if weights.len() != features.buckets() * n
            || scales.len() != n
            || biases.len() != n
            || calibration.len() != n
        {
            return Err(format!(
                "expected {} weights and {n} scales, biases and calibrations; found {}, {}, {}, {}",
                features.buckets() * n,
                weights.len(),
                scales.len(),
                biases.len(),
                calibration.len()
            ));
        }
        Ok(LinearModel {
            features,
            outputs,
            weights,
            scales,
            biases,
            calibration,
            unsafe_from_harms: false,
        })
    }

    /// The feature configuration the model was trained with.
    pub fn features(&self) -> &FeatureConfig {
        &self.features
    }

    /// The categories scored, in output order.
    pub fn outputs(&self) -> &[Category] {
        &self.outputs
    }

    /// Per-output calibration.
    pub fn calibration(&self) -> &[Platt] {
        &self.calibration
    }

    /// Raw logits (before calibration) of a feature vector, into `out`.
    pub fn logits_into(&self, fv: &SparseVec, out: &mut [f32]) {
        let n = self.outputs.len();
        let acc = &mut out[..n];
        acc.fill(0.0);
        // Integer weights are accumulated in f32 and scaled once at the end;
        // the inner loop is a short, bounds-checked-once slice walk.
        for (&i, &v) in fv.idx.iter().zip(&fv.val) {
            let row = &self.weights[i as usize * n..i as usize * n + n];
            for (a, &w) in acc.iter_mut().zip(row) {
                *a += f32::from(w) * v;
            }
        }
        for ((a, s), b) in acc.iter_mut().zip(&self.scales).zip(&self.biases) {
            *a = *a * s + b;
        }
    }

    /// Calibrated probabilities from logits, in place; then, if the model
    /// says so, `unsafe` becomes at least the highest harm probability, since
    /// `unsafe` means "any harm".
    pub fn calibrate_in_place(&self, logits: &mut [f32]) {
        for (l, p) in logits.iter_mut().zip(&self.calibration) {
            *l = p.probability(*l);
        }
        if self.unsafe_from_harms {
            if let Some(u) = self.outputs.iter().position(|c| *c == Category::Unsafe) {
                let harms = logits.iter().enumerate().filter(|(i, _)| *i != u);
                let top = harms.map(|(_, p)| *p).fold(0.0f32, f32::max);
                logits[u] = logits[u].max(top);
            }
        }
    }

    /// Whether `unsafe` is raised to the highest harm probability.
    pub fn unsafe_from_harms(&self) -> bool {
        self.unsafe_from_harms
    }

    /// Choose whether `unsafe` is raised to the highest harm probability.
    pub fn set_unsafe_from_harms(&mut self, on: bool) {
        self.unsafe_from_harms = on;
    }

    /// A scorer with its own buffers (one per thread).
    pub fn scorer(&self) -> LinearScorer<'_> {
        LinearScorer {
            model: self,
            normalizer: Normalizer::new(),
            normalized: Normalized::default(),
            featurizer: Featurizer::new(self.features),
            fv: SparseVec::default(),
            out: vec![0.0; self.outputs.len()],
        }
    }
}

/// Scores texts with a [`LinearModel`], reusing buffers between calls.
#[derive(Debug)]
pub struct LinearScorer<'m> {
    model: &'m LinearModel,
    normalizer: Normalizer,
    normalized: Normalized,
    featurizer: Featurizer,
    fv: SparseVec,
    out: Vec<f32>,
}

impl LinearScorer<'_> {
    /// Calibrated probability per output (see [`LinearModel::outputs`]).
    pub fn score(&mut self, text: &str) -> &[f32] {
        self.logits(text);
        self.model.calibrate_in_place(&mut self.out);
        &self.out
    }

    /// Raw logits per output.
    pub fn logits(&mut self, text: &str) -> &[f32] {
        self.normalizer.normalize_into(text, &mut self.normalized);
        self.featurizer
            .extract(self.normalized.as_str(), &mut self.fv);
        self.model.logits_into(&self.fv, &mut self.out);
        &self.out
    }
}
