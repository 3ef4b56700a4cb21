//! Absences (B4): entered by managers over a range of days, one per day.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::extract::{parse_id, ApiJson, ApiQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::timesheet as ts;
use crate::timesheet::changes::{self, AbsenceInput, Actor};
use crate::timesheet::AbsenceView;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/absences", get(list).post(create)).route("/api/v1/absences/{id}", delete(remove))
}

fn actor(caller: &Caller) -> Actor {
    Actor { id: caller.person.id, org: caller.org(), role: caller.role }
}

/// `?employee_id=&from=&to=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AbsenceQuery {
    /// Only this employee's (an employee may ask for their own only).
    pub employee_id: Option<Uuid>,
    /// First day, `YYYY-MM-DD`.
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub from: String,
    /// Last day, at most 366 days after `from`.
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub to: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AbsenceList {
    pub items: Vec<AbsenceView>,
}

/// Absences over a range, of the organisation or one employee.
#[utoipa::path(get, path = "/api/v1/absences", tag = "timesheets", operation_id = "list_absences", params(AbsenceQuery),
    security(("session" = [])),
    responses((status = 200, body = AbsenceList),
              (status = 400, description = "`invalid_request`: a malformed date or range"),
              (status = 403, description = "`forbidden`: an employee asking for others")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<AbsenceQuery>) -> Result<Json<AbsenceList>, ApiError> {
    let from = changes::parse_date("from", &q.from)?;
    let to = changes::parse_date("to", &q.to)?;
    if to < from || (to - from).num_days() > 366 {
        return Err(ApiError::InvalidRequest("to must lie 0–366 days after from".into()));
    }
    let a = actor(&caller);
    match q.employee_id {
        Some(e) => changes::may_read(a, e)?,
        None => caller.require_manager()?,
    }
    let mut tx = state.store.begin_read().await?;
    let rows = ts::absences(&mut tx, caller.org(), q.employee_id, from, to).await?;
    tx.commit().await?;
    Ok(Json(AbsenceList { items: rows.iter().map(AbsenceView::of).collect() }))
}

/// B4: one absence for every day of the range (managers, admins); audited. A day that has one
/// already refuses the whole range.
#[utoipa::path(post, path = "/api/v1/absences", tag = "timesheets", operation_id = "create_absences", request_body = AbsenceInput,
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = AbsenceList),
              (status = 400, description = "`invalid_request` naming the field"),
              (status = 403, description = "`forbidden`: managers and admins only"),
              (status = 404, description = "`not_found`: no such employee"),
              (status = 409, description = "`absence_exists` (with `details.date`), `period_locked`")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(input): ApiJson<AbsenceInput>) -> Result<Response, ApiError> {
    let rows = changes::add_absences(&state, actor(&caller), &input).await?;
    Ok((StatusCode::CREATED, Json(AbsenceList { items: rows.iter().map(AbsenceView::of).collect() })).into_response())
}

/// Deletes one day's absence (managers, admins); audited.
#[utoipa::path(delete, path = "/api/v1/absences/{id}", tag = "timesheets", operation_id = "delete_absence",
    params(("id" = Uuid, Path)),
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "deleted"),
              (status = 403, description = "`forbidden`: managers and admins only"),
              (status = 404, description = "`not_found`"),
              (status = 409, description = "`period_locked`")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn remove(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id, "absence")?;
    changes::delete_absence(&state, actor(&caller), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
