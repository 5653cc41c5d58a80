//! `POST /v1/notices`, `GET /v1/notices/{id}` and
//! `GET /v1/notices/{id}/statement`: DSA Art. 16 notices the platform
//! forwards, over [`crate::notices::take_notice`], and the statement of
//! reasons for one acted on ([`crate::notice_statement`]).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use vigil_store::{Notice, NoticeId, Scope};

use super::AppState;
use crate::auth;
use crate::error::{ApiError, ErrorBody};
use crate::notices::{take_notice, IntakeError, NoticeRequest, NoticeStatementError};

/// A notice as answered: the stored notice and its time to act.
#[derive(Debug, Serialize)]
struct NoticeView {
    #[serde(flatten)]
    notice: Notice,
    /// `acted_at − received_at` in seconds (milliseconds kept), once acted on.
    time_to_act_seconds: Option<f64>,
}

impl From<Notice> for NoticeView {
    fn from(notice: Notice) -> NoticeView {
        NoticeView {
            time_to_act_seconds: notice.time_to_act().map(|d| d.as_seconds_f64()),
            notice,
        }
    }
}

/// Records a notice about an item and sends the item to review (or a
/// rescan), as the policy's `[notices]` says.
#[utoipa::path(
    post,
    path = "/v1/notices",
    request_body = NoticeRequest,
    responses(
        (status = 201, description = "the notice, with `review_item` when it was queued", body = Object),
        (status = 400, description = "the body is not JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `scan` scope", body = ErrorBody),
        (status = 404, description = "`not_found`: no such decision", body = ErrorBody),
        (status = 422, description = "`invalid_request` (the field is named), `content_required` or `invalid_item`", body = ErrorBody),
    ),
    security(("api_key" = ["scan"])),
    tag = "notices"
)]
pub(super) async fn file_notice(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Scan).await?;
    let request: NoticeRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
    let notice = take_notice(&state.store, &state.engine, &request)
        .await
        .map_err(intake_error)?;
    Ok((StatusCode::CREATED, Json(NoticeView::from(notice))).into_response())
}

/// A notice: its status, outcome and time to act.
#[utoipa::path(
    get,
    path = "/v1/notices/{id}",
    params(("id" = String, Path, description = "the notice id (UUID)")),
    responses(
        (status = 200, description = "the notice", body = Object),
        (status = 400, description = "not a notice id", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `scan` scope", body = ErrorBody),
        (status = 404, description = "no such notice", body = ErrorBody),
    ),
    security(("api_key" = ["scan"])),
    tag = "notices"
)]
pub(super) async fn get_notice(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Scan).await?;
    let notice = read_notice(&state, &id).await?;
    Ok(Json(NoticeView::from(notice)).into_response())
}

/// The DSA statement of reasons for a notice acted on: a reviewer's
/// restrictive verdict, or a rescan's restrictive decision, with the
/// notice's reporter as `source_type` (and `source_identity`).
#[utoipa::path(
    get,
    path = "/v1/notices/{id}/statement",
    params(("id" = String, Path, description = "the notice id (UUID)")),
    responses(
        (status = 200, description = "the statement, valid against every rule of the Transparency Database", body = Object),
        (status = 400, description = "not a notice id", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `admin` scope", body = ErrorBody),
        (status = 404, description = "`not_found`: no such notice; `no_statement`: not acted on (in review, or no action taken)", body = ErrorBody),
        (status = 500, description = "`statement_invalid`: the statement broke a rule, named", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
    tag = "notices"
)]
pub(super) async fn notice_statement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Admin).await?;
    let notice = read_notice(&state, &id).await?;
    let policy = state.engine.policy();
    let statement = crate::notice_statement(
        &state.store,
        &policy.policy,
        &vigil_dsa::StatementOptions::default(),
        &notice,
    )
    .await
    .map_err(|e| match e {
        NoticeStatementError::NoStatement { .. } => {
            ApiError::new(StatusCode::NOT_FOUND, "no_statement", e.to_string())
        }
        NoticeStatementError::Invalid { .. } => {
            ApiError::internal("statement_invalid", e.to_string())
        }
        NoticeStatementError::Store(_) | NoticeStatementError::Review(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            e.to_string(),
        ),
    })?;
    Ok(Json(statement).into_response())
}

/// The notice named by a path's `id`.
async fn read_notice(state: &AppState, id: &str) -> Result<Notice, ApiError> {
    let id: NoticeId = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("`{id}` is not a notice id (a UUID)"),
        )
    })?;
    state
        .store
        .get_notice(id)
        .await
        .map_err(|e| intake_error(e.into()))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no notice {id}"),
            )
        })
}

fn intake_error(e: IntakeError) -> ApiError {
    let status = match e.kind() {
        "not_found" => StatusCode::NOT_FOUND,
        "store_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, e.kind(), e.to_string())
}
