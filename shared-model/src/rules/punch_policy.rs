//! D2, D4 and D6: starting, stopping and switching tasks under the two punch-clock variants
//! (Tomahawk "self_service", Calumet "strict"), who may change stamps, and the rule that a
//! day is recorded either with the time sheet or with the punch clock, never both.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::booking::MonthLocks;
use super::duration::Minutes;
use super::local_time::{local_date, today};
use super::punch_day::{attribute_work_days, sorted, work_day_of, Stamp, ATTRIBUTION_WINDOW_MINUTES};
use super::punch_links::{carried_over_comment, stamps_of_day};
use crate::policy::Policy;
use crate::Role;

/// What the rules need to know about "now": the clock reading and the zone are parameters.
#[derive(Debug, Clone, Copy)]
pub struct PunchContext {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    /// D4: Tomahawk (`self_service`) or Calumet (`strict`), as configured for the organisation.
    pub variant: Policy,
}

impl PunchContext {
    fn today(&self) -> NaiveDate {
        today(self.tz, self.now)
    }
}

/// Why a punch-clock action was refused; the UI translates the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PunchError {
    /// A time after now (A5).
    #[error("time lies in the future")]
    Future,
    /// Calumet stamps only on the current day (D4).
    #[error("only the current day can be stamped")]
    PastDayNotAllowed,
    /// Stop with nothing running (D2).
    #[error("nothing is running")]
    NotRunning,
    /// An end at or before the start.
    #[error("end must be after start")]
    EndNotAfterStart,
    /// The stamp would overlap another (INTERP-16).
    #[error("overlaps stamp {0}")]
    Overlap(Uuid),
    /// Running stamps cannot be edited or deleted (D2).
    #[error("a running stamp cannot be changed")]
    RunningNotEditable,
    /// Calumet: only managers and team leads manage stamps (D4).
    #[error("not permitted for this role")]
    NotPermitted,
    /// No stamp with that id.
    #[error("unknown stamp {0}")]
    UnknownStamp(Uuid),
}

impl PunchError {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self {
            PunchError::Future => "future",
            PunchError::PastDayNotAllowed => "past_day_not_allowed",
            PunchError::NotRunning => "not_running",
            PunchError::EndNotAfterStart => "end_not_after_start",
            PunchError::Overlap(_) => "overlap",
            PunchError::RunningNotEditable => "running_not_editable",
            PunchError::NotPermitted => "not_permitted",
            PunchError::UnknownStamp(_) => "unknown_stamp",
        }
    }
}

/// A request to start a task; an empty time means now (D2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRequest {
    pub id: Uuid,
    pub link: Uuid,
    pub comment: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// The stamps after a start, and what the start did besides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartOutcome {
    pub stamps: Vec<Stamp>,
    /// The work day the new stamp belongs to (D3).
    pub work_day: NaiveDate,
    /// The running stamp that was switched off at the new start (D2).
    pub switched: Option<Uuid>,
    /// Calumet: the forgotten stamp of an earlier work day closed at its start + 1 min (D4).
    pub auto_closed: Option<Uuid>,
}

fn running(stamps: &[Stamp]) -> Option<&Stamp> {
    stamps.iter().filter(|s| s.is_running()).max_by_key(|s| s.start)
}

/// D4 + INTERP-19: whether the running stamp belongs to the work day a start at `at` continues.
/// Its own work day is current if it is today, or yesterday while the start lies within 8 h of
/// the running stamp's start (a night shift still running); anything older is forgotten.
fn is_current_work_day(running_day: NaiveDate, running_start: DateTime<Utc>, at: DateTime<Utc>, ctx: &PunchContext) -> bool {
    let today = ctx.today();
    running_day >= today
        || (today.pred_opt() == Some(running_day)
            && Minutes::between(running_start, at) <= Minutes::whole(ATTRIBUTION_WINDOW_MINUTES))
}

fn check_no_overlap(stamps: &[Stamp], candidate: &Stamp, now: DateTime<Utc>) -> Result<(), PunchError> {
    let end = candidate.end.unwrap_or(now);
    for s in stamps.iter().filter(|s| s.id != candidate.id) {
        let s_end = s.end.unwrap_or(now);
        if candidate.start < s_end && s.start < end {
            return Err(PunchError::Overlap(s.id));
        }
    }
    Ok(())
}

/// D2 start (and switch) under the variant's D4 rules, with D3 attribution and D5 comment.
pub fn start(stamps: &[Stamp], req: &StartRequest, ctx: &PunchContext) -> Result<StartOutcome, PunchError> {
    let at = req.at.unwrap_or(ctx.now);
    if at > ctx.now {
        return Err(PunchError::Future);
    }
    if ctx.variant == Policy::Strict && local_date(ctx.tz, at) != ctx.today() {
        return Err(PunchError::PastDayNotAllowed);
    }
    let days = attribute_work_days(stamps, ctx.tz);
    let mut next: Vec<Stamp> = stamps.to_vec();
    let (mut switched, mut auto_closed) = (None, None);
    if let Some(r) = running(stamps) {
        if at <= r.start {
            return Err(PunchError::EndNotAfterStart);
        }
        let r_day = days.get(&r.id).copied().unwrap_or_else(|| local_date(ctx.tz, r.start));
        let forgotten = ctx.variant == Policy::Strict && !is_current_work_day(r_day, r.start, at, ctx);
        let end = if forgotten { r.start + Duration::minutes(1) } else { at };
        if let Some(slot) = next.iter_mut().find(|s| s.id == r.id) {
            slot.end = Some(end);
        }
        if forgotten { auto_closed = Some(r.id) } else { switched = Some(r.id) }
    }
    let mut new = Stamp { id: req.id, link: req.link, comment: String::new(), start: at, end: None };
    check_no_overlap(&next, &new, ctx.now)?;
    // D3 for the new stamp, against the stamps as they are after the switch or auto-close.
    let after = attribute_work_days(&next, ctx.tz);
    let previous = local_date(ctx.tz, at).pred_opt();
    let previous_end = sorted(&next)
        .into_iter()
        .filter(|s| previous.is_some() && after.get(&s.id).copied() == previous && s.start <= at)
        .filter_map(|s| s.end)
        .max();
    let work_day = work_day_of(at, previous_end, ctx.tz);
    new.comment = carried_over_comment(req.comment.as_deref(), req.link, &stamps_of_day(&next, &after, work_day));
    next.push(new);
    Ok(StartOutcome { stamps: next, work_day, switched, auto_closed })
}

/// D2 stop: the running stamp ends now; an explicit time counts only when its work day is
/// before today (INTERP-20). No auto-close on stop (D4).
pub fn stop(stamps: &[Stamp], at: Option<DateTime<Utc>>, ctx: &PunchContext) -> Result<Vec<Stamp>, PunchError> {
    let r = running(stamps).ok_or(PunchError::NotRunning)?;
    let day = attribute_work_days(stamps, ctx.tz).get(&r.id).copied().unwrap_or_else(|| local_date(ctx.tz, r.start));
    let end = match at {
        Some(t) if day < ctx.today() => t,
        _ => ctx.now,
    };
    if end > ctx.now {
        return Err(PunchError::Future);
    }
    if end <= r.start {
        return Err(PunchError::EndNotAfterStart);
    }
    let mut next = stamps.to_vec();
    let id = r.id;
    for s in next.iter_mut().filter(|s| s.id == id) {
        s.end = Some(end);
    }
    Ok(next)
}

/// D4: who may add, edit or delete stamps by hand under the variant.
pub fn may_manage_stamps(variant: Policy, actor: Role) -> bool {
    match variant {
        Policy::SelfService => true,
        Policy::Strict => matches!(actor, Role::Manager | Role::TeamLead),
    }
}

fn check_manual(stamp: &Stamp, actor: Role, ctx: &PunchContext) -> Result<(), PunchError> {
    if !may_manage_stamps(ctx.variant, actor) {
        return Err(PunchError::NotPermitted);
    }
    let end = stamp.end.ok_or(PunchError::RunningNotEditable)?;
    if end <= stamp.start {
        return Err(PunchError::EndNotAfterStart);
    }
    if end > ctx.now {
        return Err(PunchError::Future);
    }
    Ok(())
}

/// D4 manual add of a closed stamp; D3 then decides its work day (it may slip to the day before).
pub fn add_stamp(stamps: &[Stamp], stamp: Stamp, actor: Role, ctx: &PunchContext) -> Result<Vec<Stamp>, PunchError> {
    check_manual(&stamp, actor, ctx)?;
    check_no_overlap(stamps, &stamp, ctx.now)?;
    let mut next = stamps.to_vec();
    next.push(stamp);
    Ok(next)
}

/// D4 manual edit; a running stamp cannot be edited (D2).
pub fn edit_stamp(stamps: &[Stamp], edited: Stamp, actor: Role, ctx: &PunchContext) -> Result<Vec<Stamp>, PunchError> {
    let current = stamps.iter().find(|s| s.id == edited.id).ok_or(PunchError::UnknownStamp(edited.id))?;
    if current.is_running() {
        return Err(PunchError::RunningNotEditable);
    }
    check_manual(&edited, actor, ctx)?;
    check_no_overlap(stamps, &edited, ctx.now)?;
    Ok(stamps.iter().map(|s| if s.id == edited.id { edited.clone() } else { s.clone() }).collect())
}

/// D4 manual delete; a running stamp cannot be deleted (D2).
pub fn delete_stamp(stamps: &[Stamp], id: Uuid, actor: Role, ctx: &PunchContext) -> Result<Vec<Stamp>, PunchError> {
    let current = stamps.iter().find(|s| s.id == id).ok_or(PunchError::UnknownStamp(id))?;
    if current.is_running() {
        return Err(PunchError::RunningNotEditable);
    }
    if !may_manage_stamps(ctx.variant, actor) {
        return Err(PunchError::NotPermitted);
    }
    Ok(stamps.iter().filter(|s| s.id != id).cloned().collect())
}

/// E3 + INTERP-25: a stamp change is refused when it alters a work day of a locked month,
/// comparing the work days (D3) of each stamp before and after the change.
pub fn check_locks(before: &[Stamp], after: &[Stamp], employee: Uuid, locks: &MonthLocks, tz: Tz) -> Result<(), super::booking::BookingError> {
    let (b, a) = (attribute_work_days(before, tz), attribute_work_days(after, tz));
    let stamp_of = |v: &[Stamp], id: &Uuid| v.iter().find(|s| &s.id == id).cloned();
    for id in b.keys().chain(a.keys()) {
        let (day_b, day_a) = (b.get(id), a.get(id));
        if day_b != day_a || stamp_of(before, id) != stamp_of(after, id) {
            for day in [day_b, day_a].into_iter().flatten() {
                locks.check_editable(employee, *day)?;
            }
        }
    }
    Ok(())
}

/// D6: how a day's work time was recorded; the first way used is the only way for that day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingSource {
    Timesheet,
    PunchClock,
}

/// Why a day cannot be recorded the other way (D6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the day is already recorded with {0:?}")]
pub struct ExclusivityError(pub RecordingSource);

impl ExclusivityError {
    /// Stable snake_case code a UI can translate.
    pub fn code(&self) -> &'static str {
        match self.0 {
            RecordingSource::Timesheet => "day_recorded_in_timesheet",
            RecordingSource::PunchClock => "day_recorded_with_punch_clock",
        }
    }
}

/// D6: recording (or changing work time and bookings) one way is refused once the day has the other.
pub fn check_recording(existing: Option<RecordingSource>, attempted: RecordingSource) -> Result<(), ExclusivityError> {
    match existing {
        Some(e) if e != attempted => Err(ExclusivityError(e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
