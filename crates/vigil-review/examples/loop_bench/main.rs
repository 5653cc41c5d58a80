//! The improvement loop, simulated: a text model trained on one data set
//! meets another set's unlabelled training split; each round a selector
//! (active learning or random sampling, same seeds) picks a batch, a
//! simulated reviewer answers with the items' true labels, the model is
//! retrained from scratch on the start set plus every label so far, and the
//! AUPRC of one category is measured on the pool set's evaluation split.
//!
//! ```text
//! cargo run --release -p vigil-review --example loop_bench -- \
//!     --start davidson --pool toxicchat --eval test --out bench/active-learning
//! ```
//!
//! Run with `--eval validation` to choose settings; the test split is for
//! the reported figures only. Writes `rounds.csv` (one row per seed,
//! strategy and round), `summary.md` and `auprc_vs_labels.svg` into `--out`.

mod args;
mod plot;
mod report;

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use vigil_core::{Category, Labels, Score};
use vigil_data::{Dataset, Split};
use vigil_review::active::{uncertainty_at, Candidate, Selector, Signature};
use vigil_text::features::{Featurizer, SparseVec};
use vigil_text::linear::{self, Example, LinearModel, TrainConfig};
use vigil_text::normalize::{Normalized, Normalizer};

use args::Args;
use report::RoundResult;

/// One text with its known labels (with what `unsafe` implies).
struct Row {
    text: String,
    labels: Labels,
}

fn rows(d: &Dataset, split: Split) -> Vec<Row> {
    d.records
        .iter()
        .filter(|r| r.split == split)
        .filter_map(|r| {
            let text = r.item.text.clone()?;
            Some(Row {
                text,
                labels: r.labels.with_implications(),
            })
        })
        .collect()
}

fn examples<'a>(rows: impl IntoIterator<Item = &'a Row>) -> Vec<Example<'a>> {
    rows.into_iter()
        .map(|r| Example {
            text: &r.text,
            labels: &r.labels,
        })
        .collect()
}

/// Everything that stays fixed while the loop runs.
struct Setup {
    start_train: Vec<Row>,
    start_validation: Vec<Row>,
    pool: Vec<Row>,
    signatures: Vec<Signature>,
    eval: Vec<(String, bool)>,
    outputs: Vec<Category>,
    category: Category,
    thresholds: Vec<Score>,
}

fn signatures(rows: &[Row], cfg: TrainConfig) -> Vec<Signature> {
    let mut normalizer = Normalizer::new();
    let mut normalized = Normalized::default();
    let mut featurizer = Featurizer::new(cfg.features);
    let mut fv = SparseVec::default();
    rows.iter()
        .map(|r| {
            normalizer.normalize_into(&r.text, &mut normalized);
            featurizer.extract(normalized.as_str(), &mut fv);
            Signature::from_features(fv.idx.iter().copied().zip(fv.val.iter().copied()))
        })
        .collect()
}

/// A deterministic subsample of at most `max` rows (by a hash of the text),
/// so every strategy and seed sees the same pool.
fn subsample(mut rows: Vec<Row>, max: usize) -> Vec<Row> {
    if rows.len() > max {
        let key = |r: &Row| {
            r.text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            })
        };
        rows.sort_by_cached_key(key);
        rows.truncate(max);
    }
    rows
}

fn setup(a: &Args) -> Result<Setup> {
    let open = |name: &str| {
        Dataset::open(&a.datasets.join(name)).with_context(|| format!("opening data set {name}"))
    };
    let (start, pool_set) = (open(&a.start)?, open(&a.pool)?);
    let start_train = subsample(rows(&start, Split::Train), a.start_max);
    let start_validation = rows(&start, Split::Validation);
    let pool = subsample(rows(&pool_set, Split::Train), a.pool_max);
    // The outputs are the start model's, fixed for the whole loop.
    let outputs: Vec<Category> = Category::ALL
        .into_iter()
        .filter(|&c| {
            let count = |v: bool| {
                start_train
                    .iter()
                    .filter(|r| r.labels.get(c) == Some(v))
                    .count()
            };
            count(true) >= 20 && count(false) >= 20
        })
        .collect();
    if !outputs.contains(&a.category) {
        bail!(
            "the start set {} trains no `{}` output",
            a.start,
            a.category
        );
    }
    let eval: Vec<(String, bool)> = rows(&pool_set, a.eval)
        .into_iter()
        .filter_map(|r| r.labels.get(a.category).map(|y| (r.text, y)))
        .collect();
    if !eval.iter().any(|e| e.1) || eval.iter().all(|e| e.1) {
        bail!(
            "the evaluation split needs both classes of `{}`",
            a.category
        );
    }
    let signatures = signatures(&pool, a.train);
    Ok(Setup {
        start_train,
        start_validation,
        pool,
        signatures,
        eval,
        outputs,
        category: a.category,
        thresholds: a.thresholds.clone(),
    })
}

/// Train from scratch on the start set plus the reviewed pool items, each
/// reviewed item repeated `repeat` times; calibrated on the start set's
/// validation split only (a live loop has no labelled validation data of
/// the new traffic).
fn retrain(s: &Setup, reviewed: &[usize], repeat: usize, cfg: TrainConfig) -> LinearModel {
    let mut train = examples(&s.start_train);
    for _ in 0..repeat {
        train.extend(examples(reviewed.iter().map(|&i| &s.pool[i])));
    }
    linear::train(&train, &examples(&s.start_validation), &s.outputs, cfg).model
}

fn probabilities<'t>(
    model: &LinearModel,
    o: usize,
    texts: impl Iterator<Item = &'t str>,
) -> Vec<f32> {
    let mut scorer = model.scorer();
    texts.map(|t| scorer.score(t)[o]).collect()
}

fn auprc(s: &Setup, model: &LinearModel, o: usize) -> Result<f64> {
    let p = probabilities(model, o, s.eval.iter().map(|e| e.0.as_str()));
    let pairs: Vec<(f64, bool)> = p
        .iter()
        .zip(&s.eval)
        .map(|(p, e)| (f64::from(*p), e.1))
        .collect();
    vigil_eval::average_precision(&pairs).context("AUPRC of the evaluation split")
}

/// One run of the loop for one strategy and seed.
fn run(
    s: &Setup,
    a: &Args,
    selector: Selector,
    seed: u64,
    start_model: &LinearModel,
) -> Result<Vec<RoundResult>> {
    let o = s
        .outputs
        .iter()
        .position(|c| *c == s.category)
        .context("category is an output")?;
    let cfg = TrainConfig { seed, ..a.train };
    let mut reviewed: Vec<usize> = Vec::new();
    let mut labelled = vec![false; s.pool.len()];
    let mut model = start_model.clone();
    let mut out = vec![RoundResult::new(0, 0, auprc(s, &model, o)?, 0)];
    for round in 1..=a.rounds {
        let open: Vec<usize> = (0..s.pool.len()).filter(|&i| !labelled[i]).collect();
        let probs = probabilities(&model, o, open.iter().map(|&i| s.pool[i].text.as_str()));
        let candidates: Vec<Candidate<usize>> = open
            .iter()
            .zip(probs)
            .map(|(&i, p)| Candidate {
                id: i,
                uncertainty: uncertainty_at(Score::saturating(f64::from(p)), &s.thresholds)
                    .unwrap_or(0.0),
                signature: s.signatures[i],
            })
            .collect();
        let batch = selector.select(&candidates, a.batch, seed ^ round as u64)?;
        for &i in &batch {
            labelled[i] = true;
        }
        reviewed.extend(&batch);
        model = retrain(s, &reviewed, a.repeat, cfg);
        let positives = reviewed
            .iter()
            .filter(|&&i| s.pool[i].labels.get(s.category) == Some(true))
            .count();
        out.push(RoundResult::new(
            round,
            reviewed.len(),
            auprc(s, &model, o)?,
            positives,
        ));
    }
    Ok(out)
}

fn main() -> Result<()> {
    let a = args::parse(std::env::args().skip(1))?;
    if a.thresholds.is_empty() {
        bail!("--thresholds needs at least one value");
    }
    let t0 = Instant::now();
    let s = setup(&a)?;
    eprintln!(
        "start {} train {} | pool {} train {} | eval {:?} {} ({} positive) | outputs {:?}",
        a.start,
        s.start_train.len(),
        a.pool,
        s.pool.len(),
        a.eval,
        s.eval.len(),
        s.eval.iter().filter(|e| e.1).count(),
        s.outputs
    );
    let strategies = [
        ("active", Selector::UncertainDiverse(a.diversity)),
        ("random", Selector::Random),
    ];
    let mut results = Vec::new();
    for &seed in &a.seeds {
        let start_model = retrain(&s, &[], 0, TrainConfig { seed, ..a.train });
        for (name, selector) in strategies {
            let rounds = run(&s, &a, selector, seed, &start_model)?;
            let last = rounds.last().map_or(f64::NAN, |r| r.auprc);
            eprintln!(
                "seed {seed} {name}: final AUPRC {last:.4} ({:.0?} so far)",
                t0.elapsed()
            );
            results.extend(rounds.into_iter().map(|r| (name, seed, r)));
        }
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let summary = report::summarise(&results);
    let write = |name: &str, body: String| -> Result<()> {
        let path: &Path = &a.out.join(name);
        std::fs::write(path, body).with_context(|| format!("writing {}", path.display()))
    };
    write("rounds.csv", report::csv(&results))?;
    write(
        "summary.md",
        report::markdown(&summary, &a, t0.elapsed().as_secs_f64()),
    )?;
    write("auprc_vs_labels.svg", plot::svg(&summary, &a)?)?;
    println!(
        "{}",
        report::markdown(&summary, &a, t0.elapsed().as_secs_f64())
    );
    Ok(())
}
