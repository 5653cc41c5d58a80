//! `vigil scan`: decide files (images, audio, video), a text, or a file of
//! items from the command line with the same engine the service runs, and
//! log the decisions.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use vigil_cli::home::Home;
use vigil_core::{Item, Media, MediaKind, MediaSource};
use vigil_store::Store;

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Media files to scan (images, audio, video; the kind is told by the
    /// file's first bytes), one item each, the path its id.
    files: Vec<PathBuf>,
    /// A text to scan (one more item).
    #[arg(long)]
    text: Option<String>,
    /// A JSON Lines file of items in the canonical form (docs/formats.md);
    /// media `path`s are relative to the file's folder. One decision per
    /// line is printed, in the file's order.
    #[arg(long, value_name = "FILE")]
    items: Option<PathBuf>,
    /// The decision log: a SQLite path or `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    #[command(flatten)]
    engine: crate::commands::serve::EngineArgs,
}

/// One item per file (its path is the item id), one for `--text`, then the
/// items of `--items`.
fn items(args: &ScanArgs) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    for path in &args.files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let kind = vigil_engine::sniff_media_kind(&bytes).with_context(|| {
            format!(
                "{}: not an image, audio or video format Vigil recognises",
                path.display()
            )
        })?;
        items.push(Item {
            id: path.display().to_string(),
            text: None,
            media: vec![inline(kind, &bytes)],
            meta: Default::default(),
        });
    }
    if let Some(text) = &args.text {
        items.push(Item::text("text", text.clone()));
    }
    if let Some(file) = &args.items {
        items.extend(read_items(file)?);
    }
    if items.is_empty() {
        bail!("nothing to scan: give media files, --text or --items");
    }
    Ok(items)
}

fn inline(kind: MediaKind, bytes: &[u8]) -> Media {
    Media {
        kind,
        source: MediaSource::Inline {
            data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        },
        mime: None,
    }
}

/// Reads a JSON Lines file of items, loading each media `path` (relative to
/// the file's folder) into the item, since the engine never reads paths.
/// A bad line is an error naming its line number: no item is skipped.
pub(crate) fn read_items(file: &Path) -> Result<Vec<Item>> {
    let folder = file.parent().unwrap_or(Path::new("."));
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let mut items = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", file.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{}:{}", file.display(), n + 1);
        let mut item: Item =
            serde_json::from_str(&line).with_context(|| format!("{}: not an item", at()))?;
        for m in &mut item.media {
            if let MediaSource::Path { path } = &m.source {
                let full = folder.join(path);
                let bytes = std::fs::read(&full)
                    .with_context(|| format!("{}: cannot read media {}", at(), full.display()))?;
                *m = Media {
                    mime: m.mime.take(),
                    ..inline(m.kind, &bytes)
                };
            }
        }
        items.push(item);
    }
    Ok(items)
}

pub fn run(home: &Home, args: ScanArgs) -> Result<ExitCode> {
    let items = items(&args)?;
    let engine = args.engine.build(home, args.db.as_deref())?;
    let url = home.store_url(args.db.as_deref());
    crate::commands::store::runtime()?.block_on(async {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the decision log {url}"))?;
        engine.replace_banks(
            vigil_server::load_banks(&store)
                .await
                .map_err(|e| anyhow::anyhow!("cannot load the hash banks: {e}"))?,
        );
        engine.replace_media_banks(
            vigil_server::load_media_banks(&store)
                .await
                .map_err(|e| anyhow::anyhow!("cannot load the video and audio banks: {e}"))?,
        );
        for problem in vigil_server::check_policy_banks(&store, &engine.policy().policy).await {
            eprintln!("warning: {problem}");
        }
        let mut failed = 0;
        let stdout = std::io::stdout();
        for item in &items {
            match engine.scan(item, Instant::now()) {
                Ok(scan) => {
                    // As the server logs a scan: the content when the
                    // policy keeps it, and the review entry it routes to,
                    // in the decision's own transaction.
                    let policy = &engine.policy().policy;
                    let d = std::slice::from_ref(&scan.decision);
                    let review =
                        vigil_server::review_entries(policy, d, std::slice::from_ref(item));
                    let content = [(scan.decision.id, item)];
                    let content: &[_] = if policy.log.store_content {
                        &content
                    } else {
                        &[]
                    };
                    store
                        .log_decisions(d, content, &review.iter().collect::<Vec<_>>())
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
