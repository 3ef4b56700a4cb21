//! The sync engine of PROTOCOL.md: pushes the outbox in pages of up to 500 and marks the
//! acknowledged events in one transaction, reports what is still queued, pulls config and
//! (when its version moved) the roster, and learns the clock offset from `server_time`. The
//! loop syncs at start-up, on "Sync now" and on reconnect, then every interval the server sets
//! (missed ticks skipped); failures back off exponentially with jitter up to 30 minutes and
//! the schedule resets after the next success (I2, INTERP-44).

use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared_model::wire::{SyncRequest, SyncResponse, DEFAULT_SYNC_INTERVAL_S, MAX_EVENTS_PER_PAGE};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};
use crate::http::Failure;
use crate::store::{self, Store, SyncLogEntry};
use crate::Kiosk;

/// The first retry delay after a failed sync.
pub const BACKOFF_BASE: StdDuration = StdDuration::from_secs(5);
/// The longest retry delay.
pub const BACKOFF_CAP: StdDuration = StdDuration::from_secs(30 * 60);

/// What the engine knows only in memory.
#[derive(Debug, Default)]
pub(crate) struct Runtime {
    online: Option<bool>,
    next_sync_due: Option<DateTime<Utc>>,
    consecutive_failures: u32,
}

/// What one sync did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct SyncReport {
    /// Events sent, over every page.
    pub sent: u64,
    /// Events the server acknowledged (duplicates included).
    pub acked: u64,
    /// Events still queued after the last page.
    pub pending_after: u64,
    /// Whether a new roster was installed.
    pub roster_updated: bool,
    /// Whether the server now holds everything (a full sync).
    pub full: bool,
    /// Whether an admin or manager had asked this tablet to sync (the answer's
    /// `config.sync_requested`): the week view was refreshed as by the regular cycle.
    pub requested: bool,
}

/// The last error of the sync, for people.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SyncErrorInfo {
    /// The stable code the UI translates.
    pub code: String,
    /// The sentence in English (logs, command line).
    pub message: String,
}

/// The badge and settings page of the kiosk.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SyncStatus {
    pub enrolled: bool,
    /// The last contact attempt reached the server; `false` while offline; unknown before the first.
    pub online: Option<bool>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The last sync after which nothing was left on the tablet.
    pub last_full_sync_at: Option<DateTime<Utc>>,
    pub pending: u64,
    pub next_sync_due: Option<DateTime<Utc>>,
    pub last_error: Option<SyncErrorInfo>,
    /// The server reported this tablet as uninstalled: it takes no more stamps.
    pub uninstalled: bool,
    pub sync_interval_s: u32,
}

/// Full jitter in `[d/2, d]` of `BACKOFF_BASE * 2^(failures-1)`, capped at 30 minutes.
pub fn backoff_delay(failures: u32, random: u64) -> StdDuration {
    let exp = failures.saturating_sub(1).min(20);
    let d = BACKOFF_BASE.saturating_mul(1u32 << exp).min(BACKOFF_CAP);
    let half = d / 2;
    let spread = half.as_millis().max(1) as u64;
    half + StdDuration::from_millis(random % (spread + 1))
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    // If the system RNG fails, a fixed jitter still backs off correctly.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b);
    u64::from_le_bytes(b)
}

fn quarantined(details: &Option<serde_json::Value>) -> Vec<Uuid> {
    details
        .as_ref()
        .and_then(|d| d.get("quarantined"))
        .and_then(|q| q.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

impl Kiosk {
    /// The status for the UI, read from the database and the engine's memory.
    pub fn sync_status(&self) -> CoreResult<SyncStatus> {
        let device = self.inner.store.device()?;
        let pending = self.inner.store.pending_count()?;
        let rt = self.inner.runtime.lock().unwrap_or_else(|p| p.into_inner());
        Ok(SyncStatus {
            enrolled: device.is_some(),
            online: rt.online,
            last_sync_at: device.as_ref().and_then(|d| d.last_sync_at),
            last_full_sync_at: device.as_ref().and_then(|d| d.last_full_sync_at),
            pending,
            next_sync_due: rt.next_sync_due,
            last_error: device
                .as_ref()
                .and_then(|d| d.last_error.clone())
                .map(|(code, message)| SyncErrorInfo { code, message }),
            uninstalled: device.as_ref().is_some_and(|d| d.uninstalled_at.is_some()),
            sync_interval_s: device.as_ref().map(|d| d.sync_interval_s).unwrap_or(DEFAULT_SYNC_INTERVAL_S),
        })
    }

    fn set_online(&self, online: bool) {
        self.inner.runtime.lock().unwrap_or_else(|p| p.into_inner()).online = Some(online);
    }

    /// Syncs now: every page until nothing is pending. One sync runs at a time.
    pub async fn sync_now(&self) -> CoreResult<SyncReport> {
        let _gate = self.inner.sync_gate.lock().await;
        self.sync_locked().await
    }

    /// The quick sync after a stamp: the pending pages only (their answers still carry the
    /// config and, when it moved, the roster); the week summaries wait for the regular sync,
    /// so a queue of stamps at shift change does not make the server compute every week anew.
    pub async fn sync_stamps(&self) -> CoreResult<SyncReport> {
        let _gate = self.inner.sync_gate.lock().await;
        self.sync_inner(false).await
    }

    /// The sync itself; the caller holds the sync gate.
    pub(crate) async fn sync_locked(&self) -> CoreResult<SyncReport> {
        self.sync_inner(true).await
    }

    async fn sync_inner(&self, with_weeks: bool) -> CoreResult<SyncReport> {
        let started_at = self.inner.clock.now();
        let mut report = SyncReport::default();
        let result = self.push_pages(&mut report).await;
        // An admin's request makes even the quick sync after a stamp a whole one.
        if result.is_ok() && (with_weeks || report.requested) {
            // The week view is a convenience: a failure leaves the last one and the sync stands.
            if let Err(e) = self.fetch_weeks().await {
                tracing::warn!(code = e.code(), error = %e, "fetching the weeks failed; the last ones stay");
            }
        }
        let finished_at = self.inner.clock.now();
        let error = result.as_ref().err().map(|e| (e.code().to_owned(), e.to_string()));
        match &result {
            Ok(()) => tracing::info!(sent = report.sent, pending = report.pending_after, "sync done"),
            Err(e) => tracing::warn!(code = e.code(), error = %e, "sync failed"),
        }
        if !matches!(result, Err(CoreError::NotEnrolled)) {
            let entry = SyncLogEntry {
                started_at,
                finished_at,
                ok: result.is_ok(),
                sent: report.sent,
                acked: report.acked,
                pending_after: report.pending_after,
                error,
            };
            self.inner.store.write(|tx| Store::log_sync(tx, &entry))?;
        }
        result.map(|()| report)
    }

    /// Fetches the roster's weeks from the server's timesheet and caches them (issue 12, item 7).
    async fn fetch_weeks(&self) -> CoreResult<()> {
        let answer = match self.post_signed::<_, shared_model::wire::WeekSummaries>("/api/v1/device/weeks", &serde_json::json!({})).await {
            Ok(a) => a,
            Err(Failure::Transport(why)) => return Err(CoreError::Offline(why)),
            Err(f) => return Err(f.into()),
        };
        let weeks = answer.body;
        self.inner.store.write(|tx| store::replace_weeks(tx, &weeks))?;
        tracing::debug!(employees = weeks.employees.len(), "weeks cached");
        Ok(())
    }

    async fn push_pages(&self, report: &mut SyncReport) -> CoreResult<()> {
        loop {
            let device = self.device()?;
            let (events, pending_after, oldest_pending_at) = self.inner.store.pending_page(MAX_EVENTS_PER_PAGE)?;
            let page_len = events.len() as u64;
            let req = SyncRequest {
                events,
                pending_after: u32::try_from(pending_after).unwrap_or(u32::MAX),
                oldest_pending_at,
                roster_version: device.roster_version.clone(),
            };
            report.sent += page_len;
            let answer = self.post_signed::<_, SyncResponse>("/api/v1/device/sync", &req).await;
            let answer = match answer {
                Ok(a) => a,
                Err(Failure::Transport(why)) => {
                    self.set_online(false);
                    return Err(CoreError::Offline(why));
                }
                Err(Failure::Api { code, details, .. }) if code == shared_model::ErrorCode::DeviceUninstalled.as_str() => {
                    self.set_online(true);
                    let ids = quarantined(&details);
                    let now = self.inner.clock.now();
                    let marked = self.inner.store.write(|tx| {
                        store::mark_uninstalled(tx, now)?;
                        Store::mark_synced(tx, &ids, now)
                    })?;
                    report.acked += marked as u64;
                    tracing::warn!(quarantined = marked, "the server reports this tablet as uninstalled");
                    if marked > 0 && pending_after > 0 {
                        continue; // keep handing the queue over to the quarantine
                    }
                    report.pending_after = self.inner.store.pending_count()?;
                    return Err(CoreError::DeviceUninstalled);
                }
                Err(f) => {
                    self.set_online(true);
                    return Err(f.into());
                }
            };
            self.set_online(true);
            let resp = &answer.body;
            let offset = answer.offset_ms(resp.server_time);
            let now = self.inner.clock.now();
            let acked = self.inner.store.write(|tx| {
                let n = Store::mark_synced(tx, &resp.acked, now)?;
                store::apply_config(tx, &resp.config)?;
                if let Some(roster) = &resp.roster {
                    Store::replace_roster(tx, roster)?;
                }
                // Small differences are network noise; moving the clock for them would only
                // reorder stamps made a moment apart.
                if (offset - device.clock_offset_ms).abs() > 1000 {
                    tx.execute("UPDATE device SET clock_offset_ms = ?1", [offset])?;
                }
                Ok(n)
            })?;
            report.acked += resp.acked.len() as u64;
            report.roster_updated |= resp.roster.is_some();
            if resp.config.sync_requested && !report.requested {
                tracing::info!("an admin asked this tablet to sync");
                report.requested = true;
            }
            if resp.roster.is_some() {
                tracing::info!("roster updated");
            }
            if page_len > 0 && acked == 0 && resp.acked.is_empty() {
                return Err(CoreError::Server {
                    status: 200,
                    code: "nothing_acknowledged".into(),
                    message: "the server acknowledged none of the events sent".into(),
                });
            }
            report.pending_after = self.inner.store.pending_count()?;
            if page_len == 0 || pending_after == 0 {
                report.full = report.pending_after == 0;
                return Ok(());
            }
        }
    }
}

/// A command to the running sync loop.
#[derive(Debug)]
enum Command {
    SyncNow(oneshot::Sender<CoreResult<SyncReport>>),
    Reconnected,
    Stamped,
}

/// After a stamp, the sync waits this long for more stamps (a queue at shift change)...
pub const STAMP_DEBOUNCE: StdDuration = StdDuration::from_secs(2);
/// ...but never longer than this after the first stamp of a burst.
pub const STAMP_DEBOUNCE_MAX: StdDuration = StdDuration::from_secs(10);

/// The handle the UI shell keeps: "Sync now", reconnect notices, shutdown.
pub struct SyncHandle {
    tx: mpsc::Sender<Command>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// Syncs at once and answers with the result ("Sync now" in settings).
    pub async fn sync_now(&self) -> CoreResult<SyncReport> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::SyncNow(reply)).await.map_err(|_| CoreError::Offline("the sync engine has stopped".into()))?;
        rx.await.map_err(|_| CoreError::Offline("the sync engine has stopped".into()))?
    }

    /// The network came back: sync at once, without waiting for the backoff.
    pub fn reconnected(&self) {
        let _ = self.tx.try_send(Command::Reconnected);
    }

    /// A stamp was just made: sync soon, so the office sees it in seconds rather than at the
    /// next regular sync. Debounced (one sync for a burst of stamps: [`STAMP_DEBOUNCE`] after
    /// the last, at most [`STAMP_DEBOUNCE_MAX`] after the first); ignored while the engine is
    /// backing off after a failure, whose retry (or a reconnect) sends the stamp anyway.
    pub fn stamped(&self) {
        let _ = self.tx.try_send(Command::Stamped);
    }

    /// Stops the loop (after a sync in flight finishes).
    pub async fn shutdown(self) {
        drop(self.tx);
        let _ = self.task.await;
    }
}

fn interval_of(kiosk: &Kiosk) -> StdDuration {
    let s = kiosk.device().map(|d| d.sync_interval_s).unwrap_or(DEFAULT_SYNC_INTERVAL_S).max(1);
    StdDuration::from_secs(u64::from(s))
}

fn ticker(period: StdDuration, first: Instant) -> tokio::time::Interval {
    let mut t = tokio::time::interval_at(first, period);
    t.set_missed_tick_behavior(MissedTickBehavior::Skip);
    t
}

/// Starts the sync loop on the current tokio runtime; the first sync runs at once.
pub fn spawn(kiosk: Kiosk) -> SyncHandle {
    let (tx, mut rx) = mpsc::channel::<Command>(8);
    let task = tokio::spawn(async move {
        let mut period = interval_of(&kiosk);
        let mut ticks = ticker(period, Instant::now());
        let mut retry_at: Option<Instant> = None;
        let mut last_regular = Instant::now();
        // A burst of stamps: (first, sync due) while one is waiting for its debounce.
        let mut soon: Option<(Instant, Instant)> = None;
        loop {
            let mut reply = None;
            let mut after_stamp = false;
            tokio::select! {
                _ = ticks.tick(), if retry_at.is_none() => {}
                _ = tokio::time::sleep_until(retry_at.unwrap_or_else(Instant::now)), if retry_at.is_some() => {}
                _ = tokio::time::sleep_until(soon.map_or_else(Instant::now, |s| s.1)), if soon.is_some() => after_stamp = true,
                cmd = rx.recv() => match cmd {
                    None => break,
                    Some(Command::SyncNow(r)) => reply = Some(r),
                    Some(Command::Reconnected) => {}
                    Some(Command::Stamped) => {
                        if retry_at.is_none() {
                            let now = Instant::now();
                            let first = soon.map_or(now, |s| s.0);
                            soon = Some((first, (now + STAMP_DEBOUNCE).min(first + STAMP_DEBOUNCE_MAX)));
                        }
                        continue;
                    }
                },
            }
            soon = None;
            let result = if after_stamp { kiosk.sync_stamps().await } else { kiosk.sync_now().await };
            let wait = match &result {
                // The quick sync after a stamp leaves the regular cycle where it was.
                Ok(_) if after_stamp => {
                    kiosk.inner.runtime.lock().unwrap_or_else(|p| p.into_inner()).consecutive_failures = 0;
                    ticks.period().saturating_sub(Instant::now().saturating_duration_since(last_regular))
                }
                Ok(_) => {
                    retry_at = None;
                    last_regular = Instant::now();
                    kiosk.inner.runtime.lock().unwrap_or_else(|p| p.into_inner()).consecutive_failures = 0;
                    let new_period = interval_of(&kiosk);
                    if new_period != period {
                        period = new_period;
                        ticks = ticker(period, Instant::now() + period);
                    } else {
                        ticks.reset();
                    }
                    period
                }
                Err(CoreError::NotEnrolled) => {
                    retry_at = None;
                    ticks.reset();
                    period
                }
                Err(_) => {
                    let failures = {
                        let mut rt = kiosk.inner.runtime.lock().unwrap_or_else(|p| p.into_inner());
                        rt.consecutive_failures = rt.consecutive_failures.saturating_add(1);
                        rt.consecutive_failures
                    };
                    let d = backoff_delay(failures, random_u64());
                    retry_at = Some(Instant::now() + d);
                    d
                }
            };
            let due = kiosk.inner.clock.now() + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::seconds(300));
            kiosk.inner.runtime.lock().unwrap_or_else(|p| p.into_inner()).next_sync_due = Some(due);
            if let Some(r) = reply {
                let _ = r.send(result);
            }
        }
    });
    SyncHandle { tx, task }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_thirty_minutes() {
        for (failures, lo, hi) in [(1, 2_500, 5_000), (2, 5_000, 10_000), (3, 10_000, 20_000), (10, 900_000, 1_800_000), (40, 900_000, 1_800_000)] {
            for random in [0, 1, 12_345, u64::MAX] {
                let d = backoff_delay(failures, random).as_millis() as u64;
                assert!((lo..=hi).contains(&d), "failures {failures}: {d} ms not in {lo}..={hi}");
            }
        }
        assert_eq!(backoff_delay(40, 0), BACKOFF_CAP / 2);
        assert!(backoff_delay(40, u64::MAX) <= BACKOFF_CAP);
    }
}
