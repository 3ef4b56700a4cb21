//! The ledger service between `api/` and `store/`: what a stamp means.
//!
//! - [`ingest`]: a page of tablet events → typed status and anomaly flags (references checked,
//!   business anomalies flagged, never refused; `locked_period` decided by the D3 work day),
//!   the employee-days it touches. The store writes page, device bookkeeping and dirty days in
//!   one transaction.
//! - [`projection`]: the per-employee-day projection, rebuilt only for dirty days (a tablet a
//!   week offline rebuilds that week), from the same pure function
//!   (`shared_model::rules::employee_day::project`) any from-scratch recomputation uses.
//!
//! A sync, end to end: `api/device.rs::sync` (signature, page shape) → `ledger::ingest::classify`
//! → `Store::store_sync_page` (records + bookkeeping + `ledger_dirty_days`, one transaction) →
//! `ledger::projection::drain` (claims dirty days, rebuilds them in their own transaction) →
//! `GET /api/v1/employees/{id}/days` reads `ledger_days`.

pub mod gate;
pub mod ingest;
pub mod projection;

use chrono::Duration;
use shared_model::PayPeriod;
use uuid::Uuid;

use crate::state::AppState;
use crate::store::StoreError;

/// A period was locked or unlocked: records that arrived late for it count (or stop counting)
/// again, so the projected days of the employees who have such records are queued for a
/// rebuild.
pub async fn period_changed(state: &AppState, org: Uuid, period: PayPeriod) -> Result<(), StoreError> {
    let first = period.first_day();
    let last = period.next().first_day() - Duration::days(1);
    let (late_from, late_to) = late_window(first, last);
    let mut tx = state.store.begin().await?;
    crate::store::ledger::mark_projected_dirty(&mut tx, org, None, first, last, late_from, late_to, state.clock.now()).await?;
    tx.commit().await?;
    // The background task rebuilds the month; the days endpoint drains before it reads.
    state.projection_wake.notify_one();
    Ok(())
}

/// The instants in which a record of a work day between `first` and `last` can lie, in any
/// time zone: D3 puts a stamp at most a day before its local date, and zones are within ±14 h.
pub fn late_window(first: chrono::NaiveDate, last: chrono::NaiveDate) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = (first - Duration::days(2)).and_time(chrono::NaiveTime::MIN).and_utc();
    let end = (last + Duration::days(3)).and_time(chrono::NaiveTime::MIN).and_utc();
    (start, end)
}

/// Keeps the projection current: drains at start (the days a migration or a crash left
/// queued), whenever a sync rings `state.projection_wake`, and every `every`; prunes the
/// signature log on the way. Ends when `stop` resolves.
pub async fn keep_projection_current(state: AppState, every: std::time::Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match projection::drain(&state, None).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(days = n, "projection rebuilt"),
            Err(e) => tracing::warn!(error = %e, "projection drain failed; the days stay queued"),
        }
        if let Err(e) = prune_signatures(&state).await {
            tracing::warn!(error = %e, "pruning the signature log failed");
        }
        tokio::select! {
            _ = state.projection_wake.notified() => {}
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

async fn prune_signatures(state: &AppState) -> Result<(), StoreError> {
    let window = Duration::seconds(2 * shared_model::device_auth::MAX_CLOCK_SKEW_S + 60);
    let mut tx = state.store.begin().await?;
    crate::store::ledger::forget_signatures_before(&mut tx, state.clock.now() - window).await?;
    tx.commit().await
}
