//! The one context every handler shares.

use std::sync::Arc;

use chrono::Duration;

use crate::clock::Clock;
use crate::crypto::PersonnummerKey;
use crate::store::Store;
use crate::throttle::{Backoff, ReplayCache, Throttle};

/// PBKDF2 computations allowed at once: half the cores (at least one), so hashing can never
/// take every core from the syncs and health checks.
pub fn hashing_permits() -> usize {
    std::thread::available_parallelism().map(|n| n.get() / 2).unwrap_or(1).max(1)
}

/// Shared by all requests: the store, secrets, clock and abuse counters.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub personnummer_key: PersonnummerKey,
    pub clock: Clock,
    pub secure_cookies: bool,
    pub guards: Arc<Guards>,
    /// Bounds the PBKDF2 work running at once (see [`AppState::hash_blocking`]).
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// How long a request may take to send its body (`api/body.rs`).
    pub body_timeout: std::time::Duration,
    /// Wakes the one background task that keeps the projection current (`ledger`): a sync
    /// rings it instead of starting a drain of its own, so a burst of syncs is one drain.
    pub projection_wake: Arc<tokio::sync::Notify>,
}

/// The in-memory counters against brute force and replay (docs/ARCHITECTURE.md, "Throttling").
pub struct Guards {
    /// Logins per (username, client address): 5 failures per 15 minutes, then that address is
    /// refused for that user.
    pub login_user_ip: Throttle,
    /// Logins per username from any address: a delay that doubles past 5 failures, at most a
    /// minute — never a lockout an attacker can impose on the account's owner.
    pub login_user: Backoff,
    /// Failed logins per client address, over all usernames.
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
            login_user_ip: Throttle::new(5, Duration::minutes(15)),
            login_user: Backoff::new(5, Duration::seconds(1), Duration::seconds(60), Duration::minutes(15)),
            login_ip: Throttle::new(30, Duration::minutes(15)),
            enrol_ip: Throttle::new(10, Duration::minutes(15)),
            uninstall_device: Throttle::new(5, Duration::minutes(15)),
            replay: ReplayCache::new(Duration::seconds(2 * shared_model::device_auth::MAX_CLOCK_SKEW_S + 60)),
        }
    }
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, personnummer_key: PersonnummerKey, clock: Clock, secure_cookies: bool) -> AppState {
        let hashing = Arc::new(tokio::sync::Semaphore::new(hashing_permits()));
        AppState { store, personnummer_key, clock, secure_cookies, guards: Arc::new(Guards::default()), hashing,
            body_timeout: crate::serve::ConnectionLimits::default().body_timeout,
            projection_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Runs deliberately slow secret hashing (PBKDF2) on the blocking pool, at most
    /// [`hashing_permits`] at once: the async workers stay free for health checks and syncs
    /// however many logins arrive, and the rest wait their turn.
    pub async fn hash_blocking<T, F>(&self, work: F) -> Result<T, crate::error::ApiError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self.hashing.acquire().await.map_err(|e| crate::error::ApiError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| crate::error::ApiError::Internal(e.to_string()))
    }
}
