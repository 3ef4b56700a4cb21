//! The one context every handler shares.

use std::sync::Arc;

use chrono::Duration;

use crate::clock::Clock;
use crate::crypto::PersonnummerKey;
use crate::store::Store;
use crate::throttle::{ReplayCache, Throttle};

/// Shared by all requests: the store, secrets, clock and abuse counters.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub personnummer_key: PersonnummerKey,
    pub clock: Clock,
    pub secure_cookies: bool,
    pub guards: Arc<Guards>,
}

/// The in-memory counters against brute force and replay.
pub struct Guards {
    /// Failed logins per username.
    pub login_user: Throttle,
    /// Failed logins per client address.
    pub login_ip: Throttle,
    /// Failed enrolment codes per client address.
    pub enrol_ip: Throttle,
    /// Uninstall attempts per device (PROTOCOL.md: 5 per 15 minutes).
    pub uninstall_device: Throttle,
    /// Signatures already used.
    pub replay: ReplayCache,
}

impl Default for Guards {
    fn default() -> Guards {
        Guards {
            login_user: Throttle::new(5, Duration::minutes(15)),
            login_ip: Throttle::new(30, Duration::minutes(15)),
            enrol_ip: Throttle::new(10, Duration::minutes(15)),
            uninstall_device: Throttle::new(5, Duration::minutes(15)),
            replay: ReplayCache::new(Duration::seconds(2 * shared_model::device_auth::MAX_CLOCK_SKEW_S + 60)),
        }
    }
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, personnummer_key: PersonnummerKey, clock: Clock, secure_cookies: bool) -> AppState {
        AppState { store, personnummer_key, clock, secure_cookies, guards: Arc::new(Guards::default()) }
    }
}
