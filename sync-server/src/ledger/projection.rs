//! The per-employee-day projection: dirty employee-days are claimed off the queue and rebuilt
//! from the effective records around them, with the pure `employee_day::project`.
//!
//! **Which records a rebuild reads.** Nothing pairs across more than 48 h and D3 looks back at
//! most 8 h, so a gap of more than 48 h in a person's records is a clean cut: what lies before
//! it cannot change a day after it. A rebuild of days `a..=b` widens `[a − 2 days, b + 2 days]`
//! to the nearest such gaps on both sides, reads every effective record in between, and
//! replaces every projected day in that span. For a person who stamps on weekdays that is about
//! a week; the result equals a projection of the whole history (the property test proves it).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use shared_model::rules::employee_day::{self, Day, Record, RecordKind, PAIRING_REACH_HOURS};
use shared_model::rules::local_time::{local_date, resolve_local};
use uuid::Uuid;

use crate::state::AppState;
use crate::store::ledger::{self, LedgerRow};
use crate::store::{StoreError, Tx};

/// Dirty days claimed per transaction.
const CLAIM_BATCH: i64 = 500;
/// Records read per step while looking for a clean cut.
const SCAN_BATCH: i64 = 256;

/// A projected day as the days endpoint answers it (PROTOCOL growth of the ledger-core issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct DayView {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// First start of the counted closed intervals (RFC 3339 UTC).
    pub start: Option<DateTime<Utc>>,
    /// Last end of the counted closed intervals.
    pub end: Option<DateTime<Utc>>,
    /// Breaks (D1: the gaps), whole minutes.
    pub break_min: i64,
    /// Ist: counted time, overlaps once, whole minutes.
    pub actual_min: i64,
    pub intervals: Vec<IntervalView>,
    pub anomalies: Vec<AnomalyView>,
}

/// A stamp interval of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IntervalView {
    pub start: DateTime<Utc>,
    /// `null` while running.
    pub end: Option<DateTime<Utc>>,
    /// `null` while running.
    pub minutes: Option<i64>,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    pub record_ids: Vec<Uuid>,
}

/// An anomaly of a day: `stop_without_start`, `overlapping_intervals`, `interval_over_16h`,
/// `locked_period` or `flagged_record`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AnomalyView {
    pub code: String,
    pub record_ids: Vec<Uuid>,
}

impl DayView {
    pub fn of(day: &Day) -> DayView {
        DayView {
            date: day.date,
            start: day.start,
            end: day.end,
            break_min: day.break_time.rounded_minutes(),
            actual_min: day.actual.rounded_minutes(),
            intervals: day
                .intervals
                .iter()
                .map(|iv| IntervalView {
                    start: iv.start,
                    end: iv.end,
                    minutes: iv.minutes().map(|m| m.rounded_minutes()),
                    link_id: iv.link,
                    comment: iv.comment.clone(),
                    record_ids: iv.record_ids.clone(),
                })
                .collect(),
            anomalies: day.anomalies.iter().map(|a| AnomalyView { code: a.code.code().to_owned(), record_ids: a.record_ids.clone() }).collect(),
        }
    }
}

/// A stored row as the pure projection's record (`None` for a kind it does not pair).
pub fn record_of_row(row: &LedgerRow) -> Option<Record> {
    let kind = match row.kind.as_str() {
        "start" => RecordKind::Start,
        "stop" => RecordKind::Stop,
        _ => return None,
    };
    let flags: Vec<&str> = row.flags.as_deref().unwrap_or("").split(',').filter(|f| !f.is_empty()).collect();
    Some(Record {
        id: row.id,
        tablet: row.device_id,
        kind,
        at: row.occurred_at,
        link: row.link_id,
        comment: row.comment.clone(),
        flagged: flags.iter().any(|f| *f != "locked_period"),
        late_for_lock: flags.contains(&"locked_period"),
    })
}

/// The organisation facts a rebuild needs.
#[derive(Debug, Clone)]
pub struct OrgFacts {
    pub tz: Tz,
    /// Locked pay periods, `YYYY-MM`.
    pub locked: BTreeSet<String>,
    /// Each employee's own locked months (E3), read once per drain.
    pub employee_locked: BTreeMap<Uuid, BTreeSet<String>>,
}

impl OrgFacts {
    /// Reads the facts in the caller's unit of work.
    pub async fn load(tx: &mut Tx, org: Uuid) -> Result<OrgFacts, StoreError> {
        let (zone, locked) = ledger::org_facts(tx, org).await?.ok_or(StoreError::Corrupt(format!("organisation {org} is gone")))?;
        let tz = shared_model::pay_period::parse_time_zone(&zone).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut employee_locked: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
        for (employee, period) in crate::store::timesheet::employee_locks_since(tx, org, "0000-00").await? {
            employee_locked.entry(employee).or_default().insert(period);
        }
        Ok(OrgFacts { tz, locked: locked.into_iter().collect(), employee_locked })
    }

    pub fn is_locked(&self, day: NaiveDate) -> bool {
        self.locked.contains(&day.format("%Y-%m").to_string())
    }

    /// Locked for this employee: the organisation's month or their own (E3).
    pub fn is_locked_for(&self, employee: Uuid, day: NaiveDate) -> bool {
        let month = day.format("%Y-%m").to_string();
        self.locked.contains(&month) || self.employee_locked.get(&employee).is_some_and(|m| m.contains(&month))
    }
}

/// The first instant of `day` in `tz`.
fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    resolve_local(tz, day.and_time(NaiveTime::MIN))
}

/// Drains the queue of dirty days (of `org` only, when given) and answers how many it rebuilt.
#[tracing::instrument(skip(state))]
pub async fn drain(state: &AppState, org: Option<Uuid>) -> Result<usize, StoreError> {
    let mut facts: BTreeMap<Uuid, OrgFacts> = BTreeMap::new();
    let mut rebuilt = 0;
    loop {
        let mut tx = state.store.begin().await?;
        // One drain at a time: two rebuilding overlapping spans would race on the same days.
        ledger::lock_projection(&mut tx).await?;
        let claimed = ledger::claim_dirty(&mut tx, org, CLAIM_BATCH).await?;
        if claimed.is_empty() {
            tx.commit().await?;
            return Ok(rebuilt);
        }
        let mut by_org: BTreeMap<Uuid, BTreeMap<Uuid, BTreeSet<NaiveDate>>> = BTreeMap::new();
        for (o, e, d) in claimed {
            by_org.entry(o).or_default().entry(e).or_default().insert(d);
        }
        for (o, dirty) in by_org {
            let f = match facts.entry(o) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(OrgFacts::load(&mut tx, o).await?),
            };
            rebuilt += rebuild(&mut tx, o, &dirty, f, state.clock.now()).await?;
        }
        tx.commit().await?;
    }
}

/// How far around its dirty days the batched read looks for each employee's clean cuts. A week
/// holds a weekend, the usual cut of weekday staff; whoever has no cut inside it is widened
/// record by record on their own (`widen_alone`).
const READ_MARGIN_DAYS: i64 = 7;
/// Employees whose spans lie this close together are read with one statement.
const GROUP_SPAN_DAYS: i64 = 31;

/// One employee's rebuild: the instants `lo..=hi` between its clean cuts, and the records there.
struct Span {
    employee: Uuid,
    lo: DateTime<Utc>,
    hi: DateTime<Utc>,
    records: Vec<Record>,
}

/// Rebuilds the projected days around `dirty` (employee → dirty work days) of `org` (see the
/// module documentation) and answers how many days it produced. Batched per page: the records of
/// every employee whose spans lie close together are read with one statement, their stored days
/// with one more, and only the days that changed are written, with one statement on PostgreSQL.
pub async fn rebuild(tx: &mut Tx, org: Uuid, dirty: &BTreeMap<Uuid, BTreeSet<NaiveDate>>, facts: &OrgFacts, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let tz = facts.tz;
    // Each employee's first guess: two days before the first dirty day to two days after the last.
    let mut wanted: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = dirty
        .iter()
        .filter_map(|(e, days)| {
            let (first, last) = (days.first()?, days.last()?);
            Some((*e, day_start(tz, *first - Duration::days(2)), day_start(tz, *last + Duration::days(3)) - Duration::microseconds(1)))
        })
        .collect();
    wanted.sort_by_key(|w| w.1);
    let mut spans: Vec<Span> = Vec::with_capacity(wanted.len());
    let margin = Duration::days(READ_MARGIN_DAYS);
    let mut group: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for w in wanted {
        if group.first().is_some_and(|g| w.2 - g.1 > Duration::days(GROUP_SPAN_DAYS)) {
            spans.extend(read_group(tx, org, &std::mem::take(&mut group), margin).await?);
        }
        group.push(w);
    }
    if !group.is_empty() {
        spans.extend(read_group(tx, org, &group, margin).await?);
    }
    let Some(from) = spans.iter().map(|s| local_date(tz, s.lo)).min() else { return Ok(0) };
    let to = spans.iter().map(|s| local_date(tz, s.hi)).max().unwrap_or(from);
    let employees: Vec<Uuid> = spans.iter().map(|s| s.employee).collect();
    let mut stored: BTreeMap<(Uuid, NaiveDate), String> =
        ledger::stored_days_of(tx, org, &employees, from, to).await?.into_iter().map(|(e, d, j)| ((e, d), j)).collect();
    let (mut upserts, mut deletes, mut produced) = (Vec::new(), Vec::new(), 0);
    for span in &spans {
        let (lo_day, hi_day) = (local_date(tz, span.lo), local_date(tz, span.hi));
        let days = employee_day::project(&span.records, tz, |d| facts.is_locked_for(span.employee, d));
        produced += days.len();
        for day in days.values() {
            let view = DayView::of(day);
            let json = serde_json::to_string(&view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if stored.remove(&(span.employee, day.date)).as_deref() != Some(json.as_str()) {
                upserts.push((span.employee, day.date, view.actual_min, json));
            }
        }
        // What is still stored in this span was not produced again: it is gone.
        deletes.extend(stored.range((span.employee, lo_day)..=(span.employee, hi_day)).map(|(k, _)| *k));
    }
    ledger::write_days(tx, org, &upserts, &deletes, now).await?;
    Ok(produced)
}

/// Reads the records of a group of employees in one statement, with `margin` around their
/// first guesses, and finds each one's clean cuts inside it; an employee without a cut inside
/// the margin is widened on their own.
async fn read_group(tx: &mut Tx, org: Uuid, group: &[(Uuid, DateTime<Utc>, DateTime<Utc>)], margin: Duration) -> Result<Vec<Span>, StoreError> {
    let (Some(read_lo), Some(read_hi)) = (group.iter().map(|g| g.1).min(), group.iter().map(|g| g.2).max()) else { return Ok(Vec::new()) };
    let (read_lo, read_hi) = (read_lo - margin, read_hi + margin);
    let employees: Vec<Uuid> = group.iter().map(|g| g.0).collect();
    let mut by_employee: BTreeMap<Uuid, Vec<LedgerRow>> = BTreeMap::new();
    for row in ledger::records_of_employees(tx, org, &employees, read_lo, read_hi).await? {
        by_employee.entry(row.employee_id).or_default().push(row);
    }
    let reach = Duration::hours(PAIRING_REACH_HOURS);
    let mut spans = Vec::with_capacity(group.len());
    for &(employee, lo, hi) in group {
        let rows = by_employee.remove(&employee).unwrap_or_default();
        // Back: walk the records before `lo`, newest first, to a gap longer than the reach.
        let (first_lo, mut lo) = (lo, lo);
        // Running out of records is a cut only if the read reached back more than the reach.
        let cut_lo = walk_to_cut(&mut lo, rows.iter().rev().map(|r| r.occurred_at).filter(|t| *t < first_lo)) || lo - read_lo > reach;
        let (first_hi, mut hi) = (hi, hi);
        let cut_hi = walk_to_cut(&mut hi, rows.iter().map(|r| r.occurred_at).filter(|t| *t > first_hi)) || read_hi - hi > reach;
        if cut_lo && cut_hi {
            let records = rows.iter().filter(|r| r.occurred_at >= lo && r.occurred_at <= hi).filter_map(record_of_row).collect();
            spans.push(Span { employee, lo, hi, records });
        } else {
            spans.push(widen_alone(tx, org, employee, lo, hi).await?);
        }
    }
    Ok(spans)
}

/// Moves `edge` over `instants` (walking away from it, nearest first) as long as each lies
/// within the pairing reach of the last; answers whether it met a gap longer than the reach —
/// a clean cut, where the walk stops.
fn walk_to_cut(edge: &mut DateTime<Utc>, instants: impl Iterator<Item = DateTime<Utc>>) -> bool {
    let reach = Duration::hours(PAIRING_REACH_HOURS);
    for t in instants {
        if (*edge - t).abs() > reach {
            return true;
        }
        *edge = t;
    }
    false
}

/// Widens `lo..=hi` of one employee to the clean cuts record by record, however far they are.
async fn widen_alone(tx: &mut Tx, org: Uuid, employee: Uuid, mut lo: DateTime<Utc>, mut hi: DateTime<Utc>) -> Result<Span, StoreError> {
    loop {
        let before = ledger::instants_before(tx, org, employee, lo, SCAN_BATCH).await?;
        let full = before.len() as i64 == SCAN_BATCH;
        if walk_to_cut(&mut lo, before.into_iter()) || !full {
            break;
        }
    }
    loop {
        let after = ledger::instants_after(tx, org, employee, hi, SCAN_BATCH).await?;
        let full = after.len() as i64 == SCAN_BATCH;
        if walk_to_cut(&mut hi, after.into_iter()) || !full {
            break;
        }
    }
    let rows = ledger::employee_records(tx, org, employee, lo, hi).await?;
    Ok(Span { employee, lo, hi, records: rows.iter().filter_map(record_of_row).collect() })
}

/// The whole projection of `employee` recomputed from every effective record (for checks).
pub async fn from_scratch(tx: &mut Tx, org: Uuid, employee: Uuid, facts: &OrgFacts) -> Result<Vec<DayView>, StoreError> {
    // 1900-01-01 and 9999-12-31: the instants both databases can hold.
    let far_past = DateTime::from_timestamp(-2_208_988_800, 0).unwrap_or_default();
    let far_future = DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default();
    let rows = ledger::employee_records(tx, org, employee, far_past, far_future).await?;
    let records: Vec<Record> = rows.iter().filter_map(record_of_row).collect();
    Ok(employee_day::project(&records, facts.tz, |d| facts.is_locked_for(employee, d)).values().map(DayView::of).collect())
}
