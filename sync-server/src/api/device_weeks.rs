//! `POST /api/v1/device/weeks`: the current week of every active employee on a tablet's
//! roster — Ist and Soll per day and the flex balance — from the server's timesheet, for the
//! tablet to cache and show after identification (issue 12, item 7).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{Datelike, Duration};
use shared_model::rules::local_time::today;
use shared_model::wire::{EmployeeWeek, WeekDay, WeekSummaries};

use super::device::Signed;
use crate::error::ApiError;
use crate::state::AppState;
use crate::timesheet;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/device/weeks", post(weeks))
}

/// The roster's weeks (signed like sync; the body is `{}`). An uninstalled tablet gets 403
/// `device_uninstalled`.
#[utoipa::path(post, path = "/api/v1/device/weeks", tag = "device", operation_id = "device_weeks",
    security(("device_id" = [], "device_timestamp" = [], "device_signature" = [])),
    responses((status = 200, body = WeekSummaries),
              (status = 401, description = "`bad_signature` or `clock_skew`"),
              (status = 403, description = "`device_uninstalled`")))]
#[tracing::instrument(skip_all, fields(device = %signed.device.id))]
pub async fn weeks(State(state): State<AppState>, signed: Signed) -> Result<Json<WeekSummaries>, ApiError> {
    let device = signed.device;
    if !device.is_installed() {
        return Err(ApiError::coded(axum::http::StatusCode::FORBIDDEN, shared_model::ErrorCode::DeviceUninstalled, "this tablet was uninstalled"));
    }
    let org = device.organisation_id;
    // One drain and one read of the organisation's facts for the whole roster.
    crate::ledger::projection::drain(&state, Some(org)).await?;
    let facts = timesheet::OrgMonthFacts::load(&state, org).await?;
    let tz = facts.ctx.tz;
    let as_of = state.clock.now();
    let day = today(tz, as_of);
    let week_start = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let week_end = week_start + Duration::days(6);
    let mut tx = state.store.begin_read().await?;
    let roster = crate::store::roster::get(&mut tx, org).await?;
    tx.commit().await?;
    let mut periods = vec![timesheet::period_of(week_start)?];
    if week_end.month() != week_start.month() {
        periods.push(timesheet::period_of(week_end)?);
    }
    let active: Vec<_> = roster.employees.iter().filter(|e| e.active).collect();
    let mut weeks: Vec<EmployeeWeek> =
        active.iter().map(|e| EmployeeWeek { employee_id: e.id, days: Vec::with_capacity(7), flex_balance_min: 0 }).collect();
    // The week's one or two months, each for the whole roster at once.
    for period in &periods {
        let who = active.iter().map(|e| timesheet::EmployeeRef { id: e.id, name: e.name.clone(), number: Some(e.number.clone()) }).collect();
        let months = timesheet::months_of(&state, &facts, who, *period).await?;
        for (week, month) in weeks.iter_mut().zip(months) {
            for d in month.days.iter().filter(|d| d.date >= week_start && d.date <= week_end) {
                week.days.push(WeekDay { date: d.date, actual_min: d.actual_min, target_min: d.target_min });
            }
            if timesheet::period_of(day)? == *period {
                week.flex_balance_min = month.flex_balance_min;
            }
        }
    }
    let employees = weeks;
    Ok(Json(WeekSummaries { as_of, week_start, employees }))
}
