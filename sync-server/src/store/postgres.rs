//! The PostgreSQL store: the scale path.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};

use super::{Conn, Dialect, Store, StoreError, StoreResult, Tx};

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
            .await
            .map_err(|e| explain_connect_error(url, e))?;
        Ok(PgStore { pool })
    }

    /// The pool, for tests and tools that need raw SQL.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// A plain message for the mistakes of a first setup: the database not created yet
/// (SQLSTATE 3D000) or nobody listening at the address.
fn explain_connect_error(url: &str, e: sqlx::Error) -> StoreError {
    use std::str::FromStr;
    let options = sqlx::postgres::PgConnectOptions::from_str(url).ok();
    let (host, port, user, name) = options
        .map(|o| (o.get_host().to_owned(), o.get_port(), o.get_username().to_owned(), o.get_database().unwrap_or_default().to_owned()))
        .unwrap_or_default();
    match &e {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000") => StoreError::Setup(format!(
            "the PostgreSQL database \"{name}\" does not exist on {host}:{port}; create it first, for example with \
             `createdb -h {host} -p {port} -U {user} {name}` (or `psql -h {host} -U {user} -c 'CREATE DATABASE {name}'`)"
        )),
        sqlx::Error::Io(io) => StoreError::Setup(format!(
            "cannot reach PostgreSQL at {host}:{port} ({io}); is it running, and is the address in the database URL right?"
        )),
        // The pool retries a refused connection until its acquire timeout.
        sqlx::Error::PoolTimedOut => StoreError::Setup(format!(
            "cannot reach PostgreSQL at {host}:{port} (no connection within 10 s); is it running, and is the address in the database URL right?"
        )),
        _ => StoreError::Database(e),
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
