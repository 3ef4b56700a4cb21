//! Liveness and database reachability, for load balancers and the run script.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use shared_model::wire::Health;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/health", get(health))
}

/// 200 when the database answers, 503 when it does not.
#[utoipa::path(get, path = "/api/v1/health", tag = "health", operation_id = "health",
    responses((status = 200, description = "The database answers", body = Health),
              (status = 503, description = "The database does not answer (`\"database\": \"unreachable\"`)", body = Health)))]
#[tracing::instrument(skip_all)]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let ok = state.store.ping().await.is_ok();
    let body = Health {
        status: if ok { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database: if ok { "ok" } else { "unreachable" }.into(),
    };
    (if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE }, Json(body))
}
