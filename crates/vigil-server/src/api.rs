//! The routes, their handlers and the OpenAPI document generated from them.
//! Each route is registered together with its `#[utoipa::path]`, so the
//! document cannot list a route the router lacks or miss one it has.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vigil_core::{Decision, DecisionId, Item, Media, MediaKind, MediaSource, Meta};
use vigil_engine::{Engine, Prepared, Scan, ScanError};
use vigil_store::{Scope, Store};

use crate::error::{ApiError, ErrorBody, ErrorKind};
use crate::json_object;
use crate::writer::DecisionWriter;
use crate::{auth, Metrics, ServeConfig};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    engine: Arc<Engine>,
    store: Store,
    writer: DecisionWriter,
    metrics: Arc<Metrics>,
    config: ServeConfig,
}

impl AppState {
    /// State over an engine and a store; starts the decision writer, so it
    /// must be called inside a Tokio runtime.
    pub fn new(
        engine: Arc<Engine>,
        store: Store,
        metrics: Arc<Metrics>,
        config: ServeConfig,
    ) -> AppState {
        AppState {
            writer: DecisionWriter::start(store.clone()),
            engine,
            store,
            metrics,
            config,
        }
    }
}

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
    fn into_item(self) -> Item {
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

/// `/readyz` body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not ready`.
    pub status: String,
    /// The policy in force: name, version and file digest.
    pub policy: String,
    /// The text models, by name and version.
    pub text_model: String,
    /// Whether the transformer cascade is on.
    pub cascade: bool,
    /// Whether the decision log answered.
    pub store: bool,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vigil",
        description = "Pre-publish content scanning: decisions per policy with evidence, a decision log, and DSA statements of reasons. Send `Authorization: Bearer <key>`; keys come from `vigil keys create --scope scan|review|admin`.",
        license(name = "Apache-2.0")
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecurityAddon)
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

fn api_router(config: &ServeConfig) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(scan))
        .routes(routes!(scan_batch))
        .routes(routes!(get_decision))
        .routes(routes!(get_decision_content))
        .routes(routes!(statements))
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
}

/// The OpenAPI document of every route (what `/openapi.json` serves).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = api_router(&ServeConfig::default()).split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    api
}

/// The service's router over `state`.
pub fn router(state: AppState) -> Router {
    let (router, _) = api_router(&state.config).split_for_parts();
    let doc = openapi();
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { Json(doc) }
            }),
        )
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint; see /openapi.json",
            )
        })
        // Every refusal is JSON, a wrong method too (axum keeps `Allow`).
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{method} is not served here; see /openapi.json"),
            )
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Records every request's latency and every error's kind.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    if let Some(ErrorKind(kind)) = response.extensions().get::<ErrorKind>() {
        state.metrics.error(kind);
    }
    state.metrics.request(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The request body, or a JSON error naming the body limit.
async fn body_bytes(request: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!(
                    "the request body exceeds the limit (max_body_bytes) of {} bytes",
                    state.config.max_body_bytes
                ),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                format!("cannot read the request body: {e}"),
            )
        }
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    content_type(headers).is_none_or(|ct| is_media_type(ct, "application/json"))
}

/// Whether a `Content-Type` value names this media type, whatever its
/// parameters and letter case (RFC 9110, section 8.3.1).
fn is_media_type(content_type: &str, expected: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(expected))
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// The item of a `POST /v1/scan`: a JSON body, or multipart with an `item`
/// part (JSON) and file parts named `image`, `audio` or `video`.
async fn read_scan_item(request: Request, state: &AppState) -> Result<Item, ApiError> {
    let headers = request.headers().clone();
    if content_type(&headers).is_some_and(|ct| is_media_type(ct, "multipart/form-data")) {
        return read_multipart(request, state).await;
    }
    if !is_json(&headers) {
        return Err(unsupported_type(&headers));
    }
    let bytes = body_bytes(request, state).await?;
    let item: ScanItem = json_object::from_slice(&bytes).map_err(|e| ApiError::from_json(&e))?;
    Ok(item.into_item())
}

fn unsupported_type(headers: &HeaderMap) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!(
            "Content-Type `{}` is not accepted; send application/json or multipart/form-data",
            content_type(headers).unwrap_or("")
        ),
    )
}

async fn read_multipart(request: Request, state: &AppState) -> Result<Item, ApiError> {
    let limit = state.config.max_body_bytes;
    let mut multipart = axum::extract::Multipart::from_request(request, state)
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_multipart",
                format!("not a valid multipart body: {e}"),
            )
        })?;
    let multipart_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the request body exceeds the limit (max_body_bytes) of {limit} bytes"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_multipart",
                format!("cannot read a multipart part: {e}"),
            )
        }
    };
    let mut item: Option<ScanItem> = None;
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        let mime = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(multipart_error)?;
        match name.as_str() {
            "item" => {
                item = Some(json_object::from_slice(&bytes).map_err(|e| ApiError::from_json(&e))?);
            }
            "image" | "audio" | "video" => {
                let kind = match name.as_str() {
                    "image" => MediaKind::Image,
                    "audio" => MediaKind::Audio,
                    _ => MediaKind::Video,
                };
                files.push(MediaIn {
                    kind,
                    data_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
                    mime,
                });
            }
            other => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_request",
                    format!(
                        "unknown multipart part `{other}`; the parts are item, image, audio, video"
                    ),
                ))
            }
        }
    }
    let mut item = item.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "the multipart body has no `item` part (JSON with at least `id`)",
        )
    })?;
    item.media.extend(files);
    Ok(item.into_item())
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
    // Content is kept only when the policy in force asks for it.
    let contents = if state.engine.policy().policy.log.store_content {
        decisions.iter().map(|d| d.id).zip(items).collect()
    } else {
        Vec::new()
    };
    state
        .writer
        .write(decisions.clone(), contents)
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
    Ok((decisions, escalated))
}

/// Scan one item.
///
/// The decision is stored before it is returned. Send JSON, or
/// multipart/form-data with an `item` part and `image`/`audio`/`video` files.
#[utoipa::path(
    post,
    path = "/v1/scan",
    request_body(content = ScanItem, description = "the item (or multipart/form-data)"),
    responses(
        (status = 200, description = "the decision: action, per-category scores, thresholds and evidence, reasons, policy and model versions, id, latency (docs/formats.md)", body = Object),
        (status = 400, description = "malformed JSON or multipart", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key lacks the `scan` scope", body = ErrorBody),
        (status = 413, description = "a size limit was exceeded (body, text, media, pixels)", body = ErrorBody),
        (status = 415, description = "neither JSON nor multipart", body = ErrorBody),
        (status = 422, description = "well-formed but invalid: wrong types, unknown fields, empty item, bad base64, corrupt media", body = ErrorBody),
        (status = 503, description = "the scan took longer than request_timeout; no decision was given", body = ErrorBody),
    ),
    security(("api_key" = ["scan"])),
    tag = "scan"
)]
async fn scan(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let received = Instant::now();
    auth::require(&state.store, request.headers(), Scope::Scan).await?;
    let item = read_scan_item(request, &state).await?;
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
async fn scan_batch(State(state): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let received = Instant::now();
    auth::require(&state.store, request.headers(), Scope::Scan).await?;
    if !is_json(request.headers()) {
        return Err(unsupported_type(request.headers()));
    }
    let bytes = body_bytes(request, &state).await?;
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
        vigil_engine::check_item(item, state.engine.limits()).map_err(|e| {
            let mut err = ApiError::from(e);
            err.message = format!("items[{i}]: {}", err.message);
            err
        })?;
    }
    let (decisions, _) = scan_and_store(&state, items, received).await?;
    Ok(Json(BatchResponse { decisions }).into_response())
}

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
async fn get_decision(
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
fn found<T: serde::Serialize>(
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
async fn get_decision_content(
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
async fn statements(
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

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "alive", body = String)), tag = "operations")]
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: models loaded, policy in force, decision log answering.
#[utoipa::path(
    get,
    path = "/readyz",
    responses(
        (status = 200, description = "ready", body = Readiness),
        (status = 503, description = "the decision log does not answer", body = Readiness),
    ),
    tag = "operations"
)]
async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.store.schema_version().await.is_ok();
    let policy = state.engine.policy();
    let (name, version) = state.engine.text().name_version();
    let body = Readiness {
        status: if store { "ready" } else { "not ready" }.to_owned(),
        policy: format!(
            "{} {} ({})",
            policy.policy.version.name, policy.policy.version.version, policy.digest
        ),
        text_model: format!("{name} {version}"),
        cascade: state.engine.text().has_cascade(),
        store,
    };
    let status = if store {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")), tag = "operations")]
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
