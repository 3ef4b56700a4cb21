//! The PostgreSQL store: the scale path.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::{Conn, Dialect, Store, StoreResult, Tx};

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
}

#[async_trait]
impl Store for PgStore {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("../migrations/server-postgres").run(&self.pool).await?;
        Ok(())
    }

    async fn begin(&self) -> StoreResult<Tx> {
        Ok(Tx::Postgres(self.pool.begin().await?))
    }

    async fn begin_read(&self) -> StoreResult<Tx> {
        self.begin().await
    }

    async fn conn(&self) -> StoreResult<Conn> {
        Ok(Conn::Postgres(self.pool.acquire().await?))
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
