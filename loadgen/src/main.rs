//! sync-loadgen: simulated wall tablets against a running stampclock sync server on this
//! machine, over real HTTP with real Ed25519 signatures, and a raw PostgreSQL baseline.
//! Every loop is bounded in count and in time; only 127.0.0.1 is ever targeted.

mod client;
mod db;
mod scenario;
mod stats;

use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "sync-loadgen", version, about = "Load generator for the stampclock sync server (127.0.0.1 only)")]
struct Cli {
    /// The server, on this machine.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// An admin of the benchmark organisation.
    #[arg(long, global = true, default_value = "bench-admin")]
    username: String,
    /// Its password.
    #[arg(long, global = true, env = "LOADGEN_PASSWORD", default_value = "bench-password", hide_env_values = true)]
    password: String,
    /// Employees `LG-001…` to create (if absent) and stamp for.
    #[arg(long, global = true, default_value_t = 20)]
    employees: usize,
    /// Links `Loadgen / Task 01…` to create (if absent), assigned to every such employee.
    #[arg(long, global = true, default_value_t = 5)]
    links: usize,
    /// HTTP request timeout in seconds.
    #[arg(long, global = true, default_value_t = 30)]
    timeout_s: u64,
    /// The server's process id: samples its VmRSS during the run and reports VmHWM.
    #[arg(long, global = true)]
    server_pid: Option<u32>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Log in and create the employees and links (idempotent).
    Setup,
    /// Pages of `--page` events from each tablet back to back, as fast as the server takes them.
    Peak {
        #[command(flatten)]
        tablets: TabletArgs,
        #[arg(long, default_value_t = 500)]
        page: usize,
        #[arg(long, default_value_t = 30)]
        duration_s: u64,
        /// Upper bound on pages in all.
        #[arg(long, default_value_t = 1_000_000)]
        max_pages: u64,
        /// PostgreSQL of the same server: first measures the raw insert rate of the same rows
        /// for as long (the ratio's denominator), then runs the HTTP phase.
        #[arg(long)]
        database_url: Option<String>,
        /// Connections of the raw phase (default: as many as tablets).
        #[arg(long)]
        raw_workers: Option<usize>,
        /// Organisation of the admin (for the raw phase's ids).
        #[arg(long, default_value = "Bench AB")]
        organisation: String,
    },
    /// Each tablet sends one page of `--page` events at a time, the tablets taking turns at
    /// `--rate` syncs/s in all (open loop; 0 = closed loop with `--concurrency` in flight).
    Steady {
        #[command(flatten)]
        tablets: TabletArgs,
        #[arg(long, default_value_t = 50)]
        page: usize,
        #[arg(long, default_value_t = 2500.0)]
        rate: f64,
        /// Closed loop only: requests in flight.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Open loop only: at most this many requests in flight; beyond it a send is skipped and counted.
        #[arg(long, default_value_t = 2048)]
        max_in_flight: usize,
        #[arg(long, default_value_t = 60)]
        duration_s: u64,
        #[arg(long, default_value_t = 1_000_000)]
        max_syncs: u64,
    },
    /// Every tablet syncs once (one page of `--page`), spread evenly over `--window-s`.
    Burst {
        #[command(flatten)]
        tablets: TabletArgs,
        #[arg(long, default_value_t = 50)]
        page: usize,
        #[arg(long, default_value_t = 10.0)]
        window_s: f64,
        #[arg(long, default_value_t = 10_000)]
        max_in_flight: usize,
    },
    /// Only the raw UNNEST insert baseline, straight into PostgreSQL.
    RawInsert {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "Bench AB")]
        organisation: String,
        #[arg(long, default_value_t = 8)]
        workers: usize,
        #[arg(long, default_value_t = 500)]
        page: usize,
        #[arg(long, default_value_t = 30)]
        duration_s: u64,
        #[arg(long, default_value_t = 1_000_000)]
        max_pages: u64,
    },
    /// Tops the events table up to `--rows` rows straight in PostgreSQL (run `setup` first).
    Prefill {
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "Bench AB")]
        organisation: String,
        #[arg(long, default_value_t = 10_000_000)]
        rows: i64,
        #[arg(long, default_value_t = 1_000_000)]
        chunk: i64,
    },
}

#[derive(Debug, clap::Args)]
struct TabletArgs {
    /// Simulated tablets to enrol.
    #[arg(long, default_value_t = 8)]
    tablets: usize,
    /// Concurrent requests while creating codes and enrolling.
    #[arg(long, default_value_t = 32)]
    setup_concurrency: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    if cli.employees == 0 || cli.links == 0 {
        bail!("--employees and --links must be at least 1");
    }
    let base = client::check_loopback_url(&cli.server)?;
    let server = client::Server::new(&base, Duration::from_secs(cli.timeout_s))?;
    println!("sync-loadgen {} → {base}; load average {}", env!("CARGO_PKG_VERSION"), stats::loadavg());
    let ctx = scenario::Context { server, username: cli.username, password: cli.password, employees: cli.employees, links: cli.links, server_pid: cli.server_pid };
    match cli.command {
        Command::Setup => {
            let f = ctx.fixture().await?;
            println!("fixture: {} employees, {} links", f.1.employees.len(), f.1.links.len());
        }
        Command::Peak { tablets, page, duration_s, max_pages, database_url, raw_workers, organisation } => {
            check_page(page)?;
            let duration = Duration::from_secs(duration_s);
            let (admin, fixture) = ctx.fixture().await?;
            let fleet = ctx.enrol_fleet(&admin, &fixture, tablets.tablets, tablets.setup_concurrency).await?;
            let raw = match database_url {
                Some(url) => {
                    let workers = raw_workers.unwrap_or(tablets.tablets).max(1);
                    let pool = db::connect(&url, u32::try_from(workers + 1)?).await?;
                    let refs = db::org_refs(&pool, &organisation).await?;
                    println!("raw phase: load average {}", stats::loadavg());
                    let s = db::raw_insert(&pool, &refs, workers, page, duration, max_pages).await?;
                    pool.close().await;
                    Some(s)
                }
                None => None,
            };
            let http = ctx.peak(&fixture, fleet, page, duration, max_pages).await?;
            if let Some(raw) = raw {
                println!(
                    "== ratio: HTTP {:.0} events/s / raw {:.0} events/s = {:.2}",
                    http.events_per_s,
                    raw.events_per_s,
                    http.events_per_s / raw.events_per_s.max(1e-9)
                );
            }
        }
        Command::Steady { tablets, page, rate, concurrency, max_in_flight, duration_s, max_syncs } => {
            check_page(page)?;
            let (admin, fixture) = ctx.fixture().await?;
            let fleet = ctx.enrol_fleet(&admin, &fixture, tablets.tablets, tablets.setup_concurrency).await?;
            let duration = Duration::from_secs(duration_s);
            if rate > 0.0 {
                ctx.open_loop("steady (open loop)", &fixture, fleet, page, rate, max_in_flight, duration, max_syncs).await?;
            } else {
                ctx.closed_loop(&fixture, fleet, page, concurrency, duration, max_syncs).await?;
            }
        }
        Command::Burst { tablets, page, window_s, max_in_flight } => {
            check_page(page)?;
            if !(window_s > 0.0 && window_s <= 600.0) {
                bail!("--window-s must be in (0, 600]");
            }
            let (admin, fixture) = ctx.fixture().await?;
            let n = tablets.tablets;
            let fleet = ctx.enrol_fleet(&admin, &fixture, n, tablets.setup_concurrency).await?;
            let rate = n as f64 / window_s;
            // Every tablet once; the run may last past the window while answers come in.
            let limit = Duration::from_secs_f64(window_s) + Duration::from_secs(ctx_timeout(cli.timeout_s));
            ctx.open_loop("burst", &fixture, fleet, page, rate, max_in_flight, limit, n as u64).await?;
        }
        Command::RawInsert { database_url, organisation, workers, page, duration_s, max_pages } => {
            check_page(page)?;
            let pool = db::connect(&database_url, u32::try_from(workers.max(1) + 1)?).await?;
            let refs = db::org_refs(&pool, &organisation).await?;
            db::raw_insert(&pool, &refs, workers.max(1), page, Duration::from_secs(duration_s), max_pages).await?;
        }
        Command::Prefill { database_url, organisation, rows, chunk } => {
            if chunk < 1 {
                bail!("--chunk must be at least 1");
            }
            let pool = db::connect(&database_url, 2).await?;
            let refs = db::org_refs(&pool, &organisation).await?;
            db::prefill(&pool, &refs, rows, chunk).await?;
        }
    }
    println!("load average at the end {}", stats::loadavg());
    Ok(())
}

fn ctx_timeout(timeout_s: u64) -> u64 {
    timeout_s + 5
}

fn check_page(page: usize) -> Result<()> {
    if !(1..=shared_model::wire::MAX_EVENTS_PER_PAGE).contains(&page) {
        bail!("--page must be 1–{}", shared_model::wire::MAX_EVENTS_PER_PAGE);
    }
    Ok(())
}
