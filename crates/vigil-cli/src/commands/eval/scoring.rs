//! The pieces every measurement of a text model shares — `vigil eval`,
//! `vigil calibrate` and `vigil promote`: one split of labelled data sets
//! under a policy, scored by a [`vigil_engine::TextScorer`], and the
//! policy's thresholds and obligations in the evaluator's terms.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use vigil_data::{Dataset, Split};
use vigil_eval::evaluate::ObligationInput;
use vigil_eval::Confidence;
use vigil_policy::Policy;

/// The records of one split that have text, across data sets, and the
/// policy they are measured under.
pub struct Labelled {
    /// The data sets read.
    pub datasets: Vec<Dataset>,
    /// `(dataset index, record index)` of each record measured.
    pub index: Vec<(usize, usize)>,
    /// The policy.
    pub policy: Policy,
    /// The policy file's text, for rewriting it.
    pub policy_text: String,
}

impl Labelled {
    /// Reads the policy and the data sets, keeping the records of `split`
    /// that have text; refuses a split with none.
    pub fn open(policy_path: &Path, data: &[PathBuf], split: Split) -> Result<Labelled> {
        let policy_text = std::fs::read_to_string(policy_path)
            .with_context(|| format!("cannot read {}", policy_path.display()))?;
        let policy = Policy::load(policy_path)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .policy;
        let datasets = data
            .iter()
            .map(|d| {
                Dataset::open(d).with_context(|| format!("cannot read data set {}", d.display()))
            })
            .collect::<Result<Vec<_>>>()?;
        let index: Vec<(usize, usize)> = datasets
            .iter()
            .enumerate()
            .flat_map(|(d, ds)| {
                ds.records
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.split == split && r.item.text.is_some())
                    .map(move |(r, _)| (d, r))
            })
            .collect();
        if index.is_empty() {
            bail!("no items with text in the {split} split of the data sets given");
        }
        Ok(Labelled {
            datasets,
            index,
            policy,
            policy_text,
        })
    }

    /// The `i`-th record measured.
    pub fn record(&self, i: usize) -> &vigil_data::Record {
        let (d, r) = self.index[i];
        &self.datasets[d].records[r]
    }

    /// The texts of the records measured, in order.
    pub fn texts(&self) -> Vec<&str> {
        (0..self.index.len())
            .map(|i| self.record(i).item.text.as_deref().unwrap_or(""))
            .collect()
    }

    /// `(score, label)` of every record whose label for `category` is known,
    /// with `scores[i][o]` the score of record `i`.
    pub fn pairs(
        &self,
        scores: &[Vec<f32>],
        o: usize,
        category: vigil_core::Category,
    ) -> Vec<(f64, bool)> {
        (0..self.index.len())
            .filter_map(|i| {
                Some((
                    f64::from(scores[i][o]),
                    self.record(i).labels.get(category)?,
                ))
            })
            .collect()
    }
}

/// Scores `texts` with `scorer` on every core, with a progress bar on a
/// terminal.
pub fn score_texts(scorer: &vigil_engine::TextScorer, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    let bar = crate::commands::progress_bar(texts.len() as u64, "items");
    let (scores, _) = scorer.score_batch(texts, 0, &|done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(scores)
}

/// The policy's thresholds for a category as `(action, threshold)`, least
/// restrictive first.
pub fn policy_thresholds(policy: &Policy, category: vigil_core::Category) -> Vec<(String, f64)> {
    policy
        .thresholds(category)
        .set_actions()
        // Thresholds are f32 in the policy; keep the digits the policy wrote.
        .map(|(a, t)| {
            (
                a.as_str().to_owned(),
                (f64::from(t.get()) * 1e6).round() / 1e6,
            )
        })
        .collect()
}

/// The policy's obligation for a category, in the evaluator's terms.
pub fn obligation_input(
    policy: &Policy,
    category: vigil_core::Category,
) -> Result<Option<ObligationInput>> {
    let Some(o) = policy.obligations.get(&category) else {
        return Ok(None);
    };
    Ok(Some(ObligationInput {
        action: o.action.as_str().to_owned(),
        min_precision: o.min_precision,
        min_recall: o.min_recall,
        confidence: Confidence::new(o.confidence)
            .map_err(|e| anyhow::anyhow!("obligation for {category}: {e}"))?,
    }))
}
