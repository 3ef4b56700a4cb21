//! What a payroll run hands the payroll office (issue 15): the runs, each run's basis (whole
//! and per employee) and its exports. The basis itself is `crate::payroll`.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::extract::{parse_id, ApiQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::payroll::basis::BasisEmployee;
use crate::payroll::{self, BasisAnswer};
use crate::state::AppState;
use crate::timesheet::csv::Lang;

/// The export formats built so far.
pub const FORMATS: [&str; 3] = ["csv", "paxml", "visma-tlu"];
/// The PAXml profiles built so far (`strict`: passes the PAXml 2.0 schema).
pub const PAXML_PROFILES: [&str; 1] = ["strict"];

pub fn router() -> Router<AppState> {
    // `GET /api/v1/payroll-runs` (`list`) shares its path with the run: routed in `payroll.rs`.
    Router::new()
        .route("/api/v1/payroll-runs/{id}/basis", get(basis))
        .route("/api/v1/payroll-runs/{id}/basis/{employee_id}", get(basis_of_employee))
        .route("/api/v1/payroll-runs/{id}/export", get(export))
}

/// `?period=YYYY-MM` (optional) of the run list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RunsQuery {
    /// Only the runs of this pay period `YYYY-MM`.
    #[param(pattern = "^(19[0-9]{2}|[2-9][0-9]{3})-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub period: Option<String>,
}

/// A payroll run in the list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunItem {
    pub id: Uuid,
    /// `YYYY-MM`.
    pub period: String,
    /// When it ran and locked the period.
    pub locked_at: DateTime<Utc>,
    pub created_by: Option<Uuid>,
    /// Whether it still holds its period's lock (false once the period was unlocked).
    pub current: bool,
    /// Whether its basis is stored.
    pub has_basis: bool,
}

/// The run list (not paged: one run per period unless a period was unlocked and run again).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunList {
    pub items: Vec<RunItem>,
}

/// The payroll runs of the organisation, newest first.
#[utoipa::path(get, path = "/api/v1/payroll-runs", tag = "payroll", operation_id = "list_payroll_runs", params(RunsQuery),
    security(("session" = [])),
    responses((status = 200, body = RunList), (status = 400, description = "`invalid_request`: a malformed period"),
              (status = 403, description = "`forbidden`: admins and managers only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<RunsQuery>) -> Result<Json<RunList>, ApiError> {
    caller.require_manager()?;
    let period = q.period.as_deref().map(|p| p.parse().map_err(|e: shared_model::ModelError| ApiError::InvalidRequest(format!("period: {e}")))).transpose()?;
    let mut tx = state.store.begin_read().await?;
    let runs = crate::store::locks::runs(&mut tx, caller.org(), period).await?;
    tx.commit().await?;
    let items = runs
        .into_iter()
        .map(|r| RunItem { id: r.id, period: r.period, locked_at: r.created_at, created_by: r.created_by, current: r.current, has_basis: r.basis.is_some() })
        .collect();
    Ok(Json(RunList { items }))
}

/// A run's payroll basis: per employee worked and target time, flex and its balance, absences
/// by type with their dates, open warnings, stamps and corrections counted; totals that are the
/// sums of the rows; and what changed against the previous run of the same period. Stored with
/// the run when it locked the period; it never changes afterwards.
#[utoipa::path(get, path = "/api/v1/payroll-runs/{id}/basis", tag = "payroll", operation_id = "payroll_basis",
    params(("id" = Uuid, Path, description = "The run's id (a malformed id is 404 `not_found`)")),
    security(("session" = [])),
    responses((status = 200, body = BasisAnswer),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no such run in the organisation"),
              (status = 409, description = "`period_not_locked`: a run from before the basis existed whose period was unlocked since")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), run = %id))]
pub async fn basis(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Result<Json<BasisAnswer>, ApiError> {
    caller.require_manager()?;
    let id = parse_id(&id, "payroll run")?;
    Ok(Json(payroll::answer(&state, caller.org(), id).await?))
}

/// One employee's row of a run's basis.
#[utoipa::path(get, path = "/api/v1/payroll-runs/{id}/basis/{employee_id}", tag = "payroll", operation_id = "payroll_basis_of_employee",
    params(("id" = Uuid, Path, description = "The run's id"), ("employee_id" = Uuid, Path, description = "The employee's id")),
    security(("session" = [])),
    responses((status = 200, body = BasisEmployee),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no such run, or the employee is not in its basis"),
              (status = 409, description = "`period_not_locked`: as for the whole basis")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), run = %id))]
pub async fn basis_of_employee(State(state): State<AppState>, caller: Caller, Path((id, employee)): Path<(String, String)>) -> Result<Json<BasisEmployee>, ApiError> {
    caller.require_manager()?;
    let id = parse_id(&id, "payroll run")?;
    let employee = parse_id(&employee, "employee")?;
    let basis = payroll::compute_and_store(&state, caller.org(), id).await?;
    basis.employees.into_iter().find(|e| e.employee_id == employee).map(Json).ok_or(ApiError::NotFound("employee in this payroll basis"))
}

/// `?format=…&lang=…&profile=…` of an export.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// The format: `csv`, `paxml` or `visma-tlu`.
    #[param(pattern = "^(csv|paxml|visma-tlu)$")]
    pub format: String,
    /// The language of the CSV's headers and item names (default `en`). Only with `format=csv`.
    #[param(inline)]
    pub lang: Option<Lang>,
    /// The PAXml profile: `strict` (the default; passes the PAXml 2.0 schema). Only with
    /// `format=paxml`.
    #[param(pattern = "^strict$")]
    pub profile: Option<String>,
}

/// A run's basis exported for the payroll system. `csv`: one row per employee and pay item,
/// `;`-separated, UTF-8 with BOM, CRLF, hours with a decimal comma beside the exact minutes.
/// `paxml` (Sweden, PAXml 2.0, profile `strict`): one `tidtrans` per employee, time code and
/// day (`anstid`, `tidkod`, `datum`, `timmar`), UTF-8, valid against the PAXml 2.0 schema.
/// `visma-tlu` (Visma Lön 300/600 time import): attributes only, ISO-8859-1, every code declared,
/// the schedule, the times per code and day, the flex balance; valid against its schema.
/// Employees without an employee number or without any time or absence are left out of all.
#[utoipa::path(get, path = "/api/v1/payroll-runs/{id}/export", tag = "payroll", operation_id = "export_payroll_run",
    params(("id" = Uuid, Path, description = "The run's id"), ExportQuery),
    security(("session" = [])),
    responses((status = 200, description = "The file: `text/csv` for `csv`, `application/xml` for `paxml` (UTF-8) and `visma-tlu` (ISO-8859-1)", content((String = "text/csv"), (String = "application/xml"))),
              (status = 400, description = "`invalid_request`: an unknown format or profile (the message names the ones there are) or language"),
              (status = 403, description = "`forbidden`: admins and managers only"),
              (status = 404, description = "`not_found`: no such run in the organisation"),
              (status = 409, description = "`period_not_locked`: as for the basis"),
              (status = 422, description = "`unmapped_code`: time or absence types without a code in the format (`details.types`), or, for `visma-tlu`, text the format cannot carry (`details.uncarriable`: `[{\"employee\", \"reason\"}]`)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), run = %id))]
pub async fn export(State(state): State<AppState>, caller: Caller, Path(id): Path<String>, ApiQuery(q): ApiQuery<ExportQuery>) -> Result<Response, ApiError> {
    caller.require_manager()?;
    if !FORMATS.contains(&q.format.as_str()) {
        return Err(ApiError::InvalidRequest(format!("format must be one of: {}", FORMATS.join(", "))));
    }
    let profile = q.profile.as_deref().unwrap_or("strict");
    if q.format == "paxml" && !PAXML_PROFILES.contains(&profile) {
        return Err(ApiError::InvalidRequest(format!("profile must be one of: {}", PAXML_PROFILES.join(", "))));
    }
    if q.format != "paxml" && q.profile.is_some() {
        return Err(ApiError::InvalidRequest("profile applies to format=paxml only".into()));
    }
    if q.format != "csv" && q.lang.is_some() {
        return Err(ApiError::InvalidRequest("lang applies to format=csv only".into()));
    }
    let id = parse_id(&id, "payroll run")?;
    let basis = payroll::compute_and_store(&state, caller.org(), id).await?;
    let (body, content_type, extension) = match q.format.as_str() {
        "paxml" => {
            let xml = crate::payroll::paxml::basis_paxml(&basis, &organisation_name(&state, &caller).await?).map_err(|e| match e {
                crate::payroll::paxml::PaxmlError::Unmapped(types) => unmapped(format!("no PAXml time code for: {}", types.join(", ")), json!({ "types": types })),
                other => ApiError::Internal(other.to_string()),
            })?;
            (xml, "application/xml; charset=utf-8", "xml")
        }
        "visma-tlu" => {
            use crate::payroll::visma::{basis_tlu, VismaError};
            let tlu = basis_tlu(&basis, &organisation_name(&state, &caller).await?).map_err(|e| {
                let message = e.to_string();
                match e {
                    VismaError::Unmapped(types) => unmapped(message, json!({ "types": types })),
                    VismaError::Uncarriable(who) => {
                        let list: Vec<_> = who.into_iter().map(|(employee, reason)| json!({ "employee": employee, "reason": reason })).collect();
                        unmapped(message, json!({ "uncarriable": list }))
                    }
                    VismaError::Xml(_) => ApiError::Internal(message),
                }
            })?;
            (tlu, "application/xml; charset=iso-8859-1", "tlu")
        }
        _ => (crate::payroll::csv::basis_csv(&basis, q.lang.unwrap_or_default())?, "text/csv; charset=utf-8", "csv"),
    };
    let disposition = format!("attachment; filename=\"payroll-{}.{extension}\"", basis.run.period);
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// 422 `unmapped_code`: what a format cannot carry, named in `details`.
fn unmapped(message: String, details: serde_json::Value) -> ApiError {
    ApiError::with_details(StatusCode::UNPROCESSABLE_ENTITY, shared_model::ErrorCode::UnmappedCode, message, details)
}

/// The caller's organisation's name, for the headers of the XML exports.
async fn organisation_name(state: &AppState, caller: &Caller) -> Result<String, ApiError> {
    let mut tx = state.store.begin_read().await?;
    let org = crate::store::organisations::get(&mut tx, caller.org()).await?.ok_or(ApiError::NotFound("organisation"))?;
    tx.commit().await?;
    Ok(org.name)
}
