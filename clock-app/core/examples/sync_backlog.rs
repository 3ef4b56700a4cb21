//! Issue 4, "a month offline": a tablet queues a backlog of stamps while it cannot reach the
//! server, then syncs it all in one `Kiosk::sync_now` (pages of 500, each page's acknowledgement
//! committed locally before the next is sent). Run against a running `sync-server` on this
//! machine (SQLite or PostgreSQL); `scripts/bench-kiosk.sh sync` starts both and runs this.
//!
//! Per run: a fresh kiosk data directory, enrolled with a new enrolment code and given the
//! roster by a first sync; then `--events` stamps through the real punch service
//! (`Kiosk::start`/`Kiosk::stop`, each committed with `synchronous=FULL`) with the tablet's clock
//! set `--days` back and moved forward stamp by stamp, `--employees` employees taking turns
//! starting and stopping on `--links` links, and nothing synced; then the clock is set right
//! and one `sync_now` is timed from the call to its return.
//!
//! `--latency N` measures something else, the first-day issue's "a stamp reaches the office in
//! seconds": a fresh enrolled tablet with its sync engine running (`clock_core::sync::spawn`,
//! online, the first sync done) makes N stamps one at a time, `--gap-ms` apart, each followed by
//! the shell's `SyncHandle::stamped()`; the time from the stamp's commit to the server's
//! acknowledgement (the stamp durably stored in the ledger and visible to the admin API; read
//! as the local outbox becoming empty, polled every 5 ms) is reported as p50/p90/p99/max.
//!
//! Sets up through the admin API as `--user`/`--password` (the demo's admin by default):
//! employees `BL-001…` (PIN 1234) and links `Backlog / Task 01…`, created if absent.
//! Only loopback servers are accepted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use chrono::{Duration as ChronoDuration, Utc};
use clap::Parser;
use clock_core::{Clock, CoreError, Identified, Kiosk, KioskOptions};
use protocol_client::WebClient;
use serde_json::{json, Value};
use uuid::Uuid;

#[derive(Parser)]
#[command(about = "time one sync of a month-long offline backlog against a local sync-server")]
struct Args {
    /// The server, on this machine only (http://127.0.0.1:PORT).
    #[arg(long)]
    server: String,
    #[arg(long, default_value = "admin")]
    user: String,
    #[arg(long, default_value = "stampclock-demo")]
    password: String,
    /// Stamps queued offline per run.
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Days the tablet was offline: the stamps are spread evenly over them.
    #[arg(long, default_value_t = 30)]
    days: i64,
    #[arg(long, default_value_t = 40)]
    employees: usize,
    #[arg(long, default_value_t = 5)]
    links: usize,
    /// Independent runs, each with a fresh tablet.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Where the kiosk data directories go (default: the system temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Instead of the backlog: stamp N times online and time each stamp's way to the server.
    #[arg(long)]
    latency: Option<usize>,
    /// With --latency: the pause between stamps, in milliseconds.
    #[arg(long, default_value_t = 3000)]
    gap_ms: u64,
}

const EMPLOYEE_PREFIX: &str = "BL-";
const LINK_PROJECT: &str = "Backlog";
const PIN: &str = "1234";

fn check_loopback(url: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("server URL {url:?}"))?;
    let host = parsed.host_str().unwrap_or_default();
    let loopback = host == "localhost" || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback || parsed.scheme() != "http" {
        bail!("refusing {url}: only http on this machine's loopback interface");
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// An admin session (cookie and CSRF token), `protocol_client`'s.
struct Admin {
    web: WebClient,
}

impl Admin {
    async fn login(base: &str, user: &str, password: &str) -> Result<Admin> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        Ok(Admin { web: WebClient::login_with(http, base, user, password).await? })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        Ok(self.web.call_ok(method, path, body).await?)
    }

    /// Every item of a paged list.
    async fn list(&self, path: &str) -> Result<Vec<Value>> {
        Ok(self.web.list_all(path).await?)
    }

    /// Links `Backlog / Task 01…` and employees `BL-001…`, each assigned every such link.
    async fn ensure_fixture(&self, employees: usize, links: usize) -> Result<Vec<Uuid>> {
        let have = self.list("/api/v1/links").await?;
        let mut link_ids = Vec::new();
        for k in 1..=links {
            let account = format!("Task {k:02}");
            let found = have.iter().find(|l| l["project"] == LINK_PROJECT && l["account"] == account.as_str());
            let id = match found {
                Some(l) => l["id"].clone(),
                None => self
                    .call(reqwest::Method::POST, "/api/v1/links", Some(json!({ "project": LINK_PROJECT, "account": account })))
                    .await?["id"]
                    .clone(),
            };
            link_ids.push(serde_json::from_value::<Uuid>(id).context("link id")?);
        }
        let have = self.list("/api/v1/employees").await?;
        for k in 1..=employees {
            let number = format!("{EMPLOYEE_PREFIX}{k:03}");
            let id = match have.iter().find(|e| e["number"] == number.as_str()) {
                Some(e) => e["id"].clone(),
                None => self
                    .call(
                        reqwest::Method::POST,
                        "/api/v1/employees",
                        Some(json!({ "number": number, "name": format!("Backlog {k:03}"), "pin": PIN })),
                    )
                    .await?["id"]
                    .clone(),
            };
            let id: Uuid = serde_json::from_value(id).context("employee id")?;
            self.call(reqwest::Method::PUT, &format!("/api/v1/employees/{id}/links"), Some(json!({ "link_ids": link_ids })))
                .await?;
        }
        Ok(link_ids)
    }

    async fn enrolment_code(&self) -> Result<String> {
        Ok(self.web.enrolment_code(3600).await?)
    }
}

struct RunResult {
    queue: Duration,
    sync: Duration,
}

async fn run(args: &Args, admin: &Admin, links: &[Uuid], n: usize) -> Result<RunResult> {
    let root = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&root)?;
    let dir = tempfile::tempdir_in(&root)?;
    let clock = Clock::system();
    let mut options = KioskOptions::new(dir.path().join("kiosk"));
    options.clock = clock.clone();
    options.http_timeout = Duration::from_secs(120);
    let kiosk = Kiosk::open(options)?;
    let code = admin.enrolment_code().await?;
    kiosk.enrol(&admin.web.base, &code).await?;
    let first = kiosk.sync_now().await?;
    if !first.roster_updated {
        bail!("the first sync brought no roster");
    }
    let staff: Vec<Identified> = (1..=args.employees)
        .map(|k| kiosk.identify(&format!("{EMPLOYEE_PREFIX}{k:03}"), PIN))
        .collect::<Result<_, CoreError>>()?;

    // A month without the server: nothing syncs while the clock walks from `days` ago to now.
    let span = ChronoDuration::days(args.days);
    let step = span / i32::try_from(args.events.max(1))?;
    clock.advance(-span);
    let mut running = vec![false; staff.len()];
    let started = Instant::now();
    for i in 0..args.events {
        let e = i % staff.len();
        let receipt = if running[e] {
            kiosk.stop(&staff[e])
        } else {
            kiosk.start(&staff[e], Some(links[(i / staff.len()) % links.len()]), None)
        };
        receipt.with_context(|| format!("stamp {i}"))?;
        running[e] = !running[e];
        clock.advance(step);
    }
    let queue = started.elapsed();
    // Back to the right time (the sync signs with it).
    clock.advance(Utc::now() - clock.now());
    let pending = kiosk.store().pending_count()?;
    if pending != args.events as u64 {
        bail!("{pending} events pending, expected {}", args.events);
    }

    let started = Instant::now();
    let report = kiosk.sync_now().await?;
    let sync = started.elapsed();
    if !report.full || report.acked != args.events as u64 || kiosk.store().pending_count()? != 0 {
        bail!("the sync did not take everything: {report:?}");
    }
    println!(
        "run {n}: queued {} stamps over {} days in {:.1} s ({:.2} ms per stamp); sync of {} events in {} pages: {:.2} s ({:.0} events/s, {:.0} ms per page)",
        args.events,
        args.days,
        queue.as_secs_f64(),
        queue.as_secs_f64() * 1e3 / args.events.max(1) as f64,
        report.sent,
        args.events.div_ceil(500),
        sync.as_secs_f64(),
        args.events as f64 / sync.as_secs_f64(),
        sync.as_secs_f64() * 1e3 / args.events.div_ceil(500).max(1) as f64,
    );
    Ok(RunResult { queue, sync })
}

/// Online stamps one at a time with the sync engine running: stamp-to-server times.
async fn latency(args: &Args, admin: &Admin, links: &[Uuid], stamps: usize) -> Result<()> {
    let root = args.dir.clone().unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&root)?;
    let dir = tempfile::tempdir_in(&root)?;
    let mut options = KioskOptions::new(dir.path().join("kiosk"));
    options.clock = Clock::system();
    let kiosk = Kiosk::open(options)?;
    kiosk.enrol(&admin.web.base, &admin.enrolment_code().await?).await?;
    let engine = clock_core::sync::spawn(kiosk.clone());
    engine.sync_now().await?;
    let staff: Vec<Identified> = (1..=args.employees)
        .map(|k| kiosk.identify(&format!("{EMPLOYEE_PREFIX}{k:03}"), PIN))
        .collect::<Result<_, CoreError>>()?;
    let mut running = vec![false; staff.len()];
    let mut times = Vec::with_capacity(stamps);
    for i in 0..stamps {
        let e = i % staff.len();
        let receipt = if running[e] { kiosk.stop(&staff[e]) } else { kiosk.start(&staff[e], Some(links[i % links.len()]), None) };
        receipt.with_context(|| format!("stamp {i}"))?;
        running[e] = !running[e];
        let committed = Instant::now();
        engine.stamped();
        while kiosk.store().pending_count()? > 0 {
            if committed.elapsed() > Duration::from_secs(60) {
                bail!("stamp {i} did not reach the server within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        times.push(committed.elapsed().as_secs_f64());
        tokio::time::sleep(Duration::from_millis(args.gap_ms)).await;
    }
    engine.shutdown().await;
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    println!(
        "stamp to server, online, {} stamps {} ms apart: p50 {:.2} s, p90 {:.2} s, p99 {:.2} s, max {:.2} s",
        times.len(),
        args.gap_ms,
        at(0.50),
        at(0.90),
        at(0.99),
        times.last().copied().unwrap_or_default()
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = Args::parse();
    let base = check_loopback(&args.server)?;
    if args.employees == 0 || args.links == 0 || args.days <= 0 {
        bail!("--employees, --links and --days must be positive");
    }
    let admin = Admin::login(&base, &args.user, &args.password).await?;
    let links = admin.ensure_fixture(args.employees, args.links).await?;
    if let Some(n) = args.latency {
        return latency(&args, &admin, &links, n.max(1)).await;
    }
    let mut results = Vec::new();
    for n in 1..=args.runs {
        results.push(run(&args, &admin, &links, n).await?);
    }
    let mut syncs: Vec<f64> = results.iter().map(|r| r.sync.as_secs_f64()).collect();
    syncs.sort_by(f64::total_cmp);
    let queue_ms: f64 = results.iter().map(|r| r.queue.as_secs_f64()).sum::<f64>() * 1e3 / (args.events * results.len()).max(1) as f64;
    if let (Some(min), Some(max)) = (syncs.first(), syncs.last()) {
        println!(
            "backlog sync of {} events: median {:.2} s, min {min:.2} s, max {max:.2} s over {} runs (queueing: {queue_ms:.2} ms per stamp)",
            args.events,
            syncs[syncs.len() / 2],
            syncs.len()
        );
    }
    Ok(())
}
