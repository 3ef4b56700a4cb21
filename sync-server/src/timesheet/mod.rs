//! The timesheet service (issue 12): an employee's month from the ledger's projected days, the
//! manual entries, absences, work-time models, public holidays and bookings — composed by the
//! pure `shared_model::rules::month_sheet` — and the changes a month takes ([`changes`]),
//! each checked against the locks in the same unit of work. The API contract is
//! docs/TIMESHEET.md.

pub mod changes;
pub mod csv;
mod view;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use num_rational::Ratio;
use shared_model::rules::duration::Minutes;
use shared_model::rules::entry_format::parse_time_of_day;
use shared_model::rules::flex::{Absence, FlexModel};
use shared_model::rules::local_time::{resolve, today};
use shared_model::rules::month_sheet::{self, DayInput, HolidayCalendar, Recorded, SheetDay, Source, VacationDay};
use shared_model::rules::timesheet::{entry_figures, TimesheetEntry};
use shared_model::rules::work_model::{RemainingLeave, WorkTimeModel};
use shared_model::PayPeriod;
use uuid::Uuid;

pub use view::*;

use crate::error::ApiError;
use crate::ledger::projection::{self, DayView};
use crate::state::AppState;
use crate::store::timesheet::{self as ts, AbsenceRow, AssignmentRow, EntryRow, WorkModelRow};
use crate::store::{ledger, StoreError, Tx};

/// The first and last day of a period.
pub fn period_days(period: PayPeriod) -> (NaiveDate, NaiveDate) {
    (period.first_day(), period.next().first_day() - Duration::days(1))
}

/// The pay period a work day belongs to.
pub fn period_of(date: NaiveDate) -> Result<PayPeriod, ApiError> {
    PayPeriod::new(date.year(), date.month()).map_err(|e| ApiError::InvalidRequest(e.to_string()))
}

/// The organisation facts a timesheet is computed with.
#[derive(Debug, Clone)]
pub struct OrgContext {
    pub tz: Tz,
    pub time_zone: String,
    pub calendar: HolidayCalendar,
    pub calendar_code: String,
    pub policy: shared_model::Policy,
}

impl OrgContext {
    pub async fn load(tx: &mut Tx, org: Uuid) -> Result<OrgContext, ApiError> {
        let s = ts::org_settings(tx, org).await?.ok_or(ApiError::NotFound("organisation"))?;
        let tz = shared_model::pay_period::parse_time_zone(&s.time_zone).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let calendar = HolidayCalendar::parse(&s.holiday_calendar).ok_or_else(|| StoreError::Corrupt(format!("holiday calendar {:?}", s.holiday_calendar)))?;
        let policy = shared_model::Policy::parse(&s.policy).ok_or_else(|| StoreError::Corrupt(format!("policy {:?}", s.policy)))?;
        Ok(OrgContext { tz, time_zone: s.time_zone, calendar, calendar_code: s.holiday_calendar, policy })
    }
}

/// A model as the rules use it.
pub fn model_of(row: &WorkModelRow) -> Result<WorkTimeModel, StoreError> {
    WorkTimeModel::new(&row.name, row.minutes().map(|m| Some(Minutes::whole(m)))).map_err(|e| StoreError::Corrupt(format!("work model {}: {e}", row.id)))
}

/// A stored absence as the rules' absence.
pub fn absence_of(row: &AbsenceRow) -> Result<Absence, StoreError> {
    Ok(match row.kind.as_str() {
        "vacation" => Absence::RegularVacation,
        "half_vacation" => Absence::HalfVacationDay,
        "flex_leave" => Absence::FlexLeave,
        "maternity" => Absence::MaternityProtection,
        "parental" => Absence::ParentalLeave,
        "special_leave" => Absence::SpecialLeave,
        "half_special_leave" => Absence::HalfSpecialLeave,
        "vocational_school" => Absence::VocationalSchool { target: Minutes::whole(row.target_min.unwrap_or(0)) },
        "sick" => Absence::Sick,
        other => return Err(StoreError::Corrupt(format!("absence kind {other:?}"))),
    })
}

/// A manual entry's figures (A3, A4): its start and end instants and Ist.
pub struct EntryFacts {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub break_min: Minutes,
    pub actual: Minutes,
    pub crosses_midnight: bool,
}

pub fn entry_facts(row: &EntryRow, tz: Tz) -> Result<Option<EntryFacts>, StoreError> {
    if row.deleted {
        return Ok(None);
    }
    let time = |s: &Option<String>| -> Result<NaiveTime, StoreError> {
        s.as_deref().and_then(|t| parse_time_of_day(t).ok()).ok_or_else(|| StoreError::Corrupt(format!("entry {} time {s:?}", row.id)))
    };
    let entry = TimesheetEntry { work_day: row.work_date, start: time(&row.start_time)?, end: time(&row.end_time)?, break_time: Minutes::whole(row.break_min) };
    let f = entry_figures(&entry, tz).map_err(|e| StoreError::Corrupt(format!("entry {}: {e}", row.id)))?;
    let end_day = if f.crosses_midnight { row.work_date + Duration::days(1) } else { row.work_date };
    Ok(Some(EntryFacts {
        start: resolve(tz, row.work_date, entry.start),
        end: resolve(tz, end_day, entry.end),
        break_min: f.break_time,
        actual: f.actual,
        crosses_midnight: f.crosses_midnight,
    }))
}

/// The break blocks of a stamped day: the gaps between its closed intervals (D1, C2).
pub fn stamp_blocks(day: &DayView) -> Vec<Minutes> {
    let mut closed: Vec<(DateTime<Utc>, DateTime<Utc>)> = day.intervals.iter().filter_map(|iv| iv.end.map(|e| (iv.start, e))).collect();
    closed.sort();
    let mut blocks = Vec::new();
    let mut last_end: Option<DateTime<Utc>> = None;
    for (s, e) in closed {
        if let Some(le) = last_end {
            if s > le {
                blocks.push(Minutes::between(le, s));
            }
        }
        last_end = Some(last_end.map_or(e, |le| le.max(e)));
    }
    blocks
}

/// The models an employee had, with the day each began.
#[derive(Default)]
pub struct ModelTimeline {
    pub assignments: Vec<(AssignmentRow, WorkModelRow, WorkTimeModel)>,
}

impl ModelTimeline {
    pub async fn load(tx: &mut Tx, org: Uuid, employee: Uuid, models: &BTreeMap<Uuid, WorkModelRow>) -> Result<ModelTimeline, ApiError> {
        ModelTimeline::of(ts::assignments(tx, org, employee).await?, models)
    }

    /// The timeline of these assignments (oldest first).
    pub fn of(rows: Vec<AssignmentRow>, models: &BTreeMap<Uuid, WorkModelRow>) -> Result<ModelTimeline, ApiError> {
        let mut assignments = Vec::with_capacity(rows.len());
        for a in rows {
            let row = models.get(&a.work_model_id).cloned().ok_or_else(|| StoreError::Corrupt(format!("work model {} is gone", a.work_model_id)))?;
            let model = model_of(&row)?;
            assignments.push((a, row, model));
        }
        Ok(ModelTimeline { assignments })
    }

    /// The assignment in force on `date`.
    pub fn on(&self, date: NaiveDate) -> Option<&(AssignmentRow, WorkModelRow, WorkTimeModel)> {
        self.assignments.iter().rev().find(|(a, _, _)| a.valid_from <= date)
    }

    pub fn first_day(&self) -> Option<NaiveDate> {
        self.assignments.first().map(|(a, _, _)| a.valid_from)
    }

    /// The first day a month's figures look at: the first model's day (flex balance, B5) or
    /// the start of the C4 window, whichever is earlier.
    pub fn history_from(&self, period: PayPeriod) -> NaiveDate {
        let first = period.first_day();
        let c4_start = first.checked_sub_months(chrono::Months::new(5)).unwrap_or(first);
        self.first_day().map_or(c4_start, |d| d.min(c4_start))
    }
}

/// Drains the projection queue when the employee has days waiting, so what a tablet synced is
/// what the timesheet shows.
pub async fn ensure_projected(state: &AppState, org: Uuid, employee: Uuid) -> Result<(), ApiError> {
    let mut tx = state.store.begin_read().await?;
    let pending = ledger::has_dirty(&mut tx, org, employee).await?;
    tx.commit().await?;
    if pending {
        projection::drain(state, Some(org)).await?;
    }
    Ok(())
}

/// The lock on a work day of an employee, if any: the organisation's month first (a payroll
/// run), then the employee's own.
pub async fn lock_of(tx: &mut Tx, org: Uuid, employee: Uuid, period: PayPeriod) -> Result<Option<LockView>, ApiError> {
    let key = period.to_string();
    if let Some(l) = ts::organisation_lock(tx, org, &key).await? {
        return Ok(Some(LockView { scope: LockScope::Organisation, locked_at: l.locked_at, locked_by: l.locked_by }));
    }
    Ok(ts::employee_locks(tx, org, employee)
        .await?
        .into_iter()
        .find(|l| l.period == key)
        .map(|l| LockView { scope: LockScope::Employee, locked_at: l.locked_at, locked_by: l.locked_by }))
}

/// What the months of one organisation's employees share, read once for many months (the
/// tablet's weeks compute every roster employee's).
pub struct OrgMonthFacts {
    pub org: Uuid,
    pub ctx: OrgContext,
    models: BTreeMap<Uuid, WorkModelRow>,
    links: LinkNames,
}

impl OrgMonthFacts {
    pub async fn load(state: &AppState, org: Uuid) -> Result<OrgMonthFacts, ApiError> {
        let mut tx = state.store.begin_read().await?;
        let ctx = OrgContext::load(&mut tx, org).await?;
        let models = ts::work_models(&mut tx, org).await?.into_iter().map(|m| (m.id, m)).collect();
        let links = ts::link_names(&mut tx, org).await?.into_iter().map(|(id, p, a)| (id, (p, a))).collect();
        tx.commit().await?;
        Ok(OrgMonthFacts { org, ctx, models, links })
    }
}

/// An employee's month, computed (issue 12, item 1).
#[tracing::instrument(skip(state))]
pub async fn month(state: &AppState, org: Uuid, employee: Uuid, period: PayPeriod) -> Result<MonthView, ApiError> {
    let mut tx = state.store.begin_read().await?;
    let person = crate::store::people::get(&mut tx, org, employee).await?.ok_or(ApiError::NotFound("employee"))?;
    tx.commit().await?;
    ensure_projected(state, org, employee).await?;
    let facts = OrgMonthFacts::load(state, org).await?;
    month_of(state, &facts, EmployeeRef { id: person.id, name: person.name, number: person.number }, period).await
}

/// An employee's month with the organisation's facts already read; the caller has made sure
/// the projection is current (`ensure_projected`, or one drain for many employees).
pub async fn month_of(state: &AppState, facts: &OrgMonthFacts, employee_ref: EmployeeRef, period: PayPeriod) -> Result<MonthView, ApiError> {
    let (org, employee) = (facts.org, employee_ref.id);
    let tz = facts.ctx.tz;
    let (first, last) = period_days(period);
    let mut tx = state.store.begin_read().await?;
    let timeline = ModelTimeline::load(&mut tx, org, employee, &facts.models).await?;
    let history_from = timeline.history_from(period);
    let (span_from, span_to) = absence_span(history_from, period);
    let (c_from, c_to) = correction_span(tz, period);
    let month_days = ledger::days(&mut tx, org, employee, first, last).await?.iter().map(|j| parse_day(j).map(|d| (d.date, d))).collect::<Result<_, _>>()?;
    let inputs = MonthInputs {
        timeline,
        month_days,
        actuals: ts::day_actuals(&mut tx, org, employee, history_from, last).await?.into_iter().collect(),
        entries: ts::entries(&mut tx, org, employee, history_from, last).await?.into_iter().map(|e| (e.work_date, e)).collect(),
        absences: ts::absences(&mut tx, org, Some(employee), span_from, span_to).await?.into_iter().map(|a| (a.work_date, a)).collect(),
        bookings: ts::bookings(&mut tx, org, employee, first, last).await?,
        corrections: ts::corrections(&mut tx, org, employee, c_from, c_to).await?,
        lock: lock_of(&mut tx, org, employee, period).await?,
    };
    tx.commit().await?;
    compose(facts, employee_ref, period, inputs, state.clock.now())
}

/// The months of many employees of one organisation (the payroll office's view, the tablets'
/// weeks): every table read once for all of them, each month then composed exactly as
/// [`month_of`] composes one. The caller has made sure the projection is current.
pub async fn months_of(state: &AppState, facts: &OrgMonthFacts, employees: Vec<EmployeeRef>, period: PayPeriod) -> Result<Vec<MonthView>, ApiError> {
    let org = facts.org;
    let tz = facts.ctx.tz;
    let (first, last) = period_days(period);
    let mut tx = state.store.begin_read().await?;
    let mut assignments: BTreeMap<Uuid, Vec<AssignmentRow>> = BTreeMap::new();
    for a in ts::all_assignments(&mut tx, org).await? {
        assignments.entry(a.employee_id).or_default().push(a.row);
    }
    let mut timelines: BTreeMap<Uuid, ModelTimeline> = BTreeMap::new();
    for e in &employees {
        timelines.insert(e.id, ModelTimeline::of(assignments.remove(&e.id).unwrap_or_default(), &facts.models)?);
    }
    // What the earliest-starting employee needs; each month only looks at its own days.
    let history_from = timelines.values().map(|t| t.history_from(period)).min().unwrap_or(first);
    let (span_from, span_to) = absence_span(history_from, period);
    let (c_from, c_to) = correction_span(tz, period);
    let mut inputs: BTreeMap<Uuid, MonthInputs> = BTreeMap::new();
    for (id, timeline) in timelines {
        inputs.insert(id, MonthInputs { timeline, ..MonthInputs::default() });
    }
    for (e, date, actual, day) in ts::all_days(&mut tx, org, history_from, last, first).await? {
        if let Some(i) = inputs.get_mut(&e) {
            i.actuals.insert(date, actual);
            if let Some(json) = day {
                let view = parse_day(&json)?;
                i.month_days.insert(view.date, view);
            }
        }
    }
    for r in ts::all_entries(&mut tx, org, history_from, last).await? {
        if let Some(i) = inputs.get_mut(&r.employee_id) {
            i.entries.insert(r.row.work_date, r.row);
        }
    }
    for r in ts::absences(&mut tx, org, None, span_from, span_to).await? {
        if let Some(i) = inputs.get_mut(&r.employee_id) {
            i.absences.insert(r.work_date, r);
        }
    }
    for r in ts::all_bookings(&mut tx, org, first, last).await? {
        if let Some(i) = inputs.get_mut(&r.employee_id) {
            i.bookings.push(r.row);
        }
    }
    for r in ts::all_corrections(&mut tx, org, c_from, c_to).await? {
        if let Some(i) = inputs.get_mut(&r.employee_id) {
            i.corrections.push(r.row);
        }
    }
    let key = period.to_string();
    let org_lock = ts::organisation_lock(&mut tx, org, &key).await?;
    let org_lock = org_lock.map(|l| LockView { scope: LockScope::Organisation, locked_at: l.locked_at, locked_by: l.locked_by });
    for l in ts::period_employee_locks(&mut tx, org, &key).await? {
        if let Some(i) = inputs.get_mut(&l.employee_id) {
            i.lock = Some(LockView { scope: LockScope::Employee, locked_at: l.row.locked_at, locked_by: l.row.locked_by });
        }
    }
    tx.commit().await?;
    let now = state.clock.now();
    let mut out = Vec::with_capacity(employees.len());
    for e in employees {
        let mut i = inputs.remove(&e.id).unwrap_or_default();
        // The organisation's lock comes first, as in `lock_of`.
        if org_lock.is_some() {
            i.lock.clone_from(&org_lock);
        }
        out.push(compose(facts, e, period, i, now)?);
    }
    Ok(out)
}

/// What one employee's month is composed from. Each map may hold more days than the month
/// needs (the batched read covers the earliest history of all employees); `compose` looks up
/// only its own.
#[derive(Default)]
struct MonthInputs {
    timeline: ModelTimeline,
    month_days: BTreeMap<NaiveDate, DayView>,
    actuals: BTreeMap<NaiveDate, i64>,
    entries: BTreeMap<NaiveDate, EntryRow>,
    absences: BTreeMap<NaiveDate, AbsenceRow>,
    bookings: Vec<ts::BookingRow>,
    corrections: Vec<ts::CorrectionRow>,
    lock: Option<LockView>,
}

fn parse_day(json: &str) -> Result<DayView, StoreError> {
    serde_json::from_str::<DayView>(json).map_err(|e| StoreError::Corrupt(format!("stored day: {e}")))
}

/// The absences a month reads: its history and the whole calendar year (B2's vacation left).
fn absence_span(history_from: NaiveDate, period: PayPeriod) -> (NaiveDate, NaiveDate) {
    let (first, last) = period_days(period);
    let year_first = NaiveDate::from_ymd_opt(first.year(), 1, 1).unwrap_or(first);
    let year_last = NaiveDate::from_ymd_opt(first.year(), 12, 31).unwrap_or(last);
    (history_from.min(year_first), last.max(year_last))
}

/// The instants whose corrections a month lists (a day before and after, for night shifts).
fn correction_span(tz: Tz, period: PayPeriod) -> (DateTime<Utc>, DateTime<Utc>) {
    let (first, last) = period_days(period);
    (resolve(tz, first - Duration::days(1), NaiveTime::MIN), resolve(tz, last + Duration::days(2), NaiveTime::MIN))
}

/// One month through the pure rules, from what was read for it.
fn compose(facts: &OrgMonthFacts, employee_ref: EmployeeRef, period: PayPeriod, inputs: MonthInputs, now: DateTime<Utc>) -> Result<MonthView, ApiError> {
    let ctx = &facts.ctx;
    let today = today(ctx.tz, now);
    let (first, last) = period_days(period);
    let MonthInputs { timeline, month_days, actuals, entries, absences, bookings, corrections, lock } = inputs;
    let history_from = timeline.history_from(period);

    // Every day from the history's start to the month's end, through the pure rules.
    let mut sheet: Vec<SheetDay> = Vec::new();
    let mut entry_facts_by_day: BTreeMap<NaiveDate, EntryFacts> = BTreeMap::new();
    for date in history_from.iter_days().take_while(|d| *d <= last) {
        let in_month = date >= first;
        let stamped = actuals.get(&date).copied();
        let has_stamps = if in_month { month_days.get(&date).is_some_and(|d| !d.intervals.is_empty()) } else { stamped.is_some() };
        let entry = match entries.get(&date) {
            Some(row) => entry_facts(row, ctx.tz)?,
            None => None,
        };
        let recorded = if has_stamps {
            let blocks = if in_month { month_days.get(&date).map(stamp_blocks).unwrap_or_default() } else { Vec::new() };
            Some(Recorded { source: Source::Stamps, actual: Minutes::whole(stamped.unwrap_or(0)), blocks })
        } else {
            entry.as_ref().map(|f| Recorded { source: Source::Entry, actual: f.actual, blocks: vec![f.break_min] })
        };
        let absence = absences.get(&date).map(absence_of).transpose()?;
        let model = timeline.on(date).map(|(_, _, m)| m);
        sheet.push(month_sheet::sheet_day(&DayInput { date, recorded, absence, model }, ctx.calendar, today));
        if in_month {
            if let Some(f) = entry {
                entry_facts_by_day.insert(date, f);
            }
        }
    }
    let at = last.min(today);
    let assignment = timeline.on(at).or_else(|| timeline.on(last));
    let flex_model = assignment.map(|(a, _, _)| a.flex_model.clone());
    let flex_balance = match (&flex_model, timeline.first_day()) {
        (Some(fm), Some(since)) => {
            // `sheet` runs day by day, oldest first.
            let counted = &sheet[sheet.partition_point(|d| d.date < since)..];
            let model = if fm == "within_month" {
                FlexModel::WithinMonth
            } else {
                FlexModel::Accumulating { opening: Minutes::whole(timeline.assignments.first().map_or(0, |(a, _, _)| a.flex_opening_min)) }
            };
            if at < since { Minutes::ZERO } else { month_sheet::flex_balance(model, counted, at) }
        }
        _ => Minutes::ZERO,
    };
    let vacation_left = match assignment {
        Some((a, _, model)) => match a.vacation_centidays {
            Some(c) => {
                let taken: Vec<VacationDay<'_>> = absences
                    .values()
                    .filter(|r| r.work_date.year() == first.year() && (r.kind == "vacation" || r.kind == "half_vacation"))
                    .map(|r| VacationDay { date: r.work_date, half: r.kind == "half_vacation", model: timeline.on(r.work_date).map(|(_, _, m)| m) })
                    .collect();
                Some(match month_sheet::vacation_left(model, Ratio::new(c, 100), &taken, ctx.calendar) {
                    RemainingLeave::Days(d) => VacationLeft { unit: "days", days: Some(decimal(d)), minutes: None },
                    RemainingLeave::Hours(h) => VacationLeft { unit: "hours", days: None, minutes: Some(h.rounded_minutes()) },
                })
            }
            None => None,
        },
        None => None,
    };
    let history: Vec<(NaiveDate, Minutes)> = sheet.iter().map(|d| (d.date, d.figures.actual)).collect();
    let mut month_warnings = Vec::new();
    if let Some(w) = month_sheet::average_warning(&history, last) {
        month_warnings.push(month_sheet::warning_code(&w).to_owned());
    }

    let month_sheet_days = &sheet[sheet.partition_point(|d| d.date < first)..];
    let mut days = Vec::with_capacity(month_sheet_days.len());
    for sd in month_sheet_days {
        let mut day = view::day_view(sd, month_days.get(&sd.date), entries.get(&sd.date), entry_facts_by_day.get(&sd.date), absences.get(&sd.date), &bookings, &corrections, &facts.links, ctx.tz)?;
        day.planned_min = timeline.on(sd.date).map_or(0, |(_, _, m)| m.hours_on(sd.date.weekday()).rounded_minutes());
        days.push(day);
    }
    let totals = month_sheet::totals(month_sheet_days);
    let booked_min = days.iter().flat_map(|d| d.bookings.iter()).map(|b| b.minutes).sum();
    Ok(MonthView {
        employee: employee_ref,
        period: period.to_string(),
        time_zone: ctx.time_zone.clone(),
        holiday_calendar: ctx.calendar_code.clone(),
        locked: lock.is_some(),
        lock,
        work_model: assignment.map(|(_, row, model)| WorkModelView::of(row, model)),
        flex_model,
        days,
        totals: Totals {
            target_min: totals.target.rounded_minutes(),
            actual_min: totals.actual.rounded_minutes(),
            flex_min: totals.flex.rounded_minutes(),
            booked_min,
        },
        flex_balance_min: flex_balance.rounded_minutes(),
        vacation_left,
        warnings: month_warnings,
    })
}

/// An exact ratio as a decimal string (at most two decimals for hundredths; longer fractions
/// are cut at four).
pub fn decimal(r: Ratio<i64>) -> String {
    let neg = r < Ratio::from_integer(0);
    let a = if neg { -r } else { r };
    let whole = a.to_integer();
    let mut frac = a - Ratio::from_integer(whole);
    let mut digits = String::new();
    for _ in 0..4 {
        if frac == Ratio::from_integer(0) {
            break;
        }
        frac *= Ratio::from_integer(10);
        let d = frac.to_integer();
        digits.push(char::from(b'0' + d as u8));
        frac -= Ratio::from_integer(d);
    }
    let sign = if neg { "-" } else { "" };
    if digits.is_empty() { format!("{sign}{whole}") } else { format!("{sign}{whole}.{digits}") }
}
