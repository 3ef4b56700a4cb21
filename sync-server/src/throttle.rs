//! Counters against brute force (login, enrolment codes, uninstall) and the replay cache of
//! signed device requests. Kept in memory: one server instance throttles what reaches it (see
//! docs/ARCHITECTURE.md, "Throttling", for the design and the multi-instance note).
//!
//! Every check **counts the attempt in the same critical section** that decides it
//! ([`Throttle::acquire`], [`Backoff::acquire`]): parallel attempts cannot all pass a check made
//! before any of them is recorded. A success hands its attempt back ([`Throttle::refund`]) or
//! clears the key ([`Throttle::reset`]).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Keys kept before expired ones are swept out (a flood of random keys cannot grow memory
/// without bound).
const SWEEP_ABOVE: usize = 100_000;

/// At most `max` attempts per key within a sliding `window`.
pub struct Throttle {
    max: usize,
    window: Duration,
    attempts: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl Throttle {
    pub fn new(max: usize, window: Duration) -> Throttle {
        Throttle { max, window, attempts: Mutex::new(HashMap::new()) }
    }

    /// Counts one attempt of `key` at `now` if it is allowed; `Err(retry_after_s)` (and nothing
    /// counted) when `key` has used up its attempts.
    pub fn acquire(&self, key: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > SWEEP_ABOVE {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| *t > now - window));
        }
        let q = map.entry(key.to_owned()).or_default();
        while q.front().is_some_and(|t| *t <= now - self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            let oldest = q.front().copied().unwrap_or(now);
            return Err((oldest + self.window - now).num_seconds().max(1));
        }
        q.push_back(now);
        Ok(())
    }

    /// Hands back the attempt `acquire` counted at `at` (it succeeded, or was never evaluated).
    pub fn refund(&self, key: &str, at: DateTime<Utc>) {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(q) = map.get_mut(key) {
            if let Some(i) = q.iter().rposition(|t| *t == at) {
                q.remove(i);
            }
        }
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.attempts.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// A per-key delay that doubles with every failure past the first `free` ones, up to `cap`,
/// instead of a hard lockout: an attacker who knows a username can slow its owner down, never
/// lock them out. Failures older than `window` are forgotten.
pub struct Backoff {
    free: u32,
    base: Duration,
    cap: Duration,
    window: Duration,
    state: Mutex<HashMap<String, BackoffState>>,
}

#[derive(Debug, Clone, Copy)]
struct BackoffState {
    failures: u32,
    last: DateTime<Utc>,
    next_allowed: DateTime<Utc>,
}

impl Backoff {
    pub fn new(free: u32, base: Duration, cap: Duration, window: Duration) -> Backoff {
        Backoff { free, base, cap, window, state: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt of `key` at `now` as a failure until [`Backoff::reset`] says otherwise;
    /// `Err(retry_after_s)` (nothing counted) while the key's delay runs.
    pub fn acquire(&self, key: &str, now: DateTime<Utc>) -> Result<(), i64> {
        let mut map = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > SWEEP_ABOVE {
            let window = self.window;
            map.retain(|_, s| s.last > now - window);
        }
        let s = map.entry(key.to_owned()).or_insert(BackoffState { failures: 0, last: now, next_allowed: now });
        if s.last <= now - self.window {
            *s = BackoffState { failures: 0, last: now, next_allowed: now };
        }
        if now < s.next_allowed {
            let wait = s.next_allowed - now;
            return Err((wait.num_milliseconds() + 999).div_euclid(1000).max(1));
        }
        s.failures += 1;
        s.last = now;
        s.next_allowed = now + self.delay_after(s.failures);
        Ok(())
    }

    /// The delay imposed after `failures` failures: none for the free ones, then base, 2·base,
    /// 4·base, … up to `cap`.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::zero();
        }
        let doublings = (failures - self.free).min(30);
        let ms = self.base.num_milliseconds().saturating_mul(1_i64 << doublings);
        Duration::milliseconds(ms).min(self.cap)
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// Remembers the signatures seen within the clock-skew window so a captured request cannot be
/// replayed; older ones are refused by the timestamp check anyway. Keyed on the **decoded**
/// signature bytes, so no second spelling of one signature can pass as new.
pub struct ReplayCache {
    window: Duration,
    seen: Mutex<Seen>,
}

/// The signatures of the current window, pruned at most once a second so a request costs
/// O(1) on average however many tablets sync (a full scan per request stalled at load).
struct Seen {
    by_signature: HashMap<Vec<u8>, DateTime<Utc>>,
    last_prune: Option<DateTime<Utc>>,
}

impl ReplayCache {
    pub fn new(window: Duration) -> ReplayCache {
        ReplayCache { window, seen: Mutex::new(Seen { by_signature: HashMap::new(), last_prune: None }) }
    }

    /// True the first time `signature` (decoded bytes) is offered; false for a replay.
    pub fn first_use(&self, signature: &[u8], now: DateTime<Utc>) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.last_prune.is_none_or(|t| now - t >= Duration::seconds(1)) {
            let horizon = now - self.window;
            seen.by_signature.retain(|_, t| *t > horizon);
            seen.last_prune = Some(now);
        }
        match seen.by_signature.get(signature) {
            Some(t) if *t > now - self.window => false,
            _ => {
                seen.by_signature.insert(signature.to_vec(), now);
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
    use std::sync::Arc;

    use super::*;

    #[test]
    fn the_sixth_attempt_in_the_window_is_refused_and_the_window_slides() {
        let t = Throttle::new(5, Duration::minutes(15));
        let start = Utc::now();
        for i in 0..5 {
            assert!(t.acquire("d", start + Duration::seconds(i)).is_ok());
        }
        let retry = t.acquire("d", start + Duration::seconds(10)).unwrap_err();
        assert!((890..=900).contains(&retry), "{retry}");
        assert!(t.acquire("other", start).is_ok());
        assert!(t.acquire("d", start + Duration::minutes(15) + Duration::seconds(1)).is_ok());
        t.reset("d");
        assert!(t.acquire("d", start + Duration::seconds(10)).is_ok());
    }

    #[test]
    fn a_refunded_attempt_does_not_count() {
        let t = Throttle::new(2, Duration::minutes(15));
        let now = Utc::now();
        for i in 0..10 {
            let at = now + Duration::seconds(i);
            t.acquire("ip", at).unwrap();
            t.refund("ip", at);
        }
        assert!(t.acquire("ip", now).is_ok());
    }

    #[test]
    fn parallel_attempts_cannot_all_pass_the_check() {
        let t = Arc::new(Throttle::new(5, Duration::minutes(15)));
        let now = Utc::now();
        let handles: Vec<_> = (0..60)
            .map(|_| {
                let t = Arc::clone(&t);
                std::thread::spawn(move || t.acquire("admin", now).is_ok())
            })
            .collect();
        let passed = handles.into_iter().map(|h| h.join().unwrap()).filter(|ok| *ok).count();
        assert_eq!(passed, 5);
    }

    #[test]
    fn the_backoff_doubles_past_the_free_attempts_and_is_capped() {
        let b = Backoff::new(5, Duration::seconds(1), Duration::seconds(60), Duration::minutes(15));
        let mut now = Utc::now();
        for _ in 0..4 {
            b.acquire("admin", now).unwrap();
        }
        // The fifth failure starts the delay: 1 s, then 2, 4, 8, … 60 at most.
        b.acquire("admin", now).unwrap();
        assert_eq!(b.acquire("admin", now).unwrap_err(), 1);
        let mut expected = 1;
        for _ in 0..10 {
            now += Duration::seconds(expected);
            b.acquire("admin", now).unwrap();
            expected = (expected * 2).min(60);
            assert_eq!(b.acquire("admin", now).unwrap_err(), expected);
        }
        // Refused attempts are not counted: waiting out the delay is enough.
        now += Duration::seconds(60);
        assert!(b.acquire("admin", now).is_ok());
        b.reset("admin");
        assert!(b.acquire("admin", now).is_ok());
        // A quiet window forgets the failures.
        assert!(b.acquire("admin", now + Duration::minutes(16)).is_ok());
        assert!(b.acquire("admin", now + Duration::minutes(16)).is_ok());
    }

    #[test]
    fn a_signature_is_accepted_once() {
        let c = ReplayCache::new(Duration::minutes(10));
        let now = Utc::now();
        assert!(c.first_use(b"sig", now));
        assert!(!c.first_use(b"sig", now + Duration::seconds(5)));
        assert!(c.first_use(b"sig2", now));
        // Past the window the old signatures are forgotten, so memory stays bounded.
        let later = now + Duration::minutes(11);
        assert!(c.first_use(b"sig3", later));
        assert_eq!(c.len(), 1);
        assert!(c.first_use(b"sig", later), "an expired signature is refused by the clock check, not remembered");
    }
}
