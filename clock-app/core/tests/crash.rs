//! Crash safety: `clock-cli` stamping in a child process is killed with SIGKILL at random
//! moments, again and again. Every stamp it reported as done must be there afterwards, and the
//! outbox sequence must have no gap and no duplicate. Then the whole outbox syncs exactly once.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::process::{Command, Stdio};

use clock_core::Clock;
use common::{enrolled_kiosk, TestServer};
use uuid::Uuid;

const KILLS: usize = 200;

/// xorshift64*: enough randomness for kill moments, seeded from the clock (printed for replay).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_no_reported_stamp_and_leaves_no_gap() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(&dir.path().join("server")).await;
    let seed = server.seed().await;
    let kdir = dir.path().join("kiosk");
    let k = enrolled_kiosk(&kdir, Clock::system(), &server, &seed, &server.url()).await;
    drop(k);

    let seed_value = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1) | 1
    });
    eprintln!("crash test seed: CRASH_SEED={seed_value}");
    let mut rng = Rng(seed_value);
    let mut reported: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut killed_mid_run = 0;
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clock-cli"))
            .args(["--data-dir"])
            .arg(&kdir)
            .args(["stamp-loop", "--number", "101", "--pin", "1111", "--link"])
            .arg(seed.links[round % 3].to_string())
            .args(["--count", "100000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn clock-cli");
        // Anywhere from before the database is open to deep into the stamping.
        let delay = rng.next() % 80;
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
        let status = child.wait().expect("wait");
        if status.code().is_none() {
            killed_mid_run += 1;
        }
        let mut out = String::new();
        child.stdout.take().expect("stdout").read_to_string(&mut out).expect("read stdout");
        // Only complete lines count: a line cut by the kill was not reported.
        for line in out.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let mut parts = line.split_whitespace();
            assert_eq!(parts.next(), Some("done"), "unexpected output {line:?}");
            let id: Uuid = parts.next().and_then(|s| s.parse().ok()).expect("event id");
            let seq: i64 = parts.next().and_then(|s| s.parse().ok()).expect("seq");
            assert!(reported.insert(id, seq).is_none(), "event {id} reported twice");
        }
    }
    assert!(killed_mid_run >= KILLS * 9 / 10, "the child was killed, not finished: {killed_mid_run}/{KILLS}");
    assert!(!reported.is_empty(), "some stamps were reported");

    let k = common::kiosk(&kdir, Clock::system());
    let events = k.store().all_events().unwrap();
    let stored: BTreeMap<Uuid, i64> = events.iter().map(|e| (e.event.id, e.event.device_seq)).collect();
    for (id, seq) in &reported {
        assert_eq!(stored.get(id), Some(seq), "reported stamp {id} (seq {seq}) is missing or moved");
    }
    let seqs: Vec<i64> = events.iter().map(|e| e.event.device_seq).collect();
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "gap-free, duplicate-free sequence");
    let ids: BTreeSet<Uuid> = events.iter().map(|e| e.event.id).collect();
    assert_eq!(ids.len(), events.len(), "no duplicate event ids");
    eprintln!("{} stamps stored, {} reported, over {KILLS} kills", events.len(), reported.len());

    let r = k.sync_now().await.unwrap();
    assert!(r.full);
    assert_eq!(server.count("accepted"), events.len() as i64, "all of it reaches the server once");
}
