//! Scan jobs over HTTP: which items `POST /v1/scan` queues instead of
//! scanning (audio or video over `job_over_bytes`), queuing them
//! (`202 Accepted`), and `GET /v1/jobs/{id}`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use vigil_core::{Decision, Item, MediaKind, MediaSource};
use vigil_engine::Limits;
use vigil_store::{JobId, JobState, JobStatus, Scope};

use super::body::{body_too_large, BodyLimit};
use super::AppState;
use crate::auth;
use crate::error::{ApiError, ErrorBody};
use crate::ServeConfig;

/// `202 Accepted` body of `POST /v1/scan` for an item queued as a job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobAccepted {
    /// The job.
    pub job: JobLink,
}

/// A queued job and where to ask about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobLink {
    /// The job id (a UUID).
    pub id: String,
    /// `queued`.
    pub status: String,
    /// `GET` it for the status and, once done, the decision.
    #[schema(example = "/v1/jobs/01a21a80-7031-762a-94fe-9b972b03fbbb")]
    pub url: String,
}

/// A scan job's status.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobResponse {
    /// The job id.
    pub id: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// How many times a worker claimed it (a crashed worker's job is
    /// claimed again, at most 3 times).
    pub attempts: u32,
    /// The decision, when `done` (as `POST /v1/scan` returns one).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub decision: Option<Decision>,
    /// Why, when `failed`: the scan error's `kind` (`corrupt_media`, …)
    /// or `attempts_exhausted`, and its message.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub error: Option<vigil_store::JobError>,
    /// When it was queued (RFC 3339).
    pub created_at: String,
    /// When it last changed (RFC 3339).
    pub updated_at: String,
}

/// Whether `item` is scanned as a job: an audio or video attachment of
/// more than `job_over_bytes` decoded bytes.
pub(super) fn is_job(item: &Item, config: &ServeConfig) -> bool {
    item.media.iter().any(|m| {
        matches!(m.kind, MediaKind::Audio | MediaKind::Video)
            && inline_len(&m.source).is_some_and(|n| n > config.job_over_bytes)
    })
}

/// The limits of a scan answered in its request that the engine does not
/// check itself: the body within `max_body_bytes`, each attachment within
/// the server's `max_media_bytes`. Sizes come from the base64 length, so
/// nothing is decoded here.
pub(super) fn check_request_limits(
    item: &Item,
    body_len: usize,
    config: &ServeConfig,
) -> Result<(), ApiError> {
    if body_len > config.max_body_bytes {
        return Err(body_too_large(config, BodyLimit::Request));
    }
    check_media_sizes(item, config, false)
}

/// Each attachment within its limit: a job's audio and video within
/// `max_job_media_bytes`, anything else within `max_media_bytes`.
fn check_media_sizes(item: &Item, config: &ServeConfig, job: bool) -> Result<(), ApiError> {
    for (index, m) in item.media.iter().enumerate() {
        let (limit, name) = if job && m.kind != MediaKind::Image {
            (config.max_job_media_bytes, "max_job_media_bytes")
        } else {
            (config.max_media_bytes, "max_media_bytes")
        };
        if let Some(bytes) = inline_len(&m.source).filter(|n| *n > limit) {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "media_too_large",
                format!("media[{index}] is {bytes} bytes; the limit ({name}) is {limit}"),
            ));
        }
    }
    Ok(())
}

/// The decoded length of inline base64 (padding discounted), from its
/// length alone; `None` for a path.
fn inline_len(source: &MediaSource) -> Option<usize> {
    match source {
        MediaSource::Inline { data_base64 } => {
            let text = data_base64.trim();
            let padding = text.bytes().rev().take(2).filter(|b| *b == b'=').count();
            Some((text.len() / 4 * 3).saturating_sub(padding))
        }
        MediaSource::Path { .. } => None,
    }
}

/// Checks a job's item as a scan would be checked (on the blocking pool:
/// it decodes the base64 of up to `max_job_media_bytes`), queues it, and
/// answers `202 Accepted` with its URL in `Location`.
pub(super) async fn enqueue(state: &AppState, item: Item) -> Result<Response, ApiError> {
    check_media_sizes(&item, &state.config, true)?;
    let limits = Limits {
        max_media_bytes: state
            .config
            .max_job_media_bytes
            .max(state.config.max_media_bytes),
        ..*state.engine.limits()
    };
    let item = tokio::task::spawn_blocking(move || {
        vigil_engine::check_item(&item, &limits).map(|_| ())?;
        Ok::<Item, ApiError>(item)
    })
    .await
    .map_err(|e| ApiError::internal("scan_failed", format!("the check task failed: {e}")))??;
    let id = state.store.enqueue_job(&item).await.map_err(|e| {
        ApiError::internal(
            "store_unavailable",
            format!("the job could not be queued: {e}"),
        )
    })?;
    state.metrics.job_enqueued();
    let url = format!("/v1/jobs/{id}");
    let body = JobAccepted {
        job: JobLink {
            id: id.to_string(),
            status: JobState::Queued.as_str().to_owned(),
            url: url.clone(),
        },
    };
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, url)], Json(body)).into_response())
}

/// A scan job: its status, and its decision once done.
///
/// `POST /v1/scan` queues an item with audio or video over the server's
/// `job_over_bytes` as a job and answers `202` with this URL. Poll it until
/// `status` is `done` (with `decision`) or `failed` (with `error`).
#[utoipa::path(
    get,
    path = "/v1/jobs/{id}",
    params(("id" = String, Path, description = "the job id (UUID)")),
    responses(
        (status = 200, description = "the job: status, attempts, and the decision when done or the error when failed", body = JobResponse),
        (status = 400, description = "not a job id", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `scan` scope", body = ErrorBody),
        (status = 404, description = "no such job", body = ErrorBody),
    ),
    security(("api_key" = ["scan"])),
    tag = "scan"
)]
pub(super) async fn get_job(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Scan).await?;
    let id: JobId = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("`{id}` is not a job id (a UUID)"),
        )
    })?;
    match state.store.get_job(id).await {
        Ok(Some(job)) => Ok(Json(job_response(job)).into_response()),
        Ok(None) => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no job {id}"),
        )),
        Err(e) => Err(ApiError::internal("store_unavailable", e.to_string())),
    }
}

fn job_response(job: JobStatus) -> JobResponse {
    let time = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    JobResponse {
        id: job.id.to_string(),
        status: job.state.as_str().to_owned(),
        attempts: job.attempts,
        decision: job.decision,
        error: job.error,
        created_at: time(job.created_at),
        updated_at: time(job.updated_at),
    }
}
