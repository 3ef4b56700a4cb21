//! The payroll gate (seed 000, I3, INTERP-42) and period locks: a run for period P is refused
//! while P is locked, while P has not ended in the organisation's zone, or while an installed
//! tablet whose requirement applies to P has not completed a full sync after P's end; a run
//! locks P, an unlock reopens it, and both rebuild P's projected days.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use shared_model::{ErrorCode, PayPeriod};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{devices, locks, organisations, Device, PayrollRun, RunOutcome};

/// Why a tablet blocks a payroll run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockReason {
    /// It last reported stamps still queued.
    PendingEvents,
    /// It has not synced completely since the period ended.
    NotSyncedSincePeriodEnd,
}

/// A tablet that blocks the run.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BlockingDevice {
    pub id: Uuid,
    /// The tablet's name, `null` until an admin names it.
    pub name: Option<String>,
    pub reason: BlockReason,
    pub last_full_sync_at: Option<DateTime<Utc>>,
    pub pending_events: i64,
}

/// The gate's answer for a period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub period: String,
    /// The end instant E of the period in the organisation's zone.
    pub period_end: DateTime<Utc>,
    pub locked: bool,
    /// Whether the period has ended in the organisation's zone; payroll runs only for ended ones.
    pub ended: bool,
    pub blocking_devices: Vec<BlockingDevice>,
}

/// The gate as a pure function over the registry: D blocks P iff D is installed, its
/// requirement applies to P, and its last full sync is before E (or it never had one).
pub fn blocking_devices(devices: &[Device], period: PayPeriod, end: DateTime<Utc>) -> Result<Vec<BlockingDevice>, ApiError> {
    let mut out = Vec::new();
    for d in devices.iter().filter(|d| d.is_installed()) {
        if !d.sync_requirement()?.applies_to(period) {
            continue;
        }
        if d.last_full_sync_at.is_some_and(|t| t >= end) {
            continue;
        }
        let reason = if d.pending_events > 0 { BlockReason::PendingEvents } else { BlockReason::NotSyncedSincePeriodEnd };
        out.push(BlockingDevice { id: d.id, name: d.name.clone(), reason, last_full_sync_at: d.last_full_sync_at, pending_events: d.pending_events });
    }
    Ok(out)
}

pub async fn readiness(state: &AppState, org: Uuid, period: PayPeriod) -> Result<Readiness, ApiError> {
    let mut tx = state.store.begin_read().await?;
    let organisation = organisations::get(&mut tx, org).await?.ok_or(ApiError::NotFound("organisation"))?;
    let end = period.end(organisation.tz()?);
    let mut devices = Vec::new();
    let mut cursor = None;
    loop {
        let page = devices::list(&mut tx, org, cursor, 1000).await?;
        let full = page.len() == 1000;
        cursor = page.last().map(|d| d.id);
        devices.extend(page);
        if !full {
            break;
        }
    }
    let blocking = blocking_devices(&devices, period, end)?;
    let locked = locks::period_lock(&mut tx, org, period).await?.is_some();
    tx.commit().await?;
    let ended = state.clock.now() >= end;
    Ok(Readiness {
        ready: blocking.is_empty() && !locked && ended,
        period: period.to_string(),
        period_end: end,
        locked,
        ended,
        blocking_devices: blocking,
    })
}

fn period_locked(period: PayPeriod) -> ApiError {
    ApiError::coded(StatusCode::CONFLICT, ErrorCode::PeriodLocked, format!("pay period {period} is locked; unlock it first"))
}

/// Runs payroll for `period`: refused (409) while locked, not ended or blocked by tablets;
/// otherwise locks it (a concurrent second run finds it locked) and rebuilds its days.
#[tracing::instrument(skip(state))]
pub async fn run(state: &AppState, org: Uuid, period: PayPeriod, by: Uuid) -> Result<PayrollRun, ApiError> {
    let r = readiness(state, org, period).await?;
    if r.locked {
        return Err(period_locked(period));
    }
    if !r.ended {
        // Locking a month still running would flag every later stamp of it `locked_period`,
        // and "sync the tablets" could not be followed before it ends.
        return Err(ApiError::with_details(
            StatusCode::CONFLICT,
            ErrorCode::PeriodNotEnded,
            format!("pay period {period} has not ended yet; payroll can run from {}", r.period_end.to_rfc3339()),
            json!({ "period_end": r.period_end }),
        ));
    }
    if !r.blocking_devices.is_empty() {
        return Err(ApiError::with_details(
            StatusCode::CONFLICT,
            ErrorCode::DevicesNotSynced,
            format!("{} tablet(s) have not synced completely since {period} ended", r.blocking_devices.len()),
            json!({ "blocking_devices": r.blocking_devices, "period_end": r.period_end }),
        ));
    }
    // The run, the lock, the requirements it resets and their audit rows commit together; a
    // period found locked meanwhile commits nothing.
    let mut tx = state.store.begin().await?;
    match locks::run_payroll(&mut tx, org, period, by, state.clock.now()).await? {
        RunOutcome::AlreadyLocked => Err(period_locked(period)),
        RunOutcome::Locked(run) => {
            tx.commit().await?;
            tracing::info!(period = %period, by = %by, "payroll run; period locked");
            super::period_changed(state, org, period).await?;
            // The basis of the month just locked, stored with the run. Should this fail, the
            // run stands (the month is locked) and the first read of the basis computes it.
            if let Err(e) = crate::payroll::compute_and_store(state, org, run.id).await {
                tracing::warn!(run = %run.id, error = %e, "the payroll basis was not stored; it is computed on first read");
            }
            Ok(run)
        }
    }
}

/// Reopens a locked period (recorded); `false` when it was not locked.
#[tracing::instrument(skip(state))]
pub async fn unlock(state: &AppState, org: Uuid, period: PayPeriod, by: Uuid) -> Result<bool, ApiError> {
    let mut tx = state.store.begin().await?;
    if !locks::unlock_period(&mut tx, org, period, by, state.clock.now()).await? {
        return Ok(false);
    }
    tx.commit().await?;
    super::period_changed(state, org, period).await?;
    Ok(true)
}

