//! Issue 4, "stamp call to durable commit": the real punch service ([`Kiosk::start`] and
//! [`Kiosk::stop`]) on a real database file on this machine's disk (WAL, `synchronous=FULL`, as
//! `Store::open` configures it), each call returning only after its transaction is committed.
//!
//! The tablet is enrolled locally (device row and roster written through the store, no server:
//! a stamp never touches the network) with 20 employees on 5 links. The kiosk's clock moves 15
//! minutes per stamp and the employees take turns, so each one starts or stops every 5 hours
//! (about 5 stamps a day) and the 62 days of history the rules read per stamp hold ~300 events
//! per employee: 62 simulated days (5,952 stamps) are stamped before anything is measured.
//!
//! `cargo bench -p clock-core --bench stamp` (scripts/bench-kiosk.sh stamp) runs criterion on
//! the stamp call (the mean), then times a fixed number of calls one by one
//! (`STAMP_BENCH_CALLS`, default 10,000) for exact percentiles; then the same for a bare SQLite
//! commit (one-row INSERT in a `BEGIN IMMEDIATE` transaction, same pragmas, same directory), the
//! floor. The percentiles are printed last. Under `cargo test --benches` (no `--bench` argument)
//! everything runs a few times, without the history.
//!
//! The database lives under `target/tmp` (`CARGO_TARGET_TMPDIR`) or `STAMPCLOCK_BENCH_DIR`, never
//! on a tmpfs by accident.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Duration as ChronoDuration, Utc};
use clock_core::{Clock, DeviceRecord, Identified, Kiosk, KioskOptions, Store};
use criterion::Criterion;
use shared_model::wire::{Policy, Roster, RosterEmployee, RosterLink};
use shared_model::{secret_hash, Role};
use uuid::Uuid;

const EMPLOYEES: usize = 20;
const LINKS: usize = 5;
/// How far the kiosk's clock moves per stamp.
const STEP_MINUTES: i64 = 15;
/// The history the rules read (`HISTORY_DAYS` in punch.rs) in stamps: 62 days of 96 stamps.
const HISTORY_STAMPS: usize = 62 * 24 * 60 / STEP_MINUTES as usize;
const DEFAULT_CALLS: usize = 10_000;

fn bench_dir() -> PathBuf {
    std::env::var_os("STAMPCLOCK_BENCH_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")))
}

/// An enrolled tablet whose employees take turns starting and stopping.
struct Tablet {
    kiosk: Kiosk,
    staff: Vec<Identified>,
    running: Vec<bool>,
    links: Vec<Uuid>,
    turn: usize,
    _dir: tempfile::TempDir,
}

/// Which call a stamp was.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Start,
    Stop,
}

impl Tablet {
    fn new(history: usize) -> Tablet {
        let root = bench_dir();
        std::fs::create_dir_all(&root).expect("bench directory");
        let dir = tempfile::tempdir_in(&root).expect("temp dir");
        // Start in the past so that the measured stamps happen around now.
        let clock = Clock::shifted(-ChronoDuration::minutes(STEP_MINUTES * history as i64));
        let mut options = KioskOptions::new(dir.path().join("kiosk"));
        options.clock = clock;
        let kiosk = Kiosk::open(options).expect("open kiosk");
        kiosk
            .store()
            .insert_device(&DeviceRecord {
                device_id: Uuid::now_v7(),
                // Never contacted: stamping is offline by design.
                server_url: "http://127.0.0.1:9".into(),
                organisation_id: Uuid::now_v7(),
                organisation_name: "Bench AB".into(),
                time_zone: "Europe/Stockholm".into(),
                enrolled_at: Utc::now(),
                sync_interval_s: 300,
                policy: Policy::SelfService,
                sync_requirement: None,
                links_required: true,
                clock_offset_ms: 0,
                roster_version: None,
                last_sync_at: None,
                last_full_sync_at: None,
                last_attempt_at: None,
                last_error: None,
                uninstalled_at: None,
            })
            .expect("device row");
        let links: Vec<RosterLink> = (1..=LINKS)
            .map(|k| RosterLink { id: Uuid::now_v7(), project: "Bench".into(), account: format!("Task {k:02}"), active: true })
            .collect();
        let link_ids: Vec<Uuid> = links.iter().map(|l| l.id).collect();
        // A cheap PIN hash: identification is not what is measured here.
        let pin_hash = secret_hash::hash("1234", b"bench-salt-0123456", 1_000);
        let employees: Vec<RosterEmployee> = (1..=EMPLOYEES)
            .map(|k| RosterEmployee {
                id: Uuid::now_v7(),
                number: format!("B{k:03}"),
                name: format!("Bench {k:03}"),
                role: Role::Employee,
                pin_hash: Some(pin_hash.clone()),
                active: true,
                links: link_ids.clone(),
            })
            .collect();
        let roster = Roster { version: "bench-1".into(), employees, links };
        kiosk.store().write(|tx| Store::replace_roster(tx, &roster)).expect("roster");
        let staff: Vec<Identified> =
            (1..=EMPLOYEES).map(|k| kiosk.identify(&format!("B{k:03}"), "1234").expect("identify")).collect();
        let mut tablet = Tablet { kiosk, staff, running: vec![false; EMPLOYEES], links: link_ids, turn: 0, _dir: dir };
        for _ in 0..history {
            tablet.stamp();
        }
        tablet
    }

    /// One real punch-service call: the next employee starts (on the next link) or stops.
    fn stamp(&mut self) -> Call {
        let e = self.turn % EMPLOYEES;
        let link = self.links[(self.turn / EMPLOYEES) % LINKS];
        self.turn += 1;
        let call = if self.running[e] { Call::Stop } else { Call::Start };
        let receipt = match call {
            Call::Start => self.kiosk.start(&self.staff[e], Some(link), None),
            Call::Stop => self.kiosk.stop(&self.staff[e]),
        };
        receipt.expect("stamp");
        self.running[e] = call == Call::Start;
        self.kiosk.clock().advance(ChronoDuration::minutes(STEP_MINUTES));
        call
    }
}

/// The same commit without the punch service: one row, same pragmas, same directory.
struct BareCommit {
    conn: rusqlite::Connection,
    n: i64,
    _dir: tempfile::TempDir,
}

impl BareCommit {
    fn new() -> BareCommit {
        let dir = tempfile::tempdir_in(bench_dir()).expect("temp dir");
        let conn = rusqlite::Connection::open(dir.path().join("bare.db")).expect("open");
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).expect("wal");
        assert_eq!(mode, "wal");
        conn.execute_batch("PRAGMA synchronous = FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);")
            .expect("schema");
        BareCommit { conn, n: 0, _dir: dir }
    }

    fn commit(&mut self) {
        self.n += 1;
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).expect("begin");
        tx.execute("INSERT INTO t (id, v) VALUES (?1, ?2)", rusqlite::params![self.n, "0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"])
            .expect("insert");
        tx.commit().expect("commit");
    }
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn report(name: &str, mut samples: Vec<Duration>) {
    if samples.is_empty() {
        return;
    }
    samples.sort_unstable();
    let mean = samples.iter().sum::<Duration>().checked_div(samples.len().max(1) as u32).unwrap_or_default();
    println!(
        "percentiles {name:<28} n={:<6} p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  mean {}",
        samples.len(),
        ms(pct(&samples, 50.0)),
        ms(pct(&samples, 90.0)),
        ms(pct(&samples, 99.0)),
        ms(pct(&samples, 99.9)),
        ms(pct(&samples, 100.0)),
        ms(mean)
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not (criterion's test mode).
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let calls = if bench_mode {
        std::env::var("STAMP_BENCH_CALLS").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_CALLS)
    } else {
        4
    };
    let history = if bench_mode { HISTORY_STAMPS } else { 0 };

    let started = Instant::now();
    let mut tablet = Tablet::new(history);
    let mut bare = BareCommit::new();
    if bench_mode {
        println!(
            "set-up: {EMPLOYEES} employees, {history} stamps of history stamped in {:.1} s, database in {}",
            started.elapsed().as_secs_f64(),
            bench_dir().display()
        );
    }

    // Each measurement right after its criterion run: the bare commits write far more (tens of
    // thousands of commits) and the disk stays slower for a while after them.
    let mut c = Criterion::default().configure_from_args();
    c.bench_function("kiosk_stamp_start_or_stop", |b| {
        b.iter(|| tablet.stamp());
    });
    // Exact percentiles over a fixed number of calls, timed one by one.
    let (mut all, mut starts, mut stops) = (Vec::with_capacity(calls), Vec::new(), Vec::new());
    for _ in 0..calls {
        let t = Instant::now();
        let call = tablet.stamp();
        let d = t.elapsed();
        all.push(d);
        match call {
            Call::Start => starts.push(d),
            Call::Stop => stops.push(d),
        }
    }
    c.bench_function("sqlite_bare_commit_full", |b| {
        b.iter(|| bare.commit());
    });
    let mut commits = Vec::with_capacity(calls);
    for _ in 0..calls {
        let t = Instant::now();
        bare.commit();
        commits.push(t.elapsed());
    }
    c.final_summary();

    report("stamp (start or stop)", all);
    report("stamp: start", starts);
    report("stamp: stop", stops);
    report("bare SQLite commit (FULL)", commits);
}
