//! The embedded SQLite store: one company on one box, no database server to run.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use shared_model::wire::{Roster, RosterEmployee, RosterLink};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, QueryBuilder, Row, Sqlite};
use uuid::Uuid;

use super::records::*;
use super::{map_unique, sql, ReferenceCheck, StoreError, StoreResult};

/// A store on an SQLite file (WAL, synchronous=FULL: an acknowledged stamp survives power loss).
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database `url` names; does not migrate.
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }

    fn migrator() -> sqlx::migrate::Migrator {
        sqlx::migrate!("../migrations/server-sqlite")
    }

    /// Which ids belong to `org` (see `Store::reference_check`). SQLite prepares statements in
    /// process, so `IN` lists of varying length cost nothing like PostgreSQL's planning.
    async fn reference_check_in(pool: &SqlitePool, org: Uuid, employees: &[Uuid], links: &[Uuid]) -> StoreResult<ReferenceCheck> {
        let mut out = ReferenceCheck::default();
        if !employees.is_empty() {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, active FROM people WHERE organisation_id = ");
            qb.push_bind(org).push(" AND id IN (");
            let mut sep = qb.separated(", ");
            for e in employees {
                sep.push_bind(*e);
            }
            qb.push(")");
            let rows: Vec<(Uuid, bool)> = qb.build_query_as().fetch_all(pool).await?;
            out.employees = rows.into_iter().collect();
        }
        if !links.is_empty() {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, active FROM links WHERE organisation_id = ");
            qb.push_bind(org).push(" AND id IN (");
            let mut sep = qb.separated(", ");
            for l in links {
                sep.push_bind(*l);
            }
            qb.push(")");
            let rows: Vec<(Uuid, bool)> = qb.build_query_as().fetch_all(pool).await?;
            out.links = rows.into_iter().collect();
        }
        if !employees.is_empty() && !links.is_empty() {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT person_id, link_id FROM person_links WHERE organisation_id = ");
            qb.push_bind(org).push(" AND person_id IN (");
            let mut sep = qb.separated(", ");
            for e in employees {
                sep.push_bind(*e);
            }
            qb.push(")");
            let rows: Vec<(Uuid, Uuid)> = qb.build_query_as().fetch_all(pool).await?;
            out.assignments = rows.into_iter().collect();
        }
        Ok(out)
    }

    /// The stored rows a page's not-inserted events must be compared with (same id, or the
    /// same device and sequence number).
    async fn stored_for_compare(tx: &mut sqlx::Transaction<'_, Sqlite>, device: &Device, rest: &[&NewEvent]) -> StoreResult<Vec<StoredEvent>> {
        let mut qb = QueryBuilder::<Sqlite>::new(format!("SELECT {} FROM events WHERE id IN (", sql::EVENT_COMPARE_COLS));
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
        Ok(qb.build_query_as().fetch_all(&mut **tx).await?)
    }

    /// Takes the write lock at BEGIN, so two writers queue on the busy timeout instead of one
    /// failing when it upgrades a read lock.
    async fn begin_tx(&self) -> StoreResult<super::Tx> {
        Ok(super::Tx::Sqlite(self.pool.begin_with("BEGIN IMMEDIATE").await?))
    }

    async fn begin_read_tx(&self) -> StoreResult<super::Tx> {
        Ok(super::Tx::Sqlite(self.pool.begin().await?))
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Inserts a page row by row in the open transaction; answers the ids actually inserted.
    async fn insert_events(
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
}

impl_store!(SqliteStore, Sqlite, super::Dialect::Sqlite);
impl_governance!(SqliteStore, Sqlite);
