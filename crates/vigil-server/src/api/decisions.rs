//! The decision log, read back: `GET /v1/decisions/{id}` and its content.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use vigil_core::DecisionId;
use vigil_store::Scope;

use super::AppState;
use crate::auth;
use crate::error::{ApiError, ErrorBody};

/// A stored decision by id.
#[utoipa::path(
    get,
    path = "/v1/decisions/{id}",
    params(("id" = String, Path, description = "the decision id (UUID)")),
    responses(
        (status = 200, description = "the decision as it was given", body = Object),
        (status = 400, description = "not a decision id", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
        (status = 404, description = "no such decision", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "decisions"
)]
pub(super) async fn get_decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Review).await?;
    let id = parse_decision_id(&id)?;
    found(state.store.get_decision(id).await, || {
        format!("no decision {id}")
    })
}

/// A stored record as JSON, 404 with `missing()` when absent, 500 when the
/// store fails.
pub(super) fn found<T: serde::Serialize>(
    stored: Result<Option<T>, vigil_store::StoreError>,
    missing: impl FnOnce() -> String,
) -> Result<Response, ApiError> {
    match stored {
        Ok(Some(value)) => Ok(Json(value).into_response()),
        Ok(None) => Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", missing())),
        Err(e) => Err(ApiError::internal("store_unavailable", e.to_string())),
    }
}

/// The item stored beside a decision, when the policy kept content.
#[utoipa::path(
    get,
    path = "/v1/decisions/{id}/content",
    params(("id" = String, Path, description = "the decision id (UUID)")),
    responses(
        (status = 200, description = "the item as it was scanned (docs/formats.md, Item)", body = Object),
        (status = 400, description = "not a decision id", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
        (status = 404, description = "no content kept for this decision (the policy's `[log] store_content` was off, or no such decision)", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "decisions"
)]
pub(super) async fn get_decision_content(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Review).await?;
    let id = parse_decision_id(&id)?;
    found(state.store.get_decision_content(id).await, || {
        format!("no content is kept for decision {id} (the policy's `[log] store_content` was off, or there is no such decision)")
    })
}

fn parse_decision_id(id: &str) -> Result<DecisionId, ApiError> {
    id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("`{id}` is not a decision id (a UUID)"),
        )
    })
}
