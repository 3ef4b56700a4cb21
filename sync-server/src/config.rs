//! Configuration in layers: defaults, an optional TOML file, `STAMPCLOCK_*` environment
//! variables, then command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::serve::ConnectionLimits;

/// Everything the server reads at start.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Where the embedded database and the personnummer key live (`STAMPCLOCK_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite://…`; default: `sqlite://<data_dir>/stampclock.db`.
    pub database_url: Option<String>,
    /// Address to listen on (`STAMPCLOCK_LISTEN`).
    pub listen: SocketAddr,
    /// 64 hex characters; default: generated into `<data_dir>/personnummer.key`.
    pub personnummer_key: Option<String>,
    /// Mark cookies `Secure` (set when a TLS-terminating proxy is in front).
    pub secure_cookies: bool,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Connections open at once (`STAMPCLOCK_MAX_CONNECTIONS`); lowered at start to fit the
    /// open-files limit.
    pub max_connections: usize,
    /// Seconds a connection has to send a request's head, idle keep-alive time included
    /// (`STAMPCLOCK_HEADER_TIMEOUT_S`).
    pub header_timeout_s: u64,
    /// Seconds a request has to send its body (`STAMPCLOCK_BODY_TIMEOUT_S`).
    pub body_timeout_s: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            data_dir: PathBuf::from("./data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            personnummer_key: None,
            secure_cookies: false,
            log_format: "text".into(),
            max_connections: ConnectionLimits::default().max_connections,
            header_timeout_s: ConnectionLimits::default().header_timeout.as_secs(),
            body_timeout_s: ConnectionLimits::default().body_timeout.as_secs(),
        }
    }
}

/// Values given on the command line; only those present override the lower layers.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
}

impl Settings {
    /// Merges the layers; `file` is the optional TOML configuration.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Settings, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            fig = fig.merge(Toml::file_exact(file));
        }
        fig.merge(Env::prefixed("STAMPCLOCK_").ignore(&["config"]))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)
    }

    /// The connection cap and timeouts in force.
    pub fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: self.max_connections.max(1),
            header_timeout: Duration::from_secs(self.header_timeout_s.max(1)),
            body_timeout: Duration::from_secs(self.body_timeout_s.max(1)),
        }
    }

    /// The database URL in force: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!("sqlite://{}", self.data_dir.join("stampclock.db").display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/x\"\n").unwrap();
        let s = Settings::load(Some(&file), &Overrides::default()).unwrap();
        assert_eq!(s.listen.port(), 9000);
        assert_eq!(s.database_url(), "sqlite:///srv/x/stampclock.db");
        let o = Overrides { listen: Some("127.0.0.1:9100".parse().unwrap()), ..Default::default() };
        assert_eq!(Settings::load(Some(&file), &o).unwrap().listen.port(), 9100);
        std::fs::write(&file, "listen = 12").unwrap();
        assert!(Settings::load(Some(&file), &Overrides::default()).is_err());
    }
}
