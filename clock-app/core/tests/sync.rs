//! The sync engine against the real sync-server: an offline week, a server killed mid-sync,
//! a lost response, a tablet clock a day off, roster changes, an uninstalled device, and the
//! loop with "Sync now".

mod common;

use chrono::{Duration, Utc};
use clock_core::{sync, Clock, CoreError};
use common::{enrolled_kiosk, LossyProxy, TestServer};
use shared_model::secret_hash;
use sync_server::clock::Clock as ServerClock;
use sync_server::store::PersonPatch;

/// Every seq from 1 to the count, once: the outbox has no gap and no duplicate.
fn assert_gap_free(seqs: &[i64]) {
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected.as_slice(), "device_seq must be 1..=n without gaps or duplicates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_week_arrives_exactly_once_on_reconnect() {
    let dir = tempfile::tempdir().unwrap();
    // Both clocks a week back; the kiosk then lives through the week with the server down.
    let week_ago = Utc::now() - Duration::days(7);
    let server_clock = ServerClock::default();
    server_clock.advance(week_ago - Utc::now());
    let mut server = TestServer::start_at(&dir.path().join("server"), "127.0.0.1:0".parse().unwrap(), server_clock.clone()).await;
    let seed = server.seed().await;
    let clock = Clock::shifted(week_ago - Utc::now());
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;
    server.kill();

    let mut stamped = 0;
    for day in 0..7 {
        for (_, number, pin) in &seed.staff {
            let who = k.identify(number, pin).unwrap();
            for (i, link) in seed.links.iter().enumerate() {
                k.start(&who, Some(*link), Some(&format!("day {day} task {i}"))).unwrap();
                clock.advance(Duration::minutes(40));
                stamped += 1;
            }
            k.stop(&who).unwrap();
            stamped += 1;
        }
        if day == 3 {
            let e = k.sync_now().await.unwrap_err();
            assert_eq!(e.code(), "offline", "{e}");
            let s = k.sync_status().unwrap();
            assert_eq!((s.online, s.pending), (Some(false), stamped), "offline: everything waits locally");
            assert_eq!(s.last_error.map(|e| e.code).as_deref(), Some("offline"));
        }
        clock.advance(Duration::hours(24) - Duration::minutes(40 * 12));
    }
    assert_eq!(k.store().pending_count().unwrap(), stamped);

    server_clock.advance(Duration::days(7));
    server.restart().await;
    let report = k.sync_now().await.unwrap();
    assert_eq!((report.sent, report.acked, report.pending_after, report.full), (stamped, stamped, 0, true));
    assert_eq!(server.count("accepted"), stamped as i64, "every event exactly once");
    let seqs: Vec<i64> = server.stored_seqs().into_iter().map(|(s, _)| s).collect();
    assert_gap_free(&seqs);
    // A second sync sends nothing and stores nothing.
    let again = k.sync_now().await.unwrap();
    assert_eq!((again.sent, again.roster_updated), (0, false));
    assert_eq!(server.count("accepted"), stamped as i64);
    let s = k.sync_status().unwrap();
    assert_eq!((s.online, s.pending), (Some(true), 0));
    assert!(s.last_full_sync_at.is_some() && s.last_error.is_none());
}

/// Stamps `n` events for staff 101 offline, a minute apart; returns how far the clock moved.
fn stamp_many(k: &clock_core::Kiosk, clock: &Clock, seed: &common::Seed, n: usize) -> Duration {
    let who = k.identify("101", "1111").unwrap();
    for i in 0..n {
        clock.advance(Duration::seconds(61));
        if i % 2 == 0 {
            k.start(&who, Some(seed.links[i % 3]), None).unwrap();
        } else {
            k.stop(&who).unwrap();
        }
    }
    Duration::seconds(61) * n as i32
}

/// A server whose clock runs `back` behind real time.
async fn server_behind(dir: &std::path::Path, back: Duration) -> TestServer {
    let c = ServerClock::default();
    c.advance(-back);
    TestServer::start_at(dir, "127.0.0.1:0".parse().unwrap(), c).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_paged_sync_and_restarted_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Both clocks two days back; the server's follows the tablet's through the stamping, so
    // no clock_skew answer gets in the way.
    let mut server = server_behind(&dir.path().join("server"), Duration::days(2)).await;
    let seed = server.seed().await;
    let proxy = LossyProxy::start(server.addr).await;
    let clock = Clock::shifted(-Duration::days(2));
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &proxy.url()).await;
    server.clock.advance(stamp_many(&k, &clock, &seed, 1_700));

    // Sync in the background (pages of 500); kill the server while the second page is on its way.
    let before = proxy.requests.load(std::sync::atomic::Ordering::SeqCst);
    let syncing = tokio::spawn({
        let k = k.clone();
        async move { k.sync_now().await }
    });
    while proxy.requests.load(std::sync::atomic::Ordering::SeqCst) < before + 2 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    server.kill();
    let first = syncing.await.unwrap();
    let stored = server.count("accepted");
    assert!((500..1_700).contains(&stored), "the server died part-way: {stored} stored, {first:?}");
    assert!(first.is_err(), "the sync noticed the server's death");
    let pending = k.store().pending_count().unwrap();
    assert!(pending >= 1_700 - stored as u64, "nothing is marked synced that the server has not got");

    server.restart().await;
    let report = k.sync_now().await.unwrap();
    assert!(report.full);
    assert_eq!(server.count("accepted"), 1_700, "every event once, none twice");
    let seqs: Vec<i64> = server.stored_seqs().into_iter().map(|(s, _)| s).collect();
    assert_gap_free(&seqs);
    assert_eq!(k.store().pending_count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_lost_after_the_commit_is_resent_and_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = server_behind(&dir.path().join("server"), Duration::hours(3)).await;
    let seed = server.seed().await;
    let proxy = LossyProxy::start(server.addr).await;
    let clock = Clock::shifted(-Duration::hours(3));
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &proxy.url()).await;
    server.clock.advance(stamp_many(&k, &clock, &seed, 120));

    proxy.drop_next(1);
    let lost = k.sync_now().await.unwrap_err();
    assert_eq!(lost.code(), "offline", "{lost}");
    assert_eq!(proxy.dropped.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(server.count("accepted"), 120, "the server committed the page");
    assert_eq!(k.store().pending_count().unwrap(), 120, "the tablet never heard so");

    let resent = k.sync_now().await.unwrap();
    assert_eq!((resent.sent, resent.acked, resent.pending_after), (120, 120, 0), "duplicates are acknowledged");
    assert_eq!(server.count("accepted"), 120, "the resend stored nothing twice");
    assert_eq!(k.store().pending_count().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_clock_26_hours_off_stamps_at_the_corrected_time_and_the_registry_shows_the_skew() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::shifted(-Duration::hours(26));
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;
    let offset = k.device().unwrap().clock_offset_ms;
    assert!((offset - 26 * 3_600_000).abs() < 60_000, "offset learned at enrolment: {offset} ms");

    let who = k.identify("101", "1111").unwrap();
    let r = k.start(&who, Some(seed.links[0]), None).unwrap();
    assert!((r.occurred_at - Utc::now()).num_seconds().abs() < 60, "stamped at the corrected time");
    let e = &k.store().all_events().unwrap()[0].event;
    assert!((e.device_clock_at - e.occurred_at).num_hours() == -26 || (e.device_clock_at - e.occurred_at).num_minutes() == -26 * 60 + 1,
        "the raw clock is kept beside it");
    k.sync_now().await.unwrap();

    let devices = server.admin_get("/api/v1/devices").await;
    let skew = devices["items"][0]["clock_offset_s"].as_i64().unwrap();
    assert!((skew + 26 * 3600).abs() < 60, "the registry shows the tablet 26 h behind: {skew}");

    // The clock jumps again after enrolment: the signed request is refused as clock_skew, the
    // tablet learns the new offset from details.server_time and retries at once.
    clock.advance(Duration::hours(30));
    let log_before = k.store().sync_log_len().unwrap();
    k.sync_now().await.unwrap();
    assert_eq!(k.store().sync_log_len().unwrap(), log_before + 1, "one sync, retried inside");
    let offset = k.device().unwrap().clock_offset_ms;
    assert!((offset + 4 * 3_600_000).abs() < 60_000, "new offset: {offset} ms");
    clock.advance(Duration::minutes(1));
    let r = k.stop(&who).unwrap();
    assert!((r.occurred_at - Utc::now()).num_seconds().abs() < 120, "still stamped at server time");
    k.sync_now().await.unwrap();
    assert_eq!(server.count("accepted"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_changes_reach_the_tablet_by_version() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let k = enrolled_kiosk(&dir.path().join("kiosk"), Clock::system(), &server, &seed, &server.url()).await;
    assert!(k.identify("101", "1111").is_ok());
    assert!(!k.sync_now().await.unwrap().roster_updated, "same version: no roster sent");

    let (org, staff1, staff2, link) = (seed.org, seed.staff[0].0, seed.staff[1].0, seed.links[2]);
    server
        .with(move |state| async move {
            let now = state.clock.now();
            let pin = PersonPatch { pin_hash: Some(secret_hash::hash("9999", b"another-salt-1234", 1_000)), ..Default::default() };
            let system = sync_server::store::ChangedBy::default();
            let mut tx = state.store.begin().await.unwrap();
            sync_server::store::people::update(&mut tx, org, staff1, &pin, &system, now).await.unwrap();
            let leave = PersonPatch { active: Some(false), ..Default::default() };
            sync_server::store::people::update(&mut tx, org, staff2, &leave, &system, now).await.unwrap();
            let patch = sync_server::store::LinkPatch { active: Some(false), ..Default::default() };
            sync_server::store::links::update(&mut tx, org, link, &patch).await.unwrap();
            tx.commit().await.unwrap();
        })
        .await;
    // Until the next sync the tablet works with what it has.
    assert!(k.identify("101", "1111").is_ok());
    assert!(k.sync_now().await.unwrap().roster_updated);
    assert_eq!(k.identify("101", "1111").unwrap_err().code(), "wrong_pin", "the old PIN is gone");
    let who = k.identify("101", "9999").unwrap();
    assert_eq!(k.identify("102", "2222").unwrap_err().code(), "employee_inactive");
    assert_eq!(k.start(&who, Some(link), None).unwrap_err().code(), "link_not_allowed", "deactivated link");
    let screen = k.employee_screen(&who).unwrap();
    assert!(!screen.links.iter().any(|l| l.id == link));
    assert!(!k.sync_now().await.unwrap().roster_updated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uninstalled_device_stops_stamping_and_hands_its_events_to_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::shifted(-Duration::hours(1));
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;
    stamp_many(&k, &clock, &seed, 700);
    // An admin uninstalls the tablet from the web (the server's own state change).
    let now = Utc::now().to_rfc3339();
    server.execute(&format!("UPDATE devices SET uninstalled_at = '{now}'"));

    let e = k.sync_now().await.unwrap_err();
    assert!(matches!(e, CoreError::DeviceUninstalled), "{e:?}");
    assert_eq!(server.count("quarantined"), 700, "every page went to quarantine");
    assert_eq!(server.count("accepted"), 0);
    assert_eq!(k.store().pending_count().unwrap(), 0);
    let status = k.sync_status().unwrap();
    assert!(status.uninstalled);
    let who = k.identify("101", "1111").unwrap();
    assert_eq!(k.stop(&who).unwrap_err().code(), "device_uninstalled", "no more stamps");
    assert_eq!(k.start(&who, Some(seed.links[0]), None).unwrap_err().code(), "device_uninstalled");
    assert_eq!(k.store().all_events().unwrap().len(), 700, "what it held is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_syncs_at_start_on_demand_and_reports_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::system();
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;
    let who = k.identify("103", "3333").unwrap();
    k.start(&who, Some(seed.links[0]), None).unwrap();
    let handle = sync::spawn(k.clone());
    let first = handle.sync_now().await.unwrap();
    assert_eq!(first.pending_after, 0);
    assert_eq!(server.count("accepted"), 1);
    let s = k.sync_status().unwrap();
    assert_eq!(s.online, Some(true));
    let due = s.next_sync_due.unwrap();
    assert!(due > clock.now() + Duration::seconds(200), "next regular sync one interval away: {due}");

    server.kill();
    clock.advance(Duration::minutes(1));
    k.stop(&who).unwrap();
    let e = handle.sync_now().await.unwrap_err();
    assert_eq!(e.code(), "offline");
    let s = k.sync_status().unwrap();
    assert_eq!((s.online, s.pending), (Some(false), 1));
    assert!(s.next_sync_due.unwrap() <= clock.now() + Duration::seconds(6), "first retry within the first backoff step");
    assert!(!s.last_error.unwrap().message.is_empty(), "the error is in words");

    server.restart().await;
    handle.reconnected();
    let back = handle.sync_now().await.unwrap();
    assert!(back.full);
    assert_eq!(server.count("accepted"), 2);
    assert_eq!(k.sync_status().unwrap().last_error, None);
    handle.shutdown().await;
}

/// A stamp reaches the server in seconds (the first-day issue, item 2): after the loop's first
/// sync, a burst of stamps (shift change) is sent by one debounced sync of the pages alone,
/// without "Sync now" and long before the five-minute cycle, which stays where it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_stamps_is_sent_by_one_sync_within_seconds() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let proxy = LossyProxy::start(server.addr).await;
    let clock = Clock::system();
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &proxy.url()).await;
    let handle = sync::spawn(k.clone());
    handle.sync_now().await.unwrap();
    let before = proxy.requests.load(Ordering::SeqCst);
    let started = std::time::Instant::now();
    // Three people stamp in one after another; each stamp nudges the engine.
    for (number, pin, link) in [("101", "1111", 0), ("102", "2222", 1), ("103", "3333", 0)] {
        let who = k.identify(number, pin).unwrap();
        k.start(&who, Some(seed.links[link]), None).unwrap();
        handle.stamped();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    while server.count("accepted") < 3 {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the stamps did not arrive in seconds");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // Give a second (wrong) sync the chance to show before counting.
    tokio::time::sleep(sync::STAMP_DEBOUNCE + std::time::Duration::from_millis(500)).await;
    // One request: the page with the three stamps (the week summaries wait for the regular sync).
    assert_eq!(proxy.requests.load(Ordering::SeqCst) - before, 1, "one sync for the burst");
    assert_eq!(k.store().pending_count().unwrap(), 0);
    // The regular cycle is still there after it.
    let due = k.sync_status().unwrap().next_sync_due.unwrap();
    assert!(due > clock.now() + Duration::seconds(200), "next regular sync one interval away: {due}");
    handle.shutdown().await;
}

/// An organisation without projects (the first-day issue, item 1): until the server says links
/// are not required a start without one is refused; after the sync that says so, staff stamp in
/// with no link, the screen says so, and the stamp reaches the server without one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_links_are_not_required_staff_stamp_in_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let clock = Clock::system();
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &server.url()).await;
    let who = k.identify("104", "4444").unwrap();
    assert_eq!(k.start(&who, None, None).unwrap_err().code(), "link_required");
    assert!(k.employee_screen(&who).unwrap().links_required);
    assert_eq!(k.store().pending_count().unwrap(), 0, "nothing half-written");

    let org = seed.org;
    server.with(move |state| async move {
        let mut tx = state.store.begin().await.unwrap();
        sync_server::store::organisations::set_links_required(&mut tx, org, false).await.unwrap();
        tx.commit().await.unwrap();
    })
    .await;
    k.sync_now().await.unwrap();
    let screen = k.employee_screen(&who).unwrap();
    assert!(!screen.links_required, "the sync answer's config reached the tablet");
    let receipt = k.start(&who, None, None).unwrap();
    let screen = k.employee_screen(&who).unwrap();
    let running = screen.running.expect("clocked in");
    assert_eq!((running.id, running.link_id), (receipt.event_id, None));
    clock.advance(Duration::minutes(1));
    k.stop(&who).unwrap();
    k.sync_now().await.unwrap();
    assert_eq!(server.count("accepted"), 2);
    let without_link: i64 = {
        let db = rusqlite::Connection::open(server.dir.join("s.db")).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        db.query_row("SELECT COUNT(*) FROM events WHERE kind = 'start' AND link_id IS NULL", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(without_link, 1, "the start is stored without a link");
}

/// An admin asks every tablet to sync (the first-day issue, item 2): the answer to the tablet's
/// next contact, even the quick sync after a stamp, carries the request; the tablet takes the
/// roster sent with it and refreshes its week view at once, as the regular cycle would. Once
/// answered, the next quick sync is the page alone again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_request_makes_the_next_contact_a_whole_sync() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let proxy = LossyProxy::start(server.addr).await;
    let clock = Clock::system();
    let k = enrolled_kiosk(&dir.path().join("kiosk"), clock.clone(), &server, &seed, &proxy.url()).await;
    k.sync_now().await.unwrap();
    let who = k.identify("101", "1111").unwrap();
    k.start(&who, Some(seed.links[0]), None).unwrap();
    let before = proxy.requests.load(Ordering::SeqCst);
    let report = k.sync_stamps().await.unwrap();
    assert!(!report.requested && !report.roster_updated);
    assert_eq!(proxy.requests.load(Ordering::SeqCst) - before, 1, "a quick sync is one page");

    let org = seed.org;
    let asked = server
        .with(move |state| async move {
            let mut tx = state.store.begin().await.unwrap();
            let n = sync_server::store::devices::request_sync(&mut tx, org, None, state.clock.now()).await.unwrap();
            tx.commit().await.unwrap();
            n
        })
        .await;
    assert_eq!(asked, 1);
    clock.advance(Duration::minutes(1));
    k.stop(&who).unwrap();
    let before = proxy.requests.load(Ordering::SeqCst);
    let report = k.sync_stamps().await.unwrap();
    assert!(report.requested, "the answer carried the request");
    assert!(report.roster_updated, "the roster is taken anew though its version is current");
    assert!(report.full);
    assert_eq!(proxy.requests.load(Ordering::SeqCst) - before, 2, "the page and the week view");
    assert_eq!(server.count("accepted"), 2);
    let row = server.admin_get("/api/v1/devices").await;
    assert_eq!(row["items"][0]["sync_request_pending"], false, "answered by that full sync: {row}");

    let before = proxy.requests.load(Ordering::SeqCst);
    let report = k.sync_stamps().await.unwrap();
    assert!(!report.requested && !report.roster_updated, "answered once");
    assert_eq!(proxy.requests.load(Ordering::SeqCst) - before, 1);
}
