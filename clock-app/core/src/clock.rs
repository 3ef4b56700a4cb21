//! The tablet's raw clock, injectable: production reads the system clock; tests shift it to
//! simulate an offline week, a lockout window or a tablet whose clock is a day off.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// System time plus an adjustable offset (zero in production); clones share the offset.
#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock running `offset` away from the system clock (tests, support).
    pub fn shifted(offset: Duration) -> Clock {
        let c = Clock::default();
        c.advance(offset);
        c
    }

    /// The raw device time: what the tablet believes, not corrected by the server's.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone) by `by`, forward or back.
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}
