//! DSA statements of reasons: `GET /v1/statements`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vigil_core::DecisionId;
use vigil_store::Scope;

use super::AppState;
use crate::auth;
use crate::error::{ApiError, ErrorBody};

/// `GET /v1/statements` parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatementsQuery {
    /// Decisions taken at or after this instant (RFC 3339, or a date `YYYY-MM-DD`).
    pub since: String,
    /// Decisions taken before this instant (RFC 3339 or date); default: now.
    #[serde(default)]
    pub until: Option<String>,
    /// At most this many statements (1–100, default 100).
    #[serde(default)]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// With `since`, where the previous page ended: decisions taken in the
    /// millisecond of `since` are skipped up to and including this one
    /// (pass the previous page's `next_after`).
    #[serde(default)]
    pub after: Option<String>,
}

/// Statements of reasons, at most 100 (one Transparency Database batch).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementsResponse {
    /// Each valid against every rule of the Transparency Database.
    #[schema(value_type = Vec<Object>)]
    pub statements: Vec<vigil_dsa::StatementOfReasons>,
    /// Restrictive decisions that could not become a statement, with why.
    pub refused: Vec<Refusal>,
    /// Pass as `since` for the next page, with `next_after` as `after`;
    /// absent when this page is the last.
    pub next_since: Option<String>,
    /// Pass as `after` for the next page: the id of this page's last
    /// decision (several decisions can share a millisecond).
    pub next_after: Option<String>,
}

/// A restrictive decision left out of an export.
#[derive(Debug, Serialize, ToSchema)]
pub struct Refusal {
    /// The decision id.
    pub decision: String,
    /// Why.
    pub reason: String,
}

/// Parses `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_instant(value: &str) -> Result<time::OffsetDateTime, String> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(value, &Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| format!("`{value}` is neither a date (YYYY-MM-DD) nor an RFC 3339 time"))
}

/// DSA statements of reasons for the restrictive decisions of a window.
///
/// At most 100 per response (one Transparency Database batch); page on with
/// `next_since` and `next_after`. Each statement passes every rule of the
/// database.
#[utoipa::path(
    get,
    path = "/v1/statements",
    params(StatementsQuery),
    responses(
        (status = 200, description = "statements, oldest first", body = StatementsResponse),
        (status = 400, description = "a bad parameter", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `admin` scope", body = ErrorBody),
    ),
    security(("api_key" = ["admin"])),
    tag = "statements"
)]
pub(super) async fn statements(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<StatementsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    auth::require(&state.store, &headers, Scope::Admin).await?;
    let Query(query) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", m);
    let since = parse_instant(&query.since).map_err(bad)?;
    let until = query
        .until
        .as_deref()
        .map(parse_instant)
        .transpose()
        .map_err(bad)?;
    let after = query
        .after
        .as_deref()
        .map(|a| {
            a.parse::<DecisionId>()
                .map_err(|_| format!("after `{a}` is not a decision id (a UUID)"))
        })
        .transpose()
        .map_err(bad)?;
    let limit = query.limit.unwrap_or(vigil_dsa::MAX_BATCH as u32);
    if limit == 0 || limit as usize > vigil_dsa::MAX_BATCH {
        return Err(bad(format!(
            "limit must be 1 to {} (one batch); it is {limit}",
            vigil_dsa::MAX_BATCH
        )));
    }
    let policy = state.engine.policy();
    let exported = crate::export_statements_page(
        &state.store,
        &crate::PolicySource {
            current: &policy.policy,
            base: policy.path.parent(),
        },
        &vigil_dsa::StatementOptions::default(),
        Some(since),
        after,
        until,
        Some(limit),
    )
    .await
    .map_err(|e| ApiError::internal("store_unavailable", e.to_string()))?;
    // The next page starts at the last decision's time, after its id: a
    // time alone would skip decisions sharing its millisecond.
    let page_full = exported.decisions == limit as usize;
    let next_since = page_full
        .then(|| {
            exported.last_decided_at.and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
        })
        .flatten();
    let next_after = next_since
        .as_ref()
        .and(exported.last_id)
        .map(|id| id.to_string());
    Ok(Json(StatementsResponse {
        statements: exported.statements,
        refused: exported
            .refused
            .into_iter()
            .map(|(decision, reason)| Refusal { decision, reason })
            .collect(),
        next_since,
        next_after,
    })
    .into_response())
}
