//! The punch service: identify by employee number and PIN against the cached roster (offline,
//! with a per-tablet lockout), then start, switch and stop tasks under the rules of
//! `shared_model::rules` (D2–D5, D7). Each stamp is committed to SQLite before the call returns.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::Transaction;
use serde::Serialize;
use shared_model::rules::local_time::local_date;
use shared_model::rules::punch_day::{aggregate_day, attribute_work_days, stamps_from_events, work_day_of, Stamp};
use shared_model::rules::punch_links::recent_links;
use shared_model::rules::punch_policy::{self, PunchContext, StartRequest};
use shared_model::wire::{RosterEmployee, RosterLink};
use shared_model::{secret_hash, PunchKind, Role};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};
use crate::store::{self, DeviceRecord, EventDraft, PinFailures, Store};
use crate::{local, millis, parse_tz, Kiosk};

/// Wrong PINs in a row that lock an employee out on this tablet.
pub const MAX_PIN_FAILURES: u32 = 5;
/// How long the lockout lasts.
pub const LOCKOUT_MINUTES: i64 = 5;
/// How far back the rules look at an employee's own stamps on this tablet.
const HISTORY_DAYS: i64 = 62;

/// Proof that someone typed the right PIN; only [`Kiosk::identify`] makes one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Identified {
    employee_id: Uuid,
    pub number: String,
    pub name: String,
    pub role: Role,
}

impl Identified {
    /// The employee's id.
    pub fn employee_id(&self) -> Uuid {
        self.employee_id
    }

    /// Whether this person may open the tablet's protected settings (exit kiosk mode).
    pub fn may_administer(&self) -> bool {
        self.role.is_manager_or_admin()
    }
}

/// What a stamp did, for the confirmation on screen.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StampReceipt {
    pub event_id: Uuid,
    pub device_seq: i64,
    pub kind: PunchKind,
    pub occurred_at: DateTime<Utc>,
    /// The work day the stamp belongs to (D3).
    pub work_day: NaiveDate,
    /// A start that ended the running task (D2 switch).
    pub switched: bool,
    /// Calumet: a forgotten task of an earlier work day was closed at its start + 1 min (D4).
    pub auto_closed: bool,
    pub comment: Option<String>,
}

/// One stamp as the employee's screen lists it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StampView {
    pub id: Uuid,
    /// `None` for a stamp without a link (an organisation that does not require them).
    pub link_id: Option<Uuid>,
    pub project: String,
    pub account: String,
    pub comment: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// Whole minutes, `None` while running.
    pub minutes: Option<i64>,
}

/// The employee's screen: running task, one-tap links, and today's stamps (D1, D3, D7).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EmployeeScreen {
    pub name: String,
    /// Whether a start must name a link; false: the screen shows one "Stämpla in" / "Stämpla
    /// ut" and no project list.
    pub links_required: bool,
    pub running: Option<StampView>,
    /// D7: the last five links used, newest first.
    pub recent_links: Vec<RosterLink>,
    /// Every active link assigned to the employee, for the search.
    pub links: Vec<RosterLink>,
    /// The current work day (D3: may be yesterday's date during a night shift).
    pub work_day: NaiveDate,
    pub stamps: Vec<StampView>,
    /// D1: the gaps between consecutive stamps, in minutes.
    pub breaks: Vec<i64>,
    pub total_break_minutes: i64,
    pub actual_minutes: i64,
    /// The week as the server's timesheet had it at the last sync (`None` before the first).
    pub week: Option<WeekView>,
}

/// An employee's current week from the server (issue 12, item 7): Ist and Soll per day and
/// the flex balance, labelled with when the server computed it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WeekView {
    pub week_start: NaiveDate,
    pub days: Vec<shared_model::wire::WeekDay>,
    pub flex_balance_min: i64,
    pub as_of: chrono::DateTime<chrono::Utc>,
}

fn usable(device: &DeviceRecord) -> CoreResult<()> {
    if device.uninstalled_at.is_some() {
        return Err(CoreError::DeviceUninstalled);
    }
    Ok(())
}

fn active_employee(tx: &Transaction<'_>, who: &Identified) -> CoreResult<RosterEmployee> {
    match store::employee_in(tx, who.employee_id)? {
        Some(e) if e.active => Ok(e),
        _ => Err(CoreError::EmployeeInactive),
    }
}

fn stamps_of(tx: &Transaction<'_>, employee: Uuid, now: DateTime<Utc>) -> CoreResult<Vec<Stamp>> {
    let events = Store::employee_events(tx, employee, now - Duration::days(HISTORY_DAYS))?;
    Ok(stamps_from_events(&events).stamps)
}

/// The work day a stamp made now would belong to (D3): the day whose stamps the screen shows.
fn current_work_day(stamps: &[Stamp], now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    let days = attribute_work_days(stamps, tz);
    let yesterday = local_date(tz, now).pred_opt();
    let last_end = stamps
        .iter()
        .filter(|s| yesterday.is_some() && days.get(&s.id).copied() == yesterday)
        .map(|s| s.end.unwrap_or(now))
        .max();
    work_day_of(now, last_end, tz)
}

impl Kiosk {
    /// Checks number + PIN against the cached roster, offline. Unknown numbers and wrong PINs
    /// get the same answer; the fifth wrong PIN in a row locks that employee for five minutes.
    pub fn identify(&self, number: &str, pin: &str) -> CoreResult<Identified> {
        let store = &self.inner.store;
        self.device()?;
        let Some(emp) = store.employee_by_number(number.trim())? else {
            tracing::info!("identification with an unknown employee number");
            return Err(CoreError::WrongPin);
        };
        let now = self.inner.clock.now();
        let mut failures = store.pin_failures(emp.id)?;
        if let Some(until) = failures.locked_until_ms.and_then(DateTime::<Utc>::from_timestamp_millis) {
            if now < until {
                return Err(CoreError::EmployeeLocked { until });
            }
            failures = PinFailures::default();
        }
        let ok = match emp.pin_hash.as_deref() {
            Some(phc) => secret_hash::verify(pin, phc).unwrap_or_else(|e| {
                tracing::warn!(employee = %emp.id, error = %e, "unreadable PIN hash in the roster");
                false
            }),
            None => false,
        };
        if !ok {
            failures.failures += 1;
            tracing::info!(employee = %emp.id, failures = failures.failures, "wrong PIN");
            if failures.failures >= MAX_PIN_FAILURES {
                let until = millis(now + Duration::minutes(LOCKOUT_MINUTES));
                store.set_pin_failures(emp.id, PinFailures { failures: failures.failures, locked_until_ms: Some(until.timestamp_millis()) })?;
                tracing::warn!(employee = %emp.id, "employee locked out on this tablet");
                return Err(CoreError::EmployeeLocked { until });
            }
            store.set_pin_failures(emp.id, failures)?;
            return Err(CoreError::WrongPin);
        }
        if failures != PinFailures::default() || store.pin_failures(emp.id)? != PinFailures::default() {
            store.set_pin_failures(emp.id, PinFailures::default())?;
        }
        if !emp.active {
            return Err(CoreError::EmployeeInactive);
        }
        tracing::debug!(employee = %emp.id, "identified");
        Ok(Identified { employee_id: emp.id, number: emp.number, name: emp.name, role: emp.role })
    }

    /// Starts a task on `link` (D2), switching off a running one in the same event; the comment
    /// carries over from the same link earlier that work day when none is given (D5).
    ///
    /// Without a link ("Stämpla in") only where the organisation does not require links
    /// (`links_required` false: a restaurant, a shop); otherwise [`CoreError::LinkRequired`].
    pub fn start(&self, who: &Identified, link: Option<Uuid>, comment: Option<&str>) -> CoreResult<StampReceipt> {
        self.inner.store.write(|tx| {
            let device = store::device(tx)?.ok_or(CoreError::NotEnrolled)?;
            usable(&device)?;
            let emp = active_employee(tx, who)?;
            match link {
                None if device.links_required => return Err(CoreError::LinkRequired),
                None => {}
                Some(link) => {
                    let link_ok = emp.links.contains(&link) && store::link_in(tx, link)?.is_some_and(|l| l.active);
                    if !link_ok {
                        return Err(CoreError::LinkNotAllowed);
                    }
                }
            }
            let tz = parse_tz(&device.time_zone)?;
            let now = self.now(&device);
            let corrected = millis(now.corrected);
            let stamps = stamps_of(tx, emp.id, corrected)?;
            let ctx = PunchContext { now: corrected, tz, variant: device.policy };
            let id = Uuid::now_v7();
            // The rules read a stamp without a link as the nil link (`stamps_from_events`).
            let req = StartRequest { id, link: link.unwrap_or_default(), comment: comment.map(str::to_owned), at: None };
            let outcome = punch_policy::start(&stamps, &req, &ctx)?;
            let comment = outcome.stamps.iter().find(|s| s.id == id).map(|s| s.comment.clone()).filter(|c| !c.is_empty());
            let offset = Duration::milliseconds(device.clock_offset_ms);
            let mut drafts = Vec::with_capacity(2);
            if let Some(closed) = outcome.auto_closed.and_then(|c| outcome.stamps.iter().find(|s| s.id == c)) {
                let end = closed.end.unwrap_or(closed.start + Duration::minutes(1));
                drafts.push(EventDraft {
                    id: Uuid::now_v7(),
                    employee_id: emp.id,
                    kind: PunchKind::Stop,
                    link_id: None,
                    comment: None,
                    occurred_at: local(end, tz),
                    device_clock_at: local(end - offset, tz),
                });
            }
            drafts.push(EventDraft {
                id,
                employee_id: emp.id,
                kind: PunchKind::Start,
                link_id: link,
                comment: comment.clone(),
                occurred_at: local(corrected, tz),
                device_clock_at: local(now.raw, tz),
            });
            let events = Store::append(tx, &drafts)?;
            let start = events.last().ok_or_else(|| CoreError::Corrupt("no event appended".into()))?;
            tracing::info!(event = %start.id, seq = start.device_seq, employee = %emp.id, "start stamped");
            Ok(StampReceipt {
                event_id: start.id,
                device_seq: start.device_seq,
                kind: PunchKind::Start,
                occurred_at: corrected,
                work_day: outcome.work_day,
                switched: outcome.switched.is_some(),
                auto_closed: outcome.auto_closed.is_some(),
                comment,
            })
        })
    }

    /// Stops the running task now (D2).
    pub fn stop(&self, who: &Identified) -> CoreResult<StampReceipt> {
        self.inner.store.write(|tx| {
            let device = store::device(tx)?.ok_or(CoreError::NotEnrolled)?;
            usable(&device)?;
            let emp = active_employee(tx, who)?;
            let tz = parse_tz(&device.time_zone)?;
            let now = self.now(&device);
            let corrected = millis(now.corrected);
            let stamps = stamps_of(tx, emp.id, corrected)?;
            let ctx = PunchContext { now: corrected, tz, variant: device.policy };
            let after = punch_policy::stop(&stamps, None, &ctx)?;
            let work_day = attribute_work_days(&after, tz)
                .into_iter()
                .filter(|(id, _)| stamps.iter().any(|s| s.id == *id && s.is_running()))
                .map(|(_, d)| d)
                .next()
                .unwrap_or_else(|| local_date(tz, corrected));
            let draft = EventDraft {
                id: Uuid::now_v7(),
                employee_id: emp.id,
                kind: PunchKind::Stop,
                link_id: None,
                comment: None,
                occurred_at: local(corrected, tz),
                device_clock_at: local(now.raw, tz),
            };
            let events = Store::append(tx, &[draft])?;
            let stop = events.first().ok_or_else(|| CoreError::Corrupt("no event appended".into()))?;
            tracing::info!(event = %stop.id, seq = stop.device_seq, employee = %emp.id, "stop stamped");
            Ok(StampReceipt {
                event_id: stop.id,
                device_seq: stop.device_seq,
                kind: PunchKind::Stop,
                occurred_at: corrected,
                work_day,
                switched: false,
                auto_closed: false,
                comment: None,
            })
        })
    }

    /// The identified employee's screen: running task, recent links (D7), today's stamps with
    /// breaks and actual time (D1) on the current work day (D3).
    pub fn employee_screen(&self, who: &Identified) -> CoreResult<EmployeeScreen> {
        self.inner.store.read(|tx| {
            let device = store::device(tx)?.ok_or(CoreError::NotEnrolled)?;
            let emp = active_employee(tx, who)?;
            let tz = parse_tz(&device.time_zone)?;
            let now = millis(self.now(&device).corrected);
            let stamps = stamps_of(tx, emp.id, now)?;
            let all_links = store::links_in(tx)?;
            let assigned: Vec<RosterLink> = all_links.iter().filter(|l| l.active && emp.links.contains(&l.id)).cloned().collect();
            let usable_ids: HashSet<Uuid> = assigned.iter().map(|l| l.id).collect();
            let recent = recent_links(&stamps, &usable_ids)
                .into_iter()
                .filter_map(|id| assigned.iter().find(|l| l.id == id).cloned())
                .collect();
            let view = |s: &Stamp| {
                let l = all_links.iter().find(|l| l.id == s.link);
                StampView {
                    id: s.id,
                    link_id: (!s.link.is_nil()).then_some(s.link),
                    project: l.map(|l| l.project.clone()).unwrap_or_default(),
                    account: l.map(|l| l.account.clone()).unwrap_or_default(),
                    comment: s.comment.clone(),
                    start: s.start,
                    end: s.end,
                    minutes: s.duration().map(|m| m.rounded_minutes()),
                }
            };
            let work_day = current_work_day(&stamps, now, tz);
            let days = attribute_work_days(&stamps, tz);
            let today: Vec<Stamp> = stamps.iter().filter(|s| days.get(&s.id) == Some(&work_day)).cloned().collect();
            let (breaks, total_break_minutes, actual_minutes) = match aggregate_day(&today) {
                Ok(Some(a)) => (
                    a.breaks.iter().map(|b| b.rounded_minutes()).collect(),
                    a.total_break.rounded_minutes(),
                    a.actual.rounded_minutes(),
                ),
                Ok(None) => (Vec::new(), 0, 0),
                Err(e) => {
                    tracing::warn!(error = %e, "today's stamps cannot be aggregated");
                    (Vec::new(), 0, 0)
                }
            };
            let mut ordered = today.clone();
            ordered.sort_by_key(|s| (s.start, s.id));
            Ok(EmployeeScreen {
                name: emp.name.clone(),
                links_required: device.links_required,
                running: stamps.iter().filter(|s| s.is_running()).max_by_key(|s| s.start).map(view),
                recent_links: recent,
                links: assigned.clone(),
                work_day,
                stamps: ordered.iter().map(view).collect(),
                breaks,
                total_break_minutes,
                actual_minutes,
                week: store::week_of(tx, emp.id)?,
            })
        })
    }
}
