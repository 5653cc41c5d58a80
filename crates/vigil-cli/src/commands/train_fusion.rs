//! `vigil train fusion`: scan labelled items with the engine and fit the
//! fusion stacker on their signals.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use vigil_cli::home::Home;
use vigil_core::{Category, Labels};
use vigil_engine::{Stacker, FEATURES};

#[derive(Debug, clap::Args)]
pub struct FusionArgs {
    /// JSON Lines files of canonical items (as `vigil scan --items` reads
    /// them: media paths relative to the file).
    #[arg(long, required = true, num_args = 1..)]
    items: Vec<PathBuf>,
    /// JSON Lines of labels: `{"id": ITEM_ID, "CATEGORY": 0|1, ...}`; a
    /// category absent from a line is unknown for that item. A line with
    /// `"split": "test"` is refused: the stacker never learns from a test
    /// split.
    #[arg(long)]
    labels: PathBuf,
    /// Where to write the stacker (JSON).
    #[arg(long)]
    out: PathBuf,
    /// The L2 penalty on the weights.
    #[arg(long, default_value_t = 0.1)]
    l2: f64,
    /// What the stacker was trained on, recorded in it and in every
    /// decision it fuses. Default: the labels file's name.
    #[arg(long)]
    name: Option<String>,
    /// Held-out items to judge the stacker on (never trained on): each file
    /// is scanned once, and the maximum and the stacker are compared on the
    /// same signals (AUPRC, Brier score, expected calibration error) per
    /// file and category.
    #[arg(long, num_args = 1..)]
    eval_items: Vec<PathBuf>,
    /// The labels of `--eval-items` (test labels are welcome here).
    #[arg(long, requires = "eval_items")]
    eval_labels: Option<PathBuf>,
    #[command(flatten)]
    engine: crate::commands::serve::EngineArgs,
}

pub fn run(home: &Home, args: FusionArgs) -> Result<ExitCode> {
    let labels = read_labels(&args.labels, false)?;
    let mut categories: Vec<Category> = labels
        .values()
        .flat_map(|l| l.iter().map(|(c, _)| c))
        .collect();
    categories.sort();
    categories.dedup();
    if categories.is_empty() {
        bail!("{}: no label in it", args.labels.display());
    }
    let engine = args.engine.build(home, None)?.with_stacker(None);
    let started = Instant::now();
    let mut examples = Vec::new();
    for file in &args.items {
        examples.extend(scan_labelled(&engine, file, &labels)?);
    }
    if examples.is_empty() {
        bail!("no item of the items files has a line in the labels file");
    }
    let name = args.name.clone().unwrap_or_else(|| {
        args.labels
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    });
    let stacker = Stacker::fit(&examples, &categories, args.l2, &name)?;
    let file = stacker.file();
    std::fs::write(&args.out, serde_json::to_vec_pretty(file)?)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "{} labelled items scanned in {:.0} s; stacker written to {}",
        examples.len(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    for category in &categories {
        match file.categories.get(category) {
            Some(m) => {
                let weights: Vec<String> = FEATURES
                    .iter()
                    .zip(&m.weights)
                    .map(|(f, w)| format!("{f} {w:+.2}"))
                    .collect();
                println!(
                    "{category}: {} items, {} positive; bias {:+.2}; {}",
                    m.examples,
                    m.positives,
                    m.bias,
                    weights.join(", ")
                );
            }
            None => println!("{category}: not trained (too few labelled items or one class): the maximum is used"),
        }
    }
    if let Some(eval_labels) = &args.eval_labels {
        let held_out = read_labels(eval_labels, true)?;
        if let Some(id) = held_out.keys().find(|id| labels.contains_key(*id)) {
            bail!("item {id} is in both the training and the evaluation labels");
        }
        println!("\n| items | category | n | AUPRC max | AUPRC stacker | Brier max | Brier stacker | ECE max | ECE stacker |");
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for file in &args.eval_items {
            let scanned = scan_labelled(&engine, file, &held_out)?;
            for category in file_categories(&stacker) {
                let pairs =
                    |fuse: &dyn Fn(&[vigil_core::Signal]) -> Vec<vigil_policy::CategoryScore>| {
                        scanned
                            .iter()
                            .filter_map(|(signals, labels)| {
                                let y = labels.get(category)?;
                                let p = fuse(signals)
                                    .iter()
                                    .find(|c| c.category == category)
                                    .map_or(0.0, |c| f64::from(c.score.get()));
                                Some((p, y))
                            })
                            .collect::<Vec<_>>()
                    };
                let max = pairs(&|s| vigil_policy::fuse_max(s));
                let stacked = pairs(&|s| stacker.fuse(s));
                let m = |pairs: &[(f64, bool)]| -> Result<[f64; 3]> {
                    Ok([
                        vigil_eval::average_precision(pairs)?,
                        vigil_eval::brier_score(pairs)?,
                        vigil_eval::expected_calibration_error(pairs, 10)?,
                    ])
                };
                let (a, b) = (m(&max)?, m(&stacked)?);
                println!(
                    "| {} | {category} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
                    file.file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                    max.len(),
                    a[0],
                    b[0],
                    a[1],
                    b[1],
                    a[2],
                    b[2]
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The categories the stacker has a model for.
fn file_categories(stacker: &Stacker) -> Vec<Category> {
    stacker.file().categories.keys().copied().collect()
}

/// Scans every item of `file` that `labels` knows, returning its signals
/// and labels.
fn scan_labelled(
    engine: &vigil_engine::Engine,
    file: &Path,
    labels: &BTreeMap<String, Labels>,
) -> Result<Vec<(Vec<vigil_core::Signal>, Labels)>> {
    let started = Instant::now();
    let mut out = Vec::new();
    for item in crate::commands::scan::read_items(file)? {
        let Some(known) = labels.get(&item.id) else {
            continue; // Unlabelled: nothing to learn or judge from it.
        };
        let scan = engine
            .scan(&item, Instant::now())
            .with_context(|| format!("{}: item {} does not scan", file.display(), item.id))?;
        out.push((scan.signals, known.clone()));
        if out.len() % 50 == 0 {
            eprintln!(
                "{}: {} items scanned in {:.0} s",
                file.display(),
                out.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(out)
}

/// The labels of each item id. Values are 0 or 1 (numbers or booleans);
/// `id`, `source` and `split` are not categories. Test-split lines are
/// refused unless `test_ok` (evaluation only).
fn read_labels(path: &Path, test_ok: bool) -> Result<BTreeMap<String, Labels>> {
    let reader = std::io::BufReader::new(
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?,
    );
    let mut out = BTreeMap::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), n + 1);
        let row: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(&line).with_context(|| format!("{at}: not a JSON object"))?;
        let id = row
            .get("id")
            .and_then(|v| v.as_str())
            .with_context(|| format!("{at}: no string `id`"))?
            .to_owned();
        if !test_ok && row.get("split").and_then(|v| v.as_str()) == Some("test") {
            bail!("{at}: item {id} is from a test split; the stacker never trains on one");
        }
        let mut labels = Labels::new();
        for (key, value) in &row {
            if matches!(key.as_str(), "id" | "source" | "split") {
                continue;
            }
            let category: Category = key.parse().map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
            let positive = match value {
                serde_json::Value::Bool(b) => *b,
                v if v.as_u64() == Some(1) => true,
                v if v.as_u64() == Some(0) => false,
                serde_json::Value::Null => continue,
                other => bail!("{at}: {key} is {other}; a label is 0, 1, true, false or null"),
            };
            labels.set(category, positive);
        }
        if out.insert(id.clone(), labels).is_some() {
            bail!("{at}: item {id} is labelled twice");
        }
    }
    Ok(out)
}
