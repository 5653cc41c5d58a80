//! `vigil eval`: score data sets with a text model, measure it per category
//! against the policy's thresholds and obligations, and write `report.json`,
//! `report.html` and `report.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_data::{Dataset, Split};
use vigil_eval::evaluate::{category_report, CategoryInput, ObligationInput};
use vigil_eval::report::{render_html, render_markdown, DatasetRef, EvalReport};
use vigil_eval::{BootstrapConfig, Confidence};
use vigil_policy::Policy;

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// A text-linear model folder. Default: the model shipped with Vigil.
    #[arg(long)]
    model: Option<PathBuf>,
    /// A transformer head: score with the cascade (see `vigil classify`).
    #[arg(long)]
    head: Option<PathBuf>,
    /// Override the head's uncertain band, `LOW,HIGH`.
    #[arg(long, value_parser = crate::commands::train::parse_band)]
    band: Option<(f32, f32)>,
    /// The transformer's folder. Default: HOME/models/all-minilm-l6-v2.
    #[arg(long)]
    embedder: Option<PathBuf>,
    /// The policy whose thresholds and obligations are checked.
    #[arg(long, default_value = "policies/default.toml")]
    policy: PathBuf,
    /// Canonical data set folders.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// The split to measure on.
    #[arg(long, default_value = "test")]
    split: Split,
    /// Meta fields to slice by.
    #[arg(long, num_args = 1.., default_values_t = ["source".to_owned(), "lang".to_owned()])]
    slice: Vec<String>,
    /// The run folder to write.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(home: &Home, args: EvalArgs) -> Result<ExitCode> {
    let policy = Policy::load(&args.policy)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .policy;
    let datasets = args
        .data
        .iter()
        .map(|d| Dataset::open(d).with_context(|| format!("cannot read data set {}", d.display())))
        .collect::<Result<Vec<_>>>()?;
    let records: Vec<&vigil_data::Record> = datasets
        .iter()
        .flat_map(|d| d.records.iter())
        .filter(|r| r.split == args.split && r.item.text.is_some())
        .collect();
    if records.is_empty() {
        bail!(
            "no items with text in the {} split of the data sets given",
            args.split
        );
    }
    let texts: Vec<&str> = records
        .iter()
        .map(|r| r.item.text.as_deref().unwrap_or(""))
        .collect();
    let scorer = crate::commands::classify::Scorer::load(
        home,
        args.model.as_deref(),
        args.head.as_deref(),
        args.embedder.as_deref(),
        args.band,
    )?;
    let bar = crate::commands::progress_bar(texts.len() as u64, "items");
    let (scores, _) = scorer.score(&texts, 0, &|done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let outputs = scorer.outputs();
    let bootstrap = BootstrapConfig::default();
    let mut categories = Vec::new();
    for (o, category) in outputs.iter().enumerate() {
        let mut pairs = Vec::new();
        let mut slices = Vec::new();
        for (r, s) in records.iter().zip(&scores) {
            let Some(label) = r.labels.get(*category) else {
                continue;
            };
            pairs.push((f64::from(s[o]), label));
            slices.push(
                args.slice
                    .iter()
                    .filter_map(|f| Some((f.clone(), r.item.meta.get(f)?.to_owned())))
                    .collect(),
            );
        }
        if pairs.is_empty() {
            continue;
        }
        let thresholds = policy
            .thresholds(*category)
            .set_actions()
            // Thresholds are f32 in the policy; keep the digits the policy wrote.
            .map(|(a, t)| {
                (
                    a.as_str().to_owned(),
                    (f64::from(t.get()) * 1e6).round() / 1e6,
                )
            })
            .collect();
        let obligation = match policy.obligations.get(category) {
            Some(o) => Some(ObligationInput {
                action: o.action.as_str().to_owned(),
                min_precision: o.min_precision,
                min_recall: o.min_recall,
                confidence: Confidence::new(o.confidence)
                    .map_err(|e| anyhow::anyhow!("obligation for {category}: {e}"))?,
            }),
            None => None,
        };
        let input = CategoryInput {
            category: category.as_str().to_owned(),
            pairs,
            slices,
            thresholds,
            obligation,
        };
        categories.push(category_report(&input, Confidence::NINETY_FIVE, &bootstrap));
    }
    let (model, model_version) = scorer.name_version();
    let report = EvalReport {
        model,
        model_version,
        policy: policy.version.name.clone(),
        policy_version: policy.version.version.clone(),
        datasets: datasets
            .iter()
            .map(|d| DatasetRef {
                name: d.manifest.name.clone(),
                items_sha256: d.manifest.items_sha256.clone(),
            })
            .collect(),
        split: args.split.as_str().to_owned(),
        created_at: OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .context("cannot format the time")?,
        categories,
    };
    write_run(&args.out, &report)?;
    print_summary(&report);
    println!("wrote {}/report.{{json,html,md}}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn write_run(dir: &Path, report: &EvalReport) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, body) in [
        ("report.json", report.to_json()),
        ("report.html", render_html(report)),
        ("report.md", render_markdown(report)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn print_summary(report: &EvalReport) {
    println!(
        "{:<18} {:>6} {:>6} {:>24} {:>8}  obligation",
        "category", "n", "pos", "AUPRC [95% CI]", "ROC-AUC"
    );
    for c in &report.categories {
        let auprc = c.auprc.map_or("-".to_owned(), |a| {
            format!("{:.4} [{:.4}, {:.4}]", a.value, a.low, a.high)
        });
        let roc = c.roc_auc.map_or("-".to_owned(), |v| format!("{v:.4}"));
        let verdict = c.obligation.as_ref().map_or(String::new(), |o| {
            let state = match o.holds {
                Some(true) => "holds",
                Some(false) => "VIOLATED",
                None => "undetermined",
            };
            format!("{state}: {} ({})", o.text, o.detail)
        });
        println!(
            "{:<18} {:>6} {:>6} {:>24} {:>8}  {verdict}",
            c.category, c.n_known, c.positives, auprc, roc
        );
    }
}
