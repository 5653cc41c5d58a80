//! `POST /v1/notices` and `GET /v1/notices/{id}`: DSA Art. 16 notices the
//! platform forwards, over [`crate::notices::take_notice`].

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
use crate::notices::{take_notice, IntakeError, NoticeRequest};

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
    let id: NoticeId = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("`{id}` is not a notice id (a UUID)"),
        )
    })?;
    let notice = state
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
        })?;
    Ok(Json(NoticeView::from(notice)).into_response())
}

fn intake_error(e: IntakeError) -> ApiError {
    let status = match e.kind() {
        "not_found" => StatusCode::NOT_FOUND,
        "store_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, e.kind(), e.to_string())
}
