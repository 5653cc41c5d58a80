//! The pre-publish scanning service: an HTTP API over [`vigil_engine`].
//!
//! Every scan is decided by [`vigil_engine::Engine::scan`], stored through
//! the group-commit [`writer::DecisionWriter`] and only then answered, so a
//! decision a client has seen is in the log. Requests carry an API key
//! (`Authorization: Bearer …`) whose scopes the store checks; `/healthz`,
//! `/readyz`, `/metrics` and `/openapi.json` are open. The policy file is
//! watched and swapped in when a valid new version appears; an invalid one
//! is refused and logged while the old one keeps serving. The reviewer's
//! web page is served at `/review` (`ui`); its scripts call the review API
//! with the reviewer's key.
//!
//! Items with audio or video over [`ServeConfig::job_over_bytes`] become
//! scan jobs: `POST /v1/scan` answers `202 Accepted` with the job's URL,
//! and a job worker ([`run_job_worker`], in the server's process or in
//! `vigil worker` through [`work`]) scans them on the blocking pool.

mod api;
mod auth;
mod banks;
mod error;
mod jobs;
mod json_object;
mod media_banks;
mod metrics;
mod notices;
pub mod online_gauges;
mod review_quality;
mod review_routing;
mod shadow;
mod statements;
mod ui;
mod writer;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use api::{openapi, parse_instant, router, AppState};
pub use banks::{check_policy_banks, load_banks};
pub use error::{ApiError, ErrorBody};
pub use jobs::{run_job_worker, WorkerOptions};
pub use media_banks::load_media_banks;
pub use metrics::Metrics;
pub use notices::{
    notice_statement, take_notice, IntakeError, NoticeRequest, NoticeStatementError,
};
pub use review_quality::{all_reviewed, quality_report, QualityError};
pub use review_routing::{review_entries, review_entry};
pub use shadow::ShadowModel;
pub use statements::{export_statements, export_statements_page, Exported, PolicySource};
pub use writer::DecisionWriter;

use vigil_engine::{Engine, PolicyState};
use vigil_store::Store;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Largest request body read, in bytes.
    pub max_body_bytes: usize,
    /// Most items in one batch request.
    pub max_batch: usize,
    /// Time allowed for one request's scans. Decisions scanned in time are
    /// then committed and returned, however long the commit takes: a
    /// committed decision is never withheld.
    pub request_timeout: Duration,
    /// How often the policy file and the hash banks are checked for
    /// changes; `None`: never.
    pub reload_every: Option<Duration>,
    /// Decisions older than this are deleted (checked hourly); `None`: the
    /// policy's `[log] retention_days`, else kept.
    pub retention: Option<Duration>,
    /// Largest decoded attachment of an item scanned inside its request,
    /// in bytes; refused over it with `media_too_large`. The engine's own
    /// limit must allow `max_job_media_bytes` for jobs to be scanned, so
    /// this one bounds the scans answered at once.
    pub max_media_bytes: usize,
    /// An item with an audio or video attachment of more decoded bytes
    /// than this is not scanned in its request but queued as a job
    /// (`202 Accepted`).
    pub job_over_bytes: usize,
    /// Largest decoded audio or video attachment of a job, in bytes. The
    /// request body limit of `POST /v1/scan` is raised to allow it.
    pub max_job_media_bytes: usize,
    /// Job workers run in the server's process; 0: jobs wait for an
    /// outside `vigil worker`.
    pub workers: usize,
    /// A candidate text model run in shadow: it scores the text of every
    /// item scanned in a request, after the decision is stored and
    /// answered, and its scores are stored beside the decision's id
    /// (`vigil models shadow-report`). Decisions are unchanged by it.
    pub shadow: Option<Arc<ShadowModel>>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 16 * 1024 * 1024,
            max_batch: 100,
            request_timeout: Duration::from_secs(10),
            reload_every: Some(Duration::from_secs(1)),
            retention: None,
            max_media_bytes: vigil_engine::Limits::default().max_media_bytes,
            job_over_bytes: 2 * 1024 * 1024,
            max_job_media_bytes: 200 * 1024 * 1024,
            workers: 1,
            shadow: None,
        }
    }
}

/// How `vigil worker` runs: job workers beside (or instead of) a server's.
#[derive(Debug, Clone)]
pub struct WorkConfig {
    /// Job workers in this process.
    pub workers: usize,
    /// How often the policy file and the hash banks are checked for
    /// changes; `None`: never.
    pub reload_every: Option<Duration>,
}

/// One line to stderr: `time level message`.
pub fn log(level: &str, message: impl std::fmt::Display) {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    eprintln!("{now} {level} {message}");
}

/// Serves until Ctrl-C or SIGTERM. `ready` is called with the bound address
/// once the listener is open.
pub async fn serve(
    engine: Arc<Engine>,
    store: Store,
    config: ServeConfig,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let metrics = Arc::new(Metrics::default());
    let state = AppState::new(
        engine.clone(),
        store.clone(),
        metrics.clone(),
        config.clone(),
    );
    tokio::spawn(apply_retention(
        engine.clone(),
        store.clone(),
        config.retention,
    ));
    prepare_engine(&engine, &store, &metrics, config.reload_every).await?;
    if engine.limits().max_media_bytes < config.max_job_media_bytes {
        log(
            "warn",
            format_args!(
                "the engine scans attachments of at most {} bytes (max_media_bytes), fewer than max_job_media_bytes ({}): larger jobs will fail with media_too_large",
                engine.limits().max_media_bytes,
                config.max_job_media_bytes
            ),
        );
    }
    start_job_workers(&engine, &store, &metrics, config.workers, "serve");
    tokio::spawn(online_gauges::refresh_online_gauges(
        engine.clone(),
        store.clone(),
        metrics.clone(),
    ));
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    ready(addr);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Runs `config.workers` job workers until Ctrl-C or SIGTERM, with the
/// policy and the hash banks loaded (and reloaded) as `serve` does: what
/// `vigil worker` runs. A scan interrupted by the signal leaves its job to
/// be claimed again once its lease runs out.
pub async fn work(engine: Arc<Engine>, store: Store, config: WorkConfig) -> std::io::Result<()> {
    let metrics = Arc::new(Metrics::default());
    prepare_engine(&engine, &store, &metrics, config.reload_every).await?;
    start_job_workers(&engine, &store, &metrics, config.workers, "worker");
    shutdown_signal().await;
    Ok(())
}

/// Records the policy, loads the hash banks into the engine, and starts
/// watching both for changes.
async fn prepare_engine(
    engine: &Arc<Engine>,
    store: &Store,
    metrics: &Arc<Metrics>,
    reload_every: Option<Duration>,
) -> std::io::Result<()> {
    if let Some(every) = reload_every {
        tokio::spawn(watch_policy(
            engine.clone(),
            store.clone(),
            metrics.clone(),
            every,
        ));
    }
    record_policy(store, &engine.policy()).await?;
    let banks = load_banks(store)
        .await
        .map_err(|e| std::io::Error::other(format!("cannot load the hash banks: {e}")))?;
    log(
        "info",
        format_args!(
            "hash banks: {} entries at version {}",
            banks.len(),
            banks.version()
        ),
    );
    engine.replace_banks(banks);
    let media = load_media_banks(store).await.map_err(|e| {
        std::io::Error::other(format!("cannot load the video and audio banks: {e}"))
    })?;
    log(
        "info",
        format_args!(
            "video and audio banks: {} entries at version {}",
            media.len(),
            media.version()
        ),
    );
    engine.replace_media_banks(media);
    for problem in check_policy_banks(store, &engine.policy().policy).await {
        log("warn", problem);
    }
    if let Some(every) = reload_every {
        tokio::spawn(banks::watch_banks(engine.clone(), store.clone(), every));
    }
    Ok(())
}

/// Spawns `count` job workers named after `name`.
fn start_job_workers(
    engine: &Arc<Engine>,
    store: &Store,
    metrics: &Arc<Metrics>,
    count: usize,
    name: &str,
) {
    for _ in 0..count {
        let options = WorkerOptions::named(name);
        log("info", format_args!("job worker {} started", options.owner));
        tokio::spawn(run_job_worker(
            engine.clone(),
            store.clone(),
            options,
            metrics.clone(),
        ));
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    log("info", "shutting down: finishing requests in flight");
}

/// Checks the policy file every `every`; a changed file is validated and
/// swapped in, an invalid one refused with its diagnostics logged.
/// Keeps the policy file in the store, by digest, before any decision is
/// taken under it: statements of reasons are written under the policy that
/// took each decision.
async fn record_policy(store: &Store, state: &PolicyState) -> std::io::Result<()> {
    store
        .record_policy(&vigil_store::StoredPolicy {
            digest: state.digest.clone(),
            name: state.policy.version.name.clone(),
            version: state.policy.version.version.clone(),
            text: state.text.clone(),
        })
        .await
        .map_err(|e| std::io::Error::other(format!("cannot record the policy in the store: {e}")))
}

async fn watch_policy(engine: Arc<Engine>, store: Store, metrics: Arc<Metrics>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut refused_digest: Option<String> = None;
    loop {
        tick.tick().await;
        let current = engine.policy();
        let path: PathBuf = current.path.clone();
        let Ok(digest) = PolicyState::digest_on_disk(&path) else {
            continue; // Mid-rename or removed: keep serving, look again.
        };
        if digest == current.digest || refused_digest.as_deref() == Some(digest.as_str()) {
            continue;
        }
        match tokio::task::spawn_blocking(move || PolicyState::load(&path)).await {
            Ok(Ok(state)) => {
                if let Err(e) = record_policy(&store, &state).await {
                    // Not swapped in: a decision under an unrecorded policy
                    // could not be explained later. Try again next tick.
                    log("error", format_args!("policy change not applied: {e}"));
                    continue;
                }
                log(
                    "info",
                    format_args!(
                        "policy reloaded: {} {} ({})",
                        state.policy.version.name, state.policy.version.version, state.digest
                    ),
                );
                for problem in check_policy_banks(&store, &state.policy).await {
                    log("warn", problem);
                }
                engine.replace_policy(state);
                metrics.reload("applied");
                refused_digest = None;
            }
            Ok(Err(e)) => {
                log(
                    "error",
                    format_args!(
                        "policy change refused; still serving {} {}:\n{e}",
                        current.policy.version.name, current.policy.version.version
                    ),
                );
                metrics.reload("refused");
                refused_digest = Some(digest);
            }
            Err(e) => log("error", format_args!("policy reload task failed: {e}")),
        }
    }
}

/// Deletes decisions older than the retention period, once an hour: `keep`
/// when the operator set one, else the `[log] retention_days` of the policy
/// in force (read at each pass, so a reloaded policy applies). In the same
/// pass, clears the content of review items done more than the policy's
/// `[review] content_retention_days` ago (their verdicts stay).
async fn apply_retention(engine: Arc<Engine>, store: Store, keep: Option<Duration>) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let policy = engine.policy();
        let review_days = u64::from(policy.policy.review.content_retention_days);
        let review_cutoff =
            time::OffsetDateTime::now_utc() - Duration::from_secs(review_days * 86_400);
        match store.purge_review_content_done_before(review_cutoff).await {
            Ok(0) => {}
            Ok(n) => log(
                "info",
                format_args!("retention: cleared the content of {n} reviewed items"),
            ),
            Err(e) => log("error", format_args!("review content purge failed: {e}")),
        }
        let Some(keep) = keep.or_else(|| {
            policy
                .policy
                .log
                .retention_days
                .map(|d| Duration::from_secs(u64::from(d) * 86_400))
        }) else {
            continue;
        };
        let cutoff = time::OffsetDateTime::now_utc() - keep;
        match store.purge_decisions_before(cutoff).await {
            Ok(0) => {}
            Ok(n) => log(
                "info",
                format_args!("retention: deleted {n} decisions before {cutoff}"),
            ),
            Err(e) => log("error", format_args!("retention purge failed: {e}")),
        }
    }
}
