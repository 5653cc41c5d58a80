//! Command-line settings of the loop simulation, with their defaults.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use vigil_core::{Category, Score};
use vigil_data::Split;
use vigil_review::active::Diversity;
use vigil_text::linear::TrainConfig;

/// The loop's settings.
pub struct Args {
    /// Folder of canonical data sets.
    pub datasets: PathBuf,
    /// Data set whose train split trains the start model.
    pub start: String,
    /// Data set whose train split is the unlabelled pool.
    pub pool: String,
    /// Category measured (and whose probability drives uncertainty).
    pub category: Category,
    /// Split of the pool set that is measured.
    pub eval: Split,
    /// Labels asked for per round.
    pub batch: usize,
    /// Rounds.
    pub rounds: usize,
    /// Seeds; each strategy runs once per seed.
    pub seeds: Vec<u64>,
    /// Thresholds the uncertainty is measured against.
    pub thresholds: Vec<Score>,
    /// Diversity settings of the active selector.
    pub diversity: Diversity,
    /// How many times each reviewed item enters the training data.
    pub repeat: usize,
    /// Most start-set training rows used (a deterministic subsample).
    pub start_max: usize,
    /// Most pool rows used (a deterministic subsample).
    pub pool_max: usize,
    /// Training settings (the shipped model's, except as set here).
    pub train: TrainConfig,
    /// Output folder.
    pub out: PathBuf,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            datasets: PathBuf::from(".vigil/datasets"),
            start: "davidson".to_owned(),
            pool: "toxicchat".to_owned(),
            category: Category::Unsafe,
            eval: Split::Validation,
            batch: 25,
            rounds: 16,
            seeds: vec![1, 2, 3],
            thresholds: vec![Score::saturating(0.6)],
            diversity: Diversity::default(),
            repeat: 1,
            start_max: usize::MAX,
            pool_max: usize::MAX,
            train: TrainConfig::default(),
            out: PathBuf::from("bench/active-learning"),
        }
    }
}

fn list<T: std::str::FromStr>(v: &str) -> Result<Vec<T>>
where
    T::Err: std::fmt::Display,
{
    v.split(',')
        .map(|x| {
            x.trim()
                .parse::<T>()
                .map_err(|e| anyhow::anyhow!("{x:?}: {e}"))
        })
        .collect()
}

/// Parse `--flag value` pairs; unknown flags are errors.
pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Args> {
    let mut a = Args::default();
    while let Some(flag) = it.next() {
        let v = it.next().with_context(|| format!("{flag} needs a value"))?;
        let ctx = || format!("bad value {v:?} for {flag}");
        match flag.as_str() {
            "--datasets" => a.datasets = PathBuf::from(&v),
            "--start" => a.start = v,
            "--pool" => a.pool = v,
            "--category" => {
                a.category = v
                    .parse()
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .with_context(ctx)?
            }
            "--eval" => {
                a.eval = match v.as_str() {
                    "validation" => Split::Validation,
                    "test" => Split::Test,
                    _ => bail!("--eval is validation or test, not {v:?}"),
                }
            }
            "--batch" => a.batch = v.parse().with_context(ctx)?,
            "--rounds" => a.rounds = v.parse().with_context(ctx)?,
            "--seeds" => a.seeds = list(&v).with_context(ctx)?,
            "--thresholds" => {
                let raw: Vec<f64> = list(&v).with_context(ctx)?;
                a.thresholds = raw
                    .into_iter()
                    .map(Score::new)
                    .collect::<Result<_, _>>()
                    .with_context(ctx)?;
            }
            "--diversity" => a.diversity.weight = v.parse().with_context(ctx)?,
            "--shortlist" => a.diversity.shortlist = v.parse().with_context(ctx)?,
            "--explore" => a.diversity.explore = v.parse().with_context(ctx)?,
            "--duplicate" => a.diversity.duplicate_similarity = v.parse().with_context(ctx)?,
            "--repeat" => a.repeat = v.parse().with_context(ctx)?,
            "--start-max" => a.start_max = v.parse().with_context(ctx)?,
            "--pool-max" => a.pool_max = v.parse().with_context(ctx)?,
            "--epochs" => a.train.epochs = v.parse().with_context(ctx)?,
            "--out" => a.out = PathBuf::from(&v),
            _ => bail!("unknown flag {flag}"),
        }
    }
    Ok(a)
}
