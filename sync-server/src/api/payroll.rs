//! The payroll endpoints: readiness, the run, unlock. The gate itself (seed 000, I3,
//! INTERP-42) is `ledger::gate`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_model::PayPeriod;
use uuid::Uuid;

use super::extract::{ApiJson, ApiQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
pub use crate::ledger::gate::{BlockReason, BlockingDevice, Readiness};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/payroll-runs/check", get(check))
        .route("/api/v1/payroll-runs", post(run).get(super::payroll_basis::list))
        .route("/api/v1/periods/{period}/unlock", post(unlock))
}

fn parse_period(s: &str) -> Result<PayPeriod, ApiError> {
    s.parse().map_err(|e: shared_model::ModelError| ApiError::InvalidRequest(e.to_string()))
}

/// `?period=YYYY-MM`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// The pay period `YYYY-MM` (years 1900–9999).
    #[param(pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: String,
}

/// Whether payroll can run for a period, and which tablets block it.
#[utoipa::path(get, path = "/api/v1/payroll-runs/check", tag = "payroll", operation_id = "check_payroll_run", params(PeriodQuery),
    security(("session" = [])),
    responses((status = 200, body = Readiness), (status = 400, description = "`invalid_request`: a malformed period"),
              (status = 403, description = "`forbidden`: admins and managers only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn check(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<PeriodQuery>) -> Result<Json<Readiness>, ApiError> {
    caller.require_manager()?;
    let period = parse_period(&q.period)?;
    Ok(Json(crate::ledger::gate::readiness(&state, caller.org(), period).await?))
}

/// `POST /api/v1/payroll-runs` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The pay period `YYYY-MM` (years 1900–9999).
    #[schema(pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: String,
}

/// A run that went out and locked its period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunResponse {
    pub id: Uuid,
    pub period: String,
    pub locked_at: DateTime<Utc>,
}

/// Run payroll for a period: refused while tablets block it; locks the period.
#[utoipa::path(post, path = "/api/v1/payroll-runs", tag = "payroll", operation_id = "run_payroll", request_body = RunRequest,
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = RunResponse), (status = 400, description = "`invalid_request`: a malformed period"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 409, description = "`period_locked` (checked first); `period_not_ended`: the period has not ended in the organisation's time zone; `devices_not_synced` (`details.blocking_devices`, `details.period_end`)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn run(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<RunRequest>) -> Result<Response, ApiError> {
    caller.require_manager()?;
    let period = parse_period(&req.period)?;
    let run = crate::ledger::gate::run(&state, caller.org(), period, caller.person.id).await?;
    Ok((StatusCode::CREATED, Json(RunResponse { id: run.id, period: run.period.to_string(), locked_at: run.locked_at })).into_response())
}

/// Reopen a locked period (recorded in the audit log).
#[utoipa::path(post, path = "/api/v1/periods/{period}/unlock", tag = "payroll", operation_id = "unlock_period",
    params(("period" = String, Path, description = "The pay period `YYYY-MM` (years 1900–9999)", pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", example = "2026-11")),
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "The period is open again (recorded in the audit log)"), (status = 400, description = "`invalid_request`: a malformed period"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: the period is not locked")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), period = %period))]
pub async fn unlock(State(state): State<AppState>, caller: Caller, Path(period): Path<String>) -> Result<StatusCode, ApiError> {
    caller.require_manager()?;
    let period = parse_period(&period)?;
    if !crate::ledger::gate::unlock(&state, caller.org(), period, caller.person.id).await? {
        return Err(ApiError::NotFound("locked period"));
    }
    Ok(StatusCode::NO_CONTENT)
}
