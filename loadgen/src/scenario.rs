//! The scenarios: peak pages, steady small syncs (open or closed loop), and a burst.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use futures::stream::{self, StreamExt};
use tokio::sync::Mutex;

use crate::client::{Admin, Fixture, Server, Tablet};
use crate::stats::{loadavg, Shared, Stats, Summary};

pub struct Context {
    pub server: Server,
    pub username: String,
    pub password: String,
    pub employees: usize,
    pub links: usize,
    pub server_pid: Option<u32>,
}

type Fleet = Vec<Arc<Mutex<Tablet>>>;

impl Context {
    pub async fn fixture(&self) -> Result<(Admin, Fixture)> {
        let admin = self.server.login(&self.username, &self.password).await?;
        let fixture = admin.ensure_fixture(self.employees, self.links).await?;
        Ok((admin, fixture))
    }

    /// Creates `n` codes, enrols `n` tablets concurrently and gives them the current roster
    /// version (as tablets that have synced before hold it).
    pub async fn enrol_fleet(&self, admin: &Admin, fixture: &Fixture, n: usize, concurrency: usize) -> Result<Fleet> {
        if n == 0 {
            bail!("--tablets must be at least 1");
        }
        let t = Instant::now();
        let codes = admin.enrolment_codes(n, concurrency).await?;
        let code_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let results: Vec<Result<Tablet>> = stream::iter(codes.iter().enumerate())
            .map(|(i, code)| self.server.enrol(code, i))
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut fleet = Vec::with_capacity(n);
        let mut failed = Vec::new();
        for r in results {
            match r {
                Ok(tablet) => fleet.push(tablet),
                Err(e) => failed.push(e.to_string()),
            }
        }
        if let Some(first) = failed.first() {
            bail!("{} of {n} enrolments failed; first: {first}", failed.len());
        }
        println!(
            "enrolled {n} tablets: codes {:.1} s ({:.0}/s), enrolment {:.1} s ({:.0}/s)",
            code_s,
            n as f64 / code_s.max(1e-9),
            t.elapsed().as_secs_f64(),
            n as f64 / t.elapsed().as_secs_f64().max(1e-9)
        );
        // One empty sync learns the organisation's roster version for the whole fleet.
        let first = fleet.first_mut().ok_or_else(|| anyhow!("no tablets"))?;
        let (_, outcome) = self.server.sync(first, fixture, 0).await;
        if let crate::stats::Outcome::Error(e) = outcome {
            bail!("warm-up sync failed: {e}");
        }
        let version = first.roster_version.clone();
        for t in &mut fleet {
            t.roster_version.clone_from(&version);
        }
        Ok(fleet.into_iter().map(|t| Arc::new(Mutex::new(t))).collect())
    }

    /// Every tablet sends pages back to back until `duration` or `max_pages` in all.
    pub async fn peak(&self, fixture: &Fixture, fleet: Fleet, page: usize, duration: Duration, max_pages: u64) -> Result<Summary> {
        let stats = Stats::new()?;
        let rss = RssSampler::start(self.server_pid);
        println!("HTTP phase: load average {}", loadavg());
        let pages_left = Arc::new(AtomicU64::new(max_pages));
        let started = Instant::now();
        let deadline = started + duration;
        let mut tasks = Vec::with_capacity(fleet.len());
        for tablet in fleet {
            let (server, fixture, stats, pages_left) = (self.server.clone(), fixture.clone(), stats.clone(), pages_left.clone());
            tasks.push(tokio::spawn(async move {
                let mut tablet = tablet.lock().await;
                while Instant::now() < deadline && pages_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |p| p.checked_sub(1)).is_ok() {
                    let (latency, outcome) = server.sync(&mut tablet, &fixture, page).await;
                    record(&stats, latency, outcome);
                }
            }));
        }
        let n = tasks.len();
        for t in tasks {
            t.await?;
        }
        let elapsed = started.elapsed();
        let summary = print(&stats, &format!("HTTP peak: {n} tablets, pages of {page}"), elapsed)?;
        rss.finish().await;
        Ok(summary)
    }

    /// Sends on a fixed schedule (`rate` per second in all, tablets in turn) whatever the
    /// answers: queueing at the server shows in the latency instead of lowering the rate.
    #[allow(clippy::too_many_arguments)]
    pub async fn open_loop(
        &self,
        title: &str,
        fixture: &Fixture,
        fleet: Fleet,
        page: usize,
        rate: f64,
        max_in_flight: usize,
        duration: Duration,
        max_syncs: u64,
    ) -> Result<Summary> {
        if !(rate.is_finite() && rate > 0.0 && rate <= 1_000_000.0) {
            bail!("rate must be in (0, 1e6]");
        }
        let stats = Stats::new()?;
        let rss = RssSampler::start(self.server_pid);
        println!("{title}: {} tablets, pages of {page}, {rate:.0} syncs/s scheduled; load average {}", fleet.len(), loadavg());
        let interval = Duration::from_secs_f64(1.0 / rate);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let fixture = Arc::new(fixture.clone());
        let started = Instant::now();
        let deadline = started + duration;
        let mut scheduled = 0_u64;
        for k in 0..max_syncs {
            let at = started + interval.mul_f64(k as f64);
            if at >= deadline {
                break;
            }
            tokio::time::sleep_until(at.into()).await;
            scheduled += 1;
            let tablet = fleet[(k % fleet.len() as u64) as usize].clone();
            let Ok(mut guard) = tablet.try_lock_owned() else {
                skip(&stats, "tablet still busy");
                continue;
            };
            if in_flight.load(Ordering::SeqCst) >= max_in_flight {
                skip(&stats, "in-flight cap");
                continue;
            }
            in_flight.fetch_add(1, Ordering::SeqCst);
            let (server, fixture, stats, in_flight) = (self.server.clone(), fixture.clone(), stats.clone(), in_flight.clone());
            tokio::spawn(async move {
                let (latency, outcome) = server.sync(&mut guard, &fixture, page).await;
                record(&stats, latency, outcome);
                in_flight.fetch_sub(1, Ordering::SeqCst);
            });
        }
        let schedule_s = started.elapsed();
        // Answers still due: bounded by the request timeout plus a margin.
        let drain_deadline = Instant::now() + Duration::from_secs(120);
        while in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < drain_deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let elapsed = started.elapsed();
        println!("scheduled {scheduled} syncs over {:.2} s; last answer after {:.2} s", schedule_s.as_secs_f64(), elapsed.as_secs_f64());
        let summary = print(&stats, &format!("{title}: pages of {page}"), elapsed)?;
        rss.finish().await;
        Ok(summary)
    }

    /// `concurrency` syncs always in flight, tablets in turn.
    pub async fn closed_loop(&self, fixture: &Fixture, fleet: Fleet, page: usize, concurrency: usize, duration: Duration, max_syncs: u64) -> Result<Summary> {
        if concurrency == 0 || concurrency > fleet.len() {
            bail!("--concurrency must be 1..=--tablets");
        }
        let stats = Stats::new()?;
        let rss = RssSampler::start(self.server_pid);
        println!("steady (closed loop): {} tablets, {concurrency} in flight, pages of {page}; load average {}", fleet.len(), loadavg());
        let next = Arc::new(AtomicU64::new(0));
        let fleet = Arc::new(fleet);
        let started = Instant::now();
        let deadline = started + duration;
        let mut tasks = Vec::with_capacity(concurrency);
        for _ in 0..concurrency {
            let (server, fixture, stats, next, fleet) = (self.server.clone(), fixture.clone(), stats.clone(), next.clone(), fleet.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    if k >= max_syncs {
                        break;
                    }
                    let mut tablet = fleet[(k % fleet.len() as u64) as usize].lock().await;
                    let (latency, outcome) = server.sync(&mut tablet, &fixture, page).await;
                    record(&stats, latency, outcome);
                }
            }));
        }
        for t in tasks {
            t.await?;
        }
        let elapsed = started.elapsed();
        let summary = print(&stats, &format!("steady (closed loop, {concurrency} in flight): pages of {page}"), elapsed)?;
        rss.finish().await;
        Ok(summary)
    }
}

fn record(stats: &Shared, latency: Duration, outcome: crate::stats::Outcome) {
    if let Ok(mut s) = stats.lock() {
        s.record(latency, outcome);
    }
}

fn skip(stats: &Shared, why: &'static str) {
    if let Ok(mut s) = stats.lock() {
        s.skip(why);
    }
}

fn print(stats: &Shared, title: &str, elapsed: Duration) -> Result<Summary> {
    let s = stats.lock().map_err(|_| anyhow!("stats lock poisoned"))?;
    let summary = s.print(title, Some(elapsed));
    println!("  load average     {}", loadavg());
    Ok(summary)
}

/// Samples the server's resident memory while a phase runs.
struct RssSampler {
    pid: Option<u32>,
    stop: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<(u64, u64)>>,
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
}

impl RssSampler {
    fn start(pid: Option<u32>) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let task = pid.map(|pid| {
            let stop = stop.clone();
            tokio::spawn(async move {
                let first = status_kib(pid, "VmRSS:").unwrap_or(0);
                let mut max = first;
                // Bounded: at most an hour of samples.
                for _ in 0..14_400 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    max = max.max(status_kib(pid, "VmRSS:").unwrap_or(0));
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                (first, max)
            })
        });
        RssSampler { pid, stop, task }
    }

    async fn finish(self) {
        self.stop.store(true, Ordering::SeqCst);
        let (Some(pid), Some(task)) = (self.pid, self.task) else { return };
        if let Ok((first, max)) = task.await {
            let now = status_kib(pid, "VmRSS:").unwrap_or(0);
            let hwm = status_kib(pid, "VmHWM:").unwrap_or(0);
            println!(
                "  server memory    VmRSS at start {:.1} MiB, max sampled {:.1} MiB, at end {:.1} MiB; VmHWM {:.1} MiB",
                first as f64 / 1024.0,
                max as f64 / 1024.0,
                now as f64 / 1024.0,
                hwm as f64 / 1024.0
            );
        }
    }
}
