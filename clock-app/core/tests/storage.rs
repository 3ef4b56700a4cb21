//! A full disk on the tablet: the stamp that does not fit fails with `storage_full` (a clear,
//! translated message), every stamp reported as saved before it is intact with a gap-free
//! outbox, and once space is back the tablet stamps on and delivers everything exactly once.
//!
//! The fault is SQLite's own: the database is capped with `max_page_count` (through
//! `KioskOptions::max_database_bytes`) at its size on disk, so the next page it needs fails with
//! SQLITE_FULL, the error a full file system gives.

mod common;

use clock_core::{Clock, Kiosk, KioskOptions};
use common::{enrolled_kiosk, TestServer};

fn reopen(dir: &std::path::Path, clock: &Clock, cap: Option<u64>) -> Kiosk {
    let mut o = KioskOptions::new(dir);
    o.clock = clock.clone();
    o.max_database_bytes = cap;
    Kiosk::open(o).expect("kiosk reopens")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_the_stamp_clearly_and_keeps_every_saved_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let kiosk_dir = dir.path().join("kiosk");
    // A minute between stamps, as at a real wall (a stop in the start's millisecond is refused).
    let clock = Clock::shifted(chrono::Duration::hours(-48));
    let k = enrolled_kiosk(&kiosk_dir, clock.clone(), &server, &seed, &server.url()).await;
    drop(k);

    // The disk fills up from here on: a few pages beyond what the database holds now.
    let size = std::fs::metadata(kiosk_dir.join("clock.db")).map(|m| m.len()).unwrap_or(4096);
    let k = reopen(&kiosk_dir, &clock, Some(size + 8 * 4096));
    let (_, number, pin) = &seed.staff[0];
    let who = k.identify(number, pin).unwrap();
    let mut saved = 0u64;
    let refusal = loop {
        clock.advance(chrono::Duration::minutes(1));
        let result = if saved % 2 == 0 { k.start(&who, Some(seed.links[0]), Some("full disk")) } else { k.stop(&who) };
        match result {
            Ok(_) => saved += 1,
            Err(e) => break e,
        }
        assert!(saved < 20_000, "the capped database never filled up");
    };
    assert!(saved > 0, "some stamps fit before the disk was full");
    assert_eq!(refusal.code(), "storage_full", "a full disk is named as such: {refusal}");
    assert!(refusal.to_string().contains("not saved"), "the message says the stamp was not saved: {refusal}");
    // The refused stamp left nothing behind, and every saved one is there, gap-free.
    let events = k.store().all_events().unwrap();
    assert_eq!(events.len() as u64, saved, "exactly the stamps reported as saved");
    let seqs: Vec<i64> = events.iter().map(|e| e.event.device_seq).collect();
    assert_eq!(seqs, (1..=saved as i64).collect::<Vec<_>>(), "outbox gap-free after the failure");
    // Still full: the same stamp tried again fails the same way, and reads keep working.
    let again = if saved % 2 == 0 { k.start(&who, Some(seed.links[0]), None).err() } else { k.stop(&who).err() };
    assert_eq!(again.map(|e| e.code().to_owned()).as_deref(), Some("storage_full"));
    assert_eq!(k.store().pending_count().unwrap(), saved);
    drop(k);

    // Space is back: the tablet stamps on, and one sync delivers everything exactly once.
    let k = reopen(&kiosk_dir, &clock, None);
    let who = k.identify(number, pin).unwrap();
    clock.advance(chrono::Duration::minutes(1));
    if saved % 2 == 0 {
        k.start(&who, Some(seed.links[1]), None).unwrap();
    } else {
        k.stop(&who).unwrap();
    }
    let total = saved + 1;
    let report = k.sync_now().await.unwrap();
    assert_eq!((report.sent, report.acked, report.pending_after), (total, total, 0));
    assert_eq!(server.count("accepted"), total as i64, "every saved stamp reached the server once");
}

/// A tablet updated from the version before `links_required` (local schema 2) keeps its outbox
/// through migration 3, which rebuilds the events table without the "start has a link" check:
/// the pending stamps, their sequence and their acknowledgement state are the same after it.
#[test]
fn the_outbox_survives_the_migration_that_drops_the_link_check() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk_dir = dir.path().join("kiosk");
    std::fs::create_dir_all(&kiosk_dir).unwrap();
    {
        let db = rusqlite::Connection::open(kiosk_dir.join("clock.db")).unwrap();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/clock/");
        for m in ["0001_initial.sql", "0002_weeks.sql"] {
            db.execute_batch(&std::fs::read_to_string(format!("{root}{m}")).unwrap()).unwrap();
        }
        db.execute_batch(
            "PRAGMA user_version = 2;
             INSERT INTO events (device_seq, id, employee_id, kind, link_id, comment, occurred_at, occurred_at_ms, device_clock_at, synced_at) VALUES
               (1, '01937f3e-0000-7000-8000-000000000001', '01937f3e-0000-7000-8000-0000000000e1', 'start', '01937f3e-0000-7000-8000-0000000000a1', 'kept', '2026-11-30T08:00:00+01:00', 1764486000000, '2026-11-30T08:00:00+01:00', '2026-11-30T08:05:00Z'),
               (2, '01937f3e-0000-7000-8000-000000000002', '01937f3e-0000-7000-8000-0000000000e1', 'stop', NULL, NULL, '2026-11-30T12:00:00+01:00', 1764500400000, '2026-11-30T12:00:00+01:00', NULL);",
        )
        .unwrap();
        // The old schema refused a start without a link.
        let refused = db.execute(
            "INSERT INTO events (device_seq, id, employee_id, kind, occurred_at, occurred_at_ms, device_clock_at) VALUES (3, 'x', 'e', 'start', 't', 0, 't')",
            [],
        );
        assert!(refused.is_err());
    }
    let k = reopen(&kiosk_dir, &Clock::system(), None);
    let events = k.store().all_events().unwrap();
    assert_eq!(events.iter().map(|e| e.event.device_seq).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(events[0].event.comment.as_deref(), Some("kept"));
    assert_eq!(k.store().pending_count().unwrap(), 1, "the acknowledged start stays acknowledged, the stop pending");
    let db = rusqlite::Connection::open(kiosk_dir.join("clock.db")).unwrap();
    let version: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 3);
    db.execute(
        "INSERT INTO events (device_seq, id, employee_id, kind, occurred_at, occurred_at_ms, device_clock_at) VALUES (3, 'x', 'e', 'start', 't', 0, 't')",
        [],
    )
    .expect("a start without a link fits the new schema");
}
