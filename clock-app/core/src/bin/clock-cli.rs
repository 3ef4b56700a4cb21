//! `clock-cli`: the kiosk core without a window, for tests, demos and support. Every command
//! opens the same data directory the app uses and calls clock-core once.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use clock_core::{Clock, CoreError, Identified, Kiosk, KioskOptions};
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "clock-cli", version, about = "stampclock kiosk core on the command line")]
struct Cli {
    /// The kiosk's data directory (database and device key).
    #[arg(long, env = "STAMPCLOCK_KIOSK_DIR", default_value = "./kiosk-data")]
    data_dir: PathBuf,
    /// Print answers as JSON.
    #[arg(long)]
    json: bool,
    /// Shift the tablet's clock by this many seconds (testing a wrong clock).
    #[arg(long, hide = true, default_value_t = 0, allow_negative_numbers = true)]
    clock_shift_s: i64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Enrol this tablet with the server address and an enrolment code from the admin page.
    Enrol {
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
    },
    /// Check an employee number and PIN, and show the employee's screen.
    Identify(Who),
    /// Start (or switch to) a task on a project/account link.
    Start {
        #[command(flatten)]
        who: Who,
        /// The link id.
        #[arg(long)]
        link: Option<Uuid>,
        #[arg(long)]
        comment: Option<String>,
    },
    /// Stop the running task.
    Stop(Who),
    /// Sync with the server now.
    Sync,
    /// Show the sync status.
    Status,
    /// Uninstall this tablet; the personnummer is read from standard input.
    Uninstall,
    /// Alternately start and stop, printing each stamp once it is durable (crash tests, benchmarks).
    #[command(hide = true)]
    StampLoop {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        link: Uuid,
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
}

#[derive(clap::Args)]
struct Who {
    /// Employee number.
    #[arg(long)]
    number: String,
    /// PIN (or the environment variable STAMPCLOCK_PIN).
    #[arg(long, env = "STAMPCLOCK_PIN", hide_env_values = true)]
    pin: String,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STAMPCLOCK_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}

fn print<T: serde::Serialize + std::fmt::Debug>(json: bool, value: &T) -> Result<(), CoreError> {
    let mut out = std::io::stdout().lock();
    if json {
        let s = serde_json::to_string_pretty(value).map_err(|e| CoreError::Corrupt(e.to_string()))?;
        writeln!(out, "{s}")?;
    } else {
        writeln!(out, "{value:#?}")?;
    }
    out.flush()?;
    Ok(())
}

fn run(cli: Cli) -> Result<(), CoreError> {
    let mut options = KioskOptions::new(&cli.data_dir);
    options.clock = Clock::shifted(chrono::Duration::seconds(cli.clock_shift_s));
    let kiosk = Kiosk::open(options)?;
    let runtime = || {
        tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(CoreError::Io)
    };
    match cli.command {
        Command::Enrol { server, code } => {
            let d = runtime()?.block_on(kiosk.enrol(&server, &code))?;
            println!("enrolled as device {} of {} ({})", d.device_id, d.organisation_name, d.time_zone);
            // Fetch the roster at once so staff can identify.
            match runtime()?.block_on(kiosk.sync_now()) {
                Ok(r) => println!("first sync: roster {}", if r.roster_updated { "loaded" } else { "unchanged" }),
                Err(e) => eprintln!("first sync failed ({}): {e}", e.code()),
            }
            Ok(())
        }
        Command::Identify(who) => {
            let id = kiosk.identify(&who.number, &who.pin)?;
            print(cli.json, &kiosk.employee_screen(&id)?)
        }
        Command::Start { who, link, comment } => {
            let id = kiosk.identify(&who.number, &who.pin)?;
            let r = kiosk.start(&id, link, comment.as_deref())?;
            print(cli.json, &r)
        }
        Command::Stop(who) => {
            let id = kiosk.identify(&who.number, &who.pin)?;
            print(cli.json, &kiosk.stop(&id)?)
        }
        Command::Sync => {
            let r = runtime()?.block_on(kiosk.sync_now())?;
            print(cli.json, &r)
        }
        Command::Status => print(cli.json, &kiosk.sync_status()?),
        Command::Uninstall => {
            eprint!("personnummer of an admin or manager: ");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            let r = runtime()?.block_on(kiosk.uninstall(line.trim()))?;
            print(cli.json, &r)
        }
        Command::StampLoop { who, link, count } => stamp_loop(&kiosk, &kiosk.identify(&who.number, &who.pin)?, link, count),
    }
}

/// Each line `done <event-id> <device-seq>` is printed only after the stamp is committed.
fn stamp_loop(kiosk: &Kiosk, who: &Identified, link: Uuid, count: u64) -> Result<(), CoreError> {
    let mut out = std::io::stdout().lock();
    for _ in 0..count {
        let running = kiosk.employee_screen(who)?.running.is_some();
        let r = if running { kiosk.stop(who) } else { kiosk.start(who, Some(link), None) };
        let r = match r {
            Ok(r) => r,
            // Two stamps in the same millisecond: the rules refuse a zero-length stamp; go on.
            Err(CoreError::Punch(_)) => continue,
            Err(e) => return Err(e),
        };
        writeln!(out, "done {} {}", r.event_id, r.device_seq)?;
        out.flush()?;
    }
    Ok(())
}
