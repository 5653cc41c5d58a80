//! Putting items before reviewers and learning from them (docs/review.md):
//! appeals (filed with a `scan` key, for the platform's user), gold items,
//! reviewers' gold results and the training-data export (`admin`).

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigil_core::{DecisionId, Item, Labels};
use vigil_store::Scope;

use super::review::{parse_item_id, review_error};
use super::AppState;
use crate::auth;
use crate::error::{ApiError, ErrorBody};

/// Rows one export returns when the query does not say.
const DEFAULT_EXPORT: u32 = 1000;
/// Most rows one export returns.
const MAX_EXPORT: u32 = 10_000;

/// `POST /v1/decisions/{id}/appeals` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// Why the decision is wrong, in the user's words.
    statement: String,
    /// The item as scanned; needed only when the decision log kept no
    /// content. Its id must be the decision's item id.
    #[schema(value_type = Option<Object>)]
    item: Option<Item>,
}

/// `POST /v1/review/gold` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoldRequest {
    /// The content.
    #[schema(value_type = Object)]
    item: Item,
    /// The known answers, `{"hate": true, "violence": false}`.
    #[schema(value_type = Object)]
    labels: Labels,
    /// Higher is served first (default 0.5).
    priority: Option<f64>,
    /// How many reviewers judge it (default 1, 1 to 10).
    required_reviews: Option<u32>,
}

/// `GET /v1/review/export` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Rows after this review item id (the last of the previous page).
    after: Option<String>,
    /// At most this many rows (default 1000, at most 10000).
    limit: Option<u32>,
}

/// One reviewer's agreement with gold labels.
#[derive(Debug, Serialize)]
struct GoldResultView {
    reviewer: String,
    items: u64,
    labels_compared: u64,
    labels_agreed: u64,
    accuracy: Option<f64>,
}

/// Files an appeal of a decision.
#[utoipa::path(
    post,
    path = "/v1/decisions/{id}/appeals",
    params(("id" = String, Path, description = "the decision id (UUID)")),
    request_body = AppealRequest,
    responses(
        (status = 201, description = "the appeal, with the review item that puts it before a reviewer", body = Object),
        (status = 400, description = "not a decision id, or the body is not JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `scan` scope", body = ErrorBody),
        (status = 404, description = "no such decision", body = ErrorBody),
        (status = 409, description = "`already_appealed`", body = ErrorBody),
        (status = 422, description = "`content_required`, `content_mismatch` or `invalid_request`", body = ErrorBody),
    ),
    security(("api_key" = ["scan"])),
    tag = "review"
)]
pub(super) async fn file_appeal(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Scan).await?;
    let id: DecisionId = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("`{id}` is not a decision id (a UUID)"),
        )
    })?;
    let request: AppealRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
    let appeal = state
        .store
        .file_appeal(id, &request.statement, request.item.as_ref())
        .await
        .map_err(review_error)?;
    Ok((StatusCode::CREATED, Json(appeal)).into_response())
}

/// Adds a gold item: content with known labels.
#[utoipa::path(
    post,
    path = "/v1/review/gold",
    request_body = GoldRequest,
    responses(
        (status = 201, description = "`{\"id\": \"…\"}`, the review item", body = Object),
        (status = 400, description = "the body is not JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `admin` scope", body = ErrorBody),
        (status = 422, description = "`invalid_request`: no labels, a bad priority or review count", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
    tag = "review"
)]
pub(super) async fn add_gold(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Admin).await?;
    let request: GoldRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
    let id = state
        .store
        .enqueue_gold(
            &request.item,
            &request.labels,
            request.priority.unwrap_or(0.5),
            request.required_reviews.unwrap_or(1),
        )
        .await
        .map_err(review_error)?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response())
}

/// Every reviewer's agreement with the gold labels.
#[utoipa::path(
    get,
    path = "/v1/review/gold/results",
    responses(
        (status = 200, description = "`{\"reviewers\": [{reviewer, items, labels_compared, labels_agreed, accuracy}]}`", body = Object),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `admin` scope", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
    tag = "review"
)]
pub(super) async fn gold_results(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Admin).await?;
    let results = state.store.gold_results().await.map_err(review_error)?;
    let reviewers: Vec<GoldResultView> = results
        .into_iter()
        .map(|r| GoldResultView {
            accuracy: r.accuracy(),
            reviewer: r.reviewer,
            items: r.items,
            labels_compared: r.labels_compared,
            labels_agreed: r.labels_agreed,
        })
        .collect();
    Ok(Json(serde_json::json!({ "reviewers": reviewers })).into_response())
}

/// Reviewer quality: each reviewer's accuracy on gold items per category
/// (Wilson intervals) and agreement per category (Krippendorff's alpha,
/// Cohen's kappa per pair), over every done review item
/// (docs/review-quality.md); the same report as `vigil review stats --json`.
#[utoipa::path(
    get,
    path = "/v1/review/quality",
    responses(
        (status = 200, description = "the quality report (docs/review-quality.md)", body = Object),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `admin` scope", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
    tag = "review"
)]
pub(super) async fn quality(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Admin).await?;
    let report = crate::quality_report(&state.store)
        .await
        .map_err(|e| ApiError::internal("store_unavailable", e.to_string()))?;
    Ok(Json(report).into_response())
}

/// Done items as training data, one JSON object a line.
#[utoipa::path(
    get,
    path = "/v1/review/export",
    params(ExportQuery),
    responses(
        (status = 200, description = "JSON lines (`application/x-ndjson`): each done item with its content, models, reviews and gold labels", content_type = "application/x-ndjson", body = String),
        (status = 400, description = "a bad query", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `admin` scope", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
    tag = "review"
)]
pub(super) async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Admin).await?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", m);
    let Query(query) = query.map_err(|e| bad(e.body_text()))?;
    let after = query.after.as_deref().map(parse_item_id).transpose()?;
    let limit = query.limit.unwrap_or(DEFAULT_EXPORT);
    if !(1..=MAX_EXPORT).contains(&limit) {
        return Err(bad(format!("limit {limit} is not 1 to {MAX_EXPORT}")));
    }
    let rows = state
        .store
        .export_reviews(after, limit)
        .await
        .map_err(review_error)?;
    let mut out = String::new();
    for row in &rows {
        let line = serde_json::to_string(row)
            .map_err(|e| ApiError::internal("export_failed", e.to_string()))?;
        out.push_str(&line);
        out.push('\n');
    }
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], out).into_response())
}
