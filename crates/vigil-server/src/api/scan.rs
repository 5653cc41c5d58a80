//! Scanning: `POST /v1/scan` and `POST /v1/scan/batch`, and the path every
//! scan takes from item to stored decision.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vigil_core::{Decision, Item, Media, MediaKind, MediaSource, Meta};
use vigil_engine::{Prepared, Scan, ScanError};
use vigil_store::Scope;

use super::body::{body_bytes, is_json, read_scan_item, unsupported_type, BodyLimit};
use super::jobs::{self, JobAccepted};
use super::AppState;
use crate::auth;
use crate::error::{ApiError, ErrorBody};
use crate::json_object;

/// One attachment, inline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaIn {
    /// `image`, `audio` or `video`.
    #[schema(value_type = String, example = "image")]
    pub kind: MediaKind,
    /// The bytes, standard base64 with padding.
    pub data_base64: String,
    /// The MIME type, if known.
    #[serde(default)]
    pub mime: Option<String>,
}

/// One item to scan. Unknown fields are refused (a misspelt field would
/// otherwise be scanned as if absent).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScanItem {
    /// The caller's id for the item, echoed in the decision.
    pub id: String,
    /// The text to scan.
    #[serde(default)]
    pub text: Option<String>,
    /// Attachments, base64 inline (or send them as multipart files).
    #[serde(default, deserialize_with = "json_object::objects")]
    pub media: Vec<MediaIn>,
    /// Metadata: `lang`, `source`, `surface`, and any other string fields
    /// (`content_date` as `YYYY-MM-DD` is used by statements of reasons).
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub meta: Meta,
}

impl ScanItem {
    pub(super) fn into_item(self) -> Item {
        Item {
            id: self.id,
            text: self.text,
            media: self
                .media
                .into_iter()
                .map(|m| Media {
                    kind: m.kind,
                    source: MediaSource::Inline {
                        data_base64: m.data_base64,
                    },
                    mime: m.mime,
                })
                .collect(),
            meta: self.meta,
        }
    }
}

/// Several items.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The items, at most the server's `max_batch`.
    #[serde(deserialize_with = "json_object::objects")]
    pub items: Vec<ScanItem>,
}

/// The decisions of a batch, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// One decision per item (see `POST /v1/scan`).
    #[schema(value_type = Vec<Object>)]
    pub decisions: Vec<Decision>,
}

/// Scans items on the blocking pool, stores the decisions, and returns them
/// once committed, with whether any consulted the transformer.
///
/// The scans must finish within the request timeout. The commit is then
/// awaited whatever the clock says: a decision handed to the writer may be
/// committed, and a committed decision must reach the caller, or the log
/// would hold a decision (and owe a statement of reasons for it) that the
/// caller was told was never given.
async fn scan_and_store(
    state: &AppState,
    items: Vec<Item>,
    received: Instant,
) -> Result<(Vec<Decision>, bool), ApiError> {
    let started = Instant::now();
    let timeout = state.config.request_timeout;
    let timed_out = || {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than the limit (request_timeout) of {} ms; no decision was given",
                timeout.as_millis()
            ),
        )
    };
    let n = items.len();
    let scan_error = move |i: usize, e: ScanError| match e {
        ScanError::Input(e) => {
            let mut err = ApiError::from(e);
            if n > 1 {
                err.message = format!("items[{i}]: {}", err.message);
            }
            err
        }
        ScanError::Model(e) => ApiError::internal("model_failed", e.to_string()),
    };
    let engine = state.engine.clone();
    // Text alone is scanned here: the linear model takes microseconds. Media
    // (decoding) and the transformer go to the blocking pool.
    let has_media = items.iter().any(|i| !i.media.is_empty());
    let mut prepared = Vec::new();
    if !has_media {
        for (i, item) in items.iter().enumerate() {
            prepared.push(
                engine
                    .prepare(item, received)
                    .map_err(|e| scan_error(i, e))?,
            );
        }
    }
    let slow = has_media || prepared.iter().any(Prepared::needs_transformer);
    let finish = move |items: Vec<Item>, prepared: Vec<Prepared>| {
        let prepared = if prepared.is_empty() {
            items
                .iter()
                .enumerate()
                .map(|(i, item)| engine.prepare(item, received).map_err(|e| scan_error(i, e)))
                .collect::<Result<Vec<_>, _>>()?
        } else {
            prepared
        };
        let scans = prepared
            .into_iter()
            .enumerate()
            .map(|(i, p)| engine.finish(p).map_err(|e| scan_error(i, e)))
            .collect::<Result<Vec<Scan>, ApiError>>()?;
        Ok::<_, ApiError>((scans, items))
    };
    let (scans, items) = if slow {
        let task = tokio::task::spawn_blocking(move || finish(items, prepared));
        tokio::time::timeout(timeout, task)
            .await
            .map_err(|_| timed_out())?
            .map_err(|e| {
                ApiError::internal("scan_failed", format!("the scan task failed: {e}"))
            })??
    } else {
        finish(items, prepared)?
    };
    let mut escalated = false;
    let mut decisions = Vec::with_capacity(scans.len());
    for scan in scans {
        state
            .metrics
            .inference("text", scan.inference_us as f64 / 1e6);
        if let Some(us) = scan.transformer_us {
            state.metrics.inference("transformer", us as f64 / 1e6);
            escalated = true;
        }
        decisions.push(scan.decision);
    }
    // The timer counts whole milliseconds, so look at the clock as well.
    if started.elapsed() >= timeout {
        return Err(timed_out());
    }
    // The texts a shadow model scores once the decisions are stored.
    let shadow_texts: Vec<Option<String>> = match &state.shadow {
        Some(_) => items.iter().map(|i| i.text.clone()).collect(),
        None => Vec::new(),
    };
    // The review queue entries, written with the decisions.
    let policy = state.engine.policy();
    let reviews = crate::review_routing::review_entries(&policy.policy, &decisions, &items);
    // Content is kept only when the policy in force asks for it.
    let contents = if policy.policy.log.store_content {
        decisions.iter().map(|d| d.id).zip(items).collect()
    } else {
        Vec::new()
    };
    state
        .writer
        .write(decisions.clone(), contents, reviews)
        .await
        .map_err(|e| {
            ApiError::internal(
                "store_unavailable",
                format!("the decision could not be stored, so it is not given: {e}"),
            )
        })?;
    for d in &decisions {
        state.metrics.decision(d);
    }
    if let Some(shadow) = &state.shadow {
        for (d, text) in decisions.iter().zip(&shadow_texts) {
            if let Some(text) = text {
                shadow.offer(d, text);
            }
        }
    }
    Ok((decisions, escalated))
}

/// Scan one item.
///
/// The decision is stored before it is returned. Send JSON, or
/// multipart/form-data with an `item` part and `image`/`audio`/`video` files.
/// An item with audio or video over the server's `job_over_bytes` is checked
/// as any item is, then queued as a job: the answer is `202 Accepted` with
/// the job's URL (also in `Location`), and `GET /v1/jobs/{id}` gives the
/// decision once a worker has scanned it.
#[utoipa::path(
    post,
    path = "/v1/scan",
    request_body(content = ScanItem, description = "the item (or multipart/form-data)"),
    responses(
        (status = 200, description = "the decision: action, per-category scores, thresholds and evidence, reasons, policy and model versions, id, latency (docs/formats.md)", body = Object),
        (status = 202, description = "queued as a job (audio or video over job_over_bytes): poll the job's URL, also in `Location`", body = JobAccepted),
        (status = 400, description = "malformed JSON or multipart", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `scan` scope", body = ErrorBody),
        (status = 413, description = "a size limit was exceeded (body, text, media, job media, pixels)", body = ErrorBody),
        (status = 415, description = "neither JSON nor multipart", body = ErrorBody),
        (status = 422, description = "well-formed but invalid: wrong types, unknown fields, empty item, bad base64, corrupt media", body = ErrorBody),
        (status = 503, description = "the scan took longer than request_timeout; no decision was given", body = ErrorBody),
    ),
    security(("api_key" = ["scan"])),
    tag = "scan"
)]
pub(super) async fn scan(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let received = Instant::now();
    auth::require(&state.store, request.headers(), Scope::Scan).await?;
    let (item, body_len) = read_scan_item(request, &state).await?;
    if jobs::is_job(&item, &state.config) {
        return jobs::enqueue(&state, item).await;
    }
    jobs::check_request_limits(&item, body_len, &state.config)?;
    let (mut decisions, escalated) = scan_and_store(&state, vec![item], received).await?;
    state.metrics.scan(
        if escalated { "cascade" } else { "linear" },
        received.elapsed().as_secs_f64(),
    );
    let decision = decisions
        .pop()
        .ok_or_else(|| ApiError::internal("scan_failed", "the scan returned no decision"))?;
    Ok(Json(decision).into_response())
}

/// Scan several items in one request.
///
/// All items are checked first: one invalid item refuses the whole batch,
/// naming its index. The decisions are stored in one transaction.
#[utoipa::path(
    post,
    path = "/v1/scan/batch",
    request_body = BatchRequest,
    responses(
        (status = 200, description = "one decision per item, in order", body = BatchResponse),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `scan` scope", body = ErrorBody),
        (status = 413, description = "a size limit was exceeded, or more items than max_batch", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "an item is invalid", body = ErrorBody),
        (status = 503, description = "the scans took longer than request_timeout; no decision was given", body = ErrorBody),
    ),
    security(("api_key" = ["scan"])),
    tag = "scan"
)]
pub(super) async fn scan_batch(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let received = Instant::now();
    auth::require(&state.store, request.headers(), Scope::Scan).await?;
    if !is_json(request.headers()) {
        return Err(unsupported_type(request.headers()));
    }
    let bytes = body_bytes(request, &state, BodyLimit::Request).await?;
    let batch: BatchRequest =
        json_object::from_slice(&bytes).map_err(|e| ApiError::from_json(&e))?;
    if batch.items.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_batch",
            "the batch has no items",
        ));
    }
    if batch.items.len() > state.config.max_batch {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!(
                "the batch has {} items; the limit (max_batch) is {}",
                batch.items.len(),
                state.config.max_batch
            ),
        ));
    }
    let items: Vec<Item> = batch.items.into_iter().map(ScanItem::into_item).collect();
    for (i, item) in items.iter().enumerate() {
        let at_index = |mut err: ApiError| {
            err.message = format!("items[{i}]: {}", err.message);
            err
        };
        jobs::check_request_limits(item, 0, &state.config).map_err(at_index)?;
        vigil_engine::check_item(item, state.engine.limits())
            .map_err(|e| at_index(ApiError::from(e)))?;
    }
    let (decisions, _) = scan_and_store(&state, items, received).await?;
    Ok(Json(BatchResponse { decisions }).into_response())
}
