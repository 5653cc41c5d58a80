//! `vigil store init` and `vigil store status`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use vigil_cli::home::Home;
use vigil_store::Store;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the store if needed and bring its schema up to date.
    Init(StoreArgs),
    /// Show the schema version and the decisions held, by action.
    Status(StoreArgs),
}

#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The store: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
}

pub fn run(home: &Home, command: StoreCommand) -> Result<ExitCode> {
    let (args, status) = match command {
        StoreCommand::Init(args) => (args, false),
        StoreCommand::Status(args) => (args, true),
    };
    let url = home.store_url(args.db.as_deref());
    runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let version = store.schema_version().await?;
        if status {
            let counts = store.count_decisions_by_action(None, None).await?;
            let total: u64 = counts.iter().map(|(_, n)| n).sum();
            println!("store {url}: schema version {version}, {total} decisions");
            for (action, n) in counts {
                println!("  {action:<8} {n}");
            }
        } else {
            println!("store {url}: ready, schema version {version}");
        }
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The async runtime for commands that talk to the store.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
