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
    #[command(flatten)]
    engine: crate::commands::serve::EngineArgs,
}

pub fn run(home: &Home, args: FusionArgs) -> Result<ExitCode> {
    let labels = read_labels(&args.labels)?;
    let mut categories: Vec<Category> = labels
        .values()
        .flat_map(|l| l.iter().map(|(c, _)| c))
        .collect();
    categories.sort();
    categories.dedup();
    if categories.is_empty() {
        bail!("{}: no label in it", args.labels.display());
    }
    let engine = args.engine.build(home)?.with_stacker(None);
    let mut examples = Vec::new();
    let started = Instant::now();
    for file in &args.items {
        let items = crate::commands::scan::read_items(file)?;
        for item in items {
            let Some(known) = labels.get(&item.id) else {
                continue; // Unlabelled: nothing to learn from it.
            };
            let scan = engine
                .scan(&item, Instant::now())
                .with_context(|| format!("{}: item {} does not scan", file.display(), item.id))?;
            examples.push((scan.signals, known.clone()));
            if examples.len() % 25 == 0 {
                eprintln!(
                    "{} items scanned in {:.0} s",
                    examples.len(),
                    started.elapsed().as_secs_f64()
                );
            }
        }
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
    Ok(ExitCode::SUCCESS)
}

/// The labels of each item id. Values are 0 or 1 (numbers or booleans);
/// `id`, `source` and `split` are not categories.
fn read_labels(path: &Path) -> Result<BTreeMap<String, Labels>> {
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
        if row.get("split").and_then(|v| v.as_str()) == Some("test") {
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
