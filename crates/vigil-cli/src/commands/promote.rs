//! `vigil promote NAME@VERSION`: judge a registered candidate on the golden
//! set and make it the active model only if it passes the gate
//! (`vigil_eval::gate`): every policy obligation holds at its confidence,
//! and no category's AUPRC is worse than the active model's in a paired
//! bootstrap on the same items. Otherwise it is recorded as refused with
//! the checks that failed, and the command exits non-zero.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use vigil_cli::home::Home;
use vigil_data::Split;
use vigil_eval::gate::{judge, GateCategory, GateReport};
use vigil_eval::BootstrapConfig;
use vigil_store::{ModelStatus, RegisteredModel, Store};

use crate::commands::eval::{obligation_input, policy_thresholds, score_texts, Labelled};
use crate::commands::registry::ModelRef;

#[derive(Debug, clap::Args)]
pub struct PromoteArgs {
    /// The registered candidate, `NAME@VERSION` (see `vigil models list`).
    model: ModelRef,
    /// Canonical data set folders whose test splits are the golden set.
    /// Default: every data set folder under HOME/datasets.
    #[arg(long, num_args = 1..)]
    golden: Vec<PathBuf>,
    /// The policy whose obligations and thresholds the candidate must meet.
    #[arg(long, default_value = "policies/default.toml")]
    policy: PathBuf,
    /// When no model of this name is active, skip the comparison (the
    /// obligations are still checked) instead of comparing with the model
    /// shipped inside Vigil.
    #[arg(long)]
    force_first: bool,
    #[command(flatten)]
    store: crate::commands::StoreArg,
}

/// The model the candidate is compared with.
enum Baseline {
    /// The active model of the candidate's name.
    Active(Box<RegisteredModel>),
    /// The model shipped inside Vigil (nothing is active yet).
    Shipped,
    /// None (`--force-first` with nothing active).
    Nothing,
}

pub fn run(home: &Home, args: PromoteArgs) -> Result<ExitCode> {
    let url = home.store_url(args.store.db.as_deref());
    let runtime = crate::commands::store::runtime()?;
    let store = runtime
        .block_on(Store::open(&url))
        .with_context(|| format!("cannot open the model registry in {url}"))?;
    let result = promote(home, &runtime, &store, &args);
    runtime.block_on(store.close());
    result
}

fn promote(
    home: &Home,
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    args: &PromoteArgs,
) -> Result<ExitCode> {
    let (name, version) = (&args.model.name, &args.model.version);
    let candidate = runtime
        .block_on(store.get_model(name, version))?
        .with_context(|| {
            format!(
                "no model {} is registered (see `vigil models list`)",
                args.model
            )
        })?;
    if candidate.status == ModelStatus::Active {
        bail!("{} is the active model already", args.model);
    }
    let baseline = match runtime.block_on(store.active_model(name))? {
        Some(active) => Baseline::Active(Box::new(active)),
        None if args.force_first => Baseline::Nothing,
        None => Baseline::Shipped,
    };
    let golden = golden_sets(home, &args.golden)?;
    let data = Labelled::open(&args.policy, &golden, Split::Test)?;
    let texts = data.texts();
    let load = |m: &RegisteredModel| {
        vigil_engine::TextScorer::load(&vigil_engine::TextModels {
            linear: Some(m.path.clone()),
            linear_digest: Some(m.digest.clone()),
            cascade: None,
        })
        .with_context(|| format!("{} does not load", m.id()))
    };
    let cand_scorer = load(&candidate)?;
    let cand_scores = score_texts(&cand_scorer, &texts)?;
    let (base_name, base) = match &baseline {
        Baseline::Active(m) => (m.id(), Some(load(m)?)),
        Baseline::Shipped => (
            "the shipped model".to_owned(),
            Some(vigil_engine::TextScorer::load(&Default::default())?),
        ),
        Baseline::Nothing => ("nothing (--force-first)".to_owned(), None),
    };
    let base_scores = base.as_ref().map(|s| score_texts(s, &texts)).transpose()?;
    let mut categories = Vec::new();
    for category in vigil_core::Category::ALL {
        let candidate_pairs = cand_scorer
            .outputs()
            .iter()
            .position(|c| *c == category)
            .map(|o| data.pairs(&cand_scores, o, category));
        let obligation = obligation_input(&data.policy, category)?.map(|ob| {
            let threshold = policy_thresholds(&data.policy, category)
                .into_iter()
                .find(|(a, _)| *a == ob.action)
                .map(|(_, t)| t);
            (threshold, ob)
        });
        let baseline_pairs = match (&base, &base_scores) {
            (Some(b), Some(scores)) => b
                .outputs()
                .iter()
                .position(|c| *c == category)
                .map(|bo| data.pairs(scores, bo, category)),
            _ => None,
        };
        // A category the golden set does not label, that no obligation
        // names and both models score, has nothing to judge.
        let unlabelled = candidate_pairs.as_ref().is_some_and(Vec::is_empty);
        if unlabelled && obligation.is_none() {
            continue;
        }
        categories.push(GateCategory {
            category: category.as_str().to_owned(),
            candidate: candidate_pairs,
            baseline: baseline_pairs,
            obligation,
        });
    }
    let report = judge(&categories, &BootstrapConfig::default());
    println!(
        "{} against {base_name} on the test splits of {} data set(s) ({} items), policy {} {}",
        args.model,
        golden.len(),
        texts.len(),
        data.policy.version.name,
        data.policy.version.version
    );
    print_checks(&report);
    let record = serde_json::json!({
        "candidate": candidate.id(),
        "baseline": base_name,
        "policy": { "name": data.policy.version.name, "version": data.policy.version.version },
        "golden": data.datasets.iter().map(|d| serde_json::json!({
            "name": d.manifest.name,
            "items_sha256": d.manifest.items_sha256,
        })).collect::<Vec<_>>(),
        "split": "test",
        "items": texts.len(),
        "passed": report.passed(),
        "checks": report.checks,
    })
    .to_string();
    if report.passed() {
        let retired = runtime.block_on(store.promote_model(name, version, &record))?;
        match retired {
            Some(old) => println!("promoted {}; {name}@{old} is retired", args.model),
            None => println!("promoted {}", args.model),
        }
        Ok(ExitCode::SUCCESS)
    } else {
        let reason = report
            .failures()
            .map(|c| c.reason())
            .collect::<Vec<_>>()
            .join("; ");
        runtime.block_on(store.refuse_model(name, version, &reason, &record))?;
        println!("refused {}: {reason}", args.model);
        Ok(ExitCode::FAILURE)
    }
}

/// The golden data sets: those named, else every data set folder under
/// HOME/datasets (a folder with a `dataset.toml`).
fn golden_sets(home: &Home, named: &[PathBuf]) -> Result<Vec<PathBuf>> {
    if !named.is_empty() {
        return Ok(named.to_vec());
    }
    let dir = home.datasets_dir();
    let entries = std::fs::read_dir(&dir).with_context(|| {
        format!(
            "no --golden data set given and {} cannot be read",
            dir.display()
        )
    })?;
    let mut sets = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", dir.display()))?
            .path();
        if path.join("dataset.toml").is_file() {
            sets.push(path);
        }
    }
    sets.sort();
    if sets.is_empty() {
        bail!(
            "no --golden data set given and {} holds none",
            dir.display()
        );
    }
    Ok(sets)
}

fn print_checks(report: &GateReport) {
    println!("{:<18} {:<11} {:<6} figures", "category", "check", "result");
    for c in &report.checks {
        println!(
            "{:<18} {:<11} {:<6} {}",
            c.category,
            c.check,
            c.outcome.as_str(),
            c.detail
        );
    }
}
