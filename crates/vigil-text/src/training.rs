//! Training the linear model from canonical data sets: choose the outputs,
//! take the train and validation splits (never the test split), fit, measure
//! on validation, and describe the result in a manifest.

use vigil_core::{Category, Labels};
use vigil_data::{Dataset, Split};

use crate::linear::{
    self, Example, LinearModel, Manifest, OutputInfo, TrainConfig, TrainingSource,
};

/// Fewest positive *and* negative training labels for a category to get an
/// output: with fewer, a classifier would be noise.
pub const MIN_LABELS_PER_CLASS: usize = 20;

/// Why training could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainError {
    /// No data set has enough known labels for any category.
    #[error("no category has at least {MIN_LABELS_PER_CLASS} positive and {MIN_LABELS_PER_CLASS} negative training labels")]
    NoOutputs,
    /// The feature configuration is unusable.
    #[error("bad feature configuration: {0}")]
    Features(String),
}

/// A trained model with its manifest, ready to save.
#[derive(Debug, Clone)]
pub struct TrainedArtifact {
    /// The model.
    pub model: LinearModel,
    /// Its manifest.
    pub manifest: Manifest,
}

/// Train on the train splits of `datasets`, calibrate on their validation
/// splits. `name`, `version` and `command` go into the manifest.
pub fn train_text_linear(
    datasets: &[Dataset],
    cfg: TrainConfig,
    name: &str,
    version: &str,
    command: &str,
    created_at: &str,
) -> Result<TrainedArtifact, TrainError> {
    cfg.features.validate().map_err(TrainError::Features)?;
    // Labels with what `unsafe` implies (a safe item is negative for every
    // harm), so categories whose data sets are small still see the benign
    // text of every other data set as negatives.
    let implied: Vec<Vec<Labels>> = datasets
        .iter()
        .map(|d| {
            d.records
                .iter()
                .map(|r| r.labels.with_implications())
                .collect()
        })
        .collect();
    let pick = |split: Split| -> Vec<Example<'_>> {
        datasets
            .iter()
            .zip(&implied)
            .flat_map(|(d, labels)| d.records.iter().zip(labels))
            .filter(|(r, _)| r.split == split)
            .filter_map(|(r, labels)| r.item.text.as_deref().map(|text| Example { text, labels }))
            .collect()
    };
    let train_set = pick(Split::Train);
    let validation = pick(Split::Validation);
    let outputs: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|&c| {
            let pos = train_set
                .iter()
                .filter(|e| e.labels.get(c) == Some(true))
                .count();
            let neg = train_set
                .iter()
                .filter(|e| e.labels.get(c) == Some(false))
                .count();
            pos >= MIN_LABELS_PER_CLASS && neg >= MIN_LABELS_PER_CLASS
        })
        .collect();
    if outputs.is_empty() {
        return Err(TrainError::NoOutputs);
    }
    let trained = linear::train(&train_set, &validation, &outputs, cfg);
    let outputs_info = outputs
        .iter()
        .enumerate()
        .map(|(o, &category)| {
            let scores = &trained.validation_scores[o];
            OutputInfo {
                category,
                train_known: trained.train_counts[o].0 as u64,
                train_positive: trained.train_counts[o].1 as u64,
                platt: trained.model.calibration()[o],
                calibrated: trained.calibrated[o],
                validation_auprc: vigil_eval::average_precision(scores).ok(),
                validation_roc_auc: vigil_eval::roc_auc(scores).ok(),
            }
        })
        .collect();
    let training_data = datasets
        .iter()
        .map(|d| {
            let count = |s: Split| d.records.iter().filter(|r| r.split == s).count() as u64;
            TrainingSource {
                name: d.manifest.name.clone(),
                version: d.manifest.version.clone(),
                items_sha256: d.manifest.items_sha256.clone(),
                train_rows: count(Split::Train),
                validation_rows: count(Split::Validation),
            }
        })
        .collect();
    let manifest = Manifest {
        kind: "text-linear".to_owned(),
        name: name.to_owned(),
        version: version.to_owned(),
        created_at: created_at.to_owned(),
        command: command.to_owned(),
        weights_sha256: String::new(),
        train: cfg,
        training_data,
        outputs: outputs_info,
        unsafe_from_harms: trained.model.unsafe_from_harms(),
    };
    Ok(TrainedArtifact {
        model: trained.model,
        manifest,
    })
}
