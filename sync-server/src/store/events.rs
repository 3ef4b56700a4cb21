//! Tablet events: the reference check a page is classified with, and the sync page insert —
//! idempotent, with the device bookkeeping and the dirty employee-days in the same transaction.
//! PostgreSQL inserts a page with one `UNNEST` statement; SQLite row by row (in-process, cheap).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder, Sqlite};
use uuid::Uuid;

use super::tx::on_both;
use super::{ledger, map_unique, Device, NewEvent, StoreError, StoreResult, StoredEvent, SyncBookkeeping, Tx};

const EVENT_COMPARE_COLS: &str = "id, device_id, device_seq, employee_id, kind, link_id, comment, \
     occurred_at, occurred_offset_s, device_clock_at, device_clock_offset_s";

/// Answer of [`reference_check`].
#[derive(Debug, Default, Clone)]
pub struct ReferenceCheck {
    /// Employee id → active, for those of the organisation.
    pub employees: HashMap<Uuid, bool>,
    /// Link id → active, for those of the organisation.
    pub links: HashMap<Uuid, bool>,
    /// Assigned (employee, link) pairs.
    pub assignments: HashSet<(Uuid, Uuid)>,
}

/// Which of these employee and link ids belong to `org`, whether they are active, and which
/// (employee, link) pairs are assigned. On PostgreSQL with constant statement text (`= ANY($2)`
/// over an array), planned once per connection instead of once per distinct list length (about
/// 4 ms a cold plan); SQLite prepares in process, so `IN` lists of varying length cost nothing.
pub async fn reference_check(tx: &mut Tx, org: Uuid, employees: &[Uuid], links: &[Uuid]) -> StoreResult<ReferenceCheck> {
    let mut out = ReferenceCheck::default();
    if !employees.is_empty() {
        let rows: Vec<(Uuid, bool)> = match tx {
            Tx::Postgres(c) => sqlx::query_as("SELECT id, active FROM people WHERE organisation_id = $1 AND id = ANY($2)")
                .bind(org)
                .bind(employees)
                .fetch_all(&mut **c)
                .await?,
            Tx::Sqlite(c) => sqlite_in("SELECT id, active FROM people WHERE organisation_id = ", org, " AND id IN (", employees)
                .build_query_as()
                .fetch_all(&mut **c)
                .await?,
        };
        out.employees = rows.into_iter().collect();
    }
    if !links.is_empty() {
        let rows: Vec<(Uuid, bool)> = match tx {
            Tx::Postgres(c) => sqlx::query_as("SELECT id, active FROM links WHERE organisation_id = $1 AND id = ANY($2)")
                .bind(org)
                .bind(links)
                .fetch_all(&mut **c)
                .await?,
            Tx::Sqlite(c) => sqlite_in("SELECT id, active FROM links WHERE organisation_id = ", org, " AND id IN (", links)
                .build_query_as()
                .fetch_all(&mut **c)
                .await?,
        };
        out.links = rows.into_iter().collect();
    }
    if !employees.is_empty() && !links.is_empty() {
        let rows: Vec<(Uuid, Uuid)> = match tx {
            Tx::Postgres(c) => {
                sqlx::query_as("SELECT person_id, link_id FROM person_links WHERE organisation_id = $1 AND person_id = ANY($2)")
                    .bind(org)
                    .bind(employees)
                    .fetch_all(&mut **c)
                    .await?
            }
            Tx::Sqlite(c) => {
                sqlite_in("SELECT person_id, link_id FROM person_links WHERE organisation_id = ", org, " AND person_id IN (", employees)
                    .build_query_as()
                    .fetch_all(&mut **c)
                    .await?
            }
        };
        out.assignments = rows.into_iter().collect();
    }
    Ok(out)
}

/// `{head}$org{mid}$id, …)` for SQLite.
fn sqlite_in(head: &str, org: Uuid, mid: &str, ids: &[Uuid]) -> QueryBuilder<Sqlite> {
    let mut qb = QueryBuilder::<Sqlite>::new(head);
    qb.push_bind(org).push(mid);
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    qb
}

/// Stores one page of events of `device` idempotently with the device bookkeeping and the
/// employee-days it touched (`dirty`, for the projection), in `tx` (a write transaction: a
/// stored stamp is never missing from the queue); answers every id now stored. A conflict is
/// an error, and the caller drops `tx`, so nothing of the page is stored.
pub async fn store_page(
    tx: &mut Tx,
    device: &Device,
    events: &[NewEvent],
    book: &SyncBookkeeping,
    dirty: &[(Uuid, NaiveDate)],
) -> StoreResult<Vec<Uuid>> {
    let inserted: HashSet<Uuid> = match tx {
        Tx::Postgres(c) => postgres_insert_page(c, device, events, book.now).await?,
        Tx::Sqlite(c) => sqlite_insert_page(c, device, events, book.now).await?,
    }
    .into_iter()
    .collect();
    let rest: Vec<&NewEvent> = events.iter().filter(|e| !inserted.contains(&e.event.id)).collect();
    if !rest.is_empty() {
        let stored = stored_for_compare(tx, device, &rest).await?;
        for e in rest {
            if let Some(s) = stored.iter().find(|s| s.id == e.event.id) {
                if !s.same_as(device.id, &e.event) {
                    return Err(StoreError::EventConflict(e.event.id));
                }
            } else if let Some(s) = stored.iter().find(|s| s.device_id == device.id && s.device_seq == e.event.device_seq) {
                return Err(StoreError::SequenceConflict { seq: e.event.device_seq, existing: s.id });
            } else {
                return Err(StoreError::Corrupt(format!("event {} neither stored nor conflicting", e.event.id)));
            }
        }
    }
    on_both!(tx, c => sqlx::query(
        "UPDATE devices SET last_contact_at = $3, pending_events = $4, oldest_pending_at = $5, \
         last_full_sync_at = CASE WHEN $4 = 0 THEN $3 ELSE last_full_sync_at END, \
         clock_offset_s = COALESCE($6, clock_offset_s) WHERE organisation_id = $1 AND id = $2",
    )
    .bind(device.organisation_id)
    .bind(device.id)
    .bind(book.now)
    .bind(book.pending_after)
    .bind(book.oldest_pending_at)
    .bind(book.clock_offset_s)
    .execute(&mut **c)
    .await?
    .rows_affected());
    ledger::mark_dirty(tx, device.organisation_id, dirty, book.now).await?;
    let mut acked: Vec<Uuid> = Vec::with_capacity(events.len());
    let mut seen = HashSet::with_capacity(events.len());
    for e in events {
        if seen.insert(e.event.id) {
            acked.push(e.event.id);
        }
    }
    Ok(acked)
}

/// The stored rows a page's not-inserted events must be compared with (same id, or the same
/// device and sequence number); constant statement text on PostgreSQL.
async fn stored_for_compare(tx: &mut Tx, device: &Device, rest: &[&NewEvent]) -> StoreResult<Vec<StoredEvent>> {
    Ok(match tx {
        Tx::Postgres(c) => {
            let ids: Vec<Uuid> = rest.iter().map(|e| e.event.id).collect();
            let seqs: Vec<i64> = rest.iter().map(|e| e.event.device_seq).collect();
            let sql = format!("SELECT {EVENT_COMPARE_COLS} FROM events WHERE id = ANY($1) OR (device_id = $2 AND device_seq = ANY($3))");
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&ids).bind(device.id).bind(&seqs).fetch_all(&mut **c).await?
        }
        Tx::Sqlite(c) => {
            let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {EVENT_COMPARE_COLS} FROM events WHERE id IN ("));
            let mut sep = qb.separated(", ");
            for e in rest {
                sep.push_bind(e.event.id);
            }
            qb.push(") OR (device_id = ").push_bind(device.id).push(" AND device_seq IN (");
            let mut sep = qb.separated(", ");
            for e in rest {
                sep.push_bind(e.event.device_seq);
            }
            qb.push("))");
            qb.build_query_as().fetch_all(&mut **c).await?
        }
    })
}

/// Inserts a page of events of `device` in `tx` with exactly the statement a sync uses (one
/// `UNNEST` insert, `ON CONFLICT DO NOTHING`); answers the ids actually inserted. Also for tools
/// that measure the raw insert against the whole sync (`sync-loadgen raw-insert`).
pub async fn postgres_insert_page(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    device: &Device,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> StoreResult<Vec<Uuid>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let n = events.len();
    let mut ids = Vec::with_capacity(n);
    let mut seqs = Vec::with_capacity(n);
    let mut employees = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut links = Vec::with_capacity(n);
    let mut comments = Vec::with_capacity(n);
    let mut occurred = Vec::with_capacity(n);
    let mut occurred_off = Vec::with_capacity(n);
    let mut clock = Vec::with_capacity(n);
    let mut clock_off = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut flags = Vec::with_capacity(n);
    for e in events {
        let p = &e.event;
        ids.push(p.id);
        seqs.push(p.device_seq);
        employees.push(p.employee_id);
        kinds.push(p.kind.as_str());
        links.push(p.link_id);
        comments.push(p.comment.clone());
        occurred.push(p.occurred_at.with_timezone(&Utc));
        occurred_off.push(p.occurred_at.offset().local_minus_utc());
        clock.push(p.device_clock_at.with_timezone(&Utc));
        clock_off.push(p.device_clock_at.offset().local_minus_utc());
        statuses.push(e.status);
        flags.push(e.flags.clone());
    }
    let rows: Vec<(Uuid,)> = sqlx::query_as(
        "INSERT INTO events (id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, \
         occurred_at, occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, flags) \
         SELECT u.id, $1, $2, u.seq, u.employee, u.kind, u.link, u.comment, u.occurred, u.occurred_off, \
                u.clock, u.clock_off, $3, u.status, u.flags \
         FROM UNNEST($4::uuid[], $5::int8[], $6::uuid[], $7::text[], $8::uuid[], $9::text[], $10::timestamptz[], \
                     $11::int4[], $12::timestamptz[], $13::int4[], $14::text[], $15::text[]) \
              AS u(id, seq, employee, kind, link, comment, occurred, occurred_off, clock, clock_off, status, flags) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(device.organisation_id)
    .bind(device.id)
    .bind(now)
    .bind(&ids)
    .bind(&seqs)
    .bind(&employees)
    .bind(&kinds)
    .bind(&links)
    .bind(&comments)
    .bind(&occurred)
    .bind(&occurred_off)
    .bind(&clock)
    .bind(&clock_off)
    .bind(&statuses)
    .bind(&flags)
    .fetch_all(&mut **tx)
    .await
    .map_err(map_unique)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Inserts a page row by row; answers the ids actually inserted.
async fn sqlite_insert_page(
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    device: &Device,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> StoreResult<Vec<Uuid>> {
    let mut inserted = Vec::with_capacity(events.len());
    for e in events {
        let p = &e.event;
        let row: Option<(Uuid,)> = sqlx::query_as(
            "INSERT INTO events (id, organisation_id, device_id, device_seq, employee_id, kind, link_id, comment, \
             occurred_at, occurred_offset_s, device_clock_at, device_clock_offset_s, received_at, status, flags) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(p.id)
        .bind(device.organisation_id)
        .bind(device.id)
        .bind(p.device_seq)
        .bind(p.employee_id)
        .bind(p.kind.as_str())
        .bind(p.link_id)
        .bind(&p.comment)
        .bind(p.occurred_at.with_timezone(&Utc))
        .bind(p.occurred_at.offset().local_minus_utc())
        .bind(p.device_clock_at.with_timezone(&Utc))
        .bind(p.device_clock_at.offset().local_minus_utc())
        .bind(now)
        .bind(e.status)
        .bind(&e.flags)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_unique)?;
        if let Some((id,)) = row {
            inserted.push(id);
        }
    }
    Ok(inserted)
}

/// Number of ledger events of `org` with this status (tests, reports).
pub async fn count(tx: &mut Tx, org: Uuid, status: &str) -> StoreResult<i64> {
    let (n,): (i64,) = on_both!(tx, c => sqlx::query_as("SELECT COUNT(*) FROM events WHERE organisation_id = $1 AND status = $2")
        .bind(org)
        .bind(status)
        .fetch_one(&mut **c)
        .await?);
    Ok(n)
}
