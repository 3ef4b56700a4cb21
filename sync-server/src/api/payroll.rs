//! The payroll gate (seed 000, I3, INTERP-42): a run for period P is refused while an installed
//! tablet whose requirement applies to P has not completed a full sync after P's end.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared_model::PayPeriod;
use uuid::Uuid;

use super::extract::{ApiJson, ApiQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Device, RunOutcome};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/payroll-runs/check", get(check))
        .route("/api/v1/payroll-runs", post(run))
        .route("/api/v1/periods/{period}/unlock", post(unlock))
}

/// Why a tablet blocks a payroll run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    /// It last reported stamps still queued.
    PendingEvents,
    /// It has not synced completely since the period ended.
    NotSyncedSincePeriodEnd,
}

/// A tablet that blocks the run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BlockingDevice {
    pub id: Uuid,
    pub reason: BlockReason,
    pub last_full_sync_at: Option<DateTime<Utc>>,
    pub pending_events: i64,
}

/// The gate's answer for a period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub period: String,
    /// The end instant E of the period in the organisation's zone.
    pub period_end: DateTime<Utc>,
    pub locked: bool,
    /// Whether the period has ended in the organisation's zone; payroll runs only for ended ones.
    pub ended: bool,
    pub blocking_devices: Vec<BlockingDevice>,
}

/// The gate as a pure function over the registry: D blocks P iff D is installed, its
/// requirement applies to P, and its last full sync is before E (or it never had one).
pub fn blocking_devices(devices: &[Device], period: PayPeriod, end: DateTime<Utc>) -> Result<Vec<BlockingDevice>, ApiError> {
    let mut out = Vec::new();
    for d in devices.iter().filter(|d| d.is_installed()) {
        if !d.sync_requirement()?.applies_to(period) {
            continue;
        }
        if d.last_full_sync_at.is_some_and(|t| t >= end) {
            continue;
        }
        let reason = if d.pending_events > 0 { BlockReason::PendingEvents } else { BlockReason::NotSyncedSincePeriodEnd };
        out.push(BlockingDevice { id: d.id, reason, last_full_sync_at: d.last_full_sync_at, pending_events: d.pending_events });
    }
    Ok(out)
}

async fn readiness(state: &AppState, org: Uuid, period: PayPeriod) -> Result<Readiness, ApiError> {
    let organisation = state.store.organisation(org).await?.ok_or(ApiError::NotFound("organisation"))?;
    let end = period.end(organisation.tz()?);
    let mut devices = Vec::new();
    let mut cursor = None;
    loop {
        let page = state.store.list_devices(org, cursor, 1000).await?;
        let full = page.len() == 1000;
        cursor = page.last().map(|d| d.id);
        devices.extend(page);
        if !full {
            break;
        }
    }
    let blocking = blocking_devices(&devices, period, end)?;
    let locked = state.store.period_lock(org, period).await?.is_some();
    let ended = state.clock.now() >= end;
    Ok(Readiness {
        ready: blocking.is_empty() && !locked && ended,
        period: period.to_string(),
        period_end: end,
        locked,
        ended,
        blocking_devices: blocking,
    })
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
pub async fn check(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<PeriodQuery>) -> Result<Json<Readiness>, ApiError> {
    caller.require_manager()?;
    let period = parse_period(&q.period)?;
    Ok(Json(readiness(&state, caller.org(), period).await?))
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

fn period_locked(period: PayPeriod) -> ApiError {
    ApiError::coded(StatusCode::CONFLICT, "period_locked", format!("pay period {period} is locked; unlock it first"))
}

/// Run payroll for a period: refused while tablets block it; locks the period.
#[utoipa::path(post, path = "/api/v1/payroll-runs", tag = "payroll", operation_id = "run_payroll", request_body = RunRequest,
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = RunResponse), (status = 400, description = "`invalid_request`: a malformed period"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 409, description = "`period_locked` (checked first); `period_not_ended`: the period has not ended in the organisation's time zone; `devices_not_synced` (`details.blocking_devices`, `details.period_end`)")))]
pub async fn run(State(state): State<AppState>, caller: Caller, ApiJson(req): ApiJson<RunRequest>) -> Result<Response, ApiError> {
    caller.require_manager()?;
    let period = parse_period(&req.period)?;
    let r = readiness(&state, caller.org(), period).await?;
    if r.locked {
        return Err(period_locked(period));
    }
    if !r.ended {
        // Locking a month still running would flag every later stamp of it `locked_period`,
        // and "sync the tablets" could not be followed before it ends.
        return Err(ApiError::with_details(
            StatusCode::CONFLICT,
            "period_not_ended",
            format!("pay period {period} has not ended yet; payroll can run from {}", r.period_end.to_rfc3339()),
            json!({ "period_end": r.period_end }),
        ));
    }
    if !r.blocking_devices.is_empty() {
        return Err(ApiError::with_details(
            StatusCode::CONFLICT,
            "devices_not_synced",
            format!("{} tablet(s) have not synced completely since {period} ended", r.blocking_devices.len()),
            json!({ "blocking_devices": r.blocking_devices, "period_end": r.period_end }),
        ));
    }
    match state.store.run_payroll(caller.org(), period, caller.person.id, state.clock.now()).await? {
        RunOutcome::AlreadyLocked => Err(period_locked(period)),
        RunOutcome::Locked(run) => {
            tracing::info!(period = %period, by = %caller.person.id, "payroll run; period locked");
            crate::ledger::period_changed(&state, caller.org(), period).await?;
            Ok((StatusCode::CREATED, Json(RunResponse { id: run.id, period: run.period.to_string(), locked_at: run.locked_at })).into_response())
        }
    }
}

/// Reopen a locked period (recorded in the audit log).
#[utoipa::path(post, path = "/api/v1/periods/{period}/unlock", tag = "payroll", operation_id = "unlock_period",
    params(("period" = String, Path, description = "The pay period `YYYY-MM` (years 1900–9999)", pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", example = "2026-11")),
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "The period is open again (recorded in the audit log)"), (status = 400, description = "`invalid_request`: a malformed period"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: the period is not locked")))]
pub async fn unlock(State(state): State<AppState>, caller: Caller, Path(period): Path<String>) -> Result<StatusCode, ApiError> {
    caller.require_manager()?;
    let period = parse_period(&period)?;
    if !state.store.unlock_period(caller.org(), period, caller.person.id, state.clock.now()).await? {
        return Err(ApiError::NotFound("locked period"));
    }
    crate::ledger::period_changed(&state, caller.org(), period).await?;
    Ok(StatusCode::NO_CONTENT)
}
