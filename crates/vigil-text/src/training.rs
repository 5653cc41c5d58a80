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

/// Everything the transformer head's training needs besides data.
pub struct HeadTraining<'a> {
    /// The linear model the head stacks on, and its weights digest.
    pub linear: (&'a LinearModel, &'a str),
    /// The transformer.
    pub embedder: &'a vigil_embed::Embedder,
    /// Head training settings.
    pub dense: crate::dense::DenseConfig,
    /// Uncertain band of the linear `unsafe` probability.
    pub band: (f32, f32),
    /// Name, version, command and time for the manifest.
    pub name: &'a str,
    /// See `name`.
    pub version: &'a str,
    /// See `name`.
    pub command: &'a str,
    /// See `name`.
    pub created_at: &'a str,
}

/// Why the head could not be trained.
#[derive(Debug, thiserror::Error)]
pub enum HeadTrainError {
    /// The transformer failed on the data.
    #[error("embedding failed")]
    Embed(#[from] vigil_embed::EmbedError),
}

/// Embed texts in chunks, reporting progress as `(done, total)`.
pub fn embed_all(
    embedder: &vigil_embed::Embedder,
    texts: &[&str],
    progress: &dyn Fn(usize, usize),
) -> Result<Vec<Vec<f32>>, vigil_embed::EmbedError> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(512) {
        out.extend(embedder.embed(chunk)?);
        progress(out.len(), texts.len());
    }
    Ok(out)
}

/// Train the embedding head on the train splits and fit the stackers on the
/// validation splits (test splits are never read).
pub fn train_text_head(
    datasets: &[Dataset],
    t: &HeadTraining<'_>,
    progress: &dyn Fn(usize, usize),
) -> Result<crate::cascade::Head, HeadTrainError> {
    use crate::cascade::{Head, HeadManifest, HeadOutput, Stacker};

    let (linear, linear_sha) = t.linear;
    let outputs = linear.outputs().to_vec();
    let rows = |split: Split| -> Vec<(&str, Labels)> {
        datasets
            .iter()
            .flat_map(|d| d.records.iter())
            .filter(|r| r.split == split)
            .filter_map(|r| {
                r.item
                    .text
                    .as_deref()
                    .map(|x| (x, r.labels.with_implications()))
            })
            .collect()
    };
    let train_rows = rows(Split::Train);
    let val_rows = rows(Split::Validation);
    let targets = |rows: &[(&str, Labels)]| -> Vec<Vec<Option<bool>>> {
        rows.iter()
            .map(|(_, l)| outputs.iter().map(|c| l.get(*c)).collect())
            .collect()
    };
    let total = train_rows.len() + val_rows.len();
    // The transformer reads normalised text too, so obfuscation is undone
    // before either path sees it.
    let normalized = |rows: &[(&str, Labels)]| -> Vec<String> {
        rows.iter()
            .map(|r| crate::normalize::normalize(r.0).as_str().to_owned())
            .collect()
    };
    let train_norm = normalized(&train_rows);
    let train_texts: Vec<&str> = train_norm.iter().map(String::as_str).collect();
    let train_x = embed_all(t.embedder, &train_texts, &|d, _| progress(d, total))?;
    let dense = crate::dense::train_dense(&train_x, &targets(&train_rows), &outputs, t.dense);

    let val_norm = normalized(&val_rows);
    let val_texts: Vec<&str> = val_norm.iter().map(String::as_str).collect();
    let offset = train_rows.len();
    let val_x = embed_all(t.embedder, &val_texts, &|d, _| progress(offset + d, total))?;
    let val_targets = targets(&val_rows);
    let mut scorer = linear.scorer();
    let n = outputs.len();
    let mut head_logits = vec![0.0f32; n];
    // Per output: (linear logit, head logit, calibrated linear probability, label).
    let mut per_output: Vec<Vec<(f32, f32, f32, bool)>> = vec![Vec::new(); n];
    for ((text, _), (x, tgt)) in val_rows.iter().zip(val_x.iter().zip(&val_targets)) {
        let logits = scorer.logits(text).to_vec();
        let mut probs = logits.clone();
        linear.calibrate_in_place(&mut probs);
        dense.logits_into(x, &mut head_logits);
        for o in 0..n {
            if let Some(y) = tgt[o] {
                per_output[o].push((logits[o], head_logits[o], probs[o], y));
            }
        }
    }
    let head_outputs = outputs
        .iter()
        .enumerate()
        .map(|(o, &category)| {
            let rows: Vec<(f32, f32, bool)> =
                per_output[o].iter().map(|r| (r.0, r.1, r.3)).collect();
            let stacker = Stacker::fit(&rows, 5);
            let ap = |pairs: Vec<(f64, bool)>| vigil_eval::average_precision(&pairs).ok();
            let linear_ap = ap(per_output[o]
                .iter()
                .map(|r| (f64::from(r.2), r.3))
                .collect());
            let stacked_ap = stacker.and_then(|s| {
                ap(per_output[o]
                    .iter()
                    .map(|r| (f64::from(s.probability(r.0, r.1)), r.3))
                    .collect())
            });
            // Keep a stacker only where it ranks at least as well on validation.
            let keep = match (linear_ap, stacked_ap) {
                (Some(l), Some(s)) => s >= l,
                (None, Some(_)) => true,
                _ => false,
            };
            HeadOutput {
                category,
                stacker: if keep { stacker } else { None },
                validation_auprc_linear: linear_ap,
                validation_auprc_stacked: stacked_ap,
            }
        })
        .collect();
    Ok(Head {
        dense,
        manifest: HeadManifest {
            kind: "text-transformer-head".to_owned(),
            name: t.name.to_owned(),
            version: t.version.to_owned(),
            created_at: t.created_at.to_owned(),
            command: t.command.to_owned(),
            linear_weights_sha256: linear_sha.to_owned(),
            embedder_sha256: t.embedder.model_digest().to_owned(),
            band: t.band,
            head_sha256: String::new(),
            outputs: head_outputs,
        },
    })
}
