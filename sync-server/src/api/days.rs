//! The per-employee-day projection of the ledger: `GET /api/v1/employees/{id}/days`.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared_model::Role;
use uuid::Uuid;

use super::extract::{parse_id, ApiQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::ledger::projection::{self, DayView};
use crate::state::AppState;
use crate::store::{ledger, organisations, people};

/// The longest range one request may ask for, in days.
pub const MAX_DAYS: i64 = 62;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/employees/{id}/days", get(days))
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD`: work days, both inclusive.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DaysQuery {
    /// First work day, `YYYY-MM-DD`.
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub from: String,
    /// Last work day, `YYYY-MM-DD`; at most 62 days after `from`.
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub to: String,
}

/// An employee's work days from the ledger.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DaysResponse {
    pub employee_id: Uuid,
    /// The organisation's IANA zone, in which work days are counted (D3).
    pub time_zone: String,
    /// Days with something on them, oldest first.
    pub days: Vec<DayView>,
}

fn parse_date(field: &str, s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError::InvalidRequest(format!("{field} must be a date YYYY-MM-DD")))
}

/// The employee's work days between `from` and `to` from the ledger's projection: stamp
/// intervals with the records behind them, start, end, breaks, Ist (whole minutes) and the
/// day's anomalies. Managers and admins read anyone of their organisation; others only
/// themselves.
#[utoipa::path(get, path = "/api/v1/employees/{id}/days", tag = "ledger", operation_id = "employee_days",
    params(("id" = Uuid, Path), DaysQuery),
    security(("session" = [])),
    responses((status = 200, body = DaysResponse),
              (status = 400, description = "`invalid_request`: a malformed date, `from` after `to`, or more than 62 days", body = shared_model::wire::ErrorBody),
              (status = 401, description = "`unauthenticated`", body = shared_model::wire::ErrorBody),
              (status = 403, description = "`forbidden`: an employee reading a colleague", body = shared_model::wire::ErrorBody),
              (status = 404, description = "`not_found`: no such employee in this organisation", body = shared_model::wire::ErrorBody)))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn days(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, ApiQuery(q): ApiQuery<DaysQuery>) -> Result<Json<DaysResponse>, ApiError> {
    let from = parse_date("from", &q.from)?;
    let to = parse_date("to", &q.to)?;
    if from > to {
        return Err(ApiError::InvalidRequest("from must not be after to".into()));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(ApiError::InvalidRequest(format!("at most {MAX_DAYS} days per request")));
    }
    let id = parse_id(&id, "employee")?;
    let may_read_all = matches!(caller.role, Role::Admin | Role::Manager);
    if !may_read_all && id != caller.person.id {
        // Whether the colleague exists is no business of an employee: 403 either way.
        return Err(ApiError::forbidden());
    }
    let mut tx = state.store.begin_read().await?;
    people::get(&mut tx, caller.org(), id).await?.ok_or(ApiError::NotFound("employee"))?;
    let org = organisations::get(&mut tx, caller.org()).await?.ok_or(ApiError::NotFound("organisation"))?;
    // Read after the queue is drained, so what a tablet synced is what the manager sees.
    let pending = ledger::has_dirty(&mut tx, caller.org(), id).await?;
    tx.commit().await?;
    if pending {
        projection::drain(&state, Some(caller.org())).await?;
    }
    let mut tx = state.store.begin_read().await?;
    let stored = ledger::days(&mut tx, caller.org(), id, from, to).await?;
    tx.commit().await?;
    let days = stored
        .iter()
        .map(|json| serde_json::from_str::<DayView>(json).map_err(|e| ApiError::Internal(format!("stored day: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(DaysResponse { employee_id: id, time_zone: org.time_zone, days }))
}
