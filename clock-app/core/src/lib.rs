//! clock-core: the whole brain of the stampclock wall tablet, without any UI dependency.
//!
//! [`Kiosk`] owns the local SQLite database (outbox, roster cache, identity, sync log), the
//! device key and the HTTP client. The punch service ([`Kiosk::identify`], [`Kiosk::start`],
//! [`Kiosk::stop`]) works offline; the sync engine ([`Kiosk::sync_now`], [`sync::spawn`])
//! pushes the outbox and pulls roster and config; [`Kiosk::enrol`] and [`Kiosk::uninstall`]
//! manage the tablet's identity. The Tauri shell and the `clock-cli` binary are thin layers.

pub mod clock;
pub mod error;
mod http;
pub mod identity;
pub mod enrolment;
pub mod punch;
pub mod store;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use shared_model::device_auth::DeviceKey;

pub use crate::clock::Clock;
pub use crate::error::{CoreError, CoreResult};
pub use crate::punch::{EmployeeScreen, Identified, StampReceipt, StampView};
pub use crate::store::{DeviceRecord, Store};
pub use crate::sync::{SyncHandle, SyncReport, SyncStatus};

/// The version sent at enrolment.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a kiosk core is set up.
#[derive(Debug, Clone)]
pub struct KioskOptions {
    /// The app data directory: database and device key live here.
    pub data_dir: PathBuf,
    /// The raw device clock (injectable for tests).
    pub clock: Clock,
    /// The "browser" column of the registry: OS, webview, app version.
    pub platform: String,
    /// Limit for one HTTP request, connection included.
    pub http_timeout: StdDuration,
    /// Cap on the local database's size in bytes (`None`: as much as the disk holds). Reaching
    /// it behaves like a full disk: the action fails with `storage_full`, nothing is half-saved.
    pub max_database_bytes: Option<u64>,
}

impl KioskOptions {
    /// Defaults for the data directory `data_dir`: system clock, 30 s requests.
    pub fn new(data_dir: impl Into<PathBuf>) -> KioskOptions {
        KioskOptions {
            data_dir: data_dir.into(),
            clock: Clock::system(),
            platform: format!("{} {}; stampclock-core {APP_VERSION}", std::env::consts::OS, std::env::consts::ARCH),
            http_timeout: StdDuration::from_secs(30),
            max_database_bytes: None,
        }
    }
}

/// The kiosk core; cheap to clone (shared inside).
#[derive(Clone)]
pub struct Kiosk {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    store: Store,
    clock: Clock,
    platform: String,
    http: reqwest::Client,
    key: Mutex<Option<Arc<DeviceKey>>>,
    /// One sync (or uninstall) at a time.
    sync_gate: tokio::sync::Mutex<()>,
    /// The last `X-Timestamp` signed, so two requests never carry the same one.
    last_signed: Mutex<DateTime<Utc>>,
    runtime: Mutex<sync::Runtime>,
}

/// A reading of the clocks at one moment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now {
    /// The raw device clock.
    pub raw: DateTime<Utc>,
    /// Raw plus the offset learned from the server.
    pub corrected: DateTime<Utc>,
}

/// Whole milliseconds: what the server (and PostgreSQL) keeps of an instant, so a resent event is
/// byte-for-byte the one stored.
pub(crate) fn millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// An instant with the organisation's UTC offset at that moment.
pub(crate) fn local(t: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
    millis(t).with_timezone(&tz).fixed_offset()
}

pub(crate) fn parse_tz(name: &str) -> CoreResult<Tz> {
    shared_model::pay_period::parse_time_zone(name).map_err(|e| CoreError::Corrupt(e.to_string()))
}

/// What a tablet shows on its idle screen and in settings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeviceInfo {
    pub device_id: uuid::Uuid,
    pub server_url: String,
    pub organisation_name: String,
    pub time_zone: String,
    pub policy: shared_model::wire::Policy,
    pub clock_offset_s: i64,
    pub uninstalled: bool,
}

impl Kiosk {
    /// Opens the data directory (creating and migrating the database).
    pub fn open(options: KioskOptions) -> CoreResult<Kiosk> {
        let store = Store::open(&options.data_dir, options.max_database_bytes)?;
        let http = reqwest::Client::builder()
            .connect_timeout(options.http_timeout.min(StdDuration::from_secs(10)))
            .timeout(options.http_timeout)
            // Below the server's 30 s header-read timeout: a pooled connection the server is about
            // to close (with a 408) must never carry the next sync.
            .pool_idle_timeout(StdDuration::from_secs(20))
            .user_agent(format!("stampclock-kiosk/{APP_VERSION}"))
            .build()
            .map_err(|e| CoreError::Offline(format!("HTTP client: {e}")))?;
        Ok(Kiosk {
            inner: Arc::new(Inner {
                dir: options.data_dir,
                store,
                clock: options.clock,
                platform: options.platform,
                http,
                key: Mutex::new(None),
                sync_gate: tokio::sync::Mutex::new(()),
                last_signed: Mutex::new(DateTime::<Utc>::MIN_UTC),
                runtime: Mutex::new(sync::Runtime::default()),
            }),
        })
    }

    /// The local database (support tools and tests read it).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The app data directory.
    pub fn data_dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The raw device clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The enrolled identity, or `NotEnrolled`.
    pub fn device(&self) -> CoreResult<DeviceRecord> {
        self.inner.store.device()?.ok_or(CoreError::NotEnrolled)
    }

    /// What the settings screen shows about this tablet; `None` before enrolment.
    pub fn device_info(&self) -> CoreResult<Option<DeviceInfo>> {
        Ok(self.inner.store.device()?.map(|d| DeviceInfo {
            device_id: d.device_id,
            server_url: d.server_url,
            organisation_name: d.organisation_name,
            time_zone: d.time_zone,
            policy: d.policy,
            clock_offset_s: d.clock_offset_ms / 1000,
            uninstalled: d.uninstalled_at.is_some(),
        }))
    }

    pub(crate) fn now(&self, device: &DeviceRecord) -> Now {
        let raw = self.inner.clock.now();
        Now { raw, corrected: raw + Duration::milliseconds(device.clock_offset_ms) }
    }

    /// The device key, loaded once from its file.
    pub(crate) fn key(&self) -> CoreResult<Arc<DeviceKey>> {
        let mut slot = self.inner.key.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = slot.as_ref() {
            return Ok(k.clone());
        }
        let key = identity::load_key(&self.inner.dir)?.ok_or(CoreError::NotEnrolled)?;
        let key = Arc::new(key);
        *slot = Some(key.clone());
        Ok(key)
    }

    pub(crate) fn forget_key(&self) {
        *self.inner.key.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}
