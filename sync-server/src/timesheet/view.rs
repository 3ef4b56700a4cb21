//! The timesheet as the API answers it (docs/TIMESHEET.md).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shared_model::rules::month_sheet::{self, SheetDay, Source};
use shared_model::rules::work_model::WorkTimeModel;
use uuid::Uuid;
use chrono_tz::Tz;
use shared_model::rules::local_time::local_date;

use super::EntryFacts;
use crate::error::ApiError;
use crate::ledger::projection::{AnomalyView, DayView, IntervalView};
use crate::store::timesheet::{AbsenceRow, BookingRow, CorrectionRow, EntryRow, WorkModelRow};

/// Link id → (project, account).
pub type LinkNames = std::collections::BTreeMap<Uuid, (String, String)>;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmployeeRef {
    pub id: Uuid,
    pub name: String,
    pub number: Option<String>,
}

/// Who locked a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LockScope {
    /// The organisation's month (a payroll run).
    Organisation,
    /// This employee's month (E3).
    Employee,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LockView {
    pub scope: LockScope,
    pub locked_at: DateTime<Utc>,
    pub locked_by: Option<Uuid>,
}

/// A work-time model (B1): minutes per weekday, Monday first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkModelView {
    pub id: Uuid,
    pub name: String,
    pub minutes: [i64; 7],
    /// B1: every working day has the same hours.
    pub regular: bool,
}

impl WorkModelView {
    pub fn of(row: &WorkModelRow, model: &WorkTimeModel) -> WorkModelView {
        WorkModelView { id: row.id, name: row.name.clone(), minutes: row.minutes(), regular: model.is_regular() }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub target_min: i64,
    pub actual_min: i64,
    pub flex_min: i64,
    pub booked_min: i64,
}

/// B2: remaining vacation, in days under a regular model, in minutes under an irregular one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VacationLeft {
    /// `days` or `hours`.
    pub unit: &'static str,
    /// Exact decimal, e.g. `"12.5"`, when `unit` is `days`.
    pub days: Option<String>,
    /// When `unit` is `hours`.
    pub minutes: Option<i64>,
}

/// One employee's month.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MonthView {
    pub employee: EmployeeRef,
    /// `YYYY-MM`.
    pub period: String,
    pub time_zone: String,
    pub holiday_calendar: String,
    pub locked: bool,
    pub lock: Option<LockView>,
    /// The model in force at the month's end (or today); `null` without one.
    pub work_model: Option<WorkModelView>,
    /// `accumulating` or `within_month`; `null` without a model.
    pub flex_model: Option<String>,
    /// Every calendar day of the month (A7).
    pub days: Vec<SheetDayView>,
    pub totals: Totals,
    pub flex_balance_min: i64,
    pub vacation_left: Option<VacationLeft>,
    /// Month-level hints: `arbzg_average` (C4, informational).
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AbsenceView {
    pub id: Uuid,
    pub employee_id: Uuid,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub kind: String,
    pub target_min: Option<i64>,
    pub note: Option<String>,
}

impl AbsenceView {
    pub fn of(r: &AbsenceRow) -> AbsenceView {
        AbsenceView { id: r.id, employee_id: r.employee_id, date: r.work_date, kind: r.kind.clone(), target_min: r.target_min, note: r.note.clone() }
    }
}

/// A manual entry (A1–A4).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    pub id: Uuid,
    /// `HH:MM` in the organisation's zone.
    pub start: String,
    pub end: String,
    pub break_min: i64,
    /// A3: the end lies on the next calendar day.
    pub crosses_midnight: bool,
}

/// A booking (E1); `id` is `null` for the time a stamp interval booked to its link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingView {
    pub id: Option<Uuid>,
    pub link_id: Uuid,
    pub project: String,
    pub account: String,
    pub minutes: i64,
    /// From the stamps' links (read-only, D6) rather than booked by hand.
    pub from_stamps: bool,
}

impl BookingView {
    pub fn of(b: &BookingRow) -> BookingView {
        BookingView { id: Some(b.id), link_id: b.link_id, project: b.project.clone(), account: b.account.clone(), minutes: b.minutes, from_stamps: false }
    }
}

/// A correction of a stamp: a web record and what it superseded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CorrectionView {
    pub id: Uuid,
    pub supersedes: Option<Uuid>,
    /// `start`, `stop` or `void` (a deletion).
    pub kind: String,
    pub at: DateTime<Utc>,
    pub link_id: Option<Uuid>,
    pub original_kind: Option<String>,
    pub original_at: Option<DateTime<Utc>>,
    pub author: Option<String>,
    pub reason: Option<String>,
    pub made_at: DateTime<Utc>,
}

/// One day of the timesheet.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SheetDayView {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// `stamps`, `entry` or `null`.
    pub source: Option<&'static str>,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub break_min: i64,
    pub target_min: i64,
    /// The work-time model's minutes for this weekday before absences and public holidays
    /// (B1): what an absence on the day stands in for. 0 without a model.
    pub planned_min: i64,
    pub actual_min: i64,
    pub flex_min: i64,
    pub absence: Option<AbsenceView>,
    pub holiday: Option<&'static str>,
    pub weekend: bool,
    /// `arbzg_break` (C1/C2), `arbzg_10h` (C3).
    pub warnings: Vec<String>,
    pub anomalies: Vec<AnomalyView>,
    pub intervals: Vec<IntervalView>,
    pub entry: Option<EntryView>,
    pub bookings: Vec<BookingView>,
    pub corrections: Vec<CorrectionView>,
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Stamps => "stamps",
        Source::Entry => "entry",
    }
}

/// The stamps' time per link of a day: its bookings under D6 (a stamped day is booked by its
/// intervals' links).
fn stamp_bookings(day: &DayView, links: &LinkNames) -> Vec<BookingView> {
    let mut per_link: std::collections::BTreeMap<Uuid, i64> = std::collections::BTreeMap::new();
    for iv in &day.intervals {
        if let (Some(link), Some(m)) = (iv.link_id, iv.minutes) {
            *per_link.entry(link).or_default() += m;
        }
    }
    per_link
        .into_iter()
        .map(|(link_id, minutes)| {
            let (project, account) = links.get(&link_id).cloned().unwrap_or_default();
            BookingView { id: None, link_id, project, account, minutes, from_stamps: true }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn day_view(
    sd: &SheetDay,
    stamps: Option<&DayView>,
    entry_row: Option<&EntryRow>,
    entry: Option<&EntryFacts>,
    absence: Option<&AbsenceRow>,
    bookings: &[BookingRow],
    corrections: &[CorrectionRow],
    links: &LinkNames,
    tz: Tz,
) -> Result<SheetDayView, ApiError> {
    let has_stamps = stamps.is_some_and(|d| !d.intervals.is_empty());
    let mut anomalies = stamps.map(|d| d.anomalies.clone()).unwrap_or_default();
    if has_stamps && entry.is_some() {
        // D6: a tablet stamped a day that already had a manual entry; shown, never resolved silently.
        anomalies.push(AnomalyView { code: "entry_and_stamps".into(), record_ids: entry_row.map(|r| vec![r.id]).unwrap_or_default() });
    }
    let (start, end, break_min) = match (sd.source, stamps, entry) {
        (Some(Source::Stamps), Some(d), _) => (d.start, d.end, d.break_min),
        (Some(Source::Entry), _, Some(f)) => (Some(f.start), Some(f.end), f.break_min.rounded_minutes()),
        _ => (None, None, 0),
    };
    let day_bookings = if has_stamps {
        stamps.map(|d| stamp_bookings(d, links)).unwrap_or_default()
    } else {
        bookings.iter().filter(|b| b.work_date == sd.date).map(BookingView::of).collect()
    };
    let record_ids: std::collections::BTreeSet<Uuid> = stamps.map(|d| d.intervals.iter().flat_map(|iv| iv.record_ids.iter().copied()).collect()).unwrap_or_default();
    let day_corrections = corrections
        .iter()
        .filter(|c| record_ids.contains(&c.id) || c.supersedes.is_some_and(|s| record_ids.contains(&s)) || (c.kind == "void" && c.original_at.is_some_and(|t| local_date(tz, t) == sd.date)))
        .map(|c| CorrectionView {
            id: c.id,
            supersedes: c.supersedes,
            kind: c.kind.clone(),
            at: c.occurred_at,
            link_id: c.link_id,
            original_kind: c.original_kind.clone(),
            original_at: c.original_at,
            author: c.author.clone(),
            reason: c.reason.clone(),
            made_at: c.made_at,
        })
        .collect();
    Ok(SheetDayView {
        date: sd.date,
        source: sd.source.map(source_name),
        start,
        end,
        break_min,
        target_min: sd.figures.target.rounded_minutes(),
        // Set by the month, which knows the model of each day.
        planned_min: 0,
        actual_min: sd.figures.actual.rounded_minutes(),
        flex_min: sd.figures.flex.rounded_minutes(),
        absence: absence.map(AbsenceView::of),
        holiday: sd.holiday,
        weekend: sd.weekend,
        warnings: sd.warnings.iter().map(|w| month_sheet::warning_code(w).to_owned()).collect(),
        anomalies,
        intervals: stamps.map(|d| d.intervals.clone()).unwrap_or_default(),
        entry: match (entry_row, entry) {
            (Some(r), Some(f)) => Some(EntryView {
                id: r.id,
                start: r.start_time.clone().unwrap_or_default(),
                end: r.end_time.clone().unwrap_or_default(),
                break_min: f.break_min.rounded_minutes(),
                crosses_midnight: f.crosses_midnight,
            }),
            _ => None,
        },
        bookings: day_bookings,
        corrections: day_corrections,
    })
}
