//! `vigil notices import FILE`: DSA notices from a JSON Lines file, each
//! line the body of `POST /v1/notices`, taken through the server's own
//! intake ([`vigil_server::take_notice`]).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Subcommand;
use vigil_cli::home::Home;
use vigil_server::NoticeRequest;
use vigil_store::Store;

#[derive(Debug, Subcommand)]
pub enum NoticesCommand {
    /// Take the notices of a JSON Lines file (one `POST /v1/notices` body
    /// a line): each is queued for review or rescanned as the policy's
    /// `[notices]` says. A refused line is reported with its number and
    /// why; the run fails if any was refused.
    Import {
        /// The JSON Lines file.
        file: PathBuf,
        /// The store: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        #[command(flatten)]
        engine: crate::commands::serve::EngineArgs,
    },
}

pub fn run(home: &Home, command: NoticesCommand) -> Result<ExitCode> {
    let NoticesCommand::Import { file, db, engine } = command;
    let reader = std::io::BufReader::new(
        std::fs::File::open(&file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let engine = Arc::new(engine.build(home, db.as_deref())?);
    let url = home.store_url(db.as_deref());
    crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the store {url}"))?;
        let (mut taken, mut refused) = (0_u64, 0_u64);
        for (n, line) in reader.lines().enumerate() {
            let at = format!("{}:{}", file.display(), n + 1);
            let line = line.with_context(|| format!("{at}: cannot read the line"))?;
            if line.trim().is_empty() {
                continue;
            }
            let outcome = match serde_json::from_str::<NoticeRequest>(&line) {
                Ok(request) => vigil_server::take_notice(&store, &engine, &request)
                    .await
                    .map_err(|e| format!("{}: {e}", e.kind())),
                Err(e) => Err(format!("invalid_request: not a notice: {e}")),
            };
            match outcome {
                Ok(notice) => {
                    taken += 1;
                    println!("{at}: notice {} about `{}`", notice.id, notice.item_id);
                }
                Err(why) => {
                    refused += 1;
                    eprintln!("{at}: refused: {why}");
                }
            }
        }
        store.close().await;
        println!("{taken} notices taken, {refused} refused");
        Ok(if refused == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}
