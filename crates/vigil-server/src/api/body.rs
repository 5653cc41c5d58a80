//! Reading what a client sends: the body within its limit, the content
//! type, and the item of a scan as JSON or multipart.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use base64::Engine as _;
use vigil_core::{Item, MediaKind};

use super::scan::{MediaIn, ScanItem};
use super::AppState;
use crate::error::ApiError;
use crate::{json_object, ServeConfig};

/// Which body limit a route reads under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyLimit {
    /// `max_body_bytes`.
    Request,
    /// `POST /v1/scan`, which may carry a job's media:
    /// [`scan_body_limit`]. An item that is not a job is then held to
    /// `max_body_bytes` once read.
    Scan,
}

/// The body limit of `POST /v1/scan`: one job attachment of
/// `max_job_media_bytes` as base64, plus `max_body_bytes` for the rest.
pub(super) fn scan_body_limit(config: &ServeConfig) -> usize {
    config
        .max_job_media_bytes
        .div_ceil(3)
        .saturating_mul(4)
        .saturating_add(config.max_body_bytes)
}

/// 413 `body_too_large`, naming the limit.
pub(super) fn body_too_large(config: &ServeConfig, limit: BodyLimit) -> ApiError {
    let message = match limit {
        BodyLimit::Request => format!(
            "the request body exceeds the limit (max_body_bytes) of {} bytes",
            config.max_body_bytes
        ),
        BodyLimit::Scan => format!(
            "the request body exceeds the limit of a scan job's request \
             (max_job_media_bytes as base64 plus max_body_bytes) of {} bytes",
            scan_body_limit(config)
        ),
    };
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", message)
}

/// The request body, or a JSON error naming the body limit.
pub(super) async fn body_bytes(
    request: Request,
    state: &AppState,
    limit: BodyLimit,
) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            body_too_large(&state.config, limit)
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                format!("cannot read the request body: {e}"),
            )
        }
    })
}

pub(super) fn is_json(headers: &HeaderMap) -> bool {
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
/// part (JSON) and file parts named `image`, `audio` or `video`; with the
/// bytes read (the body, or the parts of a multipart body).
pub(super) async fn read_scan_item(
    request: Request,
    state: &AppState,
) -> Result<(Item, usize), ApiError> {
    let headers = request.headers().clone();
    if content_type(&headers).is_some_and(|ct| is_media_type(ct, "multipart/form-data")) {
        return read_multipart(request, state).await;
    }
    if !is_json(&headers) {
        return Err(unsupported_type(&headers));
    }
    let bytes = body_bytes(request, state, BodyLimit::Scan).await?;
    let item: ScanItem = json_object::from_slice(&bytes).map_err(|e| ApiError::from_json(&e))?;
    Ok((item.into_item(), bytes.len()))
}

pub(super) fn unsupported_type(headers: &HeaderMap) -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!(
            "Content-Type `{}` is not accepted; send application/json or multipart/form-data",
            content_type(headers).unwrap_or("")
        ),
    )
}

async fn read_multipart(request: Request, state: &AppState) -> Result<(Item, usize), ApiError> {
    let config = &state.config;
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
            body_too_large(config, BodyLimit::Scan)
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
    let mut read = 0;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        let mime = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(multipart_error)?;
        read += bytes.len();
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
    Ok((item.into_item(), read))
}
