//! The PostgreSQL store: the scale path. A sync page is one UNNEST insert.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use shared_model::wire::{Roster, RosterEmployee, RosterLink};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{FromRow, Postgres, QueryBuilder, Row};
use uuid::Uuid;

use super::records::*;
use super::{map_unique, sql, ReferenceCheck, StoreError, StoreResult};

/// A store on a PostgreSQL pool.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to `url`; does not migrate.
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(32)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(PgStore { pool })
    }

    /// The pool, for tests and tools that need raw SQL.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn migrator() -> sqlx::migrate::Migrator {
        sqlx::migrate!("../migrations/server-postgres")
    }

    /// Which ids belong to `org` (see `Store::reference_check`), with constant statement text:
    /// `= ANY($2)` over an array, so PostgreSQL plans each statement once per connection instead
    /// of once per distinct list length (about 4 ms a cold plan).
    async fn reference_check_in(pool: &PgPool, org: Uuid, employees: &[Uuid], links: &[Uuid]) -> StoreResult<ReferenceCheck> {
        let mut out = ReferenceCheck::default();
        if !employees.is_empty() {
            let rows: Vec<(Uuid, bool)> = sqlx::query_as("SELECT id, active FROM people WHERE organisation_id = $1 AND id = ANY($2)")
                .bind(org)
                .bind(employees)
                .fetch_all(pool)
                .await?;
            out.employees = rows.into_iter().collect();
        }
        if !links.is_empty() {
            let rows: Vec<(Uuid, bool)> = sqlx::query_as("SELECT id, active FROM links WHERE organisation_id = $1 AND id = ANY($2)")
                .bind(org)
                .bind(links)
                .fetch_all(pool)
                .await?;
            out.links = rows.into_iter().collect();
        }
        if !employees.is_empty() && !links.is_empty() {
            let rows: Vec<(Uuid, Uuid)> =
                sqlx::query_as("SELECT person_id, link_id FROM person_links WHERE organisation_id = $1 AND person_id = ANY($2)")
                    .bind(org)
                    .bind(employees)
                    .fetch_all(pool)
                    .await?;
            out.assignments = rows.into_iter().collect();
        }
        Ok(out)
    }

    /// The stored rows a page's not-inserted events must be compared with (same id, or the
    /// same device and sequence number), with constant statement text.
    async fn stored_for_compare(tx: &mut sqlx::Transaction<'_, Postgres>, device: &Device, rest: &[&NewEvent]) -> StoreResult<Vec<StoredEvent>> {
        let ids: Vec<Uuid> = rest.iter().map(|e| e.event.id).collect();
        let seqs: Vec<i64> = rest.iter().map(|e| e.event.device_seq).collect();
        let sql = format!("SELECT {} FROM events WHERE id = ANY($1) OR (device_id = $2 AND device_seq = ANY($3))", sql::EVENT_COMPARE_COLS);
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&ids).bind(device.id).bind(&seqs).fetch_all(&mut **tx).await?)
    }

    async fn begin_tx(&self) -> StoreResult<super::Tx> {
        Ok(super::Tx::Postgres(self.pool.begin().await?))
    }

    async fn begin_read_tx(&self) -> StoreResult<super::Tx> {
        self.begin_tx().await
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// Inserts a page with one statement; answers the ids actually inserted.
    async fn insert_events(
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
}

impl_store!(PgStore, Postgres, super::Dialect::Postgres);
impl_governance!(PgStore, Postgres);

/// Inserts a page of events of `device` in `tx` with exactly the statement a sync uses (one
/// `UNNEST` insert, `ON CONFLICT DO NOTHING`); answers the ids actually inserted. For tools that
/// measure the raw insert against the whole sync (`sync-loadgen raw-insert`).
pub async fn postgres_insert_page(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    device: &Device,
    events: &[NewEvent],
    now: DateTime<Utc>,
) -> StoreResult<Vec<Uuid>> {
    PgStore::insert_events(tx, device, events, now).await
}
