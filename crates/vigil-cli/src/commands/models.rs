//! `vigil models`: the model registry — list it, register a trained
//! folder, and summarise a candidate run in shadow beside the active model.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use vigil_cli::home::Home;
use vigil_core::{Category, Score};
use vigil_policy::Policy;
use vigil_store::Store;

use crate::commands::registry::{register_folder, ModelRef};
use crate::commands::StoreArg;

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List every registered model: status, digest, when it was decided.
    List {
        #[command(flatten)]
        store: StoreArg,
    },
    /// Register a text-linear model folder as a candidate (its files are
    /// copied to HOME/models/registry/NAME/VERSION).
    Register {
        /// The folder `vigil train text-linear --out` wrote.
        dir: PathBuf,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Compare a candidate run with `vigil serve --shadow` to the decisions
    /// taken meanwhile: per category, the mean absolute score difference
    /// and how often the candidate's score would take another action.
    ShadowReport {
        /// The candidate, `NAME@VERSION`.
        model: ModelRef,
        /// The policy whose thresholds turn scores into actions.
        #[arg(long, default_value = "policies/default.toml")]
        policy: PathBuf,
        #[command(flatten)]
        store: StoreArg,
    },
}

pub fn run(home: &Home, command: ModelsCommand) -> Result<ExitCode> {
    match command {
        ModelsCommand::List { store } => list(home, &store),
        ModelsCommand::Register { dir, store } => {
            if store.db.is_none() {
                home.create()
                    .with_context(|| format!("cannot create {}", home.root().display()))?;
            }
            let model = register_folder(home, &home.store_url(store.db.as_deref()), &dir)?;
            println!(
                "registered {} as a candidate ({}, {})",
                model.id(),
                model.path.display(),
                model.digest
            );
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::ShadowReport {
            model,
            policy,
            store,
        } => shadow_report(home, &model, &policy, &store),
    }
}

fn with_store<T>(
    home: &Home,
    store: &StoreArg,
    f: impl AsyncFnOnce(&Store) -> Result<T, vigil_store::StoreError>,
) -> Result<T> {
    let url = home.store_url(store.db.as_deref());
    crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the model registry in {url}"))?;
        let result = f(&store).await;
        store.close().await;
        Ok(result?)
    })
}

fn list(home: &Home, store: &StoreArg) -> Result<ExitCode> {
    let models = with_store(home, store, async |s| s.list_models().await)?;
    println!(
        "{:<36} {:<12} {:<10} {:<20} {:<26} reason",
        "model", "kind", "status", "digest", "decided"
    );
    for m in &models {
        let decided = m
            .decided_at
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| "-".to_owned());
        println!(
            "{:<36} {:<12} {:<10} {:<20} {:<26} {}",
            m.id(),
            m.kind.as_str(),
            m.status.as_str(),
            m.digest.get(..20).unwrap_or(&m.digest),
            decided,
            m.reason.as_deref().unwrap_or("")
        );
    }
    if models.is_empty() {
        println!("no model registered; `vigil train text-linear --register` adds one");
    }
    Ok(ExitCode::SUCCESS)
}

/// One category's comparison.
#[derive(Default)]
struct CategoryShadow {
    n: u64,
    abs_difference: f64,
    actions_differ: u64,
}

fn shadow_report(
    home: &Home,
    model: &ModelRef,
    policy: &std::path::Path,
    store: &StoreArg,
) -> Result<ExitCode> {
    let policy = Policy::load(policy)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .policy;
    let rows = with_store(home, store, async |s| {
        s.shadow_scores(&model.name, &model.version).await
    })?;
    let mut decisions = BTreeSet::new();
    let mut per_category: BTreeMap<String, CategoryShadow> = BTreeMap::new();
    for row in &rows {
        decisions.insert(row.decision_id);
        let entry = per_category.entry(row.category.clone()).or_default();
        entry.n += 1;
        entry.abs_difference += (row.candidate_score - row.active_score).abs();
        if let Ok(category) = row.category.parse::<Category>() {
            let thresholds = policy.thresholds(category);
            let (active, _) = thresholds.action_for(Score::saturating(row.active_score));
            let (candidate, _) = thresholds.action_for(Score::saturating(row.candidate_score));
            if active != candidate {
                entry.actions_differ += 1;
            }
        }
    }
    println!(
        "{model} in shadow: {} decisions compared, actions under policy {} {}",
        decisions.len(),
        policy.version.name,
        policy.version.version
    );
    println!(
        "{:<18} {:>8} {:>16} {:>16}",
        "category", "scored", "mean |diff|", "action differs"
    );
    for (category, c) in &per_category {
        let n = c.n.max(1) as f64;
        println!(
            "{:<18} {:>8} {:>16.4} {:>9} ({:>4.1}%)",
            category,
            c.n,
            c.abs_difference / n,
            c.actions_differ,
            100.0 * c.actions_differ as f64 / n
        );
    }
    Ok(ExitCode::SUCCESS)
}
