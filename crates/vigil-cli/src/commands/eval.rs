//! `vigil eval`: score data sets with a text model, measure it per category
//! against the policy's thresholds and obligations, and write `report.json`,
//! `report.html` and `report.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_data::Split;
use vigil_eval::evaluate::{category_report, CategoryInput};
use vigil_eval::report::{render_html, render_markdown, DatasetRef, EvalReport};
use vigil_eval::{BootstrapConfig, Confidence};

/// Which model scores which data, under which policy.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelData {
    #[command(flatten)]
    scorer: crate::commands::classify::ScorerArgs,
    /// The policy whose thresholds and obligations are used.
    #[arg(long, default_value = "policies/default.toml")]
    policy: PathBuf,
    /// Canonical data set folders.
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
pub struct EvalArgs {
    #[command(subcommand)]
    command: Option<EvalCommand>,
    #[command(flatten)]
    input: ModelData,
    /// The split to measure on.
    #[arg(long, default_value = "test")]
    split: Split,
    /// Meta fields to slice by.
    #[arg(long, num_args = 1.., default_values_t = ["source".to_owned(), "lang".to_owned()])]
    slice: Vec<String>,
    /// The run folder to write.
    #[arg(long, required = true)]
    out: Option<PathBuf>,
    /// The store that records the run. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {
    /// List a category's figures over every recorded evaluation run.
    History {
        /// The category.
        #[arg(long)]
        category: vigil_core::Category,
        /// The store. Default: HOME/vigil.db.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
    /// Compare two runs on the items they share: the difference in AUPRC,
    /// and in precision and recall at each run's policy thresholds, with
    /// paired-bootstrap intervals and a verdict (B relative to A).
    Compare {
        /// The baseline run folder.
        run_a: PathBuf,
        /// The candidate run folder.
        run_b: PathBuf,
    },
}

fn store_url(home: &Home, db: Option<String>) -> String {
    home.store_url(db.as_deref())
}

fn history(home: &Home, category: vigil_core::Category, db: Option<String>) -> Result<ExitCode> {
    let url = store_url(home, db);
    let rows = crate::commands::store::runtime()?.block_on(async {
        let store = vigil_store::Store::open(&url).await?;
        let rows = store.eval_history(category.as_str()).await;
        store.close().await;
        rows
    })?;
    println!(
        "{:<26} {:<34} {:<8} {:>6} {:>5} {:>26} {:>8}",
        "run", "model", "split", "n", "pos", "AUPRC [95% CI]", "ROC-AUC"
    );
    for r in &rows {
        let m = &r.metric;
        let auprc = m.auprc.map_or("-".to_owned(), |(v, l, h)| {
            format!("{v:.4} [{l:.4}, {h:.4}]")
        });
        let roc = m.roc_auc.map_or("-".to_owned(), |v| format!("{v:.4}"));
        println!(
            "{:<26} {:<34} {:<8} {:>6} {:>5} {:>26} {:>8}",
            r.created_at.get(..26).unwrap_or(&r.created_at),
            format!("{} {}", r.model.0, r.model.1),
            r.split,
            m.n_known,
            m.positives,
            auprc,
            roc
        );
    }
    if rows.is_empty() {
        println!("no evaluation run recorded for {category} in {url}");
    }
    Ok(ExitCode::SUCCESS)
}

mod compare;
mod scoring;

pub use scoring::{obligation_input, policy_thresholds, score_texts, Labelled};

/// One split of labelled data scored by one text model.
struct Scored {
    data: Labelled,
    scores: Vec<Vec<f32>>,
    scorer: vigil_engine::TextScorer,
}

impl Scored {
    fn record(&self, i: usize) -> &vigil_data::Record {
        self.data.record(i)
    }
}

fn load_and_score(
    home: &Home,
    input: &ModelData,
    split: Split,
    db: Option<&str>,
) -> Result<Scored> {
    let data = Labelled::open(&input.policy, &input.data, split)?;
    let scorer = crate::commands::classify::load_scorer(home, &input.scorer, db)?;
    let scores = score_texts(&scorer, &data.texts())?;
    Ok(Scored {
        data,
        scores,
        scorer,
    })
}

/// `(score, label)` of every scored record whose label for output `o` is known.
fn pairs_for(s: &Scored, o: usize, category: vigil_core::Category) -> Vec<(f64, bool)> {
    s.data.pairs(&s.scores, o, category)
}

pub fn run(home: &Home, args: EvalArgs) -> Result<ExitCode> {
    match args.command {
        Some(EvalCommand::History { category, db }) => return history(home, category, db),
        Some(EvalCommand::Compare { run_a, run_b }) => return compare::compare(&run_a, &run_b),
        None => {}
    }
    let out = args.out.clone().context("--out is required")?;
    let scored = load_and_score(home, &args.input, args.split, args.db.as_deref())?;
    let (datasets, scorer, policy) = (&scored.data.datasets, &scored.scorer, &scored.data.policy);
    let outputs = scorer.outputs();
    let bootstrap = BootstrapConfig::default();
    let mut categories = Vec::new();
    for (o, category) in outputs.iter().enumerate() {
        let mut pairs = Vec::new();
        let mut slices = Vec::new();
        for i in 0..scored.data.index.len() {
            let r = scored.record(i);
            let Some(label) = r.labels.get(*category) else {
                continue;
            };
            pairs.push((f64::from(scored.scores[i][o]), label));
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
        let thresholds = policy_thresholds(policy, *category);
        let obligation = obligation_input(policy, *category)?;
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
    write_run(&out, &report)?;
    write_scores(&out, &scored)?;
    record_run(home, args.db, &report)?;
    print_summary(&report);
    println!("wrote {}/report.{{json,html,md}}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Record the run in the store, for `vigil eval history`.
fn record_run(home: &Home, db: Option<String>, report: &EvalReport) -> Result<()> {
    let url = store_url(home, db);
    let run = vigil_store::EvalRun {
        id: vigil_core::DecisionId::new().to_string(),
        created_at: OffsetDateTime::parse(&report.created_at, &Rfc3339).context("run time")?,
        model: (report.model.clone(), report.model_version.clone()),
        policy: (report.policy.clone(), report.policy_version.clone()),
        split: report.split.clone(),
        datasets_json: serde_json::to_string(
            &report
                .datasets
                .iter()
                .map(|d| serde_json::json!({"name": d.name, "items_sha256": d.items_sha256}))
                .collect::<Vec<_>>(),
        )?,
        report_json: report.to_json(),
        metrics: report
            .categories
            .iter()
            .map(|c| vigil_store::EvalMetric {
                category: c.category.clone(),
                n_known: c.n_known,
                positives: c.positives,
                auprc: c.auprc.map(|a| (a.value, a.low, a.high)),
                roc_auc: c.roc_auc,
            })
            .collect(),
    };
    crate::commands::store::runtime()?.block_on(async {
        let store = vigil_store::Store::open(&url).await?;
        let result = store.insert_eval_run(&run).await;
        store.close().await;
        result
    })?;
    Ok(())
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

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    input: ModelData,
    /// The split thresholds are chosen on (never the split you report on).
    #[arg(long, default_value = "validation")]
    split: Split,
    /// Where to write the policy with the chosen thresholds.
    #[arg(long)]
    out: PathBuf,
    /// The held-out split the new thresholds are then checked on.
    #[arg(long, default_value = "test")]
    check: Split,
    /// Do not check the new thresholds on a held-out split.
    #[arg(long, conflicts_with = "check")]
    no_check: bool,
}

/// `vigil calibrate`: for each obligation, the threshold that maximises the
/// free metric while the constrained one's lower bound meets the minimum.
pub fn calibrate(home: &Home, args: CalibrateArgs) -> Result<ExitCode> {
    use vigil_eval::{choose_threshold, ThresholdChoice, ThresholdObligation};
    use vigil_policy::{rewrite_thresholds, ThresholdChange};

    if !args.no_check && args.check == args.split {
        bail!(
            "--check must name another split than --split ({}): a threshold checked on the data it was chosen on proves nothing",
            args.split
        );
    }
    let scored = load_and_score(home, &args.input, args.split, None)?;
    let outputs = scored.scorer.outputs().to_vec();
    let mut changes = Vec::new();
    let mut infeasible = 0;
    for (category, o) in &scored.data.policy.obligations {
        let Some(index) = outputs.iter().position(|c| c == category) else {
            println!("{category}: the model has no output for it; obligation not calibrated");
            infeasible += 1;
            continue;
        };
        let pairs = pairs_for(&scored, index, *category);
        let obligation = ThresholdObligation::new(o.min_precision, o.min_recall, o.confidence)
            .map_err(|e| anyhow::anyhow!("obligation for {category}: {e}"))?;
        let old = scored
            .data
            .policy
            .thresholds(*category)
            .get(o.action)
            .map(|t| t.get());
        match choose_threshold(&pairs, &obligation) {
            Ok(ThresholdChoice::Feasible {
                threshold,
                precision,
                recall,
                lower_bounds,
                ..
            }) => {
                println!(
                    "{category} {}: {} -> {threshold:.4} (precision {precision:.3}, recall {recall:.3}; lower bounds {lower_bounds:?})",
                    o.action,
                    old.map_or("unset".to_owned(), |t| format!("{t:.4}")),
                );
                changes.push(ThresholdChange {
                    category: *category,
                    action: o.action,
                    threshold,
                });
                // Keep thresholds rising from review to block: a looser action
                // above the new threshold, or a stricter one below it, moves to it.
                for (action, t) in scored.data.policy.thresholds(*category).set_actions() {
                    let t = f64::from(t.get());
                    let out_of_order = (action < o.action && t > threshold)
                        || (action > o.action && t < threshold);
                    if action != o.action && out_of_order {
                        println!("  {category} {action}: {t:.4} -> {threshold:.4} to keep the thresholds in order");
                        changes.push(ThresholdChange {
                            category: *category,
                            action,
                            threshold,
                        });
                    }
                }
            }
            Ok(ThresholdChoice::Infeasible {
                at_threshold,
                best_lower_bound,
                positives_needed,
                counts,
                ..
            }) => {
                infeasible += 1;
                println!(
                    "{category} {}: INFEASIBLE on {} labelled items ({} positive): the best lower bound is {best_lower_bound:.3} at threshold {at_threshold:.4}; {}",
                    o.action,
                    pairs.len(),
                    counts.positives(),
                    positives_needed.map_or("more data at the same rates would not help".to_owned(), |n| format!("about {n} more labelled positives would be needed"))
                );
            }
            Err(e) => {
                infeasible += 1;
                println!(
                    "{category} {}: cannot be calibrated on this split: {e}",
                    o.action
                );
            }
        }
    }
    let file = args.out.display().to_string();
    let (text, _) = rewrite_thresholds(&scored.data.policy_text, &file, &changes)?;
    std::fs::write(&args.out, text)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "wrote {} ({} thresholds set, {infeasible} obligations infeasible on the {} split)",
        args.out.display(),
        changes.len(),
        args.split
    );
    if !args.no_check {
        check_on(home, &args)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Scores the held-out split under the calibrated policy and judges every
/// obligation there, as `vigil eval` would.
fn check_on(home: &Home, args: &CalibrateArgs) -> Result<()> {
    let input = ModelData {
        policy: args.out.clone(),
        ..args.input.clone()
    };
    let scored = load_and_score(home, &input, args.check, None)?;
    let outputs = scored.scorer.outputs().to_vec();
    println!("checked on the {} split:", args.check);
    let (mut holds, mut unknown, mut violated) = (0, 0, 0);
    for category in scored.data.policy.obligations.keys() {
        let Some(o) = obligation_input(&scored.data.policy, *category)? else {
            continue;
        };
        let Some(index) = outputs.iter().position(|c| c == category) else {
            continue;
        };
        let pairs = pairs_for(&scored, index, *category);
        let verdict = match policy_thresholds(&scored.data.policy, *category)
            .into_iter()
            .find(|(a, _)| *a == o.action)
        {
            Some((_, t)) => vigil_eval::evaluate::check_obligation(&pairs, t, &o),
            None => continue,
        };
        let word = match verdict.holds {
            Some(true) => {
                holds += 1;
                "holds"
            }
            Some(false) => {
                violated += 1;
                "VIOLATED"
            }
            None => {
                unknown += 1;
                "not shown"
            }
        };
        println!(
            "  {category}: {word}: {} ({})",
            verdict.text, verdict.detail
        );
    }
    println!(
        "on the {} split: {holds} obligations hold, {unknown} not shown, {violated} violated",
        args.check
    );
    Ok(())
}

fn write_scores(dir: &Path, scored: &Scored) -> Result<()> {
    use std::io::Write;
    let path = dir.join("scores.jsonl");
    let file = std::fs::File::create(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let outputs = scored.scorer.outputs();
    for (i, &(d, _)) in scored.data.index.iter().enumerate() {
        let r = scored.record(i);
        let item = compare::ScoredItem {
            id: format!("{}/{}", scored.data.datasets[d].manifest.name, r.item.id),
            labels: r.labels.clone(),
            scores: outputs
                .iter()
                .copied()
                .zip(scored.scores[i].iter().copied())
                .collect(),
        };
        writeln!(out, "{}", serde_json::to_string(&item)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}
