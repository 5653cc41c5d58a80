//! `vigil scan`: decide files (images) or a text from the command line with
//! the same engine the service runs, and log the decisions.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use vigil_cli::home::Home;
use vigil_core::{Item, Media, MediaKind, MediaSource};
use vigil_store::Store;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Image files to scan, one item each.
    files: Vec<PathBuf>,
    /// A text to scan (one more item).
    #[arg(long)]
    text: Option<String>,
    /// The decision log: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    #[command(flatten)]
    engine: crate::commands::serve::EngineArgs,
}

/// One item per file (its path is the item id) and one for `--text`.
fn items(args: &ScanArgs) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    for path in &args.files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        items.push(Item {
            id: path.display().to_string(),
            text: None,
            media: vec![Media {
                kind: MediaKind::Image,
                source: MediaSource::Inline {
                    data_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
                },
                mime: None,
            }],
            meta: Default::default(),
        });
    }
    if let Some(text) = &args.text {
        items.push(Item::text("text", text.clone()));
    }
    if items.is_empty() {
        bail!("nothing to scan: give image files or --text");
    }
    Ok(items)
}

pub fn run(home: &Home, args: ScanArgs) -> Result<ExitCode> {
    let items = items(&args)?;
    let engine = args.engine.build(home)?;
    let url = args
        .db
        .clone()
        .unwrap_or_else(|| home.store_path().display().to_string());
    crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the decision log {url}"))?;
        engine.replace_banks(
            vigil_server::load_banks(&store)
                .await
                .map_err(|e| anyhow::anyhow!("cannot load the hash banks: {e}"))?,
        );
        for problem in vigil_server::check_policy_banks(&store, &engine.policy().policy).await {
            eprintln!("warning: {problem}");
        }
        let mut failed = 0;
        let stdout = std::io::stdout();
        for item in &items {
            match engine.scan(item, Instant::now()) {
                Ok(scan) => {
                    store
                        .insert_decision(&scan.decision)
                        .await
                        .context("cannot log the decision")?;
                    let line = serde_json::to_string(&scan.decision)?;
                    writeln!(stdout.lock(), "{line}")?;
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("{}: {e}", item.id);
                }
            }
        }
        store.close().await;
        Ok(if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}
