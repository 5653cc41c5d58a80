//! API keys: `Authorization: Bearer <secret>`, checked against the store.

use axum::http::{HeaderMap, StatusCode};
use vigil_store::{ApiKey, Scope, Store};

use crate::error::ApiError;

/// The key presented, if it is valid and grants `scope`: 401 without a
/// valid key, 403 when the key lacks the scope.
pub async fn require(store: &Store, headers: &HeaderMap, scope: Scope) -> Result<ApiKey, ApiError> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "no API key: send `Authorization: Bearer <key>` (create one with `vigil keys create`)",
        ));
    };
    let secret =
        value.to_str().ok().and_then(bearer_token).ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <key>`")
        })?;
    let key = store
        .authenticate(secret)
        .await
        .map_err(|e| ApiError::internal("store_unavailable", format!("cannot check the key: {e}")))?
        .ok_or_else(|| ApiError::unauthorized("unknown or revoked API key"))?;
    if !key.allows(scope) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "key {} lacks the `{scope}` scope this endpoint needs",
                key.id
            ),
        ));
    }
    Ok(key)
}

/// The token of a `Bearer <token>` header value. The scheme name is
/// case-insensitive (RFC 9110, section 11.1), so `bearer` is accepted too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
