//! A unit of work on either database: `Store::begin` hands out a [`Tx`], plain functions of the
//! store's areas (`store::people`, `store::ledger`, …) take `&mut Tx`, so one use case composes
//! several of them in one transaction and commits once.
//!
//! Where the dialects share a statement's text, [`on_both!`] writes it once and expands it for
//! each arm; where they differ, a function matches on the variant and spells each out.
//!
//! [`Conn`] is the one exception to "everything in a transaction": a pooled connection in
//! autocommit mode, for the single-statement reads on the hot paths (the device lookup of every
//! signed request, the session lookup of every admin request, a signed request's organisation).
//! Wrapping such a read in `BEGIN`/`COMMIT` would cost PostgreSQL two extra round trips per
//! request and buy nothing: one statement sees one snapshot anyway. The few functions that serve
//! those paths take `&mut impl Db`, so they run on a [`Conn`] or inside a [`Tx`] alike.

use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection};

use super::{Dialect, StoreResult};

/// An open transaction (SQLite's is `BEGIN IMMEDIATE` from `Store::begin`, a deferred `BEGIN`
/// from `Store::begin_read`).
pub enum Tx {
    Postgres(sqlx::Transaction<'static, Postgres>),
    Sqlite(sqlx::Transaction<'static, Sqlite>),
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Postgres(t) => t.commit().await?,
            Tx::Sqlite(t) => t.commit().await?,
        }
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        match self {
            Tx::Postgres(_) => Dialect::Postgres,
            Tx::Sqlite(_) => Dialect::Sqlite,
        }
    }
}

/// A pooled connection outside any transaction (autocommit), from `Store::conn`: for a use case
/// that is a single read statement on a hot path, where a transaction would only add the
/// `BEGIN`/`COMMIT` round trips. Anything that writes, or reads more than once and needs the
/// reads to agree, opens a [`Tx`] instead.
pub enum Conn {
    Postgres(PoolConnection<Postgres>),
    Sqlite(PoolConnection<Sqlite>),
}

/// The connection of a [`Tx`] or a [`Conn`], borrowed for one statement.
pub enum DbConn<'c> {
    Postgres(&'c mut PgConnection),
    Sqlite(&'c mut SqliteConnection),
}

/// What a statement runs on: a transaction or a pooled connection.
pub trait Db: Send {
    fn conn(&mut self) -> DbConn<'_>;
}

impl Db for Tx {
    fn conn(&mut self) -> DbConn<'_> {
        match self {
            Tx::Postgres(t) => DbConn::Postgres(t),
            Tx::Sqlite(t) => DbConn::Sqlite(t),
        }
    }
}

impl Db for Conn {
    fn conn(&mut self) -> DbConn<'_> {
        match self {
            Conn::Postgres(c) => DbConn::Postgres(c),
            Conn::Sqlite(c) => DbConn::Sqlite(c),
        }
    }
}

/// `on_both!(tx, c => expr)`: evaluates `expr` with `c` bound to the connection of whichever
/// database `tx` (a [`Tx`], a [`Conn`] or any `impl Db`) is on — one statement text, checked by
/// the compiler against both drivers. Write the executor as `&mut **c`.
macro_rules! on_both {
    ($tx:expr, $c:ident => $body:expr) => {
        match $crate::store::Db::conn($tx) {
            $crate::store::DbConn::Postgres(mut $c) => {
                let $c = &mut $c;
                $body
            }
            $crate::store::DbConn::Sqlite(mut $c) => {
                let $c = &mut $c;
                $body
            }
        }
    };
}
pub(crate) use on_both;
