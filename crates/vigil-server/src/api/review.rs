//! The reviewer's endpoints (docs/review.md): the queue, claims under a
//! lease, one item with its decision, verdicts, release. The reviewer is the
//! API key: its id is who holds a claim and who gave a verdict.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use vigil_core::{AppealOutcome, Decision, Item, Labels, QueueReason, Verdict};
use vigil_store::{
    ApiKey, Appeal, QueueEntry, ReviewError, ReviewItem, ReviewItemId, ReviewRecord, Scope,
};

use super::AppState;
use crate::auth;
use crate::error::{ApiError, ErrorBody};

/// A lease asked for nothing: ten minutes to judge one item.
const DEFAULT_LEASE_S: u64 = 600;
/// The longest lease: an hour.
const MAX_LEASE_S: u64 = 3600;
/// Items listed when the query does not say.
const DEFAULT_LIST: u32 = 50;
/// Most items one listing returns.
const MAX_LIST: u32 = 500;

/// `GET /v1/review/queue` query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only items queued for this reason (`appeal`, `notice`, `policy`,
    /// `active_learning`, `prevalence`, `audit`, `gold`).
    reason: Option<String>,
    /// At most this many items (default 50, at most 500).
    limit: Option<u32>,
    /// The next page: the items after this one (the previous page's
    /// `next_after`), in the same order.
    after: Option<String>,
}

/// The open queue.
#[derive(Debug, Serialize)]
struct QueueView {
    counts: std::collections::BTreeMap<&'static str, u64>,
    items: Vec<QueueEntry>,
    /// The last item's id when the page is full (more may follow: pass it
    /// as `after`); `null` on the last page.
    next_after: Option<String>,
}

/// `POST /v1/review/claim` body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimNextRequest {
    /// Only items of this reason.
    #[schema(value_type = Option<String>)]
    reason: Option<QueueReason>,
    /// How long to hold the item (default 600, 1 to 3600).
    lease_seconds: Option<u64>,
}

/// `POST /v1/review/items/{id}/claim` body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// How long to hold the item (default 600, 1 to 3600).
    lease_seconds: Option<u64>,
}

/// `POST /v1/review/items/{id}/verdict` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictRequest {
    /// `{"labels": {"hate": true}, "action": "block", "note": "…"}`.
    #[schema(value_type = Object)]
    verdict: Verdict,
    /// `upheld` or `overturned`: required for an appeal, refused otherwise.
    #[schema(value_type = Option<String>)]
    outcome: Option<AppealOutcome>,
}

/// The live claim as shown: the reviewer only to themselves (or an admin).
#[derive(Debug, Serialize)]
struct ClaimView {
    reviewer: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    lease_until: OffsetDateTime,
}

/// One item as `GET /v1/review/items/{id}` and the claims return it.
#[derive(Debug, Serialize)]
struct ItemView {
    #[serde(flatten)]
    entry: QueueEntry,
    content: Option<Item>,
    decision: Option<Decision>,
    appeal: Option<Appeal>,
    claim: Option<ClaimView>,
    #[serde(with = "time::serde::rfc3339::option")]
    done_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gold_labels: Option<Labels>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reviews: Option<Vec<ReviewRecord>>,
}

/// Open items by priority, and the count of every reason.
#[utoipa::path(
    get,
    path = "/v1/review/queue",
    params(QueueQuery),
    responses(
        (status = 200, description = "`{\"counts\": {reason: n}, \"items\": [...], \"next_after\": id or null}`, highest priority first", body = Object),
        (status = 400, description = "a bad query", body = ErrorBody),
        (status = 404, description = "`after` names no review item", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "review"
)]
pub(super) async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let key = auth::require(&state.store, &headers, Scope::Review).await?;
    let admin = key.allows(Scope::Admin);
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", m);
    let Query(query) = query.map_err(|e| bad(e.body_text()))?;
    let reason = query
        .reason
        .map(|r| r.parse::<QueueReason>())
        .transpose()
        .map_err(|e| bad(e.to_string()))?;
    let limit = query.limit.unwrap_or(DEFAULT_LIST);
    if !(1..=MAX_LIST).contains(&limit) {
        return Err(bad(format!("limit {limit} is not 1 to {MAX_LIST}")));
    }
    let after = query
        .after
        .map(|a| {
            a.parse::<ReviewItemId>()
                .map_err(|_| bad(format!("after `{a}` is not a review item id")))
        })
        .transpose()?;
    let stored = stored_reasons(reason, admin);
    let mut listing = state
        .store
        .list_review_queue(stored.as_deref().unwrap_or(&[]), limit, after)
        .await
        .map_err(review_error)?;
    if stored.as_ref().is_some_and(Vec::is_empty) {
        // A reason no stored item is shown as to this key: nothing.
        listing.items.clear();
    }
    let mut counts = std::collections::BTreeMap::new();
    for (r, n) in &listing.counts {
        *counts.entry(shown_reason(*r, admin).as_str()).or_insert(0) += *n;
    }
    let mut items = listing.items;
    for e in &mut items {
        e.reason = shown_reason(e.reason, admin);
    }
    let next_after = (items.len() == limit as usize)
        .then(|| items.last().map(|e| e.id.to_string()))
        .flatten();
    let view = QueueView {
        counts,
        items,
        next_after,
    };
    Ok(Json(view).into_response())
}

/// Claims the next item for the caller.
#[utoipa::path(
    post,
    path = "/v1/review/claim",
    request_body(content = Option<ClaimNextRequest>, description = "optional"),
    responses(
        (status = 200, description = "the claimed item, as `GET /v1/review/items/{id}`", body = Object),
        (status = 204, description = "nothing left for this reviewer"),
        (status = 400, description = "the body is not JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
        (status = 422, description = "a bad reason or lease", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "review"
)]
pub(super) async fn claim_next(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = auth::require(&state.store, &headers, Scope::Review).await?;
    let request: ClaimNextRequest = optional_json(&body)?;
    let lease = lease(request.lease_seconds)?;
    let claimed = match stored_reasons(request.reason, key.allows(Scope::Admin)) {
        Some(reasons) if reasons.is_empty() => None,
        reasons => state
            .store
            .claim_next_review(&key.id, lease, reasons.as_deref().unwrap_or(&[]))
            .await
            .map_err(review_error)?,
    };
    match claimed {
        Some(item) => Ok(Json(view(&state, &key, item).await?).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// Claims one item by id for the caller.
#[utoipa::path(
    post,
    path = "/v1/review/items/{id}/claim",
    params(("id" = String, Path, description = "the review item id (UUID)")),
    request_body(content = Option<ClaimRequest>, description = "optional"),
    responses(
        (status = 200, description = "the claimed item, as `GET /v1/review/items/{id}`", body = Object),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
        (status = 404, description = "no such item", body = ErrorBody),
        (status = 409, description = "`claim_held` by another reviewer, `already_reviewed` by the caller, or `item_done`", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "review"
)]
pub(super) async fn claim(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = auth::require(&state.store, &headers, Scope::Review).await?;
    let id = parse_item_id(&id)?;
    let request: ClaimRequest = optional_json(&body)?;
    let lease = lease(request.lease_seconds)?;
    let item = state
        .store
        .claim_review(id, &key.id, lease)
        .await
        .map_err(review_error)?;
    Ok(Json(view(&state, &key, item).await?).into_response())
}

/// One item: its content, the decision with its evidence, its appeal, its
/// claim; for admin keys also its reviews and gold labels.
#[utoipa::path(
    get,
    path = "/v1/review/items/{id}",
    params(("id" = String, Path, description = "the review item id (UUID)")),
    responses(
        (status = 200, description = "the item (docs/review.md)", body = Object),
        (status = 400, description = "not a review item id", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
        (status = 404, description = "no such item", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "review"
)]
pub(super) async fn get_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let key = auth::require(&state.store, &headers, Scope::Review).await?;
    let id = parse_item_id(&id)?;
    let item = state
        .store
        .get_review_item(id)
        .await
        .map_err(review_error)?
        .ok_or_else(|| review_error(ReviewError::NotFound(id)))?;
    Ok(Json(view(&state, &key, item).await?).into_response())
}

/// Records the caller's verdict on an item they hold.
#[utoipa::path(
    post,
    path = "/v1/review/items/{id}/verdict",
    params(("id" = String, Path, description = "the review item id (UUID)")),
    request_body = VerdictRequest,
    responses(
        (status = 200, description = "`{\"id\", \"reviews_done\", \"required_reviews\", \"status\"}`", body = Object),
        (status = 400, description = "the body is not JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
        (status = 404, description = "no such item", body = ErrorBody),
        (status = 409, description = "`no_claim`, `lease_expired`, `claim_held`, `already_reviewed` or `item_done`", body = ErrorBody),
        (status = 422, description = "`invalid_request` (the verdict's shape) or `invalid_verdict` (an outcome missing for an appeal, or given for another item)", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "review"
)]
pub(super) async fn verdict(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = auth::require(&state.store, &headers, Scope::Review).await?;
    let id = parse_item_id(&id)?;
    let request: VerdictRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::from_json(&e))?;
    let submitted = state
        .store
        .submit_review(id, &key.id, &request.verdict, request.outcome)
        .await
        .map_err(review_error)?;
    Ok(Json(submitted).into_response())
}

/// Gives up the caller's claim on an item.
#[utoipa::path(
    post,
    path = "/v1/review/items/{id}/release",
    params(("id" = String, Path, description = "the review item id (UUID)")),
    responses(
        (status = 204, description = "released"),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `review` scope", body = ErrorBody),
        (status = 404, description = "no such item", body = ErrorBody),
        (status = 409, description = "`no_claim`: the caller holds none", body = ErrorBody),
    ),
    security(("api_key" = ["review"])),
    tag = "review"
)]
pub(super) async fn release(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let key = auth::require(&state.store, &headers, Scope::Review).await?;
    let id = parse_item_id(&id)?;
    state
        .store
        .release_review(id, &key.id)
        .await
        .map_err(review_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The item as `key` may see it, with its decision (withheld from
/// reviewers on the random samples, see [`blind`]).
async fn view(state: &AppState, key: &ApiKey, item: ReviewItem) -> Result<ItemView, ApiError> {
    let admin = key.allows(Scope::Admin);
    let shown_decision = item
        .entry
        .decision_id
        .filter(|_| !blind(item.entry.reason, admin));
    let decision = match shown_decision {
        Some(id) => state
            .store
            .get_decision(id)
            .await
            .map_err(|e| ApiError::internal("store_unavailable", e.to_string()))?,
        None => None,
    };
    let mut entry = item.entry;
    entry.reason = shown_reason(entry.reason, admin);
    let claim = item.claim.map(|c| ClaimView {
        reviewer: (admin || c.reviewer == key.id).then_some(c.reviewer),
        lease_until: c.lease_until,
    });
    Ok(ItemView {
        entry,
        content: item.content,
        decision,
        appeal: item.appeal,
        claim,
        done_at: item.done_at,
        gold_labels: item.gold_labels.filter(|_| admin),
        reviews: admin.then_some(item.reviews),
    })
}

/// The reason a key is shown; admins see every reason as stored.
///
/// Audit items (a random sample of restrictions) look like the prevalence
/// sample (a random sample of allowed items) to reviewers: a reviewer who
/// knows the machine blocked an item is anchored towards upholding it, and
/// the audit exists to measure the machine. Gold items look like them too:
/// both samples are judged blind to the decision and a gold item has none,
/// so among items shown as `prevalence` nothing marks the gold ones, and a
/// reviewer's accuracy on gold measures their everyday work.
fn shown_reason(reason: QueueReason, admin: bool) -> QueueReason {
    match reason {
        QueueReason::Gold | QueueReason::Audit if !admin => QueueReason::Prevalence,
        r => r,
    }
}

/// The stored reasons a key's filter by `reason` selects: those it is
/// shown as. To a reviewer, `prevalence` is the prevalence and audit
/// samples and the gold items, while `audit` and `gold` select nothing, so
/// that no filter tells a disguised item from the one it looks like. `None`: no filter; `Some(empty)`: nothing matches.
fn stored_reasons(reason: Option<QueueReason>, admin: bool) -> Option<Vec<QueueReason>> {
    let reason = reason?;
    Some(
        QueueReason::ALL
            .iter()
            .copied()
            .filter(|&stored| shown_reason(stored, admin) == reason)
            .collect(),
    )
}

/// Whether the decision is withheld: items of the two random samples
/// (`prevalence`, `audit`) are judged blind to the automated decision, by
/// reviewers who are not admins, so that neither sample's labels lean on
/// the machine's answer and the two cannot be told apart by it (nor from
/// gold items, which have no decision).
fn blind(reason: QueueReason, admin: bool) -> bool {
    !admin
        && matches!(
            reason,
            QueueReason::Prevalence | QueueReason::Audit | QueueReason::Gold
        )
}

/// A body that may be empty (the defaults) or JSON of `T`.
pub(super) fn optional_json<T: Default + serde::de::DeserializeOwned>(
    body: &[u8],
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::from_json(&e))
}

fn lease(seconds: Option<u64>) -> Result<Duration, ApiError> {
    let seconds = seconds.unwrap_or(DEFAULT_LEASE_S);
    if !(1..=MAX_LEASE_S).contains(&seconds) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            format!("lease_seconds {seconds} is not 1 to {MAX_LEASE_S}"),
        ));
    }
    Ok(Duration::from_secs(seconds))
}

pub(super) fn parse_item_id(id: &str) -> Result<ReviewItemId, ApiError> {
    id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("`{id}` is not a review item id (a UUID)"),
        )
    })
}

/// A refused review operation as the API reports it: 404 for what does not
/// exist, 409 for a conflict with the item's state, 422 for what was sent.
pub(super) fn review_error(e: ReviewError) -> ApiError {
    let status = match &e {
        ReviewError::NotFound(_) | ReviewError::DecisionNotFound(_) => StatusCode::NOT_FOUND,
        ReviewError::ClaimHeld { .. }
        | ReviewError::NoClaim { .. }
        | ReviewError::LeaseExpired { .. }
        | ReviewError::AlreadyReviewed { .. }
        | ReviewError::Done(_)
        | ReviewError::AlreadyAppealed(_) => StatusCode::CONFLICT,
        ReviewError::OutcomeMismatch(_)
        | ReviewError::ContentRequired(_)
        | ReviewError::ContentMismatch { .. }
        | ReviewError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, e.kind(), e.to_string())
}
