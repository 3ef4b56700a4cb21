//! Table-driven tests of D1 and D3, with the seed's two worked examples.

use super::*;
use chrono::NaiveDateTime;
use chrono_tz::Europe::Stockholm;

use crate::rules::local_time::resolve_local;

fn at(local: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("test literal");
    resolve_local(Stockholm, naive)
}

fn stamp(n: u128, start: &str, end: Option<&str>) -> Stamp {
    Stamp { id: Uuid::from_u128(n), link: Uuid::from_u128(100), comment: String::new(), start: at(start), end: end.map(at) }
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test literal")
}

#[test]
fn d1_first_start_last_end_breaks_are_gaps() {
    let stamps = vec![
        stamp(2, "2026-06-01 12:30", Some("2026-06-01 16:00")),
        stamp(1, "2026-06-01 08:00", Some("2026-06-01 12:00")),
        stamp(3, "2026-06-01 16:10", Some("2026-06-01 17:00")),
        stamp(4, "2026-06-01 17:30", None), // running: left out (INTERP-15)
    ];
    let a = aggregate_day(&stamps).expect("no overlap").expect("closed stamps");
    assert_eq!(a.start, at("2026-06-01 08:00"), "D1 start = first start");
    assert_eq!(a.end, at("2026-06-01 17:00"), "D1 end = last end");
    assert_eq!(a.breaks, vec![Minutes::whole(30), Minutes::whole(10)], "D1 breaks = gaps");
    assert_eq!(a.total_break, Minutes::whole(40), "D1 total break");
    assert_eq!(a.actual, Minutes::hm(8, 20), "D1 actual = Σ durations");
    assert_eq!(a.actual + a.total_break, a.span, "D1 actual + break = span");
}

#[test]
fn d1_edge_cases() {
    assert_eq!(aggregate_day(&[]), Ok(None), "D1 nothing stamped");
    assert_eq!(aggregate_day(&[stamp(1, "2026-06-01 08:00", None)]), Ok(None), "D1 only running (INTERP-15)");
    let overlap = [stamp(1, "2026-06-01 08:00", Some("2026-06-01 12:00")), stamp(2, "2026-06-01 11:00", Some("2026-06-01 13:00"))];
    assert_eq!(
        aggregate_day(&overlap),
        Err(AggregationError::Overlap { first: Uuid::from_u128(1), second: Uuid::from_u128(2) }),
        "D1 INTERP-16 overlap rejected"
    );
    let backwards = [stamp(1, "2026-06-01 08:00", Some("2026-06-01 07:00"))];
    assert_eq!(aggregate_day(&backwards), Err(AggregationError::EndBeforeStart(Uuid::from_u128(1))), "D1 end before start");
    let switch = [stamp(1, "2026-06-01 08:00", Some("2026-06-01 12:00")), stamp(2, "2026-06-01 12:00", Some("2026-06-01 13:00"))];
    let a = aggregate_day(&switch).expect("touching is fine").expect("closed");
    assert_eq!(a.breaks, vec![Minutes::ZERO], "D1 a switch leaves a zero gap");
    // A night over the autumn change: 22:00–06:00 is 9 h of real time.
    let night = [stamp(1, "2026-10-24 22:00", Some("2026-10-25 06:00"))];
    assert_eq!(aggregate_day(&night).expect("ok").map(|a| a.actual), Some(Minutes::hours(9)), "D1 + G-TZ elapsed");
}

#[test]
fn d3_seed_example_one_gap_of_one_hour_joins_the_24th() {
    // "22:00 Uhr bis 02:00 Uhr. Nach einer Stunde Pause [...] um 03:00 Uhr" → 24.02.
    let stamps = [stamp(1, "2026-02-24 22:00", Some("2026-02-25 02:00")), stamp(2, "2026-02-25 03:00", Some("2026-02-25 05:00"))];
    let days = attribute_work_days(&stamps, Stockholm);
    assert_eq!(days[&Uuid::from_u128(2)], d("2026-02-24"), "D3 example 1");
    let agg = aggregate_work_days(&stamps, Stockholm).expect("ok");
    assert_eq!(agg.len(), 1, "D3 one work day");
    assert_eq!(agg[&d("2026-02-24")].actual, Minutes::hours(6), "D3 example 1 actual");
    assert_eq!(agg[&d("2026-02-24")].total_break, Minutes::hours(1), "D3 example 1 break");
}

#[test]
fn d3_seed_example_two_gap_of_nine_hours_starts_the_25th() {
    // "20:00 Uhr bis 02:00 Uhr. Am 25.02. stemplen Sie um 11:00 Uhr" → 25.02.
    let stamps = [stamp(1, "2026-02-24 20:00", Some("2026-02-25 02:00")), stamp(2, "2026-02-25 11:00", Some("2026-02-25 12:00"))];
    let days = attribute_work_days(&stamps, Stockholm);
    assert_eq!(days[&Uuid::from_u128(1)], d("2026-02-24"), "D3 example 2 first stamp");
    assert_eq!(days[&Uuid::from_u128(2)], d("2026-02-25"), "D3 example 2");
}

#[test]
fn d3_table_of_gaps() {
    // (previous day's last end, new start, expected work day)
    let cases = [
        ("2026-02-25 02:00", "2026-02-25 10:00", "2026-02-24"), // exactly 8 h → previous (INTERP-17)
        ("2026-02-25 02:00", "2026-02-25 10:01", "2026-02-25"), // 8 h 1 min → own day
        ("2026-02-24 22:00", "2026-02-25 05:00", "2026-02-24"), // ended before midnight (INTERP-18)
        ("2026-02-24 14:00", "2026-02-25 05:00", "2026-02-25"),
        // Spring night: 22:00 → 06:30 wall clock is 7.5 h real time → previous day (G-TZ).
        ("2026-03-28 22:00", "2026-03-29 06:30", "2026-03-28"),
        // Autumn night: 22:00 → 05:30 wall clock is 8.5 h real time → own day.
        ("2026-10-24 22:00", "2026-10-25 05:30", "2026-10-25"),
    ];
    for (end, start, expected) in cases {
        assert_eq!(work_day_of(at(start), Some(at(end)), Stockholm), d(expected), "D3 {end} → {start}");
    }
    assert_eq!(work_day_of(at("2026-02-25 03:00"), None, Stockholm), d("2026-02-25"), "D3 nothing the day before");
}

#[test]
fn d3_chains_through_the_night_and_is_order_independent() {
    let stamps = vec![
        stamp(1, "2026-02-24 14:00", Some("2026-02-24 22:00")),
        stamp(2, "2026-02-25 04:00", Some("2026-02-25 05:00")), // 6 h after 22:00 → 24th
        stamp(3, "2026-02-25 09:00", Some("2026-02-25 10:00")), // 4 h after 05:00 → 24th
        stamp(4, "2026-02-25 19:00", Some("2026-02-25 20:00")), // 9 h after 10:00 → 25th
    ];
    let expected: Vec<NaiveDate> = ["2026-02-24", "2026-02-24", "2026-02-24", "2026-02-25"].iter().map(|s| d(s)).collect();
    let mut reversed = stamps.clone();
    reversed.reverse();
    for set in [&stamps, &reversed] {
        let days = attribute_work_days(set, Stockholm);
        let got: Vec<NaiveDate> = (1..=4).map(|n| days[&Uuid::from_u128(n)]).collect();
        assert_eq!(got, expected, "D3 chain");
    }
}

#[test]
fn d2_replay_of_events_makes_stamps_with_switches() {
    let ev = |n: u128, kind: PunchKind, when: &str| PunchEvent {
        id: Uuid::from_u128(n),
        device_seq: n as i64,
        employee_id: Uuid::from_u128(9),
        kind,
        link_id: Some(Uuid::from_u128(100 + n)),
        comment: None,
        occurred_at: at(when).fixed_offset(),
        device_clock_at: at(when).fixed_offset(),
    };
    let events = vec![
        ev(3, PunchKind::Stop, "2026-06-01 16:00"),
        ev(1, PunchKind::Start, "2026-06-01 08:00"),
        ev(2, PunchKind::Start, "2026-06-01 12:00"), // switch
        ev(4, PunchKind::Stop, "2026-06-01 17:00"),  // nothing running
        ev(5, PunchKind::Start, "2026-06-01 18:00"), // still running
    ];
    let r = stamps_from_events(&events);
    let shape: Vec<(u128, Option<DateTime<Utc>>)> = r.stamps.iter().map(|s| (s.id.as_u128(), s.end)).collect();
    assert_eq!(
        shape,
        vec![(1, Some(at("2026-06-01 12:00"))), (2, Some(at("2026-06-01 16:00"))), (5, None)],
        "D2 switch ends the running stamp at the new start"
    );
    assert_eq!(r.unmatched_stops, vec![Uuid::from_u128(4)], "D2 a stop with nothing running");
}
