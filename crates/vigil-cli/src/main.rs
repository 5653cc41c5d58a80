//! `vigil`: parse the command line, call the library, print the result.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use vigil_cli::doctor::{self, Status};
use vigil_cli::home::Home;
use vigil_data::{ImportKind, OnMalformed};
use vigil_policy::Policy;
use vigil_store::Store;

/// Vigil: a self-hosted trust & safety scanner.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about)]
struct Cli {
    /// Vigil's data directory (store, model cache). Default: $VIGIL_HOME,
    /// else $XDG_DATA_HOME/vigil, else ~/.local/share/vigil.
    #[arg(long, global = true, value_name = "DIR")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with policy files.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Canonical data sets: import public sets, show statistics.
    #[command(subcommand)]
    Data(DataCommand),
    /// The embedded store (decision log).
    #[command(subcommand)]
    Store(StoreCommand),
    /// Report which optional outside components are present.
    Doctor,
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Turn a public data set into canonical form (docs/datasets.md).
    Import {
        /// davidson, ethos, toxicchat, sms-spam, xstest, hatecheck or toxigen.
        kind: ImportKind,
        /// The source folder or file.
        src: PathBuf,
        /// The data set folder to write.
        #[arg(long)]
        out: PathBuf,
        /// What to do with a malformed source row: skip it (reported and
        /// counted in the manifest) or fail the import.
        #[arg(long, value_enum, default_value_t = MalformedFlag::Skip)]
        on_malformed: MalformedFlag,
    },
    /// Known and positive label counts per split and category.
    Stats {
        /// A data set folder.
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MalformedFlag {
    Skip,
    Fail,
}

#[derive(Debug, Subcommand)]
enum StoreCommand {
    /// Create the store if needed and bring its schema up to date.
    Init(StoreArgs),
    /// Show the schema version and the decisions held, by action.
    Status(StoreArgs),
}

#[derive(Debug, clap::Args)]
struct StoreArgs {
    /// The store: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate a policy file; print every problem with its line and column.
    Check {
        /// The policy TOML file.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let home = Home::resolve(cli.home);
    match cli.command {
        Command::Policy(PolicyCommand::Check { file }) => policy_check(&file),
        Command::Data(DataCommand::Import {
            kind,
            src,
            out,
            on_malformed,
        }) => {
            let on_malformed = match on_malformed {
                MalformedFlag::Skip => OnMalformed::Skip,
                MalformedFlag::Fail => OnMalformed::Fail,
            };
            let report = vigil_data::import(kind, &src, &out, on_malformed)?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Data(DataCommand::Stats { dir }) => {
            print!("{}", vigil_data::stats(&dir)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Store(StoreCommand::Init(args)) => store_init(&home, args),
        Command::Store(StoreCommand::Status(args)) => store_status(&home, args),
        Command::Doctor => doctor(&home),
    }
}

fn policy_check(file: &std::path::Path) -> Result<ExitCode> {
    match Policy::load(file) {
        Ok(checked) => {
            for w in &checked.warnings {
                eprintln!("{w}");
            }
            let p = &checked.policy;
            println!(
                "{}: ok — policy {} {} ({} categories, {} obligations, {} warnings)",
                file.display(),
                p.version.name,
                p.version.version,
                p.categories.len(),
                p.obligations.len(),
                checked.warnings.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!("{errors}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn store_url(home: &Home, args: &StoreArgs) -> String {
    args.db
        .clone()
        .unwrap_or_else(|| home.store_path().display().to_string())
}

fn store_init(home: &Home, args: StoreArgs) -> Result<ExitCode> {
    let url = store_url(home, &args);
    runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let version = store.schema_version().await?;
        println!("store {url}: ready, schema version {version}");
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn store_status(home: &Home, args: StoreArgs) -> Result<ExitCode> {
    let url = store_url(home, &args);
    runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let version = store.schema_version().await?;
        let counts = store.count_decisions_by_action(None, None).await?;
        let total: u64 = counts.iter().map(|(_, n)| n).sum();
        println!("store {url}: schema version {version}, {total} decisions");
        for (action, n) in counts {
            println!("  {action:<8} {n}");
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

fn doctor(home: &Home) -> Result<ExitCode> {
    println!("vigil {}", env!("CARGO_PKG_VERSION"));
    println!("home     {}", home.root().display());
    println!("models   {}", home.model_dir().display());
    let findings = doctor::examine(&home.model_dir());
    for f in &findings {
        println!("{f}");
    }
    let missing = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Missing(_)))
        .count();
    println!(
        "{} of {} optional components found; text scanning needs none of them.",
        findings.len() - missing,
        findings.len()
    );
    Ok(ExitCode::SUCCESS)
}
