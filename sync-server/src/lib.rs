//! stampclock's sync server as a library: the binary is a thin shell over [`cli::run`], and
//! tests start the real server on port 0 with [`launch`].

pub mod api;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod error;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod throttle;

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::PersonnummerKey;
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
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)?;
    }
    let store = store::connect(&url).await?;
    store.migrate().await?;
    let key = match &settings.personnummer_key {
        Some(k) => PersonnummerKey::from_hex(k)?,
        None => PersonnummerKey::load_or_create(&settings.data_dir)?,
    };
    tracing::info!(database = %store::redact_url(&url), "store ready");
    Ok(AppState::new(store, key, clock, settings.secure_cookies))
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn launch(listener: TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    let app = api::router(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(shutdown).await
}
