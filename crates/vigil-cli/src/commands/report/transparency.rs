//! `vigil report transparency --period 2026-H2 --out DIR [--facts FILE]`:
//! parses the flags and calls `vigil_transparency::build`, `write`,
//! `annex` and `write_annex`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_store::Store;
use vigil_transparency::{FactsSource, Period};

/// Flags of `vigil report transparency`.
#[derive(Debug, Args)]
pub struct TransparencyArgs {
    /// The period: `2026`, `2026-H1`, `2026-H2` or `2026-Q1` … `2026-Q4` (UTC).
    #[arg(long)]
    period: String,
    /// Folder for the CSV files, `report.json` and `index.html`.
    #[arg(long)]
    out: PathBuf,
    /// TOML file with the figures the store cannot know (recipients,
    /// staff per language, …); without it they read "not provided".
    #[arg(long)]
    facts: Option<PathBuf>,
    /// Count outcomes recorded before this instant (`YYYY-MM-DD` or RFC
    /// 3339); default: now. Give the same value to reproduce a report.
    #[arg(long)]
    as_of: Option<String>,
    /// The store: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// The policy whose DSA mapping (`dsa_category`, `dsa_keywords`,
    /// `decision_ground`, `[dsa]` visibilities) places categories in the
    /// Commission template's rows (`annex-i/`).
    #[arg(long, default_value = "policies/default.toml")]
    policy: PathBuf,
}

/// Builds and writes the report.
pub fn run(home: &Home, args: TransparencyArgs) -> Result<ExitCode> {
    let period: Period = args.period.parse()?;
    let as_of = match args.as_of.as_deref() {
        Some(text) => vigil_server::parse_instant(text).map_err(anyhow::Error::msg)?,
        None => OffsetDateTime::now_utc(),
    };
    let facts = args.facts.as_deref().map(FactsSource::load).transpose()?;
    let policy = vigil_policy::Policy::load(&args.policy)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .policy;
    let url = home.store_url(args.db.as_deref());
    let report = crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the store {url}"))?;
        let report = vigil_transparency::build(&store, period, as_of, facts).await;
        store.close().await;
        anyhow::Ok(report?)
    })?;
    let mut files = vigil_transparency::write(&report, &args.out)?;
    let annex = vigil_transparency::annex(&report, &policy);
    files.extend(vigil_transparency::write_annex(&annex, &args.out)?);
    println!(
        "{}transparency report {} (outcomes as of {}): {} files in {}",
        if report.interim { "interim " } else { "" },
        report.period,
        report.window.as_of,
        files.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
