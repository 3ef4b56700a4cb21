//! Sliding-window attempt counters against brute force (login, enrolment codes, uninstall),
//! and the replay cache of signed device requests. Kept in memory: one server instance
//! throttles what reaches it (see docs/ARCHITECTURE.md for the multi-instance note).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// At most `max` attempts per key within `window`.
pub struct Throttle {
    max: usize,
    window: Duration,
    attempts: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl Throttle {
    pub fn new(max: usize, window: Duration) -> Throttle {
        Throttle { max, window, attempts: Mutex::new(HashMap::new()) }
    }

    /// `Err(retry_after_s)` when `key` has used up its attempts at `now`.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        let Some(q) = map.get_mut(key) else { return Ok(()) };
        while q.front().is_some_and(|t| *t <= now - self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            let oldest = q.front().copied().unwrap_or(now);
            return Err((oldest + self.window - now).num_seconds().max(1));
        }
        Ok(())
    }

    /// Counts one attempt of `key` at `now`.
    pub fn record(&self, key: &str, now: DateTime<Utc>) {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| *t > now - window));
        }
        map.entry(key.to_owned()).or_default().push_back(now);
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.attempts.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// Remembers the signatures seen within the clock-skew window so a captured request cannot be
/// replayed; older ones are refused by the timestamp check anyway.
pub struct ReplayCache {
    window: Duration,
    seen: Mutex<Seen>,
}

/// The signatures of the current window, pruned at most once a second so a request costs
/// O(1) on average however many tablets sync (a full scan per request stalled at load).
struct Seen {
    by_signature: HashMap<String, DateTime<Utc>>,
    last_prune: Option<DateTime<Utc>>,
}

impl ReplayCache {
    pub fn new(window: Duration) -> ReplayCache {
        ReplayCache { window, seen: Mutex::new(Seen { by_signature: HashMap::new(), last_prune: None }) }
    }

    /// True the first time `signature` is offered; false for a replay.
    pub fn first_use(&self, signature: &str, now: DateTime<Utc>) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.last_prune.is_none_or(|t| now - t >= Duration::seconds(1)) {
            let horizon = now - self.window;
            seen.by_signature.retain(|_, t| *t > horizon);
            seen.last_prune = Some(now);
        }
        match seen.by_signature.get(signature) {
            Some(t) if *t > now - self.window => false,
            _ => {
                seen.by_signature.insert(signature.to_owned(), now);
                true
            }
        }
    }

    /// Signatures currently remembered (for tests and metrics).
    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).by_signature.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_in_the_window_is_refused_and_the_window_slides() {
        let t = Throttle::new(5, Duration::minutes(15));
        let start = Utc::now();
        for i in 0..5 {
            assert!(t.check("d", start + Duration::seconds(i)).is_ok());
            t.record("d", start + Duration::seconds(i));
        }
        let retry = t.check("d", start + Duration::seconds(10)).unwrap_err();
        assert!((890..=900).contains(&retry), "{retry}");
        assert!(t.check("other", start).is_ok());
        assert!(t.check("d", start + Duration::minutes(15) + Duration::seconds(1)).is_ok());
        t.reset("d");
        assert!(t.check("d", start + Duration::seconds(10)).is_ok());
    }

    #[test]
    fn a_signature_is_accepted_once() {
        let c = ReplayCache::new(Duration::minutes(10));
        let now = Utc::now();
        assert!(c.first_use("sig", now));
        assert!(!c.first_use("sig", now + Duration::seconds(5)));
        assert!(c.first_use("sig2", now));
        // Past the window the old signatures are forgotten, so memory stays bounded.
        let later = now + Duration::minutes(11);
        assert!(c.first_use("sig3", later));
        assert_eq!(c.len(), 1);
        assert!(c.first_use("sig", later), "an expired signature is refused by the clock check, not remembered");
    }
}
