//! The kiosk's SQLite database: WAL, `synchronous=FULL` (a stamp survives power loss once its
//! commit returns), foreign keys, and the migrations of `migrations/clock` applied in order.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration as StdDuration;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use shared_model::wire::{Policy, Roster, RosterEmployee, RosterLink};
use shared_model::{PunchEvent, PunchKind, Role, SyncRequirement};
use uuid::Uuid;

use crate::error::{CoreError, CoreResult};

/// The migrations, in order; `PRAGMA user_version` counts how many are applied.
const MIGRATIONS: &[&str] = &[include_str!("../../../migrations/clock/0001_initial.sql"), include_str!("../../../migrations/clock/0002_weeks.sql"),
    include_str!("../../../migrations/clock/0003_links_required.sql"),
];

/// The database file inside the app data directory.
pub const DB_FILE: &str = "clock.db";

/// One connection behind a mutex: the kiosk writes little, and one writer keeps the
/// per-device sequence trivially gap-free.
pub struct Store {
    conn: Mutex<Connection>,
}

/// The enrolled tablet and what the server last told it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRecord {
    pub device_id: Uuid,
    pub server_url: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub time_zone: String,
    pub enrolled_at: DateTime<Utc>,
    pub sync_interval_s: u32,
    pub policy: Policy,
    pub sync_requirement: Option<SyncRequirement>,
    /// Whether a start must name a link (the organisation's setting from the last sync answer;
    /// true until the first).
    pub links_required: bool,
    /// Server time minus raw device time.
    pub clock_offset_ms: i64,
    pub roster_version: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_full_sync_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<(String, String)>,
    pub uninstalled_at: Option<DateTime<Utc>>,
}

/// A punch event before the store gives it its sequence number.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub id: Uuid,
    pub employee_id: Uuid,
    pub kind: PunchKind,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    pub occurred_at: DateTime<FixedOffset>,
    pub device_clock_at: DateTime<FixedOffset>,
}

/// An outbox row: the event and whether the server has acknowledged it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub event: PunchEvent,
    pub synced_at: Option<DateTime<Utc>>,
}

/// One sync attempt for the sync log.
#[derive(Debug, Clone)]
pub struct SyncLogEntry {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub ok: bool,
    pub sent: u64,
    pub acked: u64,
    pub pending_after: u64,
    pub error: Option<(String, String)>,
}

/// Lockout state of one employee on this tablet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinFailures {
    pub failures: u32,
    pub locked_until_ms: Option<i64>,
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn ts_fixed(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, false)
}

fn parse_ts(s: &str) -> CoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| CoreError::Corrupt(format!("time {s:?}: {e}")))
}

fn parse_opt_ts(s: Option<String>) -> CoreResult<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

fn parse_uuid(s: &str) -> CoreResult<Uuid> {
    s.parse().map_err(|e| CoreError::Corrupt(format!("uuid {s:?}: {e}")))
}

const EVENT_COLS: &str = "device_seq, id, employee_id, kind, link_id, comment, occurred_at, device_clock_at, synced_at";

/// An events row as SQLite returns it, before parsing.
struct RawEvent {
    seq: i64,
    id: String,
    employee_id: String,
    kind: String,
    link_id: Option<String>,
    comment: Option<String>,
    occurred_at: String,
    device_clock_at: String,
    synced_at: Option<String>,
}

fn decode_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEvent> {
    Ok(RawEvent {
        seq: r.get(0)?,
        id: r.get(1)?,
        employee_id: r.get(2)?,
        kind: r.get(3)?,
        link_id: r.get(4)?,
        comment: r.get(5)?,
        occurred_at: r.get(6)?,
        device_clock_at: r.get(7)?,
        synced_at: r.get(8)?,
    })
}

fn parse_fixed(s: &str) -> CoreResult<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).map_err(|e| CoreError::Corrupt(format!("time {s:?}: {e}")))
}

fn build_event(raw: RawEvent) -> CoreResult<StoredEvent> {
    let event = PunchEvent {
        id: parse_uuid(&raw.id)?,
        device_seq: raw.seq,
        employee_id: parse_uuid(&raw.employee_id)?,
        kind: PunchKind::parse(&raw.kind).ok_or_else(|| CoreError::Corrupt(format!("kind {:?}", raw.kind)))?,
        link_id: raw.link_id.as_deref().map(parse_uuid).transpose()?,
        comment: raw.comment,
        occurred_at: parse_fixed(&raw.occurred_at)?,
        device_clock_at: parse_fixed(&raw.device_clock_at)?,
    };
    Ok(StoredEvent { event, synced_at: parse_opt_ts(raw.synced_at)? })
}

impl Store {
    /// Opens (creating if needed) the database in `dir` and brings its schema up to date;
    /// `max_bytes` caps its size (SQLite answers SQLITE_FULL past it, as on a full disk).
    pub fn open(dir: &Path, max_bytes: Option<u64>) -> CoreResult<Store> {
        std::fs::create_dir_all(dir)?;
        let conn = Connection::open(dir.join(DB_FILE))?;
        conn.busy_timeout(StdDuration::from_secs(10))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(CoreError::Corrupt(format!("journal_mode is {mode}, expected wal")));
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        if let Some(bytes) = max_bytes {
            let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            let pages = bytes / u64::try_from(page).unwrap_or(4096).max(1);
            // SQLite never lowers the cap below the pages already in use.
            conn.query_row(&format!("PRAGMA max_page_count = {}", pages.max(1)), [], |_| Ok(()))?;
        }
        let store = Store { conn: Mutex::new(conn) };
        store.migrate()?;
        Ok(store)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls back),
        // so a poisoned mutex is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn migrate(&self) -> CoreResult<()> {
        let mut conn = self.lock();
        let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(applied).unwrap_or(0)) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have migrated between our read and our lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now > i as i64 {
                continue;
            }
            tx.execute_batch(sql)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
            tx.commit()?;
            tracing::info!(migration = i + 1, "local database migrated");
        }
        Ok(())
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it is durable when this returns Ok.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> CoreResult<T>) -> CoreResult<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in a read transaction (a consistent snapshot).
    pub fn read<T>(&self, f: impl FnOnce(&Transaction<'_>) -> CoreResult<T>) -> CoreResult<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The enrolled device, if any.
    pub fn device(&self) -> CoreResult<Option<DeviceRecord>> {
        self.read(device)
    }

    /// Stores the identity after a successful enrolment.
    pub fn insert_device(&self, d: &DeviceRecord) -> CoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO device (id, device_id, server_url, organisation_id, organisation_name, time_zone, \
                 enrolled_at, sync_interval_s, policy, clock_offset_ms, links_required, next_seq) \
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, \
                 COALESCE((SELECT MAX(device_seq) FROM events), 0) + 1)",
                params![
                    d.device_id.to_string(),
                    d.server_url,
                    d.organisation_id.to_string(),
                    d.organisation_name,
                    d.time_zone,
                    ts(d.enrolled_at),
                    d.sync_interval_s,
                    d.policy.as_str(),
                    d.clock_offset_ms,
                    d.links_required
                ],
            )?;
            Ok(())
        })
    }

    /// Remembers the offset learned from `server_time`.
    pub fn set_clock_offset(&self, offset_ms: i64) -> CoreResult<()> {
        self.write(|tx| {
            tx.execute("UPDATE device SET clock_offset_ms = ?1", [offset_ms])?;
            Ok(())
        })
    }

    /// Appends events in order, each with the next device sequence number, in `tx`.
    pub fn append(tx: &Transaction<'_>, drafts: &[EventDraft]) -> CoreResult<Vec<PunchEvent>> {
        let mut next: i64 = tx
            .query_row("SELECT next_seq FROM device WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .ok_or(CoreError::NotEnrolled)?;
        let mut out = Vec::with_capacity(drafts.len());
        for d in drafts {
            let e = PunchEvent {
                id: d.id,
                device_seq: next,
                employee_id: d.employee_id,
                kind: d.kind,
                link_id: d.link_id,
                comment: d.comment.clone(),
                occurred_at: d.occurred_at,
                device_clock_at: d.device_clock_at,
            };
            e.check_shape(false).map_err(CoreError::Corrupt)?;
            tx.execute(
                "INSERT INTO events (device_seq, id, employee_id, kind, link_id, comment, occurred_at, occurred_at_ms, device_clock_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    e.device_seq,
                    e.id.to_string(),
                    e.employee_id.to_string(),
                    e.kind.as_str(),
                    e.link_id.map(|l| l.to_string()),
                    e.comment,
                    ts_fixed(e.occurred_at),
                    e.occurred_at.timestamp_millis(),
                    ts_fixed(e.device_clock_at)
                ],
            )?;
            next += 1;
            out.push(e);
        }
        tx.execute("UPDATE device SET next_seq = ?1 WHERE id = 1", [next])?;
        Ok(out)
    }

    /// One employee's events that occurred at or after `since`, oldest first.
    pub fn employee_events(tx: &Transaction<'_>, employee: Uuid, since: DateTime<Utc>) -> CoreResult<Vec<PunchEvent>> {
        let mut stmt = tx.prepare(&format!(
            "SELECT {EVENT_COLS} FROM events WHERE employee_id = ?1 AND occurred_at_ms >= ?2 ORDER BY occurred_at_ms, device_seq"
        ))?;
        let rows = stmt.query_map(params![employee.to_string(), since.timestamp_millis()], decode_event)?;
        rows.map(|r| build_event(r?).map(|s| s.event)).collect()
    }

    /// Every event in sequence order (support, tests).
    pub fn all_events(&self) -> CoreResult<Vec<StoredEvent>> {
        self.read(|tx| {
            let mut stmt = tx.prepare(&format!("SELECT {EVENT_COLS} FROM events ORDER BY device_seq"))?;
            let rows = stmt.query_map([], decode_event)?;
            rows.map(|r| build_event(r?)).collect()
        })
    }

    /// The oldest `limit` events not yet acknowledged, with how many remain after them and the
    /// `occurred_at` of the oldest of those.
    pub fn pending_page(&self, limit: usize) -> CoreResult<(Vec<PunchEvent>, u64, Option<DateTime<Utc>>)> {
        self.read(|tx| {
            let mut stmt = tx.prepare(&format!(
                "SELECT {EVENT_COLS} FROM events WHERE synced_at IS NULL ORDER BY device_seq LIMIT ?1"
            ))?;
            let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], decode_event)?;
            let page: Vec<PunchEvent> = rows.map(|r| build_event(r?).map(|s| s.event)).collect::<CoreResult<_>>()?;
            let last = page.last().map(|e| e.device_seq).unwrap_or(0);
            let after: i64 = tx.query_row(
                "SELECT COUNT(*) FROM events WHERE synced_at IS NULL AND device_seq > ?1",
                [last],
                |r| r.get(0),
            )?;
            let oldest: Option<i64> = tx.query_row(
                "SELECT MIN(occurred_at_ms) FROM events WHERE synced_at IS NULL AND device_seq > ?1",
                [last],
                |r| r.get(0),
            )?;
            let oldest = oldest.and_then(DateTime::<Utc>::from_timestamp_millis);
            Ok((page, u64::try_from(after).unwrap_or(0), oldest))
        })
    }

    /// How many events wait for the server.
    pub fn pending_count(&self) -> CoreResult<u64> {
        self.read(|tx| {
            let n: i64 = tx.query_row("SELECT COUNT(*) FROM events WHERE synced_at IS NULL", [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// Marks acknowledged events as synced, in `tx`.
    pub fn mark_synced(tx: &Transaction<'_>, ids: &[Uuid], at: DateTime<Utc>) -> CoreResult<usize> {
        let mut stmt = tx.prepare("UPDATE events SET synced_at = ?2 WHERE id = ?1 AND synced_at IS NULL")?;
        let mut n = 0;
        let at = ts(at);
        for id in ids {
            n += stmt.execute(params![id.to_string(), at])?;
        }
        Ok(n)
    }

    /// Replaces the roster cache with `roster`, in `tx`.
    pub fn replace_roster(tx: &Transaction<'_>, roster: &Roster) -> CoreResult<()> {
        tx.execute_batch("DELETE FROM roster_assignments; DELETE FROM roster_employees; DELETE FROM roster_links;")?;
        {
            let mut link = tx.prepare("INSERT INTO roster_links (id, project, account, active) VALUES (?1, ?2, ?3, ?4)")?;
            for l in &roster.links {
                link.execute(params![l.id.to_string(), l.project, l.account, l.active])?;
            }
            let mut emp = tx.prepare(
                "INSERT INTO roster_employees (id, number, name, role, pin_hash, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut assign =
                tx.prepare("INSERT OR IGNORE INTO roster_assignments (employee_id, link_id) SELECT ?1, id FROM roster_links WHERE id = ?2")?;
            for e in &roster.employees {
                emp.execute(params![e.id.to_string(), e.number, e.name, e.role.as_str(), e.pin_hash, e.active])?;
                for l in &e.links {
                    assign.execute(params![e.id.to_string(), l.to_string()])?;
                }
            }
        }
        tx.execute("UPDATE device SET roster_version = ?1", [&roster.version])?;
        Ok(())
    }

    /// The cached employee with this number.
    pub fn employee_by_number(&self, number: &str) -> CoreResult<Option<RosterEmployee>> {
        self.read(|tx| {
            let id: Option<String> =
                tx.query_row("SELECT id FROM roster_employees WHERE number = ?1", [number], |r| r.get(0)).optional()?;
            match id {
                Some(id) => employee_in(tx, parse_uuid(&id)?),
                None => Ok(None),
            }
        })
    }

    /// The cached employee with this id.
    pub fn employee(&self, id: Uuid) -> CoreResult<Option<RosterEmployee>> {
        self.read(|tx| employee_in(tx, id))
    }

    /// Every cached link.
    pub fn links(&self) -> CoreResult<Vec<RosterLink>> {
        self.read(links_in)
    }

    /// The lockout state of one employee.
    pub fn pin_failures(&self, employee: Uuid) -> CoreResult<PinFailures> {
        self.read(|tx| {
            let row: Option<(u32, Option<i64>)> = tx
                .query_row(
                    "SELECT failures, locked_until_ms FROM pin_failures WHERE employee_id = ?1",
                    [employee.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            Ok(row.map(|(failures, locked_until_ms)| PinFailures { failures, locked_until_ms }).unwrap_or_default())
        })
    }

    /// Writes the lockout state of one employee (a zero state deletes the row).
    pub fn set_pin_failures(&self, employee: Uuid, f: PinFailures) -> CoreResult<()> {
        self.write(|tx| {
            if f == PinFailures::default() {
                tx.execute("DELETE FROM pin_failures WHERE employee_id = ?1", [employee.to_string()])?;
            } else {
                tx.execute(
                    "INSERT INTO pin_failures (employee_id, failures, locked_until_ms) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (employee_id) DO UPDATE SET failures = excluded.failures, locked_until_ms = excluded.locked_until_ms",
                    params![employee.to_string(), f.failures, f.locked_until_ms],
                )?;
            }
            Ok(())
        })
    }

    /// Appends a row to the sync log and records the outcome on the device row.
    pub fn log_sync(tx: &Transaction<'_>, e: &SyncLogEntry) -> CoreResult<()> {
        let (code, message) = e.error.clone().unzip();
        tx.execute(
            "INSERT INTO sync_log (started_at, finished_at, outcome, sent, acked, pending_after, error_code, error_message) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                ts(e.started_at),
                ts(e.finished_at),
                if e.ok { "ok" } else { "error" },
                i64::try_from(e.sent).unwrap_or(i64::MAX),
                i64::try_from(e.acked).unwrap_or(i64::MAX),
                i64::try_from(e.pending_after).unwrap_or(i64::MAX),
                code,
                message
            ],
        )?;
        // Keep the log bounded: the last thousand attempts are plenty for support.
        tx.execute("DELETE FROM sync_log WHERE id <= (SELECT MAX(id) FROM sync_log) - 1000", [])?;
        if e.ok {
            tx.execute(
                "UPDATE device SET last_attempt_at = ?1, last_sync_at = ?1, last_error_code = NULL, last_error_message = NULL, \
                 last_full_sync_at = CASE WHEN ?2 = 0 THEN ?1 ELSE last_full_sync_at END",
                params![ts(e.finished_at), i64::try_from(e.pending_after).unwrap_or(i64::MAX)],
            )?;
        } else {
            tx.execute(
                "UPDATE device SET last_attempt_at = ?1, last_error_code = ?2, last_error_message = ?3",
                params![ts(e.finished_at), code, message],
            )?;
        }
        Ok(())
    }

    /// How many sync attempts are logged (support, tests).
    pub fn sync_log_len(&self) -> CoreResult<u64> {
        self.read(|tx| Ok(tx.query_row("SELECT COUNT(*) FROM sync_log", [], |r| r.get::<_, i64>(0))?.max(0) as u64))
    }

    /// After an uninstall: forget the identity, the roster, lockouts, the log and every synced
    /// event. Unsynced events (there should be none) are kept.
    pub fn wipe_synced(&self) -> CoreResult<u64> {
        self.write(|tx| {
            tx.execute_batch(
                "DELETE FROM events WHERE synced_at IS NOT NULL; DELETE FROM roster_assignments; \
                 DELETE FROM roster_employees; DELETE FROM roster_links; DELETE FROM pin_failures; \
                 DELETE FROM sync_log; DELETE FROM device;",
            )?;
            let kept: i64 = tx.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
            Ok(u64::try_from(kept).unwrap_or(0))
        })
    }
}

/// The device row inside a transaction.
pub(crate) fn device(tx: &Transaction<'_>) -> CoreResult<Option<DeviceRecord>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        u32,
        String,
        Option<String>,
        i64,
        Option<String>,
        [Option<String>; 6],
        bool,
    );
    let row: Option<Row> = tx
        .query_row(
            "SELECT device_id, server_url, organisation_id, organisation_name, time_zone, enrolled_at, sync_interval_s, \
             policy, sync_requirement, clock_offset_ms, roster_version, last_sync_at, last_full_sync_at, last_attempt_at, \
             last_error_code, last_error_message, uninstalled_at, links_required FROM device WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    [r.get(11)?, r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?, r.get(16)?],
                    r.get(17)?,
                ))
            },
        )
        .optional()?;
    let Some((device_id, server_url, org, org_name, tz, enrolled_at, interval, policy, req, offset, roster_version, rest, links_required)) = row
    else {
        return Ok(None);
    };
    let [last_sync, last_full, last_attempt, err_code, err_msg, uninstalled] = rest;
    Ok(Some(DeviceRecord {
        device_id: parse_uuid(&device_id)?,
        server_url,
        organisation_id: parse_uuid(&org)?,
        organisation_name: org_name,
        time_zone: tz,
        enrolled_at: parse_ts(&enrolled_at)?,
        sync_interval_s: interval,
        policy: Policy::parse(&policy).ok_or_else(|| CoreError::Corrupt(format!("policy {policy:?}")))?,
        sync_requirement: req
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| CoreError::Corrupt(format!("sync requirement: {e}")))?,
        links_required,
        clock_offset_ms: offset,
        roster_version,
        last_sync_at: parse_opt_ts(last_sync)?,
        last_full_sync_at: parse_opt_ts(last_full)?,
        last_attempt_at: parse_opt_ts(last_attempt)?,
        last_error: err_code.zip(err_msg),
        uninstalled_at: parse_opt_ts(uninstalled)?,
    }))
}

/// The cached employee with this id, inside a transaction.
/// Replaces the cached weeks with the server's latest (issue 12, item 7).
pub(crate) fn replace_weeks(tx: &Transaction<'_>, weeks: &shared_model::wire::WeekSummaries) -> CoreResult<()> {
    tx.execute("DELETE FROM week_summaries", [])?;
    let mut insert = tx.prepare("INSERT INTO week_summaries (employee_id, week_start, days, flex_balance_min, as_of) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for e in &weeks.employees {
        let days = serde_json::to_string(&e.days).map_err(|err| CoreError::Corrupt(format!("encoding a week: {err}")))?;
        insert.execute(params![e.employee_id.to_string(), weeks.week_start.to_string(), days, e.flex_balance_min, weeks.as_of.to_rfc3339()])?;
    }
    Ok(())
}

/// The cached week of an employee, if the server sent one.
pub(crate) fn week_of(tx: &Transaction<'_>, employee: Uuid) -> CoreResult<Option<crate::punch::WeekView>> {
    let row: Option<(String, String, i64, String)> = tx
        .query_row(
            "SELECT week_start, days, flex_balance_min, as_of FROM week_summaries WHERE employee_id = ?1",
            [employee.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((week_start, days, flex_balance_min, as_of)) = row else { return Ok(None) };
    let corrupt = |what: &str| CoreError::Corrupt(format!("cached week: {what}"));
    Ok(Some(crate::punch::WeekView {
        week_start: week_start.parse().map_err(|_| corrupt("week_start"))?,
        days: serde_json::from_str(&days).map_err(|_| corrupt("days"))?,
        flex_balance_min,
        as_of: DateTime::parse_from_rfc3339(&as_of).map_err(|_| corrupt("as_of"))?.with_timezone(&Utc),
    }))
}

pub(crate) fn employee_in(tx: &Transaction<'_>, id: Uuid) -> CoreResult<Option<RosterEmployee>> {
    let row: Option<(String, String, String, Option<String>, bool)> = tx
        .query_row(
            "SELECT number, name, role, pin_hash, active FROM roster_employees WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((number, name, role, pin_hash, active)) = row else {
        return Ok(None);
    };
    let mut stmt = tx.prepare("SELECT link_id FROM roster_assignments WHERE employee_id = ?1 ORDER BY link_id")?;
    let links = stmt
        .query_map([id.to_string()], |r| r.get::<_, String>(0))?
        .map(|r| parse_uuid(&r?))
        .collect::<CoreResult<Vec<Uuid>>>()?;
    Ok(Some(RosterEmployee {
        id,
        number,
        name,
        role: Role::parse(&role).ok_or_else(|| CoreError::Corrupt(format!("role {role:?}")))?,
        pin_hash,
        active,
        links,
    }))
}

/// Applies what a sync answer says about the device itself, in `tx`.
pub(crate) fn apply_config(
    tx: &Transaction<'_>,
    config: &shared_model::wire::DeviceConfig,
) -> CoreResult<()> {
    let req = serde_json::to_string(&config.sync_requirement).map_err(|e| CoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "UPDATE device SET sync_interval_s = ?1, policy = ?2, sync_requirement = ?3, links_required = ?4",
        params![config.sync_interval_s, config.policy.as_str(), req, config.links_required],
    )?;
    Ok(())
}

/// Records that the server called this tablet uninstalled, in `tx`.
pub(crate) fn mark_uninstalled(tx: &Transaction<'_>, at: DateTime<Utc>) -> CoreResult<()> {
    tx.execute("UPDATE device SET uninstalled_at = COALESCE(uninstalled_at, ?1)", [ts(at)])?;
    Ok(())
}

/// Every cached link, inside a transaction.
pub(crate) fn links_in(tx: &Transaction<'_>) -> CoreResult<Vec<RosterLink>> {
    let mut stmt = tx.prepare("SELECT id, project, account, active FROM roster_links ORDER BY project, account")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?))
    })?;
    rows.map(|r| {
        let (id, project, account, active) = r?;
        Ok(RosterLink { id: parse_uuid(&id)?, project, account, active })
    })
    .collect()
}

/// One cached link, inside a transaction.
pub(crate) fn link_in(tx: &Transaction<'_>, id: Uuid) -> CoreResult<Option<RosterLink>> {
    let row: Option<(String, String, bool)> = tx
        .query_row("SELECT project, account, active FROM roster_links WHERE id = ?1", [id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    Ok(row.map(|(project, account, active)| RosterLink { id, project, account, active }))
}
