//! Work-time models (B1), their assignment to employees (B1, B2, B5), and the organisation's
//! public-holiday calendar (L).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::extract::{parse_id, ApiJson};
use super::session::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::timesheet::{self as ts, AssignmentRow, WorkModelRow};
use crate::timesheet::changes::{self, Actor, AssignmentInput, WorkModelInput};
use crate::timesheet::{decimal, model_of, OrgContext, WorkModelView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/work-models", get(list).post(create))
        .route("/api/v1/work-models/{id}", patch(update))
        .route("/api/v1/employees/{id}/work-model", put(assign).get(assignments))
        .route("/api/v1/organisation", get(organisation).patch(update_organisation))
}

fn actor(caller: &Caller) -> Actor {
    Actor { id: caller.person.id, org: caller.org(), role: caller.role }
}

fn view(row: &WorkModelRow) -> Result<WorkModelView, ApiError> {
    Ok(WorkModelView::of(row, &model_of(row)?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkModelList {
    pub items: Vec<WorkModelView>,
}

/// The organisation's work-time models.
#[utoipa::path(get, path = "/api/v1/work-models", tag = "timesheets", operation_id = "list_work_models",
    security(("session" = [])),
    responses((status = 200, body = WorkModelList), (status = 403, description = "`forbidden`: managers and admins only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<WorkModelList>, ApiError> {
    caller.require_manager()?;
    let mut tx = state.store.begin_read().await?;
    let rows = ts::work_models(&mut tx, caller.org()).await?;
    tx.commit().await?;
    Ok(Json(WorkModelList { items: rows.iter().map(view).collect::<Result<_, _>>()? }))
}

/// B1: a new model (name required, minutes per weekday Monday…Sunday, each 0–1440).
#[utoipa::path(post, path = "/api/v1/work-models", tag = "timesheets", operation_id = "create_work_model", request_body = WorkModelInput,
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = WorkModelView),
              (status = 400, description = "`invalid_request` naming the field"),
              (status = 403, description = "`forbidden`: managers and admins only"),
              (status = 409, description = "`already_exists`: a model of that name")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn create(State(state): State<AppState>, caller: Caller, ApiJson(input): ApiJson<WorkModelInput>) -> Result<Response, ApiError> {
    let row = changes::create_work_model(&state, actor(&caller), &input).await?;
    Ok((StatusCode::CREATED, Json(view(&row)?)).into_response())
}

/// Changes a model in place (every employee on it, every day computed from now on).
#[utoipa::path(patch, path = "/api/v1/work-models/{id}", tag = "timesheets", operation_id = "update_work_model", request_body = WorkModelInput,
    params(("id" = Uuid, Path)),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = WorkModelView),
              (status = 400, description = "`invalid_request` naming the field"),
              (status = 403, description = "`forbidden`: managers and admins only"),
              (status = 404, description = "`not_found`"),
              (status = 409, description = "`already_exists`: a model of that name")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn update(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(input): ApiJson<WorkModelInput>) -> Result<Json<WorkModelView>, ApiError> {
    let id = parse_id(&id, "work model")?;
    let row = changes::update_work_model(&state, actor(&caller), id, &input).await?;
    Ok(Json(view(&row)?))
}

/// An assignment as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentView {
    #[schema(value_type = String, format = Date)]
    pub valid_from: NaiveDate,
    pub work_model_id: Uuid,
    pub flex_model: String,
    pub flex_opening_min: i64,
    /// Yearly entitlement in days, exact decimal.
    pub vacation_days: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentList {
    pub items: Vec<AssignmentView>,
}

fn assignment_list(rows: Vec<AssignmentRow>) -> AssignmentList {
    AssignmentList {
        items: rows
            .into_iter()
            .map(|a| AssignmentView {
                valid_from: a.valid_from,
                work_model_id: a.work_model_id,
                flex_model: a.flex_model,
                flex_opening_min: a.flex_opening_min,
                vacation_days: a.vacation_centidays.map(|c| decimal(num_rational::Ratio::new(c, 100))),
            })
            .collect(),
    }
}

/// Assigns a model to an employee from `valid_from` on (the same day replaces an assignment),
/// with the flex model, opening balance and vacation entitlement; audited.
#[utoipa::path(put, path = "/api/v1/employees/{id}/work-model", tag = "timesheets", operation_id = "assign_work_model", request_body = AssignmentInput,
    params(("id" = Uuid, Path)),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = AssignmentList),
              (status = 400, description = "`invalid_request` naming the field"),
              (status = 403, description = "`forbidden`: managers and admins only"),
              (status = 404, description = "`not_found`: no such employee"),
              (status = 422, description = "`unknown_reference`: no such work model")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn assign(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, ApiJson(input): ApiJson<AssignmentInput>) -> Result<Json<AssignmentList>, ApiError> {
    let id = parse_id(&id, "employee")?;
    Ok(Json(assignment_list(changes::assign_work_model(&state, actor(&caller), id, &input).await?)))
}

/// The employee's model assignments, oldest first (managers, admins, and the employee).
#[utoipa::path(get, path = "/api/v1/employees/{id}/work-model", tag = "timesheets", operation_id = "employee_work_models",
    params(("id" = Uuid, Path)),
    security(("session" = [])),
    responses((status = 200, body = AssignmentList),
              (status = 403, description = "`forbidden`"),
              (status = 404, description = "`not_found`: no such employee")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), id = %id))]
pub async fn assignments(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<AssignmentList>, ApiError> {
    let id = parse_id(&id, "employee")?;
    changes::may_read(actor(&caller), id)?;
    let mut tx = state.store.begin_read().await?;
    if !ts::lock_employee(&mut tx, caller.org(), id).await? {
        return Err(ApiError::NotFound("employee"));
    }
    let rows = ts::assignments(&mut tx, caller.org(), id).await?;
    tx.commit().await?;
    Ok(Json(assignment_list(rows)))
}

/// The organisation's settings the timesheet uses.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationView {
    pub time_zone: String,
    /// `SE`, `DK`, `DE`, `DE-<Land>` or `none`.
    pub holiday_calendar: String,
    /// `self_service` or `strict` (D4).
    pub policy: String,
    /// Whether a start must name a project/account link. False for an organisation without
    /// projects (a restaurant, a shop): staff stamp in and out, and the admin UI hides links.
    pub links_required: bool,
}

/// The organisation's time zone, holiday calendar, policy and whether starts need a link (every
/// signed-in person: the admin UI and an employee's own pages follow these settings).
#[utoipa::path(get, path = "/api/v1/organisation", tag = "timesheets", operation_id = "get_organisation",
    security(("session" = [])),
    responses((status = 200, body = OrganisationView), (status = 401, description = "`unauthenticated`")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn organisation(State(state): State<AppState>, caller: Caller) -> Result<Json<OrganisationView>, ApiError> {
    let mut tx = state.store.begin_read().await?;
    let ctx = OrgContext::load(&mut tx, caller.org()).await?;
    let org = crate::store::organisations::get(&mut tx, caller.org()).await?.ok_or(ApiError::NotFound("organisation"))?;
    tx.commit().await?;
    Ok(Json(OrganisationView {
        time_zone: ctx.time_zone,
        holiday_calendar: ctx.calendar_code,
        policy: ctx.policy.as_str().to_owned(),
        links_required: org.links_required,
    }))
}

/// A change of the organisation's settings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    /// `SE`, `DK`, `DE`, `DE-BY` (a Bundesland's code) or `none`.
    pub holiday_calendar: Option<String>,
    /// `self_service` (Tomahawk: staff correct their own stamps and time sheets) or `strict`
    /// (Calumet: only managers and team leads), D4; tablets take it at their next sync.
    pub policy: Option<shared_model::Policy>,
    /// `false` lets staff stamp in without choosing a project/account link; `true` (the
    /// default of every organisation) refuses such a start with 400 `invalid_request`. Tablets
    /// take it at their next sync.
    pub links_required: Option<bool>,
}

/// Sets the public-holiday calendar, the punch-clock policy and whether starts need a link
/// (admins); audited.
#[utoipa::path(patch, path = "/api/v1/organisation", tag = "timesheets", operation_id = "update_organisation", request_body = OrganisationPatch,
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = OrganisationView),
              (status = 400, description = "`invalid_request`: an unknown calendar or policy"),
              (status = 403, description = "`forbidden`: admins only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn update_organisation(State(state): State<AppState>, caller: Caller, ApiJson(input): ApiJson<OrganisationPatch>) -> Result<Json<OrganisationView>, ApiError> {
    let change = changes::OrganisationChange { holiday_calendar: input.holiday_calendar.as_deref(), policy: input.policy, links_required: input.links_required };
    changes::update_organisation(&state, actor(&caller), change).await?;
    organisation(State(state), caller).await
}
