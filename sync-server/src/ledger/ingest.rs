//! Ingest of a tablet's page: refuse what is malformed or foreign, flag what a manager must see.

use shared_model::ErrorCode;
use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use shared_model::rules::employee_day::{record_work_days, Record, RecordKind};
use shared_model::rules::local_time::local_date;
use shared_model::{PunchEvent, PunchKind};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{events as store_events, ledger, locks, Device, NewEvent, Organisation, Tx};

/// Where a record stands in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    /// In the ledger and its figures.
    Accepted,
    /// From an uninstalled tablet: kept aside until an admin accepts or rejects it.
    Quarantined,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Accepted => "accepted",
            EventStatus::Quarantined => "quarantined",
        }
    }
}

/// A business anomaly stored with a record for a manager (never a reason to refuse a stamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flag {
    EmployeeInactive,
    LinkInactive,
    LinkNotAssigned,
    /// The record's work day (D3) lies in a month that was locked when it arrived.
    LockedPeriod,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::EmployeeInactive => "employee_inactive",
            Flag::LinkInactive => "link_inactive",
            Flag::LinkNotAssigned => "link_not_assigned",
            Flag::LockedPeriod => "locked_period",
        }
    }

    /// The stored form: flag codes joined by commas, `None` without any.
    pub fn join(flags: &[Flag]) -> Option<String> {
        (!flags.is_empty()).then(|| flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(","))
    }
}

/// A classified page: the rows to store and the employee-days they touch.
pub struct Classified {
    pub events: Vec<NewEvent>,
    pub dirty: Vec<(Uuid, NaiveDate)>,
}

/// Refuses ids of another organisation (422) and flags business anomalies for a manager
/// instead of refusing them: a stamp is never lost for a reason a manager can fix.
#[tracing::instrument(skip_all, fields(device = %device.id, events = events.len()))]
pub async fn classify(state: &AppState, device: &Device, org: &Organisation, events: Vec<PunchEvent>) -> Result<Classified, ApiError> {
    let tz = org.tz()?;
    if events.is_empty() {
        // A page without events (a tablet's routine contact) reads nothing here.
        return Ok(Classified { events: Vec::new(), dirty: Vec::new() });
    }
    // Every read of the page's classification in one read transaction.
    let mut tx = state.store.begin_read().await?;
    let locked: BTreeSet<String> = locks::locked_periods(&mut tx, org.id).await?.into_iter().collect();
    let employees: BTreeSet<Uuid> = events.iter().map(|e| e.employee_id).collect();
    let links: BTreeSet<Uuid> = events.iter().filter_map(|e| e.link_id).collect();
    let employees: Vec<Uuid> = employees.into_iter().collect();
    let links: Vec<Uuid> = links.into_iter().collect();
    let refs = store_events::reference_check(&mut tx, device.organisation_id, &employees, &links).await?;
    let status = if device.is_installed() { EventStatus::Accepted } else { EventStatus::Quarantined };
    let locks = Locks { organisation: locked, employees: employee_locks(&mut tx, org.id, tz, &events).await? };
    let late = late_for_lock(&mut tx, org, device.id, tz, &locks, &events).await?;
    tx.commit().await?;
    let mut out = Vec::with_capacity(events.len());
    let mut dirty = BTreeSet::new();
    for event in events {
        let Some(employee_active) = refs.employees.get(&event.employee_id).copied() else {
            return Err(unknown_reference("employee", event.employee_id));
        };
        let mut flags: Vec<Flag> = Vec::new();
        if !employee_active {
            flags.push(Flag::EmployeeInactive);
        }
        if let Some(link) = event.link_id {
            match refs.links.get(&link) {
                None => return Err(unknown_reference("link", link)),
                Some(false) => flags.push(Flag::LinkInactive),
                Some(true) => {}
            }
            if event.kind == PunchKind::Start && !refs.assignments.contains(&(event.employee_id, link)) {
                flags.push(Flag::LinkNotAssigned);
            }
        }
        // A late stamp for a locked month is stored and flagged; the locked figures stay as
        // they are until a manager unlocks the month.
        if late.contains(&event.id) {
            flags.push(Flag::LockedPeriod);
        }
        if status == EventStatus::Accepted {
            dirty.insert((event.employee_id, local_date(tz, event.occurred_at.with_timezone(&Utc))));
        }
        out.push(NewEvent { event, status: status.as_str(), flags: Flag::join(&flags) });
    }
    Ok(Classified { events: out, dirty: dirty.into_iter().collect() })
}

/// The locked months (`YYYY-MM`) a page is checked against: the organisation's (payroll runs)
/// and each employee's own (E3).
struct Locks {
    organisation: BTreeSet<String>,
    employees: BTreeMap<Uuid, BTreeSet<String>>,
}

impl Locks {
    fn is_locked(&self, employee: Uuid, month: &str) -> bool {
        self.organisation.contains(month) || self.employees.get(&employee).is_some_and(|m| m.contains(month))
    }
}

/// Employees' own locks from the month before the page's earliest stamp on (one query).
async fn employee_locks(tx: &mut Tx, org: Uuid, tz: Tz, events: &[PunchEvent]) -> Result<BTreeMap<Uuid, BTreeSet<String>>, ApiError> {
    let Some(first) = events.iter().map(|e| local_date(tz, e.occurred_at.with_timezone(&Utc))).min() else { return Ok(BTreeMap::new()) };
    let since = (first - Duration::days(1)).format("%Y-%m").to_string();
    let rows = crate::store::timesheet::employee_locks_since(tx, org, &since).await?;
    let mut out: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
    for (employee, period) in rows {
        out.entry(employee).or_default().insert(period);
    }
    Ok(out)
}

/// The events of a page whose work day (D3, with the employee's stored records around them)
/// lies in a locked month. Looked up only for events within a day of a locked month, so an
/// ordinary page costs nothing here.
async fn late_for_lock(
    tx: &mut Tx,
    org: &Organisation,
    device: Uuid,
    tz: Tz,
    locks: &Locks,
    events: &[PunchEvent],
) -> Result<BTreeSet<Uuid>, ApiError> {
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    let near_lock = |e: &PunchEvent| {
        let d = local_date(tz, e.occurred_at.with_timezone(&Utc));
        [Some(d), d.pred_opt()].into_iter().flatten().any(|day| locks.is_locked(e.employee_id, &month(day)))
    };
    let mut by_employee: BTreeMap<Uuid, Vec<&PunchEvent>> = BTreeMap::new();
    for e in events.iter().filter(|e| near_lock(e)) {
        by_employee.entry(e.employee_id).or_default().push(e);
    }
    let mut late = BTreeSet::new();
    if by_employee.is_empty() {
        return Ok(late);
    }
    for (employee, page) in by_employee {
        let first = page.iter().map(|e| e.occurred_at.with_timezone(&Utc)).min().unwrap_or_else(Utc::now);
        let last = page.iter().map(|e| e.occurred_at.with_timezone(&Utc)).max().unwrap_or_else(Utc::now);
        let stored = ledger::employee_records(tx, org.id, employee, first - Duration::days(3), last + Duration::days(1)).await?;
        let page_ids: BTreeSet<Uuid> = page.iter().map(|e| e.id).collect();
        let mut records: Vec<Record> =
            stored.iter().filter(|r| !page_ids.contains(&r.id)).filter_map(super::projection::record_of_row).collect();
        records.extend(page.iter().map(|e| Record {
            id: e.id,
            tablet: Some(device),
            kind: if e.kind == PunchKind::Start { RecordKind::Start } else { RecordKind::Stop },
            at: e.occurred_at.with_timezone(&Utc),
            link: e.link_id,
            comment: e.comment.clone(),
            flagged: false,
            late_for_lock: false,
        }));
        let days = record_work_days(&records, tz);
        for id in page_ids {
            if days.get(&id).is_some_and(|d| locks.is_locked(employee, &month(*d))) {
                late.insert(id);
            }
        }
    }
    Ok(late)
}

fn unknown_reference(what: &str, id: Uuid) -> ApiError {
    ApiError::with_details(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::UnknownReference,
        format!("{what} {id} does not belong to this device's organisation; nothing of this page was stored"),
        json!({ "kind": what, "id": id }),
    )
}
