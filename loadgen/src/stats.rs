//! Counters and a latency histogram shared by every simulated tablet of a run.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// What one request ended as.
pub enum Outcome {
    /// 200 and every sent id acknowledged.
    Ok { events: usize },
    /// 200 but some sent id missing from `acked`.
    MissingAcks { missing: usize },
    /// Any other status, keyed `status/code`, or a transport failure keyed `transport/kind`.
    Error(String),
}

/// The figures of one run.
pub struct Stats {
    started: Instant,
    latency_us: Histogram<u64>,
    ok: u64,
    events: u64,
    missing_acks: u64,
    errors: BTreeMap<String, u64>,
    /// Sends the schedule wanted but could not make (tablet still busy, or in-flight cap reached).
    pub skipped: BTreeMap<&'static str, u64>,
}

/// Shared between tasks.
pub type Shared = Arc<Mutex<Stats>>;

impl Stats {
    pub fn new() -> anyhow::Result<Shared> {
        // 1 µs .. 10 min at 3 significant digits.
        let latency_us = Histogram::new_with_bounds(1, 600_000_000, 3)?;
        Ok(Arc::new(Mutex::new(Stats {
            started: Instant::now(),
            latency_us,
            ok: 0,
            events: 0,
            missing_acks: 0,
            errors: BTreeMap::new(),
            skipped: BTreeMap::new(),
        })))
    }

    pub fn record(&mut self, latency: Duration, outcome: Outcome) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).clamp(1, 600_000_000);
        self.latency_us.saturating_record(us);
        match outcome {
            Outcome::Ok { events } => {
                self.ok += 1;
                self.events += events as u64;
            }
            Outcome::MissingAcks { missing } => {
                self.missing_acks += missing as u64;
                *self.errors.entry("200/missing_acks".to_owned()).or_default() += 1;
            }
            Outcome::Error(key) => *self.errors.entry(key).or_default() += 1,
        }
    }

    pub fn skip(&mut self, why: &'static str) {
        *self.skipped.entry(why).or_default() += 1;
    }

    /// Restarts the clock (after setup, before the measured phase).
    pub fn restart(&mut self) {
        self.started = Instant::now();
    }

    /// Prints the report; `elapsed` is the measured wall time (defaults to since `restart`).
    pub fn print(&self, title: &str, elapsed: Option<Duration>) -> Summary {
        let secs = elapsed.unwrap_or_else(|| self.started.elapsed()).as_secs_f64().max(1e-9);
        let ms = |q: f64| self.latency_us.value_at_quantile(q) as f64 / 1000.0;
        let s = Summary {
            seconds: secs,
            syncs_ok: self.ok,
            events: self.events,
            events_per_s: self.events as f64 / secs,
            syncs_per_s: self.ok as f64 / secs,
            p50_ms: ms(0.5),
            p99_ms: ms(0.99),
            max_ms: self.latency_us.max() as f64 / 1000.0,
        };
        println!("== {title}");
        println!("  wall time        {:>12.2} s", s.seconds);
        println!("  requests         {:>12}", self.latency_us.len());
        println!("  syncs ok (200)   {:>12}", s.syncs_ok);
        println!("  events stored    {:>12}  (acknowledged ids of 200 answers)", s.events);
        println!("  events/s stored  {:>12.0}", s.events_per_s);
        println!("  syncs/s (200)    {:>12.1}", s.syncs_per_s);
        println!(
            "  latency ms       p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
            s.p50_ms,
            ms(0.9),
            s.p99_ms,
            ms(0.999),
            s.max_ms
        );
        println!("  missing acks     {:>12}", self.missing_acks);
        if self.errors.is_empty() {
            println!("  errors           {:>12}", 0);
        } else {
            for (k, n) in &self.errors {
                println!("  error {k:<24} {n}");
            }
        }
        for (k, n) in &self.skipped {
            println!("  not sent ({k}) {n}");
        }
        s
    }
}

/// The headline numbers of a run.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub seconds: f64,
    pub syncs_ok: u64,
    pub events: u64,
    pub events_per_s: f64,
    pub syncs_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// The load average of the machine, as `/proc/loadavg` shows it.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
