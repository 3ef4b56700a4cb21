//! The command line of PROTOCOL.md: serve (default), migrate, admin bootstrap and demo.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use shared_model::{secret_hash, Personnummer, Role};
use uuid::Uuid;

use crate::clock::Clock;
use crate::config::{Overrides, Settings};
use crate::store::{organisations, people, ChangedBy, NewPerson};
use crate::{build_state, crypto, StartError};

#[derive(Debug, Parser)]
#[command(name = "sync-server", version, about = "stampclock sync server")]
pub struct Cli {
    /// Optional TOML configuration file.
    #[arg(long, global = true, env = "STAMPCLOCK_CONFIG")]
    pub config: Option<PathBuf>,
    /// postgres://… or sqlite://… (default: an embedded SQLite file in the data directory).
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Data directory (embedded database, personnummer key); env STAMPCLOCK_DATA_DIR, default ./data.
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the admin UI (the default).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Bootstrap organisations and users.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Fill the database with a demo organisation, people, links and an enrolment code.
    Demo,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organisation.
    CreateOrganisation {
        #[arg(long)]
        name: String,
        /// IANA time zone, e.g. Europe/Stockholm.
        #[arg(long)]
        time_zone: String,
    },
    /// Create a user; the password is read from standard input.
    CreateUser {
        /// Organisation name or id.
        #[arg(long)]
        organisation: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        /// Display name (default: the username).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        personnummer: Option<String>,
        #[arg(long, requires = "pin")]
        employee_number: Option<String>,
        #[arg(long, requires = "employee_number")]
        pin: Option<String>,
    },
}

/// Runs the command line; the binary's whole body.
pub async fn run(cli: Cli) -> Result<(), StartError> {
    let listen = match &cli.command {
        Some(Command::Serve { listen }) => *listen,
        _ => None,
    };
    let overrides = Overrides { data_dir: cli.data_dir.clone(), database_url: cli.database_url.clone(), listen };
    let settings = Settings::load(cli.config.as_deref(), &overrides).map_err(|e| StartError::Config(e.to_string()))?;
    crate::telemetry::init(&settings.log_format);
    match cli.command.unwrap_or(Command::Serve { listen: None }) {
        Command::Serve { .. } => serve(&settings).await,
        Command::Migrate => {
            build_state(&settings, Clock::default()).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin(cmd) => admin(&settings, cmd).await,
        Command::Demo => {
            let state = build_state(&settings, Clock::default()).await?;
            let demo = crate::demo::fill(&state, &settings.data_dir).await?;
            println!("{}", demo.instructions(&settings));
            Ok(())
        }
    }
}

async fn serve(settings: &Settings) -> Result<(), StartError> {
    let state = build_state(settings, Clock::default()).await?;
    let listener = tokio::net::TcpListener::bind(settings.listen).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    println!("stampclock sync-server listening on http://{addr}");
    let limits = settings.connection_limits().fit_to_open_files_limit();
    crate::launch_with(listener, state, limits, crate::serve::OpenConnections::default(), async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
    .await?;
    Ok(())
}

async fn admin(settings: &Settings, cmd: AdminCommand) -> Result<(), StartError> {
    let state = build_state(settings, Clock::default()).await?;
    let now = state.clock.now();
    match cmd {
        AdminCommand::CreateOrganisation { name, time_zone } => {
            shared_model::pay_period::parse_time_zone(&time_zone).map_err(|e| StartError::Config(e.to_string()))?;
            let mut tx = state.store.begin().await?;
            let org = organisations::create(&mut tx, name.trim(), &time_zone, now).await?;
            tx.commit().await?;
            println!("created organisation {} ({})", org.name, org.id);
        }
        AdminCommand::CreateUser { organisation, username, role, name, personnummer, employee_number, pin } => {
            let mut tx = state.store.begin_read().await?;
            let found = organisations::find(&mut tx, &organisation).await?;
            tx.commit().await?;
            let org = found.ok_or_else(|| StartError::Config(format!("no organisation named {organisation:?}")))?;
            let role = Role::parse(&role)
                .ok_or_else(|| StartError::Config("role must be admin, manager, team_lead or employee".into()))?;
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            if password.chars().count() < 10 {
                return Err(StartError::Config("the password (standard input) must be at least 10 characters".into()));
            }
            if let Some(p) = &pin {
                if !(4..=8).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(StartError::Config("--pin must be 4–8 digits".into()));
                }
            }
            let today = now.with_timezone(&org.tz()?).date_naive();
            let pnr = personnummer
                .map(|p| Personnummer::parse(&p, today))
                .transpose()
                .map_err(|e| StartError::Config(format!("--personnummer: {e}")))?;
            let person = NewPerson {
                id: Uuid::now_v7(),
                organisation_id: org.id,
                number: employee_number,
                name: name.unwrap_or_else(|| username.clone()),
                role,
                username: Some(username.to_lowercase()),
                password_hash: Some(secret_hash::hash(&password, &crypto::random_bytes(16), secret_hash::PASSWORD_ITERATIONS)),
                pin_hash: pin.map(|p| secret_hash::hash(&p, &crypto::random_bytes(16), secret_hash::PIN_ITERATIONS)),
                personnummer_hmac: pnr.as_ref().map(|p| state.personnummer_key.hash(p)),
                personnummer_last4: pnr.as_ref().map(|p| p.last4().to_owned()),
                active: true,
            };
            let mut tx = state.store.begin().await?;
            let created = people::create(&mut tx, &person, &ChangedBy::default(), now).await?;
            tx.commit().await?;
            println!("created {} {} ({}) in {}", role, created.username.unwrap_or_default(), created.id, org.name);
        }
    }
    Ok(())
}
