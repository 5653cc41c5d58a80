//! The job worker: claims scan jobs from the store, scans each on the
//! blocking pool, and stores the decision (or the scan error) under the
//! job. The server runs [`run_job_worker`] in-process (`workers` of them)
//! and `vigil worker` runs the same loop in a process of its own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use vigil_engine::{Engine, ScanError};
use vigil_store::{ClaimedJob, Store, StoreError};

use crate::{log, Metrics};

/// How a job worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The worker's name in the store's leases, unique among workers.
    pub owner: String,
    /// How long a claim lasts without renewal; a worker renews it every
    /// third of it while it scans, so a crashed worker's job is claimed
    /// again about this long after the crash.
    pub lease: Duration,
    /// How long to wait before looking again when no job is queued.
    pub idle_poll: Duration,
}

impl WorkerOptions {
    /// Options for a worker named `name` plus this process's id and a
    /// random suffix (so that names are unique across processes and
    /// restarts), with a 60 s lease and a 250 ms idle poll.
    pub fn named(name: &str) -> WorkerOptions {
        WorkerOptions {
            owner: format!(
                "{name}-{}-{}",
                std::process::id(),
                vigil_core::DecisionId::new()
            ),
            lease: Duration::from_secs(60),
            idle_poll: Duration::from_millis(250),
        }
    }
}

/// Claims and processes jobs until the task is dropped (the runtime shuts
/// down or the process is killed). Each job is scanned by
/// [`Engine::scan`] on the blocking pool, never on the runtime's threads;
/// the decision is stored with [`Store::complete_job`]. An item the scan
/// refuses (a corrupt video, …) fails the job with the error's kind and
/// message: it would fail the same way again. A worker that dies mid-scan
/// leaves its lease to run out, and another worker takes the job.
pub async fn run_job_worker(
    engine: Arc<Engine>,
    store: Store,
    options: WorkerOptions,
    metrics: Arc<Metrics>,
) {
    loop {
        match store.claim_job(&options.owner, options.lease).await {
            Ok(Some(job)) => process(&engine, &store, &options, &metrics, job).await,
            Ok(None) => tokio::time::sleep(options.idle_poll).await,
            Err(e) => {
                log("error", format_args!("cannot claim a scan job: {e}"));
                tokio::time::sleep(options.idle_poll).await;
            }
        }
    }
}

/// What became of one job.
enum Outcome {
    /// The decision, and the review queue entry it routes to.
    Done(
        Box<vigil_core::Decision>,
        Option<Box<vigil_store::NewReview>>,
    ),
    Failed {
        kind: &'static str,
        message: String,
    },
}

async fn process(
    engine: &Arc<Engine>,
    store: &Store,
    options: &WorkerOptions,
    metrics: &Metrics,
    job: ClaimedJob,
) {
    let started = Instant::now();
    let id = job.id;
    log(
        "info",
        format_args!(
            "job {id}: scanning item `{}` (attempt {})",
            job.item.id, job.attempts
        ),
    );
    metrics.job_started();
    let outcome = scan_holding_lease(engine, store, options, job).await;
    let seconds = started.elapsed().as_secs_f64();
    let (result, stored) = match outcome {
        Outcome::Done(decision, review) => {
            let keep_content = engine.policy().policy.log.store_content;
            let stored = store
                .complete_job(
                    id,
                    &options.owner,
                    &decision,
                    keep_content,
                    review.as_deref(),
                )
                .await;
            if stored.is_ok() {
                metrics.decision(&decision);
                log(
                    "info",
                    format_args!(
                        "job {id}: done in {seconds:.2} s, decision {} ({})",
                        decision.id,
                        decision.action.as_str()
                    ),
                );
            }
            ("done", stored)
        }
        Outcome::Failed { kind, message } => {
            let stored = store.fail_job(id, &options.owner, kind, &message).await;
            if stored.is_ok() {
                log(
                    "info",
                    format_args!("job {id}: failed in {seconds:.2} s: {kind}: {message}"),
                );
            }
            ("failed", stored)
        }
    };
    match stored {
        Ok(()) => metrics.job_finished(result, seconds),
        Err(StoreError::JobLeaseLost { .. }) => {
            metrics.job_finished("lease_lost", seconds);
            log(
                "warn",
                format_args!(
                    "job {id}: its lease was lost (another worker took it over); this result is dropped"
                ),
            );
        }
        Err(e) => {
            // The lease runs out and another worker (or this one) tries again.
            metrics.job_finished("store_error", seconds);
            log(
                "error",
                format_args!("job {id}: the result could not be stored: {e}"),
            );
        }
    }
}

/// Scans the job's item on the blocking pool, renewing the lease every
/// third of its length until the scan ends.
async fn scan_holding_lease(
    engine: &Arc<Engine>,
    store: &Store,
    options: &WorkerOptions,
    job: ClaimedJob,
) -> Outcome {
    let scanner = engine.clone();
    let item = job.item;
    let mut scan = tokio::task::spawn_blocking(move || {
        let scanned = scanner.scan(&item, Instant::now());
        (item, scanned)
    });
    let renew_every = (options.lease / 3).max(Duration::from_millis(10));
    let mut renew =
        tokio::time::interval_at(tokio::time::Instant::now() + renew_every, renew_every);
    let joined = loop {
        tokio::select! {
            joined = &mut scan => break joined,
            _ = renew.tick() => {
                if let Err(e) = store.extend_job_lease(job.id, &options.owner, options.lease).await {
                    log("warn", format_args!("job {}: cannot extend the lease: {e}", job.id));
                }
            }
        }
    };
    match joined {
        Ok((item, Ok(scan))) => {
            let review =
                crate::review_routing::review_entry(&engine.policy().policy, &scan.decision, &item);
            Outcome::Done(Box::new(scan.decision), review.map(Box::new))
        }
        Ok((_, Err(ScanError::Input(e)))) => Outcome::Failed {
            kind: e.kind(),
            message: e.to_string(),
        },
        Ok((_, Err(ScanError::Model(e)))) => Outcome::Failed {
            kind: "model_failed",
            message: e.to_string(),
        },
        Err(e) => Outcome::Failed {
            kind: "scan_failed",
            message: format!("the scan task failed: {e}"),
        },
    }
}
