//! The open operational endpoints: liveness, readiness and metrics.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;

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

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "alive", body = String)), tag = "operations")]
pub(super) async fn healthz() -> &'static str {
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
pub(super) async fn readyz(State(state): State<AppState>) -> Response {
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
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    // Jobs are counted in the store, so those of outside workers count too.
    if let Ok(counts) = state.store.count_jobs_by_state().await {
        state
            .metrics
            .set_jobs_by_state(counts.into_iter().map(|(s, n)| (s.as_str(), n)).collect());
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
