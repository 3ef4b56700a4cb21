//! D1, D2, D3 over the ledger (the ledger-core issue's pairing rules), table by table.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;
use uuid::Uuid;

use super::*;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn rec(n: u128, tablet: u128, kind: RecordKind, when: &str) -> Record {
    Record {
        id: Uuid::from_u128(n),
        tablet: Some(Uuid::from_u128(1000 + tablet)),
        kind,
        at: at(when),
        link: Some(Uuid::from_u128(77)),
        comment: None,
        flagged: false,
        late_for_lock: false,
    }
}

use RecordKind::{Start, Stop};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn codes(day: &Day) -> Vec<&'static str> {
    day.anomalies.iter().map(|a| a.code.code()).collect()
}

#[test]
fn d1_d2_a_switch_and_a_stop_make_two_intervals_and_one_break() {
    let records = [
        rec(1, 1, Start, "2026-11-16T08:00:00+01:00"),
        rec(2, 1, Start, "2026-11-16T10:00:00+01:00"),
        rec(3, 1, Stop, "2026-11-16T12:00:00+01:00"),
        rec(4, 1, Start, "2026-11-16T12:30:00+01:00"),
        rec(5, 1, Stop, "2026-11-16T16:30:00+01:00"),
    ];
    let days = project(&records, Stockholm, |_| false);
    let d = &days[&date("2026-11-16")];
    assert_eq!(d.intervals.len(), 3);
    assert_eq!(d.actual, Minutes::hm(8, 0));
    assert_eq!(d.break_time, Minutes::whole(30));
    assert_eq!(d.start, Some(at("2026-11-16T08:00:00+01:00")));
    assert!(d.anomalies.is_empty());
}

#[test]
fn d2_start_at_the_entrance_stop_at_the_exit_is_one_interval() {
    let records = [rec(1, 1, Start, "2026-11-16T08:00:00+01:00"), rec(2, 2, Stop, "2026-11-16T16:00:00+01:00")];
    let d = &project(&records, Stockholm, |_| false)[&date("2026-11-16")];
    assert_eq!(d.intervals.len(), 1);
    assert_eq!(d.intervals[0].record_ids, vec![Uuid::from_u128(1), Uuid::from_u128(2)]);
    assert_eq!(d.actual, Minutes::hours(8));
    assert!(d.anomalies.is_empty());
}

#[test]
fn d2_two_offline_tablets_overlap_and_count_once() {
    let records = [
        rec(1, 1, Start, "2026-11-16T08:00:00+01:00"),
        rec(2, 2, Start, "2026-11-16T09:00:00+01:00"),
        rec(3, 1, Stop, "2026-11-16T12:00:00+01:00"),
        rec(4, 2, Stop, "2026-11-16T13:00:00+01:00"),
    ];
    let d = &project(&records, Stockholm, |_| false)[&date("2026-11-16")];
    assert_eq!(d.intervals.len(), 2);
    assert_eq!(codes(d), vec!["overlapping_intervals"]);
    assert_eq!(d.actual, Minutes::hours(5), "08–13, the overlap counted once");
    assert_eq!(d.break_time, Minutes::ZERO);
}

#[test]
fn a_stop_without_start_and_a_long_interval_are_listed() {
    let records = [
        rec(1, 1, Stop, "2026-11-16T07:00:00+01:00"),
        rec(2, 1, Start, "2026-11-16T08:00:00+01:00"),
        rec(3, 1, Stop, "2026-11-17T01:00:00+01:00"),
    ];
    let days = project(&records, Stockholm, |_| false);
    let d = &days[&date("2026-11-16")];
    assert_eq!(codes(d), vec!["stop_without_start", "interval_over_16h"]);
    assert_eq!(d.actual, Minutes::hours(17));
}

#[test]
fn nothing_pairs_across_more_than_the_reach() {
    let records = [rec(1, 1, Start, "2026-11-13T08:00:00+01:00"), rec(2, 1, Stop, "2026-11-16T08:00:00+01:00")];
    let days = project(&records, Stockholm, |_| false);
    assert!(days[&date("2026-11-13")].intervals[0].end.is_none(), "the forgotten start stays running");
    assert_eq!(codes(&days[&date("2026-11-16")]), vec!["stop_without_start"]);
}

#[test]
fn d3_a_night_shift_belongs_to_the_day_it_started() {
    let records = [rec(1, 1, Start, "2026-11-30T22:00:00+01:00"), rec(2, 1, Stop, "2026-12-01T02:00:00+01:00")];
    let by_record = record_work_days(&records, Stockholm);
    assert_eq!(by_record[&Uuid::from_u128(2)], date("2026-11-30"), "the stop after midnight is the night shift's");
    let days = project(&records, Stockholm, |_| false);
    assert_eq!(days.keys().copied().collect::<Vec<_>>(), vec![date("2026-11-30")]);
    assert_eq!(days[&date("2026-11-30")].actual, Minutes::hours(4));
}

#[test]
fn late_records_for_a_locked_month_are_listed_and_left_out_until_unlocked() {
    let mut late = rec(3, 1, Start, "2026-11-30T13:00:00+01:00");
    late.late_for_lock = true;
    let mut late_stop = rec(4, 1, Stop, "2026-11-30T14:00:00+01:00");
    late_stop.late_for_lock = true;
    let records = [rec(1, 1, Start, "2026-11-30T08:00:00+01:00"), rec(2, 1, Stop, "2026-11-30T12:00:00+01:00"), late, late_stop];
    let locked = project(&records, Stockholm, |d| d.format("%Y-%m").to_string() == "2026-11");
    let d = &locked[&date("2026-11-30")];
    assert_eq!(d.actual, Minutes::hours(4));
    assert_eq!(d.intervals.len(), 2, "the late interval is listed");
    assert!(codes(d).iter().all(|c| *c == "locked_period"));
    let unlocked = project(&records, Stockholm, |_| false);
    assert_eq!(unlocked[&date("2026-11-30")].actual, Minutes::hours(5));
    assert!(unlocked[&date("2026-11-30")].anomalies.is_empty());
}

#[test]
fn arrival_order_does_not_matter() {
    let mut records = vec![
        rec(1, 1, Start, "2026-11-16T08:00:00+01:00"),
        rec(2, 2, Start, "2026-11-16T09:00:00+01:00"),
        rec(3, 2, Stop, "2026-11-16T12:00:00+01:00"),
        rec(4, 1, Stop, "2026-11-16T17:00:00+01:00"),
    ];
    let a = project(&records, Stockholm, |_| false);
    records.reverse();
    assert_eq!(project(&records, Stockholm, |_| false), a);
}
