//! D1 and D3: how stamps become a work day: which work day each stamp belongs to (the
//! 8-hour rule over midnight) and the day's start, end, breaks and actual hours.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::duration::Minutes;
use super::local_time::local_date;
use crate::{PunchEvent, PunchKind};

/// One stamp (*Stempelzeit*): a task worked on a link from start to end; no end while running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub id: Uuid,
    /// The project + time-account link (*Verknüpfung*).
    pub link: Uuid,
    pub comment: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

impl Stamp {
    /// A running stamp has no end and no duration yet (D2, INTERP-15).
    pub fn is_running(&self) -> bool {
        self.end.is_none()
    }

    /// The stamp's length, `None` while it runs.
    pub fn duration(&self) -> Option<Minutes> {
        self.end.map(|e| Minutes::between(self.start, e))
    }
}

/// D3: a new stamp joins the previous work day when it starts at most this long after that day's last end.
pub const ATTRIBUTION_WINDOW_MINUTES: i64 = 8 * 60;

/// D3 for one new stamp: `D−1` when the previous day's last stamp ended at most 8 h before
/// (INTERP-17: exactly 8 h still counts), otherwise its own calendar date `D`.
pub fn work_day_of(start: DateTime<Utc>, previous_day_last_end: Option<DateTime<Utc>>, tz: Tz) -> NaiveDate {
    let date = local_date(tz, start);
    match (previous_day_last_end, date.pred_opt()) {
        (Some(end), Some(previous)) if Minutes::between(end, start) <= Minutes::whole(ATTRIBUTION_WINDOW_MINUTES) => previous,
        _ => date,
    }
}

/// Stamps in the one order every rule uses: by start, then id, so arrival order never matters.
pub fn sorted(stamps: &[Stamp]) -> Vec<&Stamp> {
    let mut v: Vec<&Stamp> = stamps.iter().collect();
    v.sort_by_key(|s| (s.start, s.end.is_none(), s.end, s.id));
    v
}

/// D3 over a whole history: the work day of every stamp, deciding each in start order from the
/// stamps before it. A running stamp followed by another counts as ended at that start (D2 switch).
pub fn attribute_work_days(stamps: &[Stamp], tz: Tz) -> BTreeMap<Uuid, NaiveDate> {
    let mut day_of = BTreeMap::new();
    let mut last_end: BTreeMap<NaiveDate, DateTime<Utc>> = BTreeMap::new();
    let order = sorted(stamps);
    for (i, s) in order.iter().enumerate() {
        let previous = local_date(tz, s.start).pred_opt().and_then(|p| last_end.get(&p).copied());
        let day = work_day_of(s.start, previous, tz);
        let end = s.end.or_else(|| order.get(i + 1).map(|next| next.start)).unwrap_or(s.start);
        let slot = last_end.entry(day).or_insert(end);
        if end > *slot {
            *slot = end;
        }
        day_of.insert(s.id, day);
    }
    day_of
}

/// The stamps of each work day (D3), each list in start order.
pub fn stamps_by_work_day(stamps: &[Stamp], tz: Tz) -> BTreeMap<NaiveDate, Vec<Stamp>> {
    let days = attribute_work_days(stamps, tz);
    let mut out: BTreeMap<NaiveDate, Vec<Stamp>> = BTreeMap::new();
    for s in sorted(stamps) {
        if let Some(day) = days.get(&s.id) {
            out.entry(*day).or_default().push(s.clone());
        }
    }
    out
}

/// D1: what the time sheet shows for a stamped work day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayAggregate {
    /// Start of the first closed stamp.
    pub start: DateTime<Utc>,
    /// End of the last closed stamp.
    pub end: DateTime<Utc>,
    /// Each gap between consecutive stamps, in order; derived, never edited.
    pub breaks: Vec<Minutes>,
    pub total_break: Minutes,
    /// Σ stamp durations = span − total break.
    pub actual: Minutes,
    /// `end − start`, elapsed real time.
    pub span: Minutes,
}

/// Why stamps could not be aggregated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregationError {
    /// Two stamps overlap, so the gap formula is undefined (INTERP-16).
    #[error("stamps {first} and {second} overlap")]
    Overlap { first: Uuid, second: Uuid },
    /// A stamp ends before it starts.
    #[error("stamp {0} ends before it starts")]
    EndBeforeStart(Uuid),
}

/// D1: first start, last end, breaks = gaps, actual = Σ durations; running stamps are left
/// out until stopped (INTERP-15). `None` when no closed stamp remains.
pub fn aggregate_day(stamps: &[Stamp]) -> Result<Option<DayAggregate>, AggregationError> {
    let closed: Vec<(&Stamp, DateTime<Utc>)> =
        sorted(stamps).into_iter().filter_map(|s| s.end.map(|e| (s, e))).collect();
    let Some(&(first, _)) = closed.first() else {
        return Ok(None);
    };
    let mut breaks = Vec::new();
    let mut actual = Minutes::ZERO;
    let mut end = first.start;
    let mut previous: Option<&Stamp> = None;
    for &(s, e) in &closed {
        if e < s.start {
            return Err(AggregationError::EndBeforeStart(s.id));
        }
        if let Some(p) = previous {
            if s.start < end {
                return Err(AggregationError::Overlap { first: p.id, second: s.id });
            }
            breaks.push(Minutes::between(end, s.start));
        }
        actual += Minutes::between(s.start, e);
        end = e;
        previous = Some(s);
    }
    let total_break = breaks.iter().sum();
    Ok(Some(DayAggregate { start: first.start, end, breaks, total_break, actual, span: Minutes::between(first.start, end) }))
}

/// D1 + D3 for a whole history: each work day's aggregate.
pub fn aggregate_work_days(stamps: &[Stamp], tz: Tz) -> Result<BTreeMap<NaiveDate, DayAggregate>, AggregationError> {
    let mut out = BTreeMap::new();
    for (day, day_stamps) in stamps_by_work_day(stamps, tz) {
        if let Some(a) = aggregate_day(&day_stamps)? {
            out.insert(day, a);
        }
    }
    Ok(out)
}

/// The stamps a stream of punch events describes, and the stops that had nothing to stop.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Replay {
    pub stamps: Vec<Stamp>,
    pub unmatched_stops: Vec<Uuid>,
}

/// D2 over the ledger: replays one employee's events in time order (a start while another runs
/// is a switch), whatever order they arrived in.
pub fn stamps_from_events(events: &[PunchEvent]) -> Replay {
    let mut order: Vec<&PunchEvent> = events.iter().collect();
    order.sort_by_key(|e| (e.occurred_at.with_timezone(&Utc), e.kind == PunchKind::Start, e.id));
    let mut replay = Replay::default();
    let mut running: Option<Stamp> = None;
    for e in order {
        let at = e.occurred_at.with_timezone(&Utc);
        match e.kind {
            PunchKind::Start => {
                if let Some(mut r) = running.take() {
                    r.end = Some(at);
                    replay.stamps.push(r);
                }
                running = Some(Stamp {
                    id: e.id,
                    link: e.link_id.unwrap_or_default(),
                    comment: e.comment.clone().unwrap_or_default(),
                    start: at,
                    end: None,
                });
            }
            PunchKind::Stop => match running.take() {
                Some(mut r) => {
                    r.end = Some(at);
                    replay.stamps.push(r);
                }
                None => replay.unmatched_stops.push(e.id),
            },
        }
    }
    replay.stamps.extend(running);
    replay
}

#[cfg(test)]
mod tests;
