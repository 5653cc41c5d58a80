//! `vigil classify`: score canonical data set items with a text model.
//!
//! Output contract (stable; this is how models are checked from outside):
//! one JSON line per input item, in input order,
//! `{"id": "...", "scores": {"hate": 0.12, ..., "unsafe": 0.81}}`.
//! An item without text gets `"scores": {}`.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use vigil_cli::home::Home;
use vigil_core::Item;
use vigil_text::linear::{LinearModel, Manifest};

/// Which text model scores: the linear model, and the cascade with a head.
/// Shared by `classify`, `eval` and `calibrate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScorerArgs {
    /// A text-linear model folder. Default: the registry's active
    /// text-linear model (`vigil promote`), else the model shipped with Vigil.
    #[arg(long)]
    model: Option<PathBuf>,
    /// A transformer head (`vigil train text-transformer`): texts whose
    /// linear `unsafe` falls in its band are re-scored by the cascade.
    #[arg(long)]
    head: Option<PathBuf>,
    /// Override the head's uncertain band, `LOW,HIGH`.
    #[arg(long, value_parser = crate::commands::train::parse_band)]
    band: Option<(f32, f32)>,
    /// The transformer's folder. Default: HOME/models/all-minilm-l6-v2.
    #[arg(long)]
    embedder: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    scorer: ScorerArgs,
    /// Items, one JSON object a line (a data set's items.jsonl works).
    #[arg(long)]
    input: PathBuf,
    /// Where to write the scores.
    #[arg(long)]
    out: PathBuf,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

fn read_items(path: &Path) -> Result<Vec<Item>> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut items = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: cannot read", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let item: Item = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a valid item", path.display(), i + 1))?;
        items.push(item);
    }
    Ok(items)
}

/// The linear model in `path`, or the shipped one.
pub fn load_linear(path: Option<&Path>) -> Result<(LinearModel, Manifest)> {
    match path {
        Some(dir) => LinearModel::load(dir)
            .with_context(|| format!("cannot load the model in {}", dir.display())),
        None => {
            vigil_text::default_model::load().context("the model shipped with Vigil does not load")
        }
    }
}

/// The text scorer the flags name: the given linear model, else the
/// registry's active one in the store `db` names, else the shipped one
/// ([`crate::commands::registry::resolve_linear`]); with `--head` the
/// cascade. One loader for `classify`, `eval` and `calibrate`.
pub fn load_scorer(
    home: &Home,
    args: &ScorerArgs,
    db: Option<&str>,
) -> Result<vigil_engine::TextScorer> {
    let cascade = args.head.as_ref().map(|head| vigil_engine::CascadeModels {
        head: Some(head.clone()),
        embedder: args
            .embedder
            .clone()
            .unwrap_or_else(|| home.model_dir().join("all-minilm-l6-v2")),
        band: args.band,
    });
    let linear = crate::commands::registry::resolve_linear(home, args.model.as_deref(), db)?;
    Ok(vigil_engine::TextScorer::load(
        &linear.text_models(cascade),
    )?)
}

pub fn run(home: &Home, args: ClassifyArgs) -> Result<ExitCode> {
    let scorer = load_scorer(home, &args.scorer, None)?;
    let items = read_items(&args.input)?;
    if items.is_empty() {
        bail!("{} holds no items", args.input.display());
    }
    let texts: Vec<&str> = items
        .iter()
        .map(|i| i.text.as_deref().unwrap_or(""))
        .collect();
    let bar = crate::commands::progress_bar(texts.len() as u64, "items");
    let progress = |done: usize| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    };
    let started = Instant::now();
    let (scores, consulted) = scorer.score_batch(&texts, args.threads, &progress)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let elapsed = started.elapsed();
    let file =
        File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut out = BufWriter::new(file);
    for (item, scores) in items.iter().zip(&scores) {
        let map: serde_json::Map<String, serde_json::Value> = if item.text.is_some() {
            scorer
                .outputs()
                .iter()
                .zip(scores)
                .map(|(c, s)| (c.as_str().to_owned(), serde_json::json!(s)))
                .collect()
        } else {
            serde_json::Map::new()
        };
        let line = serde_json::json!({ "id": item.id, "scores": map });
        writeln!(out, "{line}").with_context(|| format!("cannot write {}", args.out.display()))?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "classified {} items in {:.2}s ({:.0} items/s; {consulted} consulted the transformer) -> {}",
        items.len(),
        elapsed.as_secs_f64(),
        items.len() as f64 / elapsed.as_secs_f64().max(1e-9),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
