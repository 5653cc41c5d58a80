//! `vigil train text-linear`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Subcommand;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_data::Dataset;
use vigil_text::linear::TrainConfig;
use vigil_text::training::train_text_linear;

#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// The fast path: hashed n-gram multi-label logistic regression.
    TextLinear {
        /// Canonical data set folders; their train splits train, their
        /// validation splits calibrate, their test splits are never read.
        #[arg(long, required = true, num_args = 1..)]
        data: Vec<PathBuf>,
        /// The model folder to write.
        #[arg(long)]
        out: PathBuf,
        /// The model's name, recorded in every decision it contributes to.
        #[arg(long, default_value = "text-linear")]
        name: String,
        /// The model's version. Default: the UTC date and time of training.
        #[arg(long)]
        version: Option<String>,
        /// Passes over the training data.
        #[arg(long)]
        epochs: Option<u32>,
        /// log2 of the number of feature hash buckets.
        #[arg(long)]
        buckets_log2: Option<u8>,
        /// FTRL learning rate.
        #[arg(long)]
        alpha: Option<f32>,
        /// L1 regularisation (sparsity).
        #[arg(long)]
        l1: Option<f32>,
        /// L2 regularisation.
        #[arg(long)]
        l2: Option<f32>,
        /// Weight of word n-grams relative to character n-grams.
        #[arg(long)]
        word_weight: Option<f32>,
    },
}

pub fn run(command: TrainCommand) -> Result<ExitCode> {
    let TrainCommand::TextLinear {
        data,
        out,
        name,
        version,
        epochs,
        buckets_log2,
        alpha,
        l1,
        l2,
        word_weight,
    } = command;
    let mut cfg = TrainConfig::default();
    if let Some(e) = epochs {
        cfg.epochs = e;
    }
    if let Some(b) = buckets_log2 {
        cfg.features.buckets_log2 = b;
    }
    if let Some(w) = word_weight {
        cfg.features.word_weight = w;
    }
    cfg.alpha = alpha.unwrap_or(cfg.alpha);
    cfg.l1 = l1.unwrap_or(cfg.l1);
    cfg.l2 = l2.unwrap_or(cfg.l2);
    let datasets = data
        .iter()
        .map(|d| Dataset::open(d).with_context(|| format!("cannot read data set {}", d.display())))
        .collect::<Result<Vec<_>>>()?;
    let now = OffsetDateTime::now_utc();
    let created_at = now.format(&Rfc3339).context("cannot format the time")?;
    let version = version.unwrap_or_else(|| {
        format!(
            "{:04}{:02}{:02}.{:02}{:02}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute()
        )
    });
    let command: Vec<String> = std::env::args().collect();
    let started = Instant::now();
    let artifact = train_text_linear(
        &datasets,
        cfg,
        &name,
        &version,
        &command.join(" "),
        &created_at,
    )?;
    let mut manifest = artifact.manifest;
    artifact
        .model
        .save(&mut manifest, &out)
        .with_context(|| format!("cannot write the model to {}", out.display()))?;
    println!(
        "trained {} {} in {:.1}s -> {}",
        manifest.name,
        manifest.version,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    println!(
        "{:<18} {:>8} {:>8} {:>10} {:>10} {:>10}",
        "output", "known", "positive", "calibrated", "val AUPRC", "val ROC"
    );
    let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.4}"));
    for o in &manifest.outputs {
        println!(
            "{:<18} {:>8} {:>8} {:>10} {:>10} {:>10}",
            o.category.as_str(),
            o.train_known,
            o.train_positive,
            o.calibrated,
            fmt(o.validation_auprc),
            fmt(o.validation_roc_auc)
        );
    }
    Ok(ExitCode::SUCCESS)
}
