//! Every refusal as JSON: `{"error": {"kind": "...", "message": "..."}}`
//! with the HTTP status that says whose fault it is.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use vigil_engine::InputError;

/// A refusal or failure, as the API reports it.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable name.
    pub kind: &'static str,
    /// What went wrong, naming the field or limit.
    pub message: String,
}

/// The JSON body of an error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable name: `malformed_json`, `invalid_request`,
    /// `body_too_large`, `text_too_long`, `too_many_pixels`, `unauthorized`, …
    pub kind: String,
    /// A sentence naming the field or the limit.
    pub message: String,
}

impl ApiError {
    /// An error with a status, kind and message.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }

    /// 401: no key or an unknown or revoked one.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 500: Vigil's fault; nothing was acknowledged.
    pub fn internal(kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, kind, message)
    }

    /// A JSON body that did not parse into the expected shape: syntax errors
    /// are 400, well-formed JSON of the wrong shape (types, unknown or
    /// missing fields) 422.
    pub fn from_json(e: &serde_json::Error) -> ApiError {
        use serde_json::error::Category;
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("the body is not valid JSON: {e}"),
            ),
            Category::Data => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                format!("the JSON does not match the request schema: {e}"),
            ),
        }
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> ApiError {
        let status = match e {
            InputError::IdTooLong { .. }
            | InputError::TextTooLong { .. }
            | InputError::TooManyMedia { .. }
            | InputError::MediaTooLarge { .. }
            | InputError::TooManyPixels { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            InputError::EmptyId
            | InputError::Empty
            | InputError::MediaPath { .. }
            | InputError::InvalidBase64 { .. }
            | InputError::EmptyMedia { .. }
            | InputError::CorruptImage { .. }
            | InputError::CorruptMedia { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, e.kind(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                kind: self.kind.to_owned(),
                message: self.message,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        // The metrics layer counts errors by kind from this marker.
        response.extensions_mut().insert(ErrorKind(self.kind));
        response
    }
}

/// The kind of an error response, for the metrics layer.
#[derive(Debug, Clone, Copy)]
pub struct ErrorKind(pub &'static str);
