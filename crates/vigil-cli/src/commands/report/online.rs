//! `vigil report online --since … --until … --out DIR [--fail-on-breach]`:
//! the online report (docs/online-report.md) as `online-report.json`, `.md`
//! and `.html`; parses the flags and calls `vigil_transparency::online`.
//! With `--fail-on-breach`, an `[alerts]` breach makes the exit status
//! [`BREACH_EXIT_STATUS`] once the files are written.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use time::OffsetDateTime;
use vigil_cli::home::Home;
use vigil_core::Modality;
use vigil_eval::Confidence;
use vigil_policy::AlertSettings;
use vigil_store::{OnlineSlice, OnlineWindow, Store};
use vigil_transparency::online::{build_online_report, OnlineReport, OnlineReportRequest};

/// Flags of `vigil report online`.
#[derive(Debug, Args)]
pub struct OnlineArgs {
    /// First instant of the window: `YYYY-MM-DD` (midnight UTC) or RFC 3339.
    #[arg(long)]
    since: String,
    /// End of the window (exclusive); default: now.
    #[arg(long)]
    until: Option<String>,
    /// First instant of the reference window for drift and rate changes.
    #[arg(long, requires = "reference_until")]
    reference_since: Option<String>,
    /// End of the reference window (exclusive).
    #[arg(long, requires = "reference_since")]
    reference_until: Option<String>,
    /// Only decisions whose item's language (`meta.lang`) was this.
    #[arg(long)]
    lang: Option<String>,
    /// Only decisions whose item carried this modality: text, image, audio or video.
    #[arg(long)]
    modality: Option<String>,
    /// Count judgments stamped up to this instant's second; default: now. Give
    /// the value a report shows to reproduce it.
    #[arg(long)]
    as_of: Option<String>,
    /// The policy whose `[alerts]` limits are checked; without it none is.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// The store: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// Folder for `online-report.json`, `online-report.md` and `online-report.html`.
    #[arg(long)]
    out: PathBuf,
    /// Exit with status 3 when the report lists any `[alerts]` breach
    /// (after writing the files and printing the breaches to stderr), so a
    /// cron or CI job can page someone; errors exit 1, bad flags 2.
    #[arg(long)]
    fail_on_breach: bool,
}

/// The exit status of `--fail-on-breach` when a limit is crossed: apart
/// from 1 (the command failed) and 2 (bad flags), so a job can tell a
/// breach from a broken run.
pub const BREACH_EXIT_STATUS: u8 = 3;

fn instant(text: &str) -> Result<OffsetDateTime> {
    vigil_server::parse_instant(text).map_err(anyhow::Error::msg)
}

fn modality(text: &str) -> Result<Modality> {
    match Modality::ALL.iter().find(|m| m.as_str() == text) {
        Some(m) => Ok(*m),
        None => bail!("--modality must be text, image, audio or video; it is `{text}`"),
    }
}

/// Builds the report, writes its three files and logs every breach.
pub fn run(home: &Home, args: OnlineArgs) -> Result<ExitCode> {
    let now = OffsetDateTime::now_utc();
    let window = OnlineWindow {
        since: instant(&args.since)?,
        until: args
            .until
            .as_deref()
            .map(instant)
            .transpose()?
            .unwrap_or(now),
    };
    let reference = match (&args.reference_since, &args.reference_until) {
        (Some(s), Some(u)) => Some(OnlineWindow {
            since: instant(s)?,
            until: instant(u)?,
        }),
        _ => None,
    };
    for w in std::iter::once(window).chain(reference) {
        if w.since >= w.until {
            bail!(
                "a window must end after it starts: {} to {}",
                w.since,
                w.until
            );
        }
    }
    let alerts = match &args.policy {
        Some(path) => {
            vigil_policy::Policy::load(path)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .policy
                .alerts
        }
        None => AlertSettings::default(),
    };
    let request = OnlineReportRequest {
        window,
        reference,
        slice: OnlineSlice {
            lang: args.lang.clone(),
            modality: args.modality.as_deref().map(modality).transpose()?,
        },
        as_of: args
            .as_of
            .as_deref()
            .map(instant)
            .transpose()?
            .unwrap_or(now),
        confidence: Confidence::NINETY_FIVE,
        alerts,
    };
    let url = home.store_url(args.db.as_deref());
    let report = crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the store {url}"))?;
        let report = build_online_report(&store, &request).await;
        store.close().await;
        anyhow::Ok(report?)
    })?;
    write(&report, &args.out)?;
    for b in &report.breaches {
        eprintln!("alert: {b}");
    }
    println!(
        "online report {} to {} (judgments up to {}): {} categories, {} alerts, in {}",
        report.window[0],
        report.window[1],
        report.as_of,
        report.categories.len(),
        report.breaches.len(),
        args.out.display()
    );
    if args.fail_on_breach && !report.breaches.is_empty() {
        return Ok(ExitCode::from(BREACH_EXIT_STATUS));
    }
    Ok(ExitCode::SUCCESS)
}

fn write(report: &OnlineReport, out: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let json = serde_json::to_string_pretty(report).context("the report does not serialise")?;
    for (name, text) in [
        ("online-report.json", json),
        ("online-report.md", report.to_markdown()),
        ("online-report.html", report.to_html()),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
