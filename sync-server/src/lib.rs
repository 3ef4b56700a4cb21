//! stampclock's sync server as a library: the binary is a thin shell over [`cli::run`], and
//! tests start the real server on port 0 with [`launch`].

pub mod api;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod files;
pub mod ledger;
pub mod payroll;
pub mod error;
pub mod serve;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod throttle;
pub mod timesheet;

use std::future::Future;

use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::PersonnummerKey;
use crate::serve::{ConnectionLimits, OpenConnections};
use crate::state::AppState;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Store(#[from] store::StoreError),
    #[error("personnummer key: {0}")]
    Key(#[from] crypto::KeyError),
    #[error("configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Opens and migrates the store and loads the secrets the settings name.
pub async fn build_state(settings: &Settings, clock: Clock) -> Result<AppState, StartError> {
    let url = settings.database_url();
    // The data directory holds the personnummer key and, on SQLite, the database: 0700, its
    // files 0600, whatever the umask (crate::files).
    let sqlite_file = store::sqlite_path(&url);
    if sqlite_file.is_some() || settings.personnummer_key.is_none() {
        files::private_dir(&settings.data_dir)?;
    }
    if let Some(path) = &sqlite_file {
        files::private_file(path)?;
    }
    let store = store::connect(&url).await?;
    store.migrate().await?;
    if let Some(path) = &sqlite_file {
        files::private_sqlite_files(path)?;
    }
    let key = match &settings.personnummer_key {
        Some(k) => PersonnummerKey::from_hex(k)?,
        None => PersonnummerKey::load_or_create(&settings.data_dir)?,
    };
    tracing::info!(database = %store::redact_url(&url), "store ready");
    let mut state = AppState::new(store, key, clock, settings.secure_cookies);
    state.body_timeout = settings.connection_limits().body_timeout;
    Ok(state)
}

/// Serves the API on `listener` with the default connection limits until `shutdown` completes.
pub async fn launch(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    launch_with(listener, state, ConnectionLimits::default(), OpenConnections::default(), shutdown).await
}

/// Serves the API on `listener` under `limits` until `shutdown` completes; `open` counts the
/// connections open at any moment.
pub async fn launch_with(
    listener: TcpListener,
    mut state: AppState,
    limits: ConnectionLimits,
    open: OpenConnections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.body_timeout = limits.body_timeout;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let projection = tokio::spawn(ledger::keep_projection_current(state.clone(), std::time::Duration::from_secs(60), stop_rx));
    let served = serve::serve(listener, api::router(state), limits, open, async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    })
    .await;
    let _ = projection.await;
    served
}
