//! `vigil train text-linear`, `text-transformer` and `fusion`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Subcommand;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_data::Dataset;
use vigil_text::linear::TrainConfig;
use vigil_text::training::train_text_linear;

#[derive(Debug, Subcommand)]
pub enum TrainCommand {
    /// The fast path: hashed n-gram multi-label logistic regression.
    TextLinear(LinearArgs),
    /// The accurate path: a head over all-MiniLM-L6-v2 sentence embeddings,
    /// stacked with a linear model and consulted only in its uncertain band.
    TextTransformer(TransformerArgs),
    /// The fusion stacker: one calibrated score per category from the
    /// signals of every modality, learned from labelled items scanned by
    /// the engine (docs/fusion.md).
    Fusion(Box<crate::commands::train_fusion::FusionArgs>),
}

#[derive(Debug, clap::Args)]
pub struct LinearArgs {
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
    /// Normalisation floors of the word and character blocks, `WORDS,CHARS`:
    /// a block with fewer n-grams is scaled as if it had this many, so that
    /// short texts do not weigh their few n-grams up.
    #[arg(long, value_parser = parse_norm_floor)]
    norm_floor: Option<(u16, u16)>,
    /// Register the trained model as a candidate in the model registry
    /// (its files copied to HOME/models/registry/NAME/VERSION), for
    /// `vigil promote NAME@VERSION`.
    #[arg(long)]
    register: bool,
    #[command(flatten)]
    store: crate::commands::StoreArg,
}

#[derive(Debug, clap::Args)]
pub struct TransformerArgs {
    /// Canonical data set folders (train splits train the head,
    /// validation splits fit the stackers; test splits are never read).
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// The linear model to stack on. Default: the shipped model.
    #[arg(long)]
    linear: Option<PathBuf>,
    /// The transformer's folder. Default: HOME/models/all-minilm-l6-v2.
    #[arg(long)]
    embedder: Option<PathBuf>,
    /// The head folder to write.
    #[arg(long)]
    out: PathBuf,
    /// The uncertain band of the linear `unsafe` probability, `LOW,HIGH`.
    #[arg(long, default_value = "0.1,0.9", value_parser = parse_band)]
    band: (f32, f32),
    /// Passes over the training data.
    #[arg(long)]
    epochs: Option<u32>,
    /// The head's version. Default: the UTC date and time of training.
    #[arg(long)]
    version: Option<String>,
}

/// `LOW,HIGH` with 0 <= LOW <= HIGH <= 1.
pub fn parse_band(s: &str) -> std::result::Result<(f32, f32), String> {
    let (lo, hi) = s
        .split_once(',')
        .ok_or_else(|| format!("`{s}` is not LOW,HIGH"))?;
    let parse = |v: &str| v.trim().parse::<f32>().map_err(|e| format!("`{v}`: {e}"));
    let (lo, hi) = (parse(lo)?, parse(hi)?);
    if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo > hi {
        return Err(format!("band {lo},{hi} must satisfy 0 <= LOW <= HIGH <= 1"));
    }
    Ok((lo, hi))
}

/// Parse `WORDS,CHARS` normalisation floors (each at least 1).
fn parse_norm_floor(s: &str) -> std::result::Result<(u16, u16), String> {
    let (w, c) = s
        .split_once(',')
        .ok_or_else(|| format!("`{s}` is not WORDS,CHARS"))?;
    let parse = |v: &str| match v.trim().parse::<u16>() {
        Ok(0) => Err("a floor must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("`{v}`: {e}")),
    };
    Ok((parse(w)?, parse(c)?))
}

pub fn run(home: &Home, command: TrainCommand) -> Result<ExitCode> {
    match command {
        TrainCommand::TextLinear(args) => linear(home, args),
        TrainCommand::TextTransformer(args) => transformer(home, args),
        TrainCommand::Fusion(args) => crate::commands::train_fusion::run(home, *args),
    }
}

fn linear(home: &Home, args: LinearArgs) -> Result<ExitCode> {
    let LinearArgs {
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
        norm_floor,
        register,
        store,
    } = args;
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
    if let Some(f) = norm_floor {
        cfg.features.norm_floor = f;
    }
    cfg.alpha = alpha.unwrap_or(cfg.alpha);
    cfg.l1 = l1.unwrap_or(cfg.l1);
    cfg.l2 = l2.unwrap_or(cfg.l2);
    let datasets = open_datasets(&data)?;
    let (created_at, version, command) = provenance(version)?;
    let started = Instant::now();
    let artifact = train_text_linear(&datasets, cfg, &name, &version, &command, &created_at)?;
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
    if register {
        if store.db.is_none() {
            home.create()
                .with_context(|| format!("cannot create {}", home.root().display()))?;
        }
        let url = home.store_url(store.db.as_deref());
        let model = crate::commands::registry::register_folder(home, &url, &out)?;
        println!(
            "registered {} as a candidate ({}, {}); judge it with `vigil promote {}`",
            model.id(),
            model.path.display(),
            model.digest,
            model.id()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// When, which version (default: the UTC time) and by which command.
fn provenance(version: Option<String>) -> Result<(String, String, String)> {
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
    Ok((created_at, version, command.join(" ")))
}

fn open_datasets(data: &[PathBuf]) -> Result<Vec<Dataset>> {
    data.iter()
        .map(|d| Dataset::open(d).with_context(|| format!("cannot read data set {}", d.display())))
        .collect()
}

fn transformer(home: &Home, args: TransformerArgs) -> Result<ExitCode> {
    let TransformerArgs {
        data,
        linear,
        embedder,
        out,
        band,
        epochs,
        version,
    } = args;
    let embedder_dir = embedder.unwrap_or_else(|| home.model_dir().join("all-minilm-l6-v2"));
    let (linear, linear_manifest) = crate::commands::classify::load_linear(linear.as_deref())?;
    let embedder = vigil_embed::Embedder::load(&embedder_dir).with_context(|| {
        format!(
            "cannot load the transformer from {} (scripts/setup.sh unpacks it)",
            embedder_dir.display()
        )
    })?;
    let datasets = open_datasets(&data)?;
    let (created_at, version, command) = provenance(version)?;
    let mut dense = vigil_text::dense::DenseConfig::default();
    if let Some(e) = epochs {
        dense.epochs = e;
    }
    let training = vigil_text::training::HeadTraining {
        linear: (&linear, &linear_manifest.weights_sha256),
        embedder: &embedder,
        dense,
        band,
        name: "vigil-text-minilm-head",
        version: &version,
        command: &command,
        created_at: &created_at,
    };
    let started = Instant::now();
    let bar = crate::commands::progress_bar(0, "embedded");
    let mut head = vigil_text::training::train_text_head(&datasets, &training, &|done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    head.save(&out)
        .with_context(|| format!("cannot write the head to {}", out.display()))?;
    println!(
        "trained {} {} in {:.1}s -> {}",
        head.manifest.name,
        head.manifest.version,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    println!(
        "{:<18} {:>12} {:>12} {:>8}",
        "output", "val linear", "val stacked", "stacked"
    );
    let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.4}"));
    for o in &head.manifest.outputs {
        println!(
            "{:<18} {:>12} {:>12} {:>8}",
            o.category.as_str(),
            fmt(o.validation_auprc_linear),
            fmt(o.validation_auprc_stacked),
            o.stacker.is_some()
        );
    }
    Ok(ExitCode::SUCCESS)
}
