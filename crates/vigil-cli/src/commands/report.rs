//! `vigil report sor`: DSA statements of reasons for the restrictive
//! decisions of a window, as Transparency Database batch files.
//! `vigil report transparency`: the DSA transparency report of a period
//! (docs/transparency-report.md).
//! `vigil report online`: online accuracy indicators of a window
//! (docs/online-report.md).

mod online;
mod transparency;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use vigil_cli::home::Home;
use vigil_store::Store;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Statements of reasons for every restrict/block decision in
    /// `[since, until)`, written as batches of at most 100.
    Sor {
        /// First instant: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
        #[arg(long)]
        since: String,
        /// End (exclusive); default: now.
        #[arg(long)]
        until: Option<String>,
        /// The policy in force; decisions taken under earlier policies use
        /// the copies the service recorded in the store.
        #[arg(long, default_value = "policies/default.toml")]
        policy: PathBuf,
        /// The decision log: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// Folder for `statements-0001.json`, …
        #[arg(long)]
        out: PathBuf,
    },
    /// The DSA transparency report of a period: one CSV per section,
    /// `report.json` (every figure with its query) and `index.html`.
    Transparency(transparency::TransparencyArgs),
    /// Online accuracy indicators of a window (docs/online-report.md):
    /// precision, prevalence, recall, drift, rates and latency per
    /// category, each figure with its query, and the policy's `[alerts]`
    /// breaches; `online-report.json`, `.md` and `.html`.
    Online(online::OnlineArgs),
}

pub fn run(home: &Home, command: ReportCommand) -> Result<ExitCode> {
    let (since, until, policy, db, out) = match command {
        ReportCommand::Sor {
            since,
            until,
            policy,
            db,
            out,
        } => (since, until, policy, db, out),
        ReportCommand::Transparency(args) => return transparency::run(home, args),
        ReportCommand::Online(args) => return online::run(home, args),
    };
    let since = vigil_server::parse_instant(&since).map_err(anyhow::Error::msg)?;
    let until = until
        .as_deref()
        .map(vigil_server::parse_instant)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let policy_dir = policy.parent().map(std::path::Path::to_path_buf);
    let policy = vigil_policy::Policy::load(&policy)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .policy;
    let url = home.store_url(db.as_deref());
    let exported = crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the decision log {url}"))?;
        let exported = vigil_server::export_statements(
            &store,
            &vigil_server::PolicySource {
                current: &policy,
                base: policy_dir.as_deref(),
            },
            &vigil_dsa::StatementOptions::default(),
            Some(since),
            until,
            None,
        )
        .await?;
        store.close().await;
        anyhow::Ok(exported)
    })?;
    let paths = vigil_dsa::write_batches(&out, &exported.statements)?;
    println!(
        "{} restrictive decisions: {} statements in {} batch files in {}",
        exported.decisions,
        exported.statements.len(),
        paths.len(),
        out.display()
    );
    for (id, why) in &exported.refused {
        eprintln!("decision {id}: no statement: {why}");
    }
    if exported.refused.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} restrictive decisions have no statement (listed above)",
            exported.refused.len()
        );
        Ok(ExitCode::FAILURE)
    }
}
