//! Persistence: a [`Store`] (one per SQL dialect, chosen by the database URL) hands out units of
//! work ([`Tx`]), and plain functions over `&mut Tx`, one module per domain area, hold the SQL:
//!
//! | area | module |
//! |---|---|
//! | organisations, roster version | [`organisations`] |
//! | people, login candidate, personnummer lookup, person links | [`people`] |
//! | project/account links | [`links`] |
//! | enrolment codes (redeem = register the device) | [`enrolment`] |
//! | devices: lookup, list, name, clock offset, sync requirement, history, uninstall | [`devices`] |
//! | tablet events: reference check, sync page insert, counts | [`events`] |
//! | the roster tablets cache | [`roster`] |
//! | web sessions | [`sessions`] |
//! | quarantined events and their review | [`quarantine`] |
//! | period locks, payroll run, unlock | [`locks`] |
//! | audit log | [`audit`] |
//! | ledger: records, corrections, dirty days, projected days, signatures | [`ledger`] |
//! | timesheets: work models, absences, entries, bookings, employee locks | [`timesheet`] |
//!
//! Every function that touches organisation data takes the organisation id and filters on it;
//! only a device or session lookup by its own secret-bearing key is global.

pub mod audit;
pub mod devices;
pub mod enrolment;
pub mod events;
pub mod ledger;
pub mod links;
pub mod locks;
pub mod organisations;
pub mod people;
pub mod quarantine;
pub mod roster;
pub mod sessions;
pub mod timesheet;
mod postgres;
mod records;
mod sqlite;
mod tx;

use async_trait::async_trait;
use uuid::Uuid;

pub use audit::AuditRow;
pub use devices::HistoryRow;
pub use events::{postgres_insert_page, ReferenceCheck};
pub use locks::{PayrollRun, PeriodLock, RunOutcome};
pub use postgres::PgStore;
pub use quarantine::QuarantinedEvent;
pub use records::*;
pub use sqlite::SqliteStore;
pub use tx::{Conn, Db, DbConn, Tx};

/// What a storage call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique value (employee number, username, link) is already taken; names the field.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// An id that does not belong to the organisation; names what kind of id.
    #[error("unknown {0}")]
    UnknownReference(&'static str),
    /// The same event id is stored with other content.
    #[error("event {0} is already stored with other content")]
    EventConflict(Uuid),
    /// The device sequence number is stored under another event id.
    #[error("device_seq {seq} is already stored as event {existing}")]
    SequenceConflict { seq: i64, existing: Uuid },
    /// A stored value that cannot be read back (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The database cannot be used as configured (missing, unreachable), with what to do.
    #[error("{0}")]
    Setup(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// A unique violation names `field` (for a table whose constraint names say nothing useful).
    pub fn map_conflict(self, field: &'static str) -> StoreError {
        match self {
            StoreError::Conflict(_) => StoreError::Conflict(field),
            other => other,
        }
    }
}

/// The SQL dialect behind a store, for logs and health output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// The server's persistence at the connection level, implemented once per SQL dialect. What
/// it stores is reached through the area modules' functions over a unit of work.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn dialect(&self) -> Dialect;
    /// Applies the dialect's migrations.
    async fn migrate(&self) -> StoreResult<()>;
    /// Opens a unit of work that writes. On SQLite it holds the write lock from the start
    /// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing when
    /// it upgrades a read lock.
    async fn begin(&self) -> StoreResult<Tx>;
    /// Opens a unit of work that only reads: on SQLite a deferred `BEGIN`, so readers never
    /// queue behind writers for the write lock.
    async fn begin_read(&self) -> StoreResult<Tx>;
    /// A pooled connection outside any transaction, for a single-statement read on a hot path
    /// (see [`Conn`]).
    async fn conn(&self) -> StoreResult<Conn>;
    /// A trivial round trip, for health checks.
    async fn ping(&self) -> StoreResult<()>;
}

/// One keyset page of a listing: `select` (binding the organisation as `$1`), then `AND id > $2`
/// when there is a cursor, `ORDER BY id LIMIT …`. Two constant statement texts per listing.
pub(crate) async fn keyset_page<T>(tx: &mut Tx, select: &str, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<T>>
where
    T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
{
    let sql = match after {
        Some(_) => format!("{select} AND id > $2 ORDER BY id LIMIT $3"),
        None => format!("{select} ORDER BY id LIMIT $2"),
    };
    Ok(tx::on_both!(tx, c => {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(org);
        let q = match after { Some(a) => q.bind(a), None => q };
        q.bind(limit).fetch_all(&mut **c).await?
    }))
}

/// Opens the store a database URL names (`postgres://…` or `sqlite://…`).
pub async fn connect(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(std::sync::Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Database(sqlx::Error::Configuration(
            format!("unsupported database URL (expected postgres:// or sqlite://): {}", redact_url(url)).into(),
        )))
    }
}

/// The file an embedded (SQLite) database URL names; `None` for PostgreSQL or an in-memory
/// database.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    if !url.starts_with("sqlite:") {
        return None;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    (!path.as_os_str().is_empty() && path != std::path::Path::new(":memory:") && !url.contains("mode=memory"))
        .then(|| path.to_path_buf())
}

/// A database URL with its password removed, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Maps a unique-constraint violation to the field it guards.
pub(crate) fn map_unique(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            let text = format!("{} {}", db.constraint().unwrap_or(""), db.message());
            let field = if text.contains("username") {
                "username"
            } else if text.contains("number") {
                "number"
            } else if text.contains("project") || text.contains("account") {
                "link"
            } else if text.contains("name") {
                "name"
            } else {
                "value"
            };
            return StoreError::Conflict(field);
        }
        if db.is_foreign_key_violation() {
            return StoreError::UnknownReference("reference");
        }
    }
    StoreError::Database(e)
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_are_redacted() {
        assert_eq!(super::redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
