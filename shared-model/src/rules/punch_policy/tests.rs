//! Table-driven tests of D2, D4 (both variants, INTERP-19), D6 and the stamp side of E3.

use super::*;
use crate::policy::Policy;
use chrono::NaiveDateTime;
use chrono_tz::Europe::Stockholm;

use crate::rules::local_time::resolve_local;

fn at(local: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").expect("test literal");
    resolve_local(Stockholm, naive)
}
fn d(s: &str) -> NaiveDate {
    s.parse().expect("test literal")
}
fn stamp(n: u128, start: &str, end: Option<&str>) -> Stamp {
    Stamp { id: Uuid::from_u128(n), link: Uuid::from_u128(100), comment: String::new(), start: at(start), end: end.map(at) }
}
fn ctx(now: &str, variant: Policy) -> PunchContext {
    PunchContext { now: at(now), tz: Stockholm, variant }
}
fn req(n: u128, when: Option<&str>) -> StartRequest {
    StartRequest { id: Uuid::from_u128(n), link: Uuid::from_u128(100), comment: None, at: when.map(at) }
}
fn end_of(stamps: &[Stamp], n: u128) -> Option<DateTime<Utc>> {
    stamps.iter().find(|s| s.id == Uuid::from_u128(n)).and_then(|s| s.end)
}

#[test]
fn d2_start_without_time_is_now_and_switch_leaves_no_gap() {
    let c = ctx("2026-06-01 12:00", Policy::SelfService);
    let first = start(&[], &req(1, None), &c).expect("start");
    assert_eq!(first.stamps[0].start, at("2026-06-01 12:00"), "D2 empty time = now");
    assert_eq!(first.work_day, d("2026-06-01"), "D2/D3 own day");
    let c2 = ctx("2026-06-01 13:00", Policy::SelfService);
    let second = start(&first.stamps, &req(2, None), &c2).expect("switch");
    assert_eq!(second.switched, Some(Uuid::from_u128(1)), "D2 switch");
    assert_eq!(end_of(&second.stamps, 1), Some(at("2026-06-01 13:00")), "D2 old ends at new start");
    assert_eq!(second.stamps.iter().filter(|s| s.is_running()).count(), 1, "D2 at most one running");
}

#[test]
fn d2_stop_uses_now_unless_the_work_day_is_past() {
    let running_today = [stamp(1, "2026-06-01 08:00", None)];
    let c = ctx("2026-06-01 16:30", Policy::SelfService);
    let s = stop(&running_today, Some(at("2026-06-01 16:00")), &c).expect("stop");
    assert_eq!(end_of(&s, 1), Some(at("2026-06-01 16:30")), "D2 INTERP-20 explicit time ignored today");
    let running_yesterday = [stamp(1, "2026-05-31 08:00", None)];
    let s = stop(&running_yesterday, Some(at("2026-05-31 16:00")), &c).expect("stop");
    assert_eq!(end_of(&s, 1), Some(at("2026-05-31 16:00")), "D2 explicit time honoured for a past day");
    let s = stop(&running_yesterday, None, &c).expect("stop");
    assert_eq!(end_of(&s, 1), Some(at("2026-06-01 16:30")), "D2 no time = now");
    assert_eq!(stop(&[], None, &c), Err(PunchError::NotRunning), "D2 nothing running");
    assert_eq!(
        stop(&running_yesterday, Some(at("2026-05-31 07:00")), &c),
        Err(PunchError::EndNotAfterStart),
        "D2 stop before start"
    );
}

#[test]
fn d2_running_stamp_cannot_be_edited_or_deleted() {
    let stamps = [stamp(1, "2026-06-01 08:00", None)];
    let c = ctx("2026-06-01 12:00", Policy::SelfService);
    let edited = stamp(1, "2026-06-01 07:00", Some("2026-06-01 09:00"));
    assert_eq!(edit_stamp(&stamps, edited, Role::Manager, &c), Err(PunchError::RunningNotEditable), "D2 edit running");
    assert_eq!(delete_stamp(&stamps, Uuid::from_u128(1), Role::Manager, &c), Err(PunchError::RunningNotEditable), "D2 delete running");
}

#[test]
fn d4_forgotten_stamp_tomahawk_switches_calumet_auto_closes() {
    // Started 24.02 08:00, forgotten; a new task starts 25.02 07:00.
    let stamps = [stamp(1, "2026-02-24 08:00", None)];
    let tomahawk = start(&stamps, &req(2, None), &ctx("2026-02-25 07:00", Policy::SelfService)).expect("start");
    assert_eq!(end_of(&tomahawk.stamps, 1), Some(at("2026-02-25 07:00")), "D4 Tomahawk: ended at the new start");
    assert_eq!(tomahawk.work_day, d("2026-02-24"), "D4 Tomahawk: then D3 with gap 0 → previous day");
    assert_eq!(tomahawk.auto_closed, None);

    let calumet = start(&stamps, &req(2, None), &ctx("2026-02-25 07:00", Policy::Strict)).expect("start");
    assert_eq!(calumet.auto_closed, Some(Uuid::from_u128(1)), "D4 Calumet auto-close");
    assert_eq!(end_of(&calumet.stamps, 1), Some(at("2026-02-24 08:01")), "D4 Calumet: start + 1 min");
    assert_eq!(calumet.work_day, d("2026-02-25"), "D4 Calumet: D3 with that end → own day");
}

#[test]
fn d4_interp_19_calumet_night_shift_is_switched_not_cut() {
    // A night shift started 24.02 22:00 is still running at 03:00: the current work day.
    let stamps = [stamp(1, "2026-02-24 22:00", None)];
    let out = start(&stamps, &req(2, None), &ctx("2026-02-25 03:00", Policy::Strict)).expect("start");
    assert_eq!(out.auto_closed, None, "D4 INTERP-19 no auto-close");
    assert_eq!(out.switched, Some(Uuid::from_u128(1)), "D4 INTERP-19 ended normally");
    assert_eq!(end_of(&out.stamps, 1), Some(at("2026-02-25 03:00")), "D4 INTERP-19");
    assert_eq!(out.work_day, d("2026-02-24"), "D4 INTERP-19 new stamp joins the night's work day");
    // Started in the afternoon and forgotten: at 03:00 it is 11 h old → earlier work day → cut.
    let stamps = [stamp(1, "2026-02-24 16:00", None)];
    let out = start(&stamps, &req(2, None), &ctx("2026-02-25 03:00", Policy::Strict)).expect("start");
    assert_eq!(end_of(&out.stamps, 1), Some(at("2026-02-24 16:01")), "D4 INTERP-19 forgotten stamp cut");
    assert_eq!(out.work_day, d("2026-02-25"), "D4 INTERP-19");
}

#[test]
fn d4_past_days_and_manual_changes_by_variant() {
    let now = "2026-06-02 12:00";
    let past = req(1, Some("2026-06-01 08:00"));
    assert!(start(&[], &past, &ctx(now, Policy::SelfService)).is_ok(), "D4 Tomahawk stamps past days");
    assert_eq!(start(&[], &past, &ctx(now, Policy::Strict)), Err(PunchError::PastDayNotAllowed), "D4 Calumet only today");
    assert_eq!(start(&[], &req(1, Some("2026-06-02 13:00")), &ctx(now, Policy::SelfService)), Err(PunchError::Future), "A5 no future start");

    let manual = stamp(5, "2026-06-01 08:00", Some("2026-06-01 12:00"));
    // (variant, actor, allowed?)
    let cases = [
        (Policy::SelfService, Role::Employee, true),
        (Policy::Strict, Role::Employee, false),
        (Policy::Strict, Role::Manager, true),
        (Policy::Strict, Role::TeamLead, true),
    ];
    for (variant, actor, allowed) in cases {
        let c = ctx(now, variant);
        assert_eq!(add_stamp(&[], manual.clone(), actor, &c).is_ok(), allowed, "D4 add {variant:?} {actor:?}");
        let existing = [manual.clone()];
        let edited = stamp(5, "2026-06-01 08:00", Some("2026-06-01 11:00"));
        assert_eq!(edit_stamp(&existing, edited, actor, &c).is_ok(), allowed, "D4 edit {variant:?} {actor:?}");
        assert_eq!(delete_stamp(&existing, Uuid::from_u128(5), actor, &c).is_ok(), allowed, "D4 delete {variant:?} {actor:?}");
    }
    let c = ctx(now, Policy::SelfService);
    let existing = [manual.clone()];
    let overlapping = stamp(6, "2026-06-01 11:00", Some("2026-06-01 13:00"));
    assert_eq!(add_stamp(&existing, overlapping, Role::Employee, &c), Err(PunchError::Overlap(Uuid::from_u128(5))), "D4 INTERP-16");
    let future = stamp(7, "2026-06-02 11:00", Some("2026-06-02 13:00"));
    assert_eq!(add_stamp(&existing, future, Role::Employee, &c), Err(PunchError::Future), "A5 manual stamp in the future");
}

#[test]
fn d3_manual_add_can_move_a_later_stamp_to_the_previous_day() {
    // The seed's HINWEIS: manual adds follow D3, entries may slip into the previous day.
    let c = ctx("2026-02-26 12:00", Policy::SelfService);
    let existing = [stamp(1, "2026-02-24 14:00", Some("2026-02-24 22:00")), stamp(2, "2026-02-25 09:00", Some("2026-02-25 10:00"))];
    assert_eq!(attribute_work_days(&existing, Stockholm)[&Uuid::from_u128(2)], d("2026-02-25"), "D3 before");
    let added = add_stamp(&existing, stamp(3, "2026-02-25 04:00", Some("2026-02-25 05:00")), Role::Employee, &c).expect("add");
    assert_eq!(attribute_work_days(&added, Stockholm)[&Uuid::from_u128(2)], d("2026-02-24"), "D3 after: slipped back");
}

#[test]
fn e3_stamp_changes_into_a_locked_month_are_refused() {
    let employee = Uuid::from_u128(9);
    let mut locks = MonthLocks::default();
    locks.lock(employee, 2026, 2);
    // A stamp at 03:00 on 1 March joins the night of 28 February (D3), which is locked.
    let before = [stamp(1, "2026-02-28 22:00", Some("2026-03-01 02:00"))];
    let mut after = before.to_vec();
    after.push(stamp(2, "2026-03-01 03:00", Some("2026-03-01 04:00")));
    assert!(check_locks(&before, &after, employee, &locks, Stockholm).is_err(), "E3 INTERP-25");
    let mut after = before.to_vec();
    after.push(stamp(2, "2026-03-01 12:00", Some("2026-03-01 13:00")));
    assert!(check_locks(&before, &after, employee, &locks, Stockholm).is_ok(), "E3 March is open");
}

#[test]
fn d6_a_day_is_recorded_one_way_only() {
    use RecordingSource::*;
    let cases = [
        (None, Timesheet, Ok(())),
        (None, PunchClock, Ok(())),
        (Some(Timesheet), Timesheet, Ok(())),
        (Some(PunchClock), PunchClock, Ok(())),
        (Some(Timesheet), PunchClock, Err("day_recorded_in_timesheet")),
        (Some(PunchClock), Timesheet, Err("day_recorded_with_punch_clock")),
    ];
    for (existing, attempted, expected) in cases {
        assert_eq!(check_recording(existing, attempted).map_err(|e| e.code()), expected, "D6 {existing:?} then {attempted:?}");
    }
}

#[test]
fn d5_start_carries_the_comment_of_the_same_link() {
    let mut first = stamp(1, "2026-06-01 08:00", Some("2026-06-01 10:00"));
    first.comment = "Kunde Müller".into();
    let out = start(&[first], &req(2, None), &ctx("2026-06-01 11:00", Policy::SelfService)).expect("start");
    let new = out.stamps.iter().find(|s| s.id == Uuid::from_u128(2)).map(|s| s.comment.clone());
    assert_eq!(new.as_deref(), Some("Kunde Müller"), "D5 carry-over on start");
}
