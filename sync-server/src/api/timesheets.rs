//! Timesheets (issue 12, docs/TIMESHEET.md): an employee's month (JSON and CSV), manual
//! entries, bookings, stamp corrections, locks of one employee's month, and the anomalies list.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shared_model::PayPeriod;
use uuid::Uuid;

use super::extract::{parse_id, ApiJson, ApiQuery};
use super::session::Caller;
use crate::error::ApiError;
use crate::ledger::projection::DayView;
use crate::state::AppState;
use crate::store::timesheet as ts;
use crate::timesheet::changes::{self, Actor, BookingInput, BookingPatch, CorrectionInput, CorrectionMade, EntryInput};
use crate::timesheet::csv::{month_csv, Lang};
use crate::timesheet::{self, BookingView, LockView, MonthView, SheetDayView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/timesheets/{employee_id}/{month}", get(month_or_csv))
        .route("/api/v1/timesheets/{employee_id}/{month}/lock", post(lock))
        .route("/api/v1/timesheets/{employee_id}/{month}/unlock", post(unlock))
        .route("/api/v1/timesheets/{employee_id}/days/{date}", put(put_entry).delete(delete_entry))
        .route("/api/v1/timesheets/{employee_id}/days/{date}/bookings", post(add_booking))
        .route("/api/v1/timesheets/{employee_id}/days/{date}/bookings/{booking_id}", patch(patch_booking).delete(delete_booking))
        .route("/api/v1/events/{event_id}/corrections", post(correct))
        .route("/api/v1/anomalies", get(anomalies))
}

fn actor(caller: &Caller) -> Actor {
    Actor { id: caller.person.id, org: caller.org(), role: caller.role }
}

fn parse_month(s: &str) -> Result<PayPeriod, ApiError> {
    s.parse::<PayPeriod>().map_err(|_| ApiError::InvalidRequest("month must be YYYY-MM".into()))
}

/// `{employee_id}/days/{date}`: a malformed date is 400, a malformed id 404.
fn day_path(employee: &str, date: &str) -> Result<(Uuid, NaiveDate), ApiError> {
    let date = changes::parse_date("date", date)?;
    Ok((parse_id(employee, "employee")?, date))
}

/// `?lang=` of the CSV.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CsvQuery {
    /// The language of the headers and names (default `en`).
    #[param(inline)]
    pub lang: Option<Lang>,
}

#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, month = %month))]
async fn month_or_csv(state: State<AppState>, caller: Caller, Path((employee, month)): Path<(String, String)>, q: ApiQuery<CsvQuery>) -> Result<Response, ApiError> {
    match month.strip_suffix(".csv") {
        Some(m) => month_csv_get(state, caller, Path((employee, m.to_owned())), q).await,
        None => {
            if q.0.lang.is_some() {
                return Err(ApiError::InvalidRequest("lang applies to the .csv only".into()));
            }
            Ok(month_get(state, caller, Path((employee, month))).await?.into_response())
        }
    }
}

/// An employee's month: every calendar day with source, start, end, break, Soll, Ist, flex,
/// absence, holiday, warnings, anomalies, stamp intervals, entry, bookings and corrections;
/// totals, flex balance and vacation left. Employees read their own only.
#[utoipa::path(get, path = "/api/v1/timesheets/{employee_id}/{month}", tag = "timesheets", operation_id = "timesheet_month",
    params(("employee_id" = Uuid, Path), ("month" = String, Path, description = "`YYYY-MM`", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")),
    security(("session" = [])),
    responses((status = 200, body = MonthView),
              (status = 400, description = "`invalid_request`: a malformed month"),
              (status = 401, description = "`unauthenticated`"),
              (status = 403, description = "`forbidden`: an employee reading a colleague"),
              (status = 404, description = "`not_found`: no such employee in this organisation")))]
pub async fn month_get(State(state): State<AppState>, caller: Caller, Path((employee, month)): Path<(String, String)>) -> Result<Json<MonthView>, ApiError> {
    let period = parse_month(&month)?;
    let employee = parse_id(&employee, "employee")?;
    changes::may_read(actor(&caller), employee)?;
    Ok(Json(timesheet::month(&state, caller.org(), employee, period).await?))
}

/// The month as CSV for Excel: UTF-8 with BOM, `;`-separated, CRLF, one row per day and a
/// totals row, headers in the language asked for.
#[utoipa::path(get, path = "/api/v1/timesheets/{employee_id}/{month}.csv", tag = "timesheets", operation_id = "timesheet_month_csv",
    params(("employee_id" = Uuid, Path), ("month" = String, Path, description = "`YYYY-MM`", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$"), CsvQuery),
    security(("session" = [])),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 400, description = "`invalid_request`: a malformed month or language"),
              (status = 401, description = "`unauthenticated`"),
              (status = 403, description = "`forbidden`: an employee reading a colleague"),
              (status = 404, description = "`not_found`: no such employee in this organisation")))]
pub async fn month_csv_get(State(state): State<AppState>, caller: Caller, Path((employee, month)): Path<(String, String)>, ApiQuery(q): ApiQuery<CsvQuery>) -> Result<Response, ApiError> {
    let lang = q.lang.unwrap_or_default();
    let period = parse_month(&month)?;
    let employee = parse_id(&employee, "employee")?;
    changes::may_read(actor(&caller), employee)?;
    let view = timesheet::month(&state, caller.org(), employee, period).await?;
    let tz = shared_model::pay_period::parse_time_zone(&view.time_zone).map_err(|e| ApiError::Internal(e.to_string()))?;
    let body = month_csv(&view, tz, lang)?;
    let number = view.employee.number.clone().unwrap_or_else(|| view.employee.id.to_string());
    let safe: String = number.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let disposition = format!("attachment; filename=\"timesheet-{safe}-{period}.csv\"");
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

async fn day_after_change(state: &AppState, org: Uuid, employee: Uuid, date: NaiveDate) -> Result<SheetDayView, ApiError> {
    let period = timesheet::period_of(date)?;
    let month = timesheet::month(state, org, employee, period).await?;
    month.days.into_iter().find(|d| d.date == date).ok_or_else(|| ApiError::Internal(format!("{date} missing from its month")))
}

/// A1–A7, D6: sets the day's manual entry (start, end, break as typed) and answers the day.
#[utoipa::path(put, path = "/api/v1/timesheets/{employee_id}/days/{date}", tag = "timesheets", operation_id = "put_timesheet_entry", request_body = EntryInput,
    params(("employee_id" = Uuid, Path), ("date" = String, Path, description = "`YYYY-MM-DD`", format = Date)),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = SheetDayView),
              (status = 400, description = "`invalid_request` naming the field: a malformed date, time or break, start = end, a break longer than the work time"),
              (status = 403, description = "`forbidden`: another employee's day, or one's own under the strict policy"),
              (status = 404, description = "`not_found`: no such employee"),
              (status = 409, description = "`period_locked`: the month is locked"),
              (status = 422, description = "`future_entry` (A5), `day_has_stamps` (D6), `bookings_exceed_actual` (INTERP-24)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, date = %date))]
pub async fn put_entry(State(state): State<AppState>, caller: Caller, Path((employee, date)): Path<(String, String)>, ApiJson(input): ApiJson<EntryInput>) -> Result<Json<SheetDayView>, ApiError> {
    let (employee, date) = day_path(&employee, &date)?;
    changes::put_entry(&state, actor(&caller), employee, date, &input).await?;
    Ok(Json(day_after_change(&state, caller.org(), employee, date).await?))
}

/// A6: deletes the day's manual entry and its bookings.
#[utoipa::path(delete, path = "/api/v1/timesheets/{employee_id}/days/{date}", tag = "timesheets", operation_id = "delete_timesheet_entry",
    params(("employee_id" = Uuid, Path), ("date" = String, Path, description = "`YYYY-MM-DD`", format = Date)),
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "deleted"),
              (status = 400, description = "`invalid_request`: a malformed date"),
              (status = 403, description = "`forbidden`"),
              (status = 404, description = "`not_found`: no such employee or no entry that day"),
              (status = 409, description = "`period_locked`")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, date = %date))]
pub async fn delete_entry(State(state): State<AppState>, caller: Caller, Path((employee, date)): Path<(String, String)>) -> Result<StatusCode, ApiError> {
    let (employee, date) = day_path(&employee, &date)?;
    changes::delete_entry(&state, actor(&caller), employee, date).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// E1/E2: books time of a manually entered day to a link (`minutes`), or what remains of its
/// Ist (`fully`).
#[utoipa::path(post, path = "/api/v1/timesheets/{employee_id}/days/{date}/bookings", tag = "timesheets", operation_id = "add_booking", request_body = BookingInput,
    params(("employee_id" = Uuid, Path), ("date" = String, Path, description = "`YYYY-MM-DD`", format = Date)),
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = BookingView),
              (status = 400, description = "`invalid_request` naming the field"),
              (status = 403, description = "`forbidden`"),
              (status = 404, description = "`not_found`: no such employee"),
              (status = 409, description = "`period_locked`"),
              (status = 422, description = "`bookings_exceed_actual` (E1), `nothing_to_book` (E2), `day_has_stamps` (D6), `unknown_reference` (link)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, date = %date))]
pub async fn add_booking(State(state): State<AppState>, caller: Caller, Path((employee, date)): Path<(String, String)>, ApiJson(input): ApiJson<BookingInput>) -> Result<Response, ApiError> {
    let (employee, date) = day_path(&employee, &date)?;
    let row = changes::add_booking(&state, actor(&caller), employee, date, &input).await?;
    Ok((StatusCode::CREATED, Json(BookingView::of(&row))).into_response())
}

/// E1 on edit: changes a booking's link or minutes.
#[utoipa::path(patch, path = "/api/v1/timesheets/{employee_id}/days/{date}/bookings/{booking_id}", tag = "timesheets", operation_id = "patch_booking", request_body = BookingPatch,
    params(("employee_id" = Uuid, Path), ("date" = String, Path, description = "`YYYY-MM-DD`", format = Date), ("booking_id" = Uuid, Path)),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = BookingView),
              (status = 400, description = "`invalid_request` naming the field"),
              (status = 403, description = "`forbidden`"),
              (status = 404, description = "`not_found`: no such employee or booking"),
              (status = 409, description = "`period_locked`"),
              (status = 422, description = "`bookings_exceed_actual` (E1), `day_has_stamps`, `unknown_reference`")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, date = %date, booking = %booking))]
pub async fn patch_booking(
    State(state): State<AppState>,
    caller: Caller,
    Path((employee, date, booking)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<BookingPatch>,
) -> Result<Json<BookingView>, ApiError> {
    let (employee, date) = day_path(&employee, &date)?;
    let booking = parse_id(&booking, "booking")?;
    let row = changes::patch_booking(&state, actor(&caller), employee, date, booking, &input).await?;
    Ok(Json(BookingView::of(&row)))
}

/// Deletes a booking.
#[utoipa::path(delete, path = "/api/v1/timesheets/{employee_id}/days/{date}/bookings/{booking_id}", tag = "timesheets", operation_id = "delete_booking",
    params(("employee_id" = Uuid, Path), ("date" = String, Path, description = "`YYYY-MM-DD`", format = Date), ("booking_id" = Uuid, Path)),
    security(("session" = [], "csrf" = [])),
    responses((status = 204, description = "deleted"),
              (status = 400, description = "`invalid_request`: a malformed date"),
              (status = 403, description = "`forbidden`"),
              (status = 404, description = "`not_found`"),
              (status = 409, description = "`period_locked`")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, date = %date, booking = %booking))]
pub async fn delete_booking(State(state): State<AppState>, caller: Caller, Path((employee, date, booking)): Path<(String, String, String)>) -> Result<StatusCode, ApiError> {
    let (employee, date) = day_path(&employee, &date)?;
    let booking = parse_id(&booking, "booking")?;
    changes::delete_booking(&state, actor(&caller), employee, date, booking).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// D1/D4: corrects a stamp — a new ledger record that supersedes it (`change_time`,
/// `change_link`, `delete`), or a missing stop for a start (`add_stop`); the original stays.
#[utoipa::path(post, path = "/api/v1/events/{event_id}/corrections", tag = "timesheets", operation_id = "correct_event", request_body = CorrectionInput,
    params(("event_id" = Uuid, Path)),
    security(("session" = [], "csrf" = [])),
    responses((status = 201, body = CorrectionMade),
              (status = 400, description = "`invalid_request` naming the field: an unknown action, a missing `at` or `reason`, a stop before its start"),
              (status = 403, description = "`forbidden`: the policy does not let this role correct this person's stamps (D4)"),
              (status = 404, description = "`not_found`: no such event in this organisation"),
              (status = 409, description = "`period_locked`; `event_conflict`: the record is already corrected, or not an accepted stamp"),
              (status = 422, description = "`future_entry`, `unknown_reference` (link)")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), event = %event))]
pub async fn correct(State(state): State<AppState>, caller: Caller, Path(event): Path<String>, ApiJson(input): ApiJson<CorrectionInput>) -> Result<Response, ApiError> {
    let event = parse_id(&event, "event")?;
    let made = changes::correct(&state, actor(&caller), event, &input).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// The lock state of an employee's month.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LockState {
    pub period: String,
    pub locked: bool,
    pub lock: Option<LockView>,
}

async fn set_lock(state: &AppState, caller: &Caller, employee: &str, month: &str, lock: bool) -> Result<Json<LockState>, ApiError> {
    let period = parse_month(month)?;
    let employee = parse_id(employee, "employee")?;
    changes::set_lock(state, actor(caller), employee, period, lock).await?;
    let mut tx = state.store.begin_read().await?;
    let current = timesheet::lock_of(&mut tx, caller.org(), employee, period).await?;
    tx.commit().await?;
    Ok(Json(LockState { period: period.to_string(), locked: current.is_some(), lock: current }))
}

/// E3: locks one employee's month (managers, admins); audited.
#[utoipa::path(post, path = "/api/v1/timesheets/{employee_id}/{month}/lock", tag = "timesheets", operation_id = "lock_timesheet",
    params(("employee_id" = Uuid, Path), ("month" = String, Path, description = "`YYYY-MM`", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = LockState),
              (status = 400, description = "`invalid_request`: a malformed month"),
              (status = 403, description = "`forbidden`: managers and admins only"),
              (status = 404, description = "`not_found`: no such employee")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, month = %month))]
pub async fn lock(State(state): State<AppState>, caller: Caller, Path((employee, month)): Path<(String, String)>) -> Result<Json<LockState>, ApiError> {
    set_lock(&state, &caller, &employee, &month, true).await
}

/// E3: unlocks one employee's month; the organisation's lock of a payroll run stays (its
/// unlock is `POST /api/v1/periods/{period}/unlock`).
#[utoipa::path(post, path = "/api/v1/timesheets/{employee_id}/{month}/unlock", tag = "timesheets", operation_id = "unlock_timesheet",
    params(("employee_id" = Uuid, Path), ("month" = String, Path, description = "`YYYY-MM`", pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")),
    security(("session" = [], "csrf" = [])),
    responses((status = 200, body = LockState),
              (status = 400, description = "`invalid_request`: a malformed month"),
              (status = 403, description = "`forbidden`: managers and admins only"),
              (status = 404, description = "`not_found`: no such employee")))]
#[tracing::instrument(skip_all, fields(org = %caller.org(), employee = %employee, month = %month))]
pub async fn unlock(State(state): State<AppState>, caller: Caller, Path((employee, month)): Path<(String, String)>) -> Result<Json<LockState>, ApiError> {
    set_lock(&state, &caller, &employee, &month, false).await
}

/// `?from=&to=` of the anomalies list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnomalyQuery {
    /// First work day, `YYYY-MM-DD`.
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub from: String,
    /// Last work day, at most 62 days after `from`.
    #[param(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub to: String,
}

/// One anomaly of a projected day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnomalyItem {
    pub employee_id: Uuid,
    pub employee_name: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// `stop_without_start`, `overlapping_intervals`, `interval_over_16h`, `locked_period`, `flagged_record`.
    pub code: String,
    pub record_ids: Vec<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnomalyList {
    pub items: Vec<AnomalyItem>,
}

/// The ledger's anomalies over a range, for a manager to resolve: never dropped, never fixed
/// silently (at most 5,000 days).
#[utoipa::path(get, path = "/api/v1/anomalies", tag = "timesheets", operation_id = "list_anomalies", params(AnomalyQuery),
    security(("session" = [])),
    responses((status = 200, body = AnomalyList),
              (status = 400, description = "`invalid_request`: a malformed date, `from` after `to`, or more than 62 days"),
              (status = 403, description = "`forbidden`: managers and admins only")))]
#[tracing::instrument(skip_all, fields(org = %caller.org()))]
pub async fn anomalies(State(state): State<AppState>, caller: Caller, ApiQuery(q): ApiQuery<AnomalyQuery>) -> Result<Json<AnomalyList>, ApiError> {
    caller.require_manager()?;
    let from = changes::parse_date("from", &q.from)?;
    let to = changes::parse_date("to", &q.to)?;
    if from > to || (to - from).num_days() + 1 > super::days::MAX_DAYS {
        return Err(ApiError::InvalidRequest("to must lie 0–61 days after from".into()));
    }
    crate::ledger::projection::drain(&state, Some(caller.org())).await?;
    let mut tx = state.store.begin_read().await?;
    let rows = ts::anomalous_days(&mut tx, caller.org(), from, to, 5000).await?;
    tx.commit().await?;
    let mut items = Vec::new();
    for (employee_id, employee_name, json) in rows {
        let day: DayView = serde_json::from_str(&json).map_err(|e| ApiError::Internal(format!("stored day: {e}")))?;
        for a in day.anomalies {
            items.push(AnomalyItem { employee_id, employee_name: employee_name.clone(), date: day.date, code: a.code, record_ids: a.record_ids });
        }
    }
    Ok(Json(AnomalyList { items }))
}
