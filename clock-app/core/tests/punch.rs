//! The punch service against a roster from the real server: identification and lockout,
//! start/switch/stop with D2–D5 and D7, the 8-hour rule D3, the strict policy D4, durability.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use clock_core::{Clock, CoreError};
use common::{enrolled_kiosk, TestServer};
use shared_model::PunchKind;
use sync_server::clock::Clock as ServerClock;

fn stockholm(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Stockholm.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("unambiguous local time").with_timezone(&Utc)
}

fn set(clock: &Clock, to: DateTime<Utc>) {
    clock.advance(to - clock.now());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_is_one_event_comments_carry_over_and_recent_links_lead() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::system();
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;
    let (a, b) = (seed.links[0], seed.links[1]);
    let who = k.identify("101", "1111").unwrap();
    assert_eq!(who.name, "Staff 1");

    let first = k.start(&who, Some(a), Some("Kunde Müller")).unwrap();
    assert_eq!((first.kind, first.switched, first.device_seq), (PunchKind::Start, false, 1));
    clock.advance(Duration::minutes(30));
    let switch = k.start(&who, Some(b), None).unwrap();
    assert!(switch.switched, "D2: a start while a task runs is a switch");
    assert_eq!(switch.device_seq, 2, "D2: the switch is one event");
    assert_eq!(switch.comment, None, "D5: no comment on link B yet");
    clock.advance(Duration::minutes(30));
    let back = k.start(&who, Some(a), None).unwrap();
    assert_eq!(back.comment.as_deref(), Some("Kunde Müller"), "D5: the comment of the same link that day carries over");
    clock.advance(Duration::minutes(15));
    let stop = k.stop(&who).unwrap();
    assert_eq!((stop.kind, stop.device_seq), (PunchKind::Stop, 4));
    assert!(matches!(k.stop(&who), Err(CoreError::Punch(_))), "D2: nothing runs any more");

    let screen = k.employee_screen(&who).unwrap();
    assert!(screen.running.is_none());
    assert_eq!(screen.recent_links.iter().map(|l| l.id).collect::<Vec<_>>(), vec![a, b], "D7: newest first, once each");
    assert_eq!(screen.stamps.len(), 3);
    assert_eq!(screen.actual_minutes, 75, "D1: the sum of the stamps");
    assert_eq!(screen.total_break_minutes, 0, "switches leave no gap");

    // Durable: a fresh core over the same directory sees exactly the four events, in sequence.
    drop(k);
    let again = common::kiosk(&dir.path().join("kiosk"), clock.clone());
    let events = again.store().all_events().unwrap();
    assert_eq!(events.iter().map(|e| e.event.device_seq).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(again.store().pending_count().unwrap(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_needs_an_assigned_active_link() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let k = enrolled_kiosk(&dir.path().join("kiosk"), Clock::system(), &server, &seed, &server.url()).await;
    let who = k.identify("102", "2222").unwrap();
    assert_eq!(k.start(&who, None, None).unwrap_err().code(), "link_required");
    assert_eq!(k.start(&who, Some(uuid::Uuid::now_v7()), None).unwrap_err().code(), "link_not_allowed");
    assert_eq!(k.store().pending_count().unwrap(), 0, "a refused stamp leaves nothing behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_pins_lock_that_employee_for_five_minutes_on_this_tablet() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::system();
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;

    assert_eq!(k.identify("999", "1111").unwrap_err().code(), "wrong_pin", "an unknown number looks like a wrong PIN");
    for _ in 0..4 {
        assert_eq!(k.identify("101", "0000").unwrap_err().code(), "wrong_pin");
    }
    let locked = k.identify("101", "0000").unwrap_err();
    let CoreError::EmployeeLocked { until } = locked else { panic!("fifth wrong PIN: {locked:?}") };
    assert!(until > clock.now() + Duration::minutes(4) && until <= clock.now() + Duration::minutes(5));
    assert_eq!(k.identify("101", "1111").unwrap_err().code(), "employee_locked", "even the right PIN waits");
    assert!(k.identify("102", "2222").is_ok(), "other employees are not affected");
    // The lockout is stored, not held in memory: a restarted app keeps it.
    let k = common::kiosk(&dir.path().join("kiosk"), clock.clone());
    assert_eq!(k.identify("101", "1111").unwrap_err().code(), "employee_locked");
    clock.advance(Duration::minutes(5) + Duration::seconds(1));
    assert!(k.identify("101", "1111").is_ok(), "after five minutes the right PIN works");
    for _ in 0..4 {
        assert_eq!(k.identify("101", "0000").unwrap_err().code(), "wrong_pin", "the count started afresh");
    }
    assert!(k.identify("101", "1111").is_ok(), "a success resets the count");
    assert_eq!(k.identify("101", "0000").unwrap_err().code(), "wrong_pin");
}

/// A server and kiosk whose clocks both read `at` (so the learned offset is about zero).
async fn at_time(dir: &std::path::Path, at: DateTime<Utc>) -> (TestServer, common::Seed, clock_core::Kiosk, Clock) {
    let server_clock = ServerClock::default();
    server_clock.advance(at - Utc::now());
    let server = TestServer::start_at(&dir.join("server"), "127.0.0.1:0".parse().unwrap(), server_clock).await;
    let seed = server.seed().await;
    let clock = Clock::shifted(at - Utc::now());
    let k = enrolled_kiosk(&dir.join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;
    (server, seed, k, clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d3_a_stamp_within_eight_hours_of_the_night_shift_belongs_to_the_day_before() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, seed, k, clock) = at_time(dir.path(), stockholm(2026, 2, 24, 22, 0)).await;
    let who = k.identify("103", "3333").unwrap();
    let a = seed.links[0];
    assert_eq!(k.start(&who, Some(a), None).unwrap().work_day, NaiveDate::from_ymd_opt(2026, 2, 24).unwrap());
    set(&clock, stockholm(2026, 2, 25, 2, 0));
    assert_eq!(k.stop(&who).unwrap().work_day, NaiveDate::from_ymd_opt(2026, 2, 24).unwrap());
    set(&clock, stockholm(2026, 2, 25, 3, 0));
    let again = k.start(&who, Some(a), None).unwrap();
    assert_eq!(again.work_day, NaiveDate::from_ymd_opt(2026, 2, 24).unwrap(), "D3 seed example: 1 h gap → 24.02");
    let screen = k.employee_screen(&who).unwrap();
    assert_eq!(screen.work_day, NaiveDate::from_ymd_opt(2026, 2, 24).unwrap(), "the screen shows the night shift's day");
    assert_eq!(screen.stamps.len(), 2);
    set(&clock, stockholm(2026, 2, 25, 4, 0));
    k.stop(&who).unwrap();
    let screen = k.employee_screen(&who).unwrap();
    assert_eq!(screen.breaks, vec![60], "D1: the gap between the stamps of the work day");
    assert_eq!(screen.actual_minutes, 5 * 60);
    set(&clock, stockholm(2026, 2, 25, 13, 0));
    let later = k.start(&who, Some(a), None).unwrap();
    assert_eq!(later.work_day, NaiveDate::from_ymd_opt(2026, 2, 25).unwrap(), "D3: 9 h gap → its own day");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn d4_strict_policy_from_the_server_closes_a_forgotten_task_at_start_plus_one_minute() {
    let dir = tempfile::tempdir().unwrap();
    let (server, seed, k, clock) = at_time(dir.path(), stockholm(2026, 3, 10, 8, 0)).await;
    server.execute("UPDATE organisations SET policy = 'strict'");
    k.sync_now().await.unwrap();
    assert_eq!(k.device().unwrap().policy, shared_model::wire::Policy::Strict, "D4: the variant comes from the server");
    let who = k.identify("104", "4444").unwrap();
    k.start(&who, Some(seed.links[0]), None).unwrap();
    set(&clock, stockholm(2026, 3, 11, 8, 0));
    let next = k.start(&who, Some(seed.links[1]), None).unwrap();
    assert!(next.auto_closed && !next.switched, "D4 Calumet: yesterday's forgotten task is closed, not switched");
    let events = k.store().all_events().unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.event.kind).collect();
    assert_eq!(kinds, vec![PunchKind::Start, PunchKind::Stop, PunchKind::Start]);
    assert_eq!(events[1].event.occurred_at - events[0].event.occurred_at, Duration::minutes(1), "closed at start + 1 min");
    assert_eq!(events.iter().map(|e| e.event.device_seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    let report = k.sync_now().await.unwrap();
    assert_eq!((report.acked, report.pending_after), (3, 0));
    assert_eq!(server.count("accepted"), 3);
}
