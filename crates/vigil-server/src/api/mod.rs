//! The routes, their handlers and the OpenAPI document generated from them.
//! Each route is registered together with its `#[utoipa::path]`, so the
//! document cannot list a route the router lacks or miss one it has. The
//! handlers live in one module per concern: [`scan`] (scanning, and
//! [`body`] for reading what is sent), [`decisions`], [`statements`] and
//! [`health`] (the open operational endpoints), [`jobs`] (the items
//! queued for a worker), and [`review`] and [`review_admin`] (the human
//! review queue, appeals and gold items).

mod body;
mod decisions;
mod health;
mod jobs;
mod notices;
mod review;
mod review_admin;
mod scan;
mod statements;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vigil_engine::Engine;
use vigil_store::Store;

use crate::error::{ApiError, ErrorBody, ErrorKind};
use crate::shadow::ShadowQueue;
use crate::writer::DecisionWriter;
use crate::{Metrics, ServeConfig};

pub use statements::parse_instant;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    engine: Arc<Engine>,
    store: Store,
    writer: DecisionWriter,
    metrics: Arc<Metrics>,
    config: ServeConfig,
    shadow: Option<ShadowQueue>,
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
            shadow: config
                .shadow
                .clone()
                .map(|model| ShadowQueue::start(model, store.clone())),
            engine,
            store,
            metrics,
            config,
        }
    }
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
        // A scan may carry a job's media; an item that is not a job is held
        // to max_body_bytes once read.
        .routes(routes!(scan::scan))
        .layer(DefaultBodyLimit::max(body::scan_body_limit(config)))
        .routes(routes!(scan::scan_batch))
        .routes(routes!(jobs::get_job))
        .routes(routes!(decisions::get_decision))
        .routes(routes!(decisions::get_decision_content))
        .routes(routes!(statements::statements))
        .routes(routes!(review::queue))
        .routes(routes!(review::claim_next))
        .routes(routes!(review::claim))
        .routes(routes!(review::get_item))
        .routes(routes!(review::verdict))
        .routes(routes!(review::release))
        .routes(routes!(review_admin::file_appeal))
        .routes(routes!(review_admin::add_gold))
        .routes(routes!(review_admin::gold_results))
        .routes(routes!(review_admin::quality))
        .routes(routes!(review_admin::export))
        .routes(routes!(notices::file_notice))
        .routes(routes!(notices::get_notice))
        .routes(routes!(notices::notice_statement))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
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
        .merge(crate::ui::routes())
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
