//! The ledger's storage beyond the sync insert: reading one employee's effective records,
//! recording corrections, the queue of dirty employee-days and the projected days, and the
//! per-device high-water mark of signed requests. Plain functions over a [`Tx`].

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::tx::on_both;
use super::{StoreResult, Tx};

/// One effective record of an employee as the projection reads it: accepted, not superseded
/// by another accepted record, and not a `void` (a deletion).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LedgerRow {
    pub id: Uuid,
    pub employee_id: Uuid,
    pub device_id: Option<Uuid>,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    pub flags: Option<String>,
}

const ROW_COLS: &str = "e.id, e.employee_id, e.device_id, e.kind, e.occurred_at, e.link_id, e.comment, e.flags";

/// Accepted, not superseded by an accepted record, not a deletion (after the employee filter).
const STILL_EFFECTIVE: &str = "AND e.status = 'accepted' AND e.kind <> 'void' \
     AND NOT EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id AND s.status = 'accepted')";

const EFFECTIVE: &str = "FROM events e WHERE e.organisation_id = $1 AND e.employee_id = $2 AND e.status = 'accepted' \
     AND e.kind <> 'void' AND NOT EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id AND s.status = 'accepted')";

/// The effective records of `employee` with `from <= occurred_at <= to`, in time order.
pub async fn employee_records(tx: &mut Tx, org: Uuid, employee: Uuid, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<LedgerRow>> {
    let sql = format!(
        "SELECT {ROW_COLS} {EFFECTIVE} AND e.occurred_at >= $3 AND e.occurred_at <= $4 ORDER BY e.occurred_at, e.id"
    );
    let rows = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(employee).bind(from).bind(to).fetch_all(&mut **c).await?);
    Ok(rows)
}

/// The effective records of several employees of `org` with `from <= occurred_at <= to`, in
/// time order (the projection's batched read: one statement for a whole page's employees). On
/// PostgreSQL the statement text is constant (`= ANY($2)`); SQLite has no arrays and plans an
/// `IN` list in microseconds, so it gets one, in chunks well under its variable limit.
pub async fn records_of_employees(tx: &mut Tx, org: Uuid, employees: &[Uuid], from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<LedgerRow>> {
    let mut rows: Vec<LedgerRow> = Vec::new();
    match tx {
        Tx::Postgres(c) => {
            let sql = format!(
                "SELECT {ROW_COLS} FROM events e WHERE e.organisation_id = $1 AND e.employee_id = ANY($2) {STILL_EFFECTIVE} \
                 AND e.occurred_at >= $3 AND e.occurred_at <= $4 ORDER BY e.occurred_at, e.id"
            );
            rows = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(employees).bind(from).bind(to).fetch_all(&mut **c).await?;
        }
        Tx::Sqlite(c) => {
            for chunk in employees.chunks(SQLITE_CHUNK) {
                let sql = format!(
                    "SELECT {ROW_COLS} FROM events e WHERE e.organisation_id = $1 AND e.employee_id IN ({}) {STILL_EFFECTIVE} \
                     AND e.occurred_at >= $2 AND e.occurred_at <= $3 ORDER BY e.occurred_at, e.id",
                    placeholders(4, chunk.len())
                );
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(from).bind(to);
                for e in chunk {
                    q = q.bind(*e);
                }
                rows.extend(q.fetch_all(&mut **c).await?);
            }
            rows.sort_by_key(|r| (r.occurred_at, r.id));
        }
    }
    Ok(rows)
}

/// Parameters per SQLite `IN` list (its limit is 32,766).
const SQLITE_CHUNK: usize = 500;

/// `$first, $first+1, …` for `n` parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Instants of effective records of `employee` before `before`, newest first (at most `limit`).
pub async fn instants_before(tx: &mut Tx, org: Uuid, employee: Uuid, before: DateTime<Utc>, limit: i64) -> StoreResult<Vec<DateTime<Utc>>> {
    let sql = format!("SELECT e.occurred_at {EFFECTIVE} AND e.occurred_at < $3 ORDER BY e.occurred_at DESC LIMIT $4");
    let rows: Vec<(DateTime<Utc>,)> =
        on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(employee).bind(before).bind(limit).fetch_all(&mut **c).await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Instants of effective records of `employee` after `after`, oldest first (at most `limit`).
pub async fn instants_after(tx: &mut Tx, org: Uuid, employee: Uuid, after: DateTime<Utc>, limit: i64) -> StoreResult<Vec<DateTime<Utc>>> {
    let sql = format!("SELECT e.occurred_at {EFFECTIVE} AND e.occurred_at > $3 ORDER BY e.occurred_at LIMIT $4");
    let rows: Vec<(DateTime<Utc>,)> =
        on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(employee).bind(after).bind(limit).fetch_all(&mut **c).await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The organisation's IANA zone and its locked periods (`YYYY-MM`), read in the unit of work
/// (a rebuild holding SQLite's write lock must not wait for a second pool connection).
pub async fn org_facts(tx: &mut Tx, org: Uuid) -> StoreResult<Option<(String, Vec<String>)>> {
    let zone: Option<(String,)> =
        on_both!(tx, c => sqlx::query_as("SELECT time_zone FROM organisations WHERE id = $1").bind(org).fetch_optional(&mut **c).await?);
    let Some((zone,)) = zone else { return Ok(None) };
    let locked: Vec<(String,)> =
        on_both!(tx, c => sqlx::query_as("SELECT period FROM period_locks WHERE organisation_id = $1").bind(org).fetch_all(&mut **c).await?);
    Ok(Some((zone, locked.into_iter().map(|r| r.0).collect())))
}

/// A record made on the web: a correction that supersedes `supersedes` (carrying its tablet,
/// so pairing treats it as the same tablet's stamp), or a `void` that removes it.
#[derive(Debug, Clone)]
pub struct WebRecord {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub employee_id: Uuid,
    pub author_id: Uuid,
    /// `start`, `stop` or `void`.
    pub kind: &'static str,
    pub device_id: Option<Uuid>,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub supersedes: Option<Uuid>,
    pub reason: Option<String>,
}

/// Stores a web record (accepted at once: a person with the right to correct made it).
pub async fn insert_web_record(tx: &mut Tx, r: &WebRecord, now: DateTime<Utc>) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query(
        "INSERT INTO events (id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, occurred_at, \
         occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, source, author_id, supersedes, reason) \
         VALUES ($1, $2, $3, NULL, $4, $5, $6, $7, $8, 0, $8, 0, $9, 'accepted', 'web', $10, $11, $12)",
    )
    .bind(r.id)
    .bind(r.organisation_id)
    .bind(r.device_id)
    .bind(r.employee_id)
    .bind(r.kind)
    .bind(r.link_id)
    .bind(&r.comment)
    .bind(r.occurred_at)
    .bind(now)
    .bind(r.author_id)
    .bind(r.supersedes)
    .bind(&r.reason)
    .execute(&mut **c)
    .await
    .map_err(super::map_unique)?
    .rows_affected());
    Ok(())
}

/// The instant and employee of a stored record of `org` (for corrections).
pub async fn record_of(tx: &mut Tx, org: Uuid, id: Uuid) -> StoreResult<Option<(Uuid, DateTime<Utc>, Option<Uuid>)>> {
    let row = on_both!(tx, c => sqlx::query_as("SELECT employee_id, occurred_at, device_id FROM events WHERE organisation_id = $1 AND id = $2")
        .bind(org)
        .bind(id)
        .fetch_optional(&mut **c)
        .await?);
    Ok(row)
}

/// The statement that queues one employee-day (the sync's transaction runs it too).
pub(crate) const MARK_DIRTY: &str = "INSERT INTO ledger_dirty_days (organisation_id, employee_id, work_date, marked_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";

/// Marks employee-days for a rebuild of their projection.
pub async fn mark_dirty(tx: &mut Tx, org: Uuid, days: &[(Uuid, NaiveDate)], now: DateTime<Utc>) -> StoreResult<()> {
    for (employee, date) in days {
        on_both!(tx, c => sqlx::query(MARK_DIRTY).bind(org).bind(employee).bind(date).bind(now).execute(&mut **c).await?.rows_affected());
    }
    Ok(())
}

/// Marks the projected days of `org` between `from` and `to` dirty — every employee's, or one
/// employee's — because a lock or an unlock of those days changes which records count. Only
/// records that arrived late for a locked month (flag `locked_period`) count differently, so
/// only the days of employees with such a record between the instants `late_from` and
/// `late_to` are queued: a payroll run of a month without late stamps rebuilds nothing. The
/// statement text is constant per case, and one employee's case uses the index on
/// (organisation, employee, date).
#[allow(clippy::too_many_arguments)]
pub async fn mark_projected_dirty(
    tx: &mut Tx,
    org: Uuid,
    employee: Option<Uuid>,
    from: NaiveDate,
    to: NaiveDate,
    late_from: DateTime<Utc>,
    late_to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    const SELECT: &str = "SELECT organisation_id, employee_id, work_date, $4 FROM ledger_days WHERE organisation_id = $1 AND work_date BETWEEN $2 AND $3 \
         AND employee_id IN (SELECT employee_id FROM events WHERE organisation_id = $1 AND flags LIKE '%locked_period%' \
         AND occurred_at >= $5 AND occurred_at < $6)";
    let who = if employee.is_some() { " AND employee_id = $7" } else { "" };
    let sql = match tx {
        Tx::Postgres(_) => format!(
            "INSERT INTO ledger_dirty_days (organisation_id, employee_id, work_date, marked_at) {SELECT}{who} ON CONFLICT (employee_id, work_date) DO NOTHING"
        ),
        Tx::Sqlite(_) => format!("INSERT OR IGNORE INTO ledger_dirty_days (organisation_id, employee_id, work_date, marked_at) {SELECT}{who}"),
    };
    let n = on_both!(tx, c => {
        let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org).bind(from).bind(to).bind(now).bind(late_from).bind(late_to);
        let q = match employee {
            Some(e) => q.bind(e),
            None => q,
        };
        q.execute(&mut **c).await?.rows_affected()
    });
    Ok(n)
}

/// Serialises projection rebuilds until the transaction ends: on PostgreSQL a transaction-level
/// advisory lock (every server process), on SQLite the write lock `BEGIN IMMEDIATE` already holds.
pub async fn lock_projection(tx: &mut Tx) -> StoreResult<()> {
    if let Tx::Postgres(c) = tx {
        // "stampclock projection" as a key of its own.
        sqlx::query("SELECT pg_advisory_xact_lock(7390128837461201)").execute(&mut **c).await?;
    }
    Ok(())
}

/// Takes up to `limit` dirty employee-days off the queue (of `org` only, when given). On
/// PostgreSQL rows another process is draining are skipped (`FOR UPDATE SKIP LOCKED`); SQLite
/// has one writer at a time anyway. Answers (organisation, employee, day).
pub async fn claim_dirty(tx: &mut Tx, org: Option<Uuid>, limit: i64) -> StoreResult<Vec<(Uuid, Uuid, NaiveDate)>> {
    let rows = match tx {
        Tx::Postgres(c) => sqlx::query_as(
            "DELETE FROM ledger_dirty_days WHERE (employee_id, work_date) IN ( \
               SELECT employee_id, work_date FROM ledger_dirty_days WHERE ($1::uuid IS NULL OR organisation_id = $1) \
               ORDER BY employee_id, work_date LIMIT $2 FOR UPDATE SKIP LOCKED) \
             RETURNING organisation_id, employee_id, work_date",
        )
        .bind(org)
        .bind(limit)
        .fetch_all(&mut **c)
        .await?,
        Tx::Sqlite(c) => sqlx::query_as(
            "DELETE FROM ledger_dirty_days WHERE rowid IN ( \
               SELECT rowid FROM ledger_dirty_days WHERE ($1 IS NULL OR organisation_id = $1) \
               ORDER BY employee_id, work_date LIMIT $2) \
             RETURNING organisation_id, employee_id, work_date",
        )
        .bind(org)
        .bind(limit)
        .fetch_all(&mut **c)
        .await?,
    };
    Ok(rows)
}

/// The stored projected days of several employees of `org` between `from` and `to` (both
/// inclusive): (employee, date, the day as JSON).
pub async fn stored_days_of(tx: &mut Tx, org: Uuid, employees: &[Uuid], from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<(Uuid, NaiveDate, String)>> {
    let mut rows: Vec<(Uuid, NaiveDate, String)> = Vec::new();
    match tx {
        Tx::Postgres(c) => {
            rows = sqlx::query_as(
                "SELECT employee_id, work_date, day FROM ledger_days WHERE organisation_id = $1 AND employee_id = ANY($2) \
                 AND work_date BETWEEN $3 AND $4",
            )
            .bind(org)
            .bind(employees)
            .bind(from)
            .bind(to)
            .fetch_all(&mut **c)
            .await?;
        }
        Tx::Sqlite(c) => {
            for chunk in employees.chunks(SQLITE_CHUNK) {
                let sql = format!(
                    "SELECT employee_id, work_date, day FROM ledger_days WHERE organisation_id = $1 AND employee_id IN ({}) \
                     AND work_date BETWEEN $2 AND $3",
                    placeholders(4, chunk.len())
                );
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(org).bind(from).bind(to);
                for e in chunk {
                    q = q.bind(*e);
                }
                rows.extend(q.fetch_all(&mut **c).await?);
            }
        }
    }
    Ok(rows)
}

/// A projected day to write: (employee, date, actual minutes, the day as JSON).
pub type DayRow = (Uuid, NaiveDate, i64, String);

/// Writes projected days of `org`: `upserts` inserted or replaced, `deletes` (employee, date)
/// removed. On PostgreSQL one statement each, whatever their number (arrays through UNNEST);
/// on SQLite one cheap in-process statement per row.
pub async fn write_days(tx: &mut Tx, org: Uuid, upserts: &[DayRow], deletes: &[(Uuid, NaiveDate)], now: DateTime<Utc>) -> StoreResult<()> {
    match tx {
        Tx::Postgres(c) => {
            if !deletes.is_empty() {
                let (emps, dates): (Vec<Uuid>, Vec<NaiveDate>) = deletes.iter().copied().unzip();
                sqlx::query(
                    "DELETE FROM ledger_days d USING UNNEST($2::uuid[], $3::date[]) AS x(employee_id, work_date) \
                     WHERE d.organisation_id = $1 AND d.employee_id = x.employee_id AND d.work_date = x.work_date",
                )
                .bind(org)
                .bind(&emps)
                .bind(&dates)
                .execute(&mut **c)
                .await?;
            }
            if !upserts.is_empty() {
                let emps: Vec<Uuid> = upserts.iter().map(|r| r.0).collect();
                let dates: Vec<NaiveDate> = upserts.iter().map(|r| r.1).collect();
                let actual: Vec<i64> = upserts.iter().map(|r| r.2).collect();
                let json: Vec<&str> = upserts.iter().map(|r| r.3.as_str()).collect();
                sqlx::query(
                    "INSERT INTO ledger_days (organisation_id, employee_id, work_date, actual_min, day, built_at) \
                     SELECT $1, x.employee_id, x.work_date, x.actual_min, x.day, $6 \
                     FROM UNNEST($2::uuid[], $3::date[], $4::bigint[], $5::text[]) AS x(employee_id, work_date, actual_min, day) \
                     ON CONFLICT (employee_id, work_date) DO UPDATE SET actual_min = EXCLUDED.actual_min, day = EXCLUDED.day, built_at = EXCLUDED.built_at",
                )
                .bind(org)
                .bind(&emps)
                .bind(&dates)
                .bind(&actual)
                .bind(&json)
                .bind(now)
                .execute(&mut **c)
                .await?;
            }
        }
        Tx::Sqlite(c) => {
            for (employee, date) in deletes {
                sqlx::query("DELETE FROM ledger_days WHERE organisation_id = $1 AND employee_id = $2 AND work_date = $3")
                    .bind(org)
                    .bind(employee)
                    .bind(date)
                    .execute(&mut **c)
                    .await?;
            }
            for (employee, date, actual, json) in upserts {
                sqlx::query(
                    "INSERT INTO ledger_days (organisation_id, employee_id, work_date, actual_min, day, built_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (employee_id, work_date) DO UPDATE SET actual_min = excluded.actual_min, day = excluded.day, built_at = excluded.built_at",
                )
                .bind(org)
                .bind(employee)
                .bind(date)
                .bind(actual)
                .bind(json)
                .bind(now)
                .execute(&mut **c)
                .await?;
            }
        }
    }
    Ok(())
}

/// The projected days of `employee` between `from` and `to` (both inclusive), as stored JSON.
pub async fn days(tx: &mut Tx, org: Uuid, employee: Uuid, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = on_both!(tx, c => sqlx::query_as(
        "SELECT day FROM ledger_days WHERE organisation_id = $1 AND employee_id = $2 AND work_date BETWEEN $3 AND $4 ORDER BY work_date",
    )
    .bind(org)
    .bind(employee)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Whether `employee` of `org` has dirty days waiting.
pub async fn has_dirty(tx: &mut Tx, org: Uuid, employee: Uuid) -> StoreResult<bool> {
    let row: Option<(Uuid,)> = on_both!(tx, c => sqlx::query_as("SELECT employee_id FROM ledger_dirty_days WHERE organisation_id = $1 AND employee_id = $2 LIMIT 1")
        .bind(org)
        .bind(employee)
        .fetch_optional(&mut **c)
        .await?);
    Ok(row.is_some())
}

/// Records a signature accepted from `device` (the decoded bytes); `false` when it was already
/// there: a replay, whichever server process accepted the original.
pub async fn remember_signature(tx: &mut Tx, device: Uuid, signature: &[u8], signed_at: DateTime<Utc>) -> StoreResult<bool> {
    let n = on_both!(tx, c => sqlx::query(
        "INSERT INTO device_signatures (device_id, signature, signed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(device)
    .bind(signature)
    .bind(signed_at)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Forgets signatures signed before `before`: older requests fail the clock check anyway.
pub async fn forget_signatures_before(tx: &mut Tx, before: DateTime<Utc>) -> StoreResult<u64> {
    let n = on_both!(tx, c => sqlx::query("DELETE FROM device_signatures WHERE signed_at < $1").bind(before).execute(&mut **c).await?.rows_affected());
    Ok(n)
}

/// A stored record as a correction needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Correctable {
    pub employee_id: Uuid,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub device_id: Option<Uuid>,
    pub link_id: Option<Uuid>,
    pub comment: Option<String>,
    pub status: String,
    /// An accepted record already supersedes it.
    pub superseded: bool,
}

/// The record `id` of `org` with whether a later record already supersedes it.
pub async fn correctable(tx: &mut Tx, org: Uuid, id: Uuid) -> StoreResult<Option<Correctable>> {
    let row = on_both!(tx, c => sqlx::query_as(
        "SELECT e.employee_id, e.kind, e.occurred_at, e.device_id, e.link_id, e.comment, e.status, \
         EXISTS (SELECT 1 FROM events s WHERE s.supersedes = e.id AND s.status = 'accepted') AS superseded \
         FROM events e WHERE e.organisation_id = $1 AND e.id = $2",
    )
    .bind(org)
    .bind(id)
    .fetch_optional(&mut **c)
    .await?);
    Ok(row)
}
