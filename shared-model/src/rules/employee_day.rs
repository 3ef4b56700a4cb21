//! D1, D2 and D3 over the server's ledger: one employee's records from every tablet (and the
//! web), paired into intervals, attributed to work days and summed per day, with the day's
//! anomalies listed — never dropped, never silently fixed. Pure: the server's projection and
//! any from-scratch recomputation call the same function, so they agree by construction.
//!
//! Pairing, in time order across all tablets (the ledger-core issue):
//! * a start ends the running task **of the same tablet** (a switch, D2);
//! * a stop ends the same tablet's running task, or else the employee's oldest running one
//!   (start at the entrance, stop at the exit: one interval, no anomaly);
//! * a start at one tablet while a task started at another still runs opens a second interval,
//!   and both are flagged `overlapping_intervals` (two offline tablets); overlapping time counts
//!   once in Ist;
//! * nothing pairs across more than [`PAIRING_REACH_HOURS`]: a stop two days after a forgotten
//!   start is `stop_without_start`, and the start stays running. This also makes any gap of that
//!   length in a person's records a clean cut, which is what lets the server rebuild a few days
//!   instead of a whole history.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::duration::Minutes;
use super::local_time::local_date;
use super::punch_day::{attribute_work_days, Stamp};

/// The longest a start waits for the stop (or switch) that ends it.
pub const PAIRING_REACH_HOURS: i64 = 48;
/// An interval longer than this is listed as `interval_over_16h`.
pub const LONG_INTERVAL_HOURS: i64 = 16;

/// What a record says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Start,
    Stop,
}

/// One effective ledger record of one employee (corrections already applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: Uuid,
    /// The tablet it was stamped on; `None` for a record entered on the web.
    pub tablet: Option<Uuid>,
    pub kind: RecordKind,
    pub at: DateTime<Utc>,
    pub link: Option<Uuid>,
    pub comment: Option<String>,
    /// A business flag other than `locked_period` (an inactive employee or link, …).
    pub flagged: bool,
    /// Arrived for a work day of a month that was locked at the time (`locked_period`).
    pub late_for_lock: bool,
}

/// A stamp interval: a task from its start to its end (none while running).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub link: Option<Uuid>,
    pub comment: Option<String>,
    /// The records behind it: the start, then the stop or switch that ended it.
    pub record_ids: Vec<Uuid>,
}

impl Interval {
    pub fn minutes(&self) -> Option<Minutes> {
        self.end.map(|e| Minutes::between(self.start, e))
    }
}

/// A day's anomaly codes (stable, snake_case: what a UI translates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnomalyCode {
    StopWithoutStart,
    OverlappingIntervals,
    IntervalOver16h,
    LockedPeriod,
    FlaggedRecord,
}

impl AnomalyCode {
    pub fn code(self) -> &'static str {
        match self {
            AnomalyCode::StopWithoutStart => "stop_without_start",
            AnomalyCode::OverlappingIntervals => "overlapping_intervals",
            AnomalyCode::IntervalOver16h => "interval_over_16h",
            AnomalyCode::LockedPeriod => "locked_period",
            AnomalyCode::FlaggedRecord => "flagged_record",
        }
    }
}

/// An anomaly with the records it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Anomaly {
    pub code: AnomalyCode,
    pub record_ids: Vec<Uuid>,
}

/// One work day of one employee (D1 figures over the intervals that count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    /// First start and last end of the closed intervals that count; `None` without one.
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// `end − start − actual`: the gaps (D1), derived.
    pub break_time: Minutes,
    /// Ist: the union of the counted closed intervals (overlaps once).
    pub actual: Minutes,
    /// Every interval of the day in start order, counted or not.
    pub intervals: Vec<Interval>,
    pub anomalies: Vec<Anomaly>,
}

/// What pairing made of a list of records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paired {
    pub intervals: Vec<Interval>,
    /// Stops that found nothing to end.
    pub unmatched_stops: Vec<Uuid>,
    /// Pairs of intervals (by index) that ran at the same time from two tablets.
    pub overlaps: BTreeSet<(usize, usize)>,
}

/// The one order of records: by instant, stops before starts at the same instant (a stop and a
/// start at 12:00 are a stop, then a new task), then by id — arrival order never matters.
pub fn sorted(records: &[Record]) -> Vec<&Record> {
    let mut v: Vec<&Record> = records.iter().collect();
    v.sort_by_key(|r| (r.at, r.kind == RecordKind::Start, r.id));
    v
}

/// D2 across tablets: records → intervals (see the module documentation for the rules).
pub fn pair(records: &[Record]) -> Paired {
    let reach = Duration::hours(PAIRING_REACH_HOURS);
    let mut out = Paired::default();
    // Running intervals: (index into out.intervals, tablet), oldest first.
    let mut running: Vec<(usize, Option<Uuid>)> = Vec::new();
    for r in sorted(records) {
        // Starts older than the reach are left running for good.
        running.retain(|(i, _)| r.at - out.intervals[*i].start <= reach);
        let same_tablet = running.iter().position(|(_, t)| *t == r.tablet);
        match r.kind {
            RecordKind::Start => {
                if let Some(pos) = same_tablet {
                    let (i, _) = running.remove(pos);
                    out.intervals[i].end = Some(r.at);
                    out.intervals[i].record_ids.push(r.id);
                }
                let new = out.intervals.len();
                for (i, _) in &running {
                    out.overlaps.insert((*i, new));
                }
                out.intervals.push(Interval {
                    start: r.at,
                    end: None,
                    link: r.link,
                    comment: r.comment.clone(),
                    record_ids: vec![r.id],
                });
                running.push((new, r.tablet));
            }
            RecordKind::Stop => {
                let pos = same_tablet.or(if running.is_empty() { None } else { Some(0) });
                match pos {
                    Some(pos) => {
                        let (i, _) = running.remove(pos);
                        out.intervals[i].end = Some(r.at);
                        out.intervals[i].record_ids.push(r.id);
                    }
                    None => out.unmatched_stops.push(r.id),
                }
            }
        }
    }
    out
}

/// D3 for paired intervals: the work day of each interval (by index).
pub fn interval_work_days(intervals: &[Interval], tz: Tz) -> Vec<NaiveDate> {
    let stamps: Vec<Stamp> = intervals
        .iter()
        .map(|iv| Stamp {
            id: iv.record_ids[0],
            link: iv.link.unwrap_or_default(),
            comment: String::new(),
            start: iv.start,
            end: iv.end,
        })
        .collect();
    let days = attribute_work_days(&stamps, tz);
    intervals.iter().map(|iv| days.get(&iv.record_ids[0]).copied().unwrap_or_else(|| local_date(tz, iv.start))).collect()
}

/// The work day each record belongs to: that of its interval, or its own local date for a stop
/// that ended nothing. This is what a lock is decided by (a stop after midnight belongs to the
/// night shift's day).
pub fn record_work_days(records: &[Record], tz: Tz) -> BTreeMap<Uuid, NaiveDate> {
    let paired = pair(records);
    let days = interval_work_days(&paired.intervals, tz);
    let mut out = BTreeMap::new();
    for (iv, day) in paired.intervals.iter().zip(&days) {
        for id in &iv.record_ids {
            out.insert(*id, *day);
        }
    }
    for r in records {
        out.entry(r.id).or_insert_with(|| local_date(tz, r.at));
    }
    out
}

/// The whole projection of one employee's records: every work day with something on it.
/// `locked(day)` says whether a day's month is locked now: records that arrived late for a
/// locked month (`late_for_lock`) are listed but left out of a still-locked day's figures.
pub fn project(records: &[Record], tz: Tz, locked: impl Fn(NaiveDate) -> bool) -> BTreeMap<NaiveDate, Day> {
    let by_id: BTreeMap<Uuid, &Record> = records.iter().map(|r| (r.id, r)).collect();
    let paired = pair(records);
    let days_of = interval_work_days(&paired.intervals, tz);
    let mut per_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
    for (i, day) in days_of.iter().enumerate() {
        per_day.entry(*day).or_default().push(i);
    }
    let mut anomalies: BTreeMap<NaiveDate, BTreeSet<Anomaly>> = BTreeMap::new();
    for stop in &paired.unmatched_stops {
        if let Some(r) = by_id.get(stop) {
            let day = local_date(tz, r.at);
            per_day.entry(day).or_default();
            anomalies.entry(day).or_default().insert(Anomaly { code: AnomalyCode::StopWithoutStart, record_ids: vec![*stop] });
            add_record_flags(r, day, &locked, anomalies.entry(day).or_default());
        }
    }
    for (a, b) in &paired.overlaps {
        let mut ids = paired.intervals[*a].record_ids.clone();
        ids.extend(paired.intervals[*b].record_ids.iter().copied());
        ids.sort();
        for day in [days_of[*a], days_of[*b]] {
            anomalies.entry(day).or_default().insert(Anomaly { code: AnomalyCode::OverlappingIntervals, record_ids: ids.clone() });
        }
    }
    let mut out = BTreeMap::new();
    for (date, indices) in per_day {
        let day_anomalies = anomalies.entry(date).or_default();
        let mut intervals: Vec<&Interval> = indices.iter().map(|i| &paired.intervals[*i]).collect();
        intervals.sort_by_key(|iv| (iv.start, iv.record_ids[0]));
        let mut counted: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for iv in &intervals {
            if iv.minutes().is_some_and(|m| m > Minutes::hours(LONG_INTERVAL_HOURS)) {
                day_anomalies.insert(Anomaly { code: AnomalyCode::IntervalOver16h, record_ids: iv.record_ids.clone() });
            }
            let mut excluded = false;
            for id in &iv.record_ids {
                if let Some(r) = by_id.get(id) {
                    excluded |= r.late_for_lock && locked(date);
                    add_record_flags(r, date, &locked, day_anomalies);
                }
            }
            if let (Some(end), false) = (iv.end, excluded) {
                counted.push((iv.start, end));
            }
        }
        let (start, end, actual) = union(&mut counted);
        let break_time = match (start, end) {
            (Some(s), Some(e)) => Minutes::between(s, e) - actual,
            _ => Minutes::ZERO,
        };
        out.insert(
            date,
            Day {
                date,
                start,
                end,
                break_time,
                actual,
                intervals: intervals.into_iter().cloned().collect(),
                anomalies: std::mem::take(day_anomalies).into_iter().collect(),
            },
        );
    }
    out
}

fn add_record_flags(r: &Record, day: NaiveDate, locked: &impl Fn(NaiveDate) -> bool, into: &mut BTreeSet<Anomaly>) {
    if r.late_for_lock && locked(day) {
        into.insert(Anomaly { code: AnomalyCode::LockedPeriod, record_ids: vec![r.id] });
    }
    if r.flagged {
        into.insert(Anomaly { code: AnomalyCode::FlaggedRecord, record_ids: vec![r.id] });
    }
}

/// First start, last end and the length of the union of closed intervals.
fn union(spans: &mut [(DateTime<Utc>, DateTime<Utc>)]) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>, Minutes) {
    spans.sort();
    let mut total = Minutes::ZERO;
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    let mut last_end: Option<DateTime<Utc>> = None;
    for &(s, e) in spans.iter() {
        last_end = Some(last_end.map_or(e, |l| l.max(e)));
        current = match current {
            Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += Minutes::between(cs, ce);
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((cs, ce)) = current {
        total += Minutes::between(cs, ce);
    }
    (spans.first().map(|s| s.0), last_end, total)
}

#[cfg(test)]
mod tests;
