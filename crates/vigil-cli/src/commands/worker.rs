//! `vigil worker`: scans the jobs `vigil serve` queues (items with long
//! audio or video), with the engine `vigil serve` builds and the server's
//! own job loop ([`vigil_server::work`]), until stopped.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use vigil_cli::home::Home;
use vigil_server::{log, ServeConfig, WorkConfig};
use vigil_store::Store;

use crate::commands::serve::EngineArgs;

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The store the server queues jobs in: a SQLite path or
    /// `sqlite://PATH`. Default: HOME/vigil.db.
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    #[command(flatten)]
    engine: EngineArgs,
    /// Jobs scanned at once (each on a thread of its own).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Largest decoded audio or video attachment of a job, in bytes: the
    /// engine's limit is raised to it (as `vigil serve --max-job-media-bytes`).
    #[arg(long, default_value_t = ServeConfig::default().max_job_media_bytes)]
    max_job_media_bytes: usize,
    /// How often to check the policy file and the hash banks for changes,
    /// in milliseconds (0: never).
    #[arg(long, default_value_t = 1000)]
    reload_ms: u64,
}

pub fn run(home: &Home, mut args: WorkerArgs) -> Result<ExitCode> {
    args.engine.allow_job_media_bytes(args.max_job_media_bytes);
    let engine = Arc::new(
        args.engine
            .build(home, args.db.as_deref())
            .context("the worker does not start")?,
    );
    let url = home.store_url(args.db.as_deref());
    let config = WorkConfig {
        workers: args.workers.max(1),
        reload_every: (args.reload_ms > 0).then(|| Duration::from_millis(args.reload_ms)),
    };
    let runtime = crate::commands::store::runtime()?;
    runtime.block_on(async move {
        let store = Store::open(&url)
            .await
            .with_context(|| format!("cannot open the store {url}"))?;
        let p = engine.policy();
        log(
            "info",
            format_args!(
                "{} job worker(s) on {url} (policy {} {})",
                config.workers, p.policy.version.name, p.policy.version.version
            ),
        );
        vigil_server::work(engine.clone(), store.clone(), config)
            .await
            .context("the worker stopped with an error")?;
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}
