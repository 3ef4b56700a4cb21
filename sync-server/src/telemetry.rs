//! Log setup. Request bodies are never logged, so neither are PINs, passwords or personnummer.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: `STAMPCLOCK_LOG` (or `RUST_LOG`) filters, `json` or `text`.
pub fn init(format: &str) {
    let filter = std::env::var("STAMPCLOCK_LOG")
        .ok()
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info,sqlx=warn,tower_http=info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(EnvFilter::new(filter)).with_writer(std::io::stderr);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}
