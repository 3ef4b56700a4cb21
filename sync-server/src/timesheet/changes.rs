//! The changes a timesheet takes: manual entries (A1–A7, D6), bookings (E1, E2), absences (B4),
//! corrections of stamps (D1, D4), locks of one employee's month (E3), work-time models and
//! their assignment (B1, B2, B5). Each is one unit of work: the employee is locked, the month's
//! lock is checked, the change and its audit row are written, the touched days are queued.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;
use shared_model::rules::booking::{check_booking, BookingError};
use shared_model::rules::duration::Minutes;
use shared_model::rules::employee_day::{record_work_days, Record, RecordKind};
use shared_model::rules::entry_format::{display_time_of_day, parse_break, parse_time_of_day};
use shared_model::rules::local_time::{local_date, today};
use shared_model::rules::timesheet::{entry_figures, TimesheetEntry, TimesheetError};
use shared_model::{ErrorCode, PayPeriod, Policy, Role};
use uuid::Uuid;

use super::{lock_of, period_of, OrgContext};
use crate::error::ApiError;
use crate::ledger::projection::{record_of_row, DayView};
use crate::state::AppState;
use crate::store::ledger::{self, WebRecord};
use crate::store::timesheet::{self as ts, AbsenceRow, AssignmentRow, BookingRow, EntryRow, WorkModelRow};
use crate::store::{audit, AuditEntry, StoreError, Tx};

/// Who is acting.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub id: Uuid,
    pub org: Uuid,
    pub role: Role,
}

impl Actor {
    fn manages(self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }
}

/// Reading: managers and admins read anyone of their organisation, everyone else themselves.
pub fn may_read(actor: Actor, employee: Uuid) -> Result<(), ApiError> {
    if actor.manages() || actor.id == employee { Ok(()) } else { Err(ApiError::forbidden()) }
}

/// The time sheet (entries, bookings): managers and admins; the employee themself under the
/// self-service policy (D4).
fn may_edit_sheet(actor: Actor, employee: Uuid, policy: Policy) -> Result<(), ApiError> {
    if actor.manages() || (actor.id == employee && policy == Policy::SelfService) { Ok(()) } else { Err(ApiError::forbidden()) }
}

/// Stamps (D4): managers, admins and team leads; the employee themself under self-service
/// (Tomahawk), never under strict (Calumet).
fn may_correct(actor: Actor, employee: Uuid, policy: Policy) -> Result<(), ApiError> {
    if actor.manages() || actor.role == Role::TeamLead || (actor.id == employee && policy == Policy::SelfService) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

fn coded(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
    ApiError::coded(status, code, message)
}

fn locked(period: PayPeriod) -> ApiError {
    ApiError::with_details(StatusCode::CONFLICT, ErrorCode::PeriodLocked, format!("{period} is locked; unlock it first"), json!({ "period": period.to_string() }))
}

/// Refuses a change to a day of a locked month (E3).
async fn ensure_unlocked(tx: &mut Tx, org: Uuid, employee: Uuid, date: NaiveDate) -> Result<(), ApiError> {
    let period = period_of(date)?;
    if lock_of(tx, org, employee, period).await?.is_some() {
        return Err(locked(period));
    }
    Ok(())
}

async fn begin_for(state: &AppState, actor: Actor, employee: Uuid) -> Result<(Tx, OrgContext), ApiError> {
    let mut tx = state.store.begin().await?;
    if !ts::lock_employee(&mut tx, actor.org, employee).await? {
        return Err(ApiError::NotFound("employee"));
    }
    let ctx = OrgContext::load(&mut tx, actor.org).await?;
    Ok((tx, ctx))
}

fn bad(field: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::InvalidRequest(format!("{field}: {why}"))
}

/// The projected day of `date`, if the punch clock recorded anything on it.
async fn stamped_day(tx: &mut Tx, org: Uuid, employee: Uuid, date: NaiveDate) -> Result<Option<DayView>, ApiError> {
    let days = ledger::days(tx, org, employee, date, date).await?;
    match days.first() {
        Some(json) => {
            let d: DayView = serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("stored day: {e}")))?;
            Ok((!d.intervals.is_empty()).then_some(d))
        }
        None => Ok(None),
    }
}

/// The day's Ist from a manual entry (0 without one).
fn entry_actual(row: Option<&EntryRow>, tz: chrono_tz::Tz) -> Result<Minutes, ApiError> {
    Ok(match row {
        Some(r) => super::entry_facts(r, tz)?.map_or(Minutes::ZERO, |f| f.actual),
        None => Minutes::ZERO,
    })
}

fn booking_error(e: BookingError) -> ApiError {
    coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::BookingsExceedActual, format!("the bookings would exceed the day's actual hours (E1): {e}"))
}

/// A manual entry as typed: start and end in the A1 formats, the break in A2's.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// `H`, `HH`, `HMM`, `HHMM`, `H:MM` or `HH:MM` (A1), 00:00–23:59.
    #[schema(pattern = r"^\s*([0-9]{1,4}|[0-9]{1,2}:[0-9]{2})\s*$")]
    pub start: String,
    /// As `start`; before the start means the next day (A3).
    #[schema(pattern = r"^\s*([0-9]{1,4}|[0-9]{1,2}:[0-9]{2})\s*$")]
    pub end: String,
    /// `90` (minutes), `130` (1:30), `1:30`; empty or absent for none (A2).
    #[serde(default)]
    #[schema(pattern = r"^\s*([0-9]{0,4}|[0-9]{1,2}:[0-9]{2})\s*$")]
    pub r#break: Option<String>,
}

/// A1–A7, D6, E1 (INTERP-24): sets the day's manual entry.
pub async fn put_entry(state: &AppState, actor: Actor, employee: Uuid, date: NaiveDate, input: &EntryInput) -> Result<(), ApiError> {
    super::ensure_projected(state, actor.org, employee).await?;
    let start = parse_time_of_day(&input.start).map_err(|e| bad("start", e))?;
    let end = parse_time_of_day(&input.end).map_err(|e| bad("end", e))?;
    let brk = parse_break(input.r#break.as_deref().unwrap_or("")).map_err(|e| bad("break", e))?;
    let (mut tx, ctx) = begin_for(state, actor, employee).await?;
    may_edit_sheet(actor, employee, ctx.policy)?;
    ensure_unlocked(&mut tx, actor.org, employee, date).await?;
    let now = state.clock.now();
    if date > today(ctx.tz, now) {
        return Err(coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::FutureEntry, format!("{date} lies in the future; entries are possible up to today (A5)")));
    }
    if stamped_day(&mut tx, actor.org, employee, date).await?.is_some() {
        return Err(coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::DayHasStamps, format!("{date} was recorded with the punch clock; correct its stamps instead (D6)")));
    }
    let figures = entry_figures(&TimesheetEntry { work_day: date, start, end, break_time: brk }, ctx.tz).map_err(|e| match e {
        TimesheetError::StartEqualsEnd => bad("end", "must differ from start"),
        TimesheetError::BreakExceedsElapsed => bad("break", "is longer than the time from start to end"),
        other => bad("break", other),
    })?;
    let booked: Vec<i64> = ts::bookings(&mut tx, actor.org, employee, date, date).await?.iter().map(|b| b.minutes).collect();
    let booked_sum: i64 = booked.iter().sum();
    if Minutes::whole(booked_sum) > figures.actual {
        return Err(coded(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::BookingsExceedActual,
            format!("{booked_sum} minutes are booked on {date}, more than the new actual hours (INTERP-24); delete bookings first"),
        ));
    }
    let current = ts::entries(&mut tx, actor.org, employee, date, date).await?.into_iter().next();
    let row = EntryRow {
        id: Uuid::now_v7(),
        work_date: date,
        start_time: Some(display_time_of_day(start)),
        end_time: Some(display_time_of_day(end)),
        break_min: brk.rounded_minutes(),
        deleted: false,
    };
    ts::insert_entry(&mut tx, actor.org, employee, &row, current.map(|c| c.id), actor.id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A6: deletes the day's entry and its bookings.
pub async fn delete_entry(state: &AppState, actor: Actor, employee: Uuid, date: NaiveDate) -> Result<(), ApiError> {
    let (mut tx, ctx) = begin_for(state, actor, employee).await?;
    may_edit_sheet(actor, employee, ctx.policy)?;
    ensure_unlocked(&mut tx, actor.org, employee, date).await?;
    let current = ts::entries(&mut tx, actor.org, employee, date, date).await?.into_iter().next().filter(|c| !c.deleted).ok_or(ApiError::NotFound("entry"))?;
    let now = state.clock.now();
    let row = EntryRow { id: Uuid::now_v7(), work_date: date, start_time: None, end_time: None, break_min: 0, deleted: true };
    ts::insert_entry(&mut tx, actor.org, employee, &row, Some(current.id), actor.id, now).await?;
    ts::delete_bookings(&mut tx, actor.org, employee, date, None, actor.id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A booking as asked for: minutes on a link, or "book fully" (E2).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingInput {
    pub link_id: Option<Uuid>,
    /// Whole minutes, 1–1440.
    pub minutes: Option<i64>,
    /// E2: book what remains of the day's Ist.
    #[serde(default)]
    pub fully: Option<bool>,
}

async fn booking_day(tx: &mut Tx, ctx: &OrgContext, actor: Actor, employee: Uuid, date: NaiveDate) -> Result<(Minutes, Vec<BookingRow>), ApiError> {
    ensure_unlocked(tx, actor.org, employee, date).await?;
    if stamped_day(tx, actor.org, employee, date).await?.is_some() {
        return Err(coded(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::DayHasStamps,
            format!("{date} was recorded with the punch clock: its time is booked by the stamps' links (D6, E2)"),
        ));
    }
    let entry = ts::entries(tx, actor.org, employee, date, date).await?.into_iter().next();
    let actual = entry_actual(entry.as_ref(), ctx.tz)?;
    let bookings = ts::bookings(tx, actor.org, employee, date, date).await?;
    Ok((actual, bookings))
}

/// An active link of the organisation, by its (project, account); 422 otherwise.
async fn check_link(tx: &mut Tx, org: Uuid, link: Uuid) -> Result<(String, String), ApiError> {
    match ts::link(tx, org, link).await? {
        Some((true, project, account)) => Ok((project, account)),
        Some((false, ..)) => Err(coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownReference, format!("link {link} is inactive"))),
        None => Err(coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownReference, format!("unknown link {link}"))),
    }
}

fn minutes_field(m: Option<i64>) -> Result<i64, ApiError> {
    match m {
        Some(m) if (1..=1440).contains(&m) => Ok(m),
        Some(_) => Err(bad("minutes", "must be between 1 and 1440")),
        None => Err(bad("minutes", "is required (or `fully`: true)")),
    }
}

/// E1 / E2: books time of an entry day to a link.
pub async fn add_booking(state: &AppState, actor: Actor, employee: Uuid, date: NaiveDate, input: &BookingInput) -> Result<BookingRow, ApiError> {
    let link = input.link_id.ok_or_else(|| bad("link_id", "is required"))?;
    let fully = input.fully.unwrap_or(false);
    if fully && input.minutes.is_some() {
        return Err(bad("minutes", "give either minutes or fully, not both"));
    }
    let asked = if fully { None } else { Some(minutes_field(input.minutes)?) };
    super::ensure_projected(state, actor.org, employee).await?;
    let (mut tx, ctx) = begin_for(state, actor, employee).await?;
    may_edit_sheet(actor, employee, ctx.policy)?;
    let (actual, existing) = booking_day(&mut tx, &ctx, actor, employee, date).await?;
    let (project, account) = check_link(&mut tx, actor.org, link).await?;
    let others: Vec<Minutes> = existing.iter().map(|b| Minutes::whole(b.minutes)).collect();
    let minutes = match asked {
        Some(m) => {
            check_booking(actual, &others, Minutes::whole(m)).map_err(booking_error)?;
            m
        }
        None => {
            // E2 / INTERP-22: Ist − Σ existing bookings, nothing when nothing remains.
            let rest = (actual - others.iter().copied().sum::<Minutes>()).rounded_minutes();
            if rest <= 0 {
                return Err(coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::NothingToBook, format!("nothing of {date} is left to book (E2)")));
            }
            rest
        }
    };
    let row = BookingRow { id: Uuid::now_v7(), work_date: date, link_id: link, project, account, minutes };
    ts::insert_booking(&mut tx, actor.org, employee, &row, actor.id, state.clock.now()).await?;
    tx.commit().await?;
    Ok(row)
}

/// A change of a booking.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingPatch {
    pub link_id: Option<Uuid>,
    pub minutes: Option<i64>,
}

/// E1 on edit: changes a booking's link or minutes.
pub async fn patch_booking(state: &AppState, actor: Actor, employee: Uuid, date: NaiveDate, id: Uuid, patch: &BookingPatch) -> Result<BookingRow, ApiError> {
    let (mut tx, ctx) = begin_for(state, actor, employee).await?;
    may_edit_sheet(actor, employee, ctx.policy)?;
    let (actual, existing) = booking_day(&mut tx, &ctx, actor, employee, date).await?;
    let current = existing.iter().find(|b| b.id == id).cloned().ok_or(ApiError::NotFound("booking"))?;
    let (link, project, account) = match patch.link_id {
        Some(l) => {
            let (p, a) = check_link(&mut tx, actor.org, l).await?;
            (l, p, a)
        }
        None => (current.link_id, current.project.clone(), current.account.clone()),
    };
    let minutes = if patch.minutes.is_some() { minutes_field(patch.minutes)? } else { current.minutes };
    let others: Vec<Minutes> = existing.iter().filter(|b| b.id != id).map(|b| Minutes::whole(b.minutes)).collect();
    check_booking(actual, &others, Minutes::whole(minutes)).map_err(booking_error)?;
    ts::update_booking(&mut tx, actor.org, id, link, minutes).await?;
    tx.commit().await?;
    Ok(BookingRow { id, work_date: date, link_id: link, project, account, minutes })
}

pub async fn delete_booking(state: &AppState, actor: Actor, employee: Uuid, date: NaiveDate, id: Uuid) -> Result<(), ApiError> {
    let (mut tx, ctx) = begin_for(state, actor, employee).await?;
    may_edit_sheet(actor, employee, ctx.policy)?;
    ensure_unlocked(&mut tx, actor.org, employee, date).await?;
    if ts::delete_bookings(&mut tx, actor.org, employee, date, Some(id), actor.id, state.clock.now()).await? == 0 {
        return Err(ApiError::NotFound("booking"));
    }
    tx.commit().await?;
    Ok(())
}

/// Absence kinds (B4) as the API spells them.
pub const ABSENCE_KINDS: [&str; 9] =
    ["vacation", "half_vacation", "flex_leave", "maternity", "parental", "special_leave", "half_special_leave", "vocational_school", "sick"];

/// Absences over a range of days.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceInput {
    pub employee_id: Uuid,
    /// One of `vacation`, `half_vacation`, `flex_leave`, `maternity`, `parental`, `special_leave`,
    /// `half_special_leave`, `vocational_school`, `sick`.
    #[schema(pattern = "^(vacation|half_vacation|flex_leave|maternity|parental|special_leave|half_special_leave|vocational_school|sick)$")]
    pub kind: String,
    /// First day, `YYYY-MM-DD`.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub from: String,
    /// Last day (inclusive), at most 366 days after `from`.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub to: String,
    /// Soll of a vocational-school day (required there, INTERP-12), whole minutes 0–1440.
    pub target_min: Option<i64>,
    /// At most 500 characters.
    pub note: Option<String>,
}

pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad(field, "must be a date YYYY-MM-DD"))
}

/// B4: enters an absence for every day of the range (one per day; a day that has one already
/// refuses the whole range).
pub async fn add_absences(state: &AppState, actor: Actor, input: &AbsenceInput) -> Result<Vec<AbsenceRow>, ApiError> {
    if !actor.manages() {
        return Err(ApiError::forbidden());
    }
    if !ABSENCE_KINDS.contains(&input.kind.as_str()) {
        return Err(bad("kind", format!("must be one of {}", ABSENCE_KINDS.join(", "))));
    }
    let from = parse_date("from", &input.from)?;
    let to = parse_date("to", &input.to)?;
    if to < from || (to - from).num_days() > 366 {
        return Err(bad("to", "must lie 0–366 days after from"));
    }
    let target = match (input.kind.as_str(), input.target_min) {
        ("vocational_school", Some(t)) if (0..=1440).contains(&t) => Some(t),
        ("vocational_school", _) => return Err(bad("target_min", "a vocational-school day needs its Soll, 0–1440 minutes")),
        (_, Some(_)) => return Err(bad("target_min", "only a vocational-school day takes a configured Soll")),
        (_, None) => None,
    };
    let note = match &input.note {
        Some(n) if n.chars().count() > 500 || n.chars().any(|c| c.is_control() && c != '\n') => return Err(bad("note", "at most 500 printable characters")),
        Some(n) if n.trim().is_empty() => None,
        other => other.clone(),
    };
    let (mut tx, _ctx) = begin_for(state, actor, input.employee_id).await?;
    let now = state.clock.now();
    let mut out = Vec::new();
    for date in from.iter_days().take_while(|d| *d <= to) {
        ensure_unlocked(&mut tx, actor.org, input.employee_id, date).await?;
        let row = AbsenceRow { id: Uuid::now_v7(), employee_id: input.employee_id, work_date: date, kind: input.kind.clone(), target_min: target, note: note.clone() };
        ts::insert_absence(&mut tx, actor.org, &row, actor.id, now).await.map_err(|e| match e {
            StoreError::Conflict(_) => ApiError::with_details(
                StatusCode::CONFLICT,
                ErrorCode::AbsenceExists,
                format!("{date} already has an absence; nothing of the range was entered"),
                json!({ "date": date }),
            ),
            other => other.into(),
        })?;
        out.push(row);
    }
    audit::record(&mut tx, &AuditEntry {
        organisation_id: actor.org,
        at: now,
        actor: Some(actor.id),
        kind: "absence_added",
        subject: Some(input.employee_id.to_string()),
        details: Some(json!({ "kind": input.kind, "from": from, "to": to, "days": out.len() })),
    })
    .await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn delete_absence(state: &AppState, actor: Actor, id: Uuid) -> Result<(), ApiError> {
    if !actor.manages() {
        return Err(ApiError::forbidden());
    }
    let mut tx = state.store.begin().await?;
    let row = ts::absence(&mut tx, actor.org, id).await?.ok_or(ApiError::NotFound("absence"))?;
    ts::lock_employee(&mut tx, actor.org, row.employee_id).await?;
    ensure_unlocked(&mut tx, actor.org, row.employee_id, row.work_date).await?;
    ts::delete_absence(&mut tx, actor.org, id).await?;
    audit::record(&mut tx, &AuditEntry {
        organisation_id: actor.org,
        at: state.clock.now(),
        actor: Some(actor.id),
        kind: "absence_deleted",
        subject: Some(row.employee_id.to_string()),
        details: Some(json!({ "kind": row.kind, "date": row.work_date })),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A correction of a stamp.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// `change_time`, `change_link`, `add_stop` (to a start without its stop) or `delete`.
    #[schema(pattern = "^(change_time|change_link|add_stop|delete)$")]
    pub action: String,
    /// The new instant (RFC 3339) for `change_time` and `add_stop`.
    pub at: Option<DateTime<Utc>>,
    /// The new link for `change_link` (`null` for none).
    pub link_id: Option<Uuid>,
    /// Why, 1–500 characters: kept with the record.
    pub reason: String,
}

/// What a correction made.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CorrectionMade {
    pub id: Uuid,
    pub supersedes: Option<Uuid>,
    pub action: String,
    pub at: DateTime<Utc>,
    #[schema(value_type = String, format = Date)]
    pub work_date: NaiveDate,
}

/// D1/D4: a correction is a new ledger record that supersedes the earlier one (a `void` for a
/// deletion, a new `stop` for a missing one); the original stays.
pub async fn correct(state: &AppState, actor: Actor, event: Uuid, input: &CorrectionInput) -> Result<CorrectionMade, ApiError> {
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(bad("reason", "is required: 1–500 printable characters"));
    }
    let mut tx = state.store.begin().await?;
    let original = ledger::correctable(&mut tx, actor.org, event).await?.ok_or(ApiError::NotFound("event"))?;
    ts::lock_employee(&mut tx, actor.org, original.employee_id).await?;
    let ctx = OrgContext::load(&mut tx, actor.org).await?;
    may_correct(actor, original.employee_id, ctx.policy)?;
    if original.status != "accepted" || original.kind == "void" {
        return Err(coded(StatusCode::CONFLICT, ErrorCode::EventConflict, "only an accepted start or stop can be corrected"));
    }
    if original.superseded {
        return Err(coded(StatusCode::CONFLICT, ErrorCode::EventConflict, "this record was already corrected; correct its latest version"));
    }
    let now = state.clock.now();
    let needs_at = || input.at.ok_or_else(|| bad("at", "is required for this action"));
    let (kind, at, link, supersedes): (&'static str, DateTime<Utc>, Option<Uuid>, Option<Uuid>) = match input.action.as_str() {
        "change_time" => (kind_of(&original.kind), needs_at()?, original.link_id, Some(event)),
        "change_link" => {
            if let Some(l) = input.link_id {
                check_link(&mut tx, actor.org, l).await?;
            }
            (kind_of(&original.kind), original.occurred_at, input.link_id, Some(event))
        }
        "add_stop" => {
            if original.kind != "start" {
                return Err(bad("action", "add_stop needs a start record"));
            }
            let at = needs_at()?;
            if at <= original.occurred_at {
                return Err(bad("at", "a stop must lie after its start"));
            }
            ("stop", at, original.link_id, None)
        }
        "delete" => ("void", original.occurred_at, original.link_id, Some(event)),
        _ => return Err(bad("action", "must be change_time, change_link, add_stop or delete")),
    };
    if at > now {
        return Err(coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::FutureEntry, "a correction cannot lie in the future (A5)"));
    }
    // The work days before and after (D3, with the records around them): both must be open.
    let rows = ledger::employee_records(&mut tx, actor.org, original.employee_id, original.occurred_at.min(at) - Duration::days(3), original.occurred_at.max(at) + Duration::days(1)).await?;
    let before: Vec<Record> = rows.iter().filter_map(record_of_row).collect();
    let new_id = Uuid::now_v7();
    let mut after: Vec<Record> = before.iter().filter(|r| Some(r.id) != supersedes).cloned().collect();
    if kind != "void" {
        after.push(Record {
            id: new_id,
            tablet: original.device_id,
            kind: if kind == "start" { RecordKind::Start } else { RecordKind::Stop },
            at,
            link,
            comment: original.comment.clone(),
            flagged: false,
            late_for_lock: false,
        });
    }
    let old_day = record_work_days(&before, ctx.tz).get(&event).copied().unwrap_or_else(|| local_date(ctx.tz, original.occurred_at));
    let new_day = record_work_days(&after, ctx.tz).get(&new_id).copied().unwrap_or(old_day);
    for d in [old_day, new_day] {
        ensure_unlocked(&mut tx, actor.org, original.employee_id, d).await?;
    }
    ledger::insert_web_record(&mut tx, &WebRecord {
        id: new_id,
        organisation_id: actor.org,
        employee_id: original.employee_id,
        author_id: actor.id,
        kind,
        device_id: original.device_id,
        link_id: link,
        comment: original.comment.clone(),
        occurred_at: at,
        supersedes,
        reason: Some(reason.to_owned()),
    }, now)
    .await?;
    ledger::mark_dirty(&mut tx, actor.org, &[(original.employee_id, old_day), (original.employee_id, new_day)], now).await?;
    tx.commit().await?;
    state.projection_wake.notify_one();
    Ok(CorrectionMade { id: new_id, supersedes, action: input.action.clone(), at, work_date: new_day })
}

fn kind_of(k: &str) -> &'static str {
    if k == "start" { "start" } else { "stop" }
}

/// E3: locks or unlocks one employee's month; audited.
pub async fn set_lock(state: &AppState, actor: Actor, employee: Uuid, period: PayPeriod, lock: bool) -> Result<(), ApiError> {
    if !actor.manages() {
        return Err(ApiError::forbidden());
    }
    let (mut tx, _ctx) = begin_for(state, actor, employee).await?;
    let now = state.clock.now();
    let changed = ts::set_employee_lock(&mut tx, actor.org, employee, &period.to_string(), lock, actor.id, now).await?;
    if changed {
        // Late stamps of the month count again (or stop counting): rebuild its projected days.
        let (first, last) = super::period_days(period);
        let (late_from, late_to) = crate::ledger::late_window(first, last);
        ledger::mark_projected_dirty(&mut tx, actor.org, Some(employee), first, last, late_from, late_to, now).await?;
        audit::record(&mut tx, &AuditEntry {
            organisation_id: actor.org,
            at: now,
            actor: Some(actor.id),
            kind: if lock { "timesheet_locked" } else { "timesheet_unlocked" },
            subject: Some(employee.to_string()),
            details: Some(json!({ "period": period.to_string() })),
        })
        .await?;
    }
    tx.commit().await?;
    state.projection_wake.notify_one();
    Ok(())
}

/// A work-time model as sent.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkModelInput {
    /// Required on create, 1–100 printable characters (B1).
    pub name: Option<String>,
    /// Whole minutes Monday…Sunday, each 0–1440.
    pub minutes: Option<Vec<i64>>,
}

fn model_fields(input: &WorkModelInput, current: Option<&WorkModelRow>) -> Result<(String, [i64; 7]), ApiError> {
    let name = match (&input.name, current) {
        (Some(n), _) => {
            let n = n.trim();
            if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
                return Err(bad("name", "is required: 1–100 printable characters (B1)"));
            }
            n.to_owned()
        }
        (None, Some(c)) => c.name.clone(),
        (None, None) => return Err(bad("name", "is required (B1)")),
    };
    let minutes = match (&input.minutes, current) {
        (Some(m), _) => {
            let arr: [i64; 7] = m.as_slice().try_into().map_err(|_| bad("minutes", "needs 7 values, Monday to Sunday"))?;
            if arr.iter().any(|x| !(0..=1440).contains(x)) {
                return Err(bad("minutes", "each day lies between 0 and 1440"));
            }
            arr
        }
        (None, Some(c)) => c.minutes(),
        (None, None) => [0; 7],
    };
    Ok((name, minutes))
}

fn row_of(id: Uuid, name: String, m: [i64; 7]) -> WorkModelRow {
    WorkModelRow { id, name, mon_min: m[0], tue_min: m[1], wed_min: m[2], thu_min: m[3], fri_min: m[4], sat_min: m[5], sun_min: m[6] }
}

fn name_taken(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::with_details(StatusCode::CONFLICT, ErrorCode::AlreadyExists, "a work model of that name exists", json!({ "field": "name" })),
        other => other.into(),
    }
}

pub async fn create_work_model(state: &AppState, actor: Actor, input: &WorkModelInput) -> Result<WorkModelRow, ApiError> {
    if !actor.manages() {
        return Err(ApiError::forbidden());
    }
    let (name, minutes) = model_fields(input, None)?;
    let row = row_of(Uuid::now_v7(), name, minutes);
    let mut tx = state.store.begin().await?;
    ts::save_work_model(&mut tx, actor.org, &row, true, state.clock.now()).await.map_err(name_taken)?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a model in place: every employee on it gets the new Soll from then on, and past
/// days are recomputed too (the month is computed on read); a change meant only from a date is
/// a new model assigned from that date.
pub async fn update_work_model(state: &AppState, actor: Actor, id: Uuid, input: &WorkModelInput) -> Result<WorkModelRow, ApiError> {
    if !actor.manages() {
        return Err(ApiError::forbidden());
    }
    let mut tx = state.store.begin().await?;
    let current = ts::work_model(&mut tx, actor.org, id).await?.ok_or(ApiError::NotFound("work model"))?;
    let (name, minutes) = model_fields(input, Some(&current))?;
    let row = row_of(id, name, minutes);
    ts::save_work_model(&mut tx, actor.org, &row, false, state.clock.now()).await.map_err(name_taken)?;
    tx.commit().await?;
    Ok(row)
}

/// An employee's model from a date on.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    pub work_model_id: Uuid,
    /// `YYYY-MM-DD`.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub valid_from: String,
    /// `accumulating` (default) or `within_month` (B5).
    #[schema(pattern = "^(accumulating|within_month)$")]
    pub flex_model: Option<String>,
    /// Opening flex balance in whole minutes (B5), −100000…100000.
    pub flex_opening_min: Option<i64>,
    /// Yearly vacation entitlement in days, a decimal with at most two places (`"25"`, `"12.5"`), 0–366.
    #[schema(pattern = r"^[0-9]{1,3}(\.[0-9]{1,2})?$")]
    pub vacation_days: Option<String>,
}

fn centidays(s: &str) -> Result<i64, ApiError> {
    let err = || bad("vacation_days", "must be a number of days 0–366 with at most two decimals");
    let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    if whole.is_empty() || whole.len() > 3 || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let w: i64 = whole.parse().map_err(|_| err())?;
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| err())? };
    let c = w * 100 + f;
    if c > 36_600 {
        return Err(err());
    }
    Ok(c)
}

pub async fn assign_work_model(state: &AppState, actor: Actor, employee: Uuid, input: &AssignmentInput) -> Result<Vec<AssignmentRow>, ApiError> {
    if !actor.manages() {
        return Err(ApiError::forbidden());
    }
    let valid_from = parse_date("valid_from", &input.valid_from)?;
    let flex_model = input.flex_model.clone().unwrap_or_else(|| "accumulating".into());
    if flex_model != "accumulating" && flex_model != "within_month" {
        return Err(bad("flex_model", "must be accumulating or within_month"));
    }
    let opening = input.flex_opening_min.unwrap_or(0);
    if !(-100_000..=100_000).contains(&opening) {
        return Err(bad("flex_opening_min", "must lie between -100000 and 100000"));
    }
    let vacation = input.vacation_days.as_deref().map(centidays).transpose()?;
    let (mut tx, _ctx) = begin_for(state, actor, employee).await?;
    ts::work_model(&mut tx, actor.org, input.work_model_id)
        .await?
        .ok_or_else(|| coded(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::UnknownReference, format!("unknown work model {}", input.work_model_id)))?;
    let row = AssignmentRow { valid_from, work_model_id: input.work_model_id, flex_model, flex_opening_min: opening, vacation_centidays: vacation };
    let now = state.clock.now();
    ts::put_assignment(&mut tx, actor.org, employee, &row, actor.id, now).await?;
    audit::record(&mut tx, &AuditEntry {
        organisation_id: actor.org,
        at: now,
        actor: Some(actor.id),
        kind: "work_model_assigned",
        subject: Some(employee.to_string()),
        details: Some(json!({ "work_model_id": input.work_model_id, "valid_from": valid_from, "flex_model": row.flex_model })),
    })
    .await?;
    let all = ts::assignments(&mut tx, actor.org, employee).await?;
    tx.commit().await?;
    Ok(all)
}

/// The organisation's holiday calendar and policy (admins); audited.
/// A change of the organisation's settings; `None` leaves a setting as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrganisationChange<'a> {
    pub holiday_calendar: Option<&'a str>,
    pub policy: Option<Policy>,
    pub links_required: Option<bool>,
}

pub async fn update_organisation(state: &AppState, actor: Actor, change: OrganisationChange<'_>) -> Result<(), ApiError> {
    if actor.role != Role::Admin {
        return Err(ApiError::forbidden());
    }
    let OrganisationChange { holiday_calendar: calendar, policy, links_required } = change;
    if let Some(code) = calendar {
        if shared_model::rules::month_sheet::HolidayCalendar::parse(code).is_none() {
            return Err(bad("holiday_calendar", "must be SE, DK, DE, DE-<Bundesland code such as BY> or none"));
        }
    }
    if calendar.is_none() && policy.is_none() && links_required.is_none() {
        return Ok(());
    }
    let mut tx = state.store.begin().await?;
    if let Some(code) = calendar {
        ts::set_holiday_calendar(&mut tx, actor.org, code).await?;
    }
    if let Some(p) = policy {
        ts::set_policy(&mut tx, actor.org, p.as_str()).await?;
    }
    if let Some(required) = links_required {
        crate::store::organisations::set_links_required(&mut tx, actor.org, required).await?;
    }
    audit::record(&mut tx, &AuditEntry {
        organisation_id: actor.org,
        at: state.clock.now(),
        actor: Some(actor.id),
        kind: "organisation_changed",
        subject: None,
        details: Some(json!({ "holiday_calendar": calendar, "policy": policy.map(|p| p.as_str()), "links_required": links_required })),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
