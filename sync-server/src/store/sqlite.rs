//! The embedded SQLite store: one company on one box, no database server to run.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::{Conn, Dialect, Store, StoreResult, Tx};

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
}

#[async_trait]
impl Store for SqliteStore {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../migrations/server-sqlite").run(&self.pool).await?;
        Ok(())
    }

    /// Takes the write lock at BEGIN, so two writers queue on the busy timeout instead of one
    /// failing when it upgrades a read lock.
    async fn begin(&self) -> StoreResult<Tx> {
        Ok(Tx::Sqlite(self.pool.begin_with("BEGIN IMMEDIATE").await?))
    }

    async fn begin_read(&self) -> StoreResult<Tx> {
        Ok(Tx::Sqlite(self.pool.begin().await?))
    }

    async fn conn(&self) -> StoreResult<Conn> {
        Ok(Conn::Sqlite(self.pool.acquire().await?))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
