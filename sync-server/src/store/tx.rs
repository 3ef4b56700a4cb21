//! A unit of work on either database: `Store::begin` hands out a [`Tx`], plain functions of the
//! store's areas (`store::ledger`, …) take `&mut Tx`, so one use case composes several of them
//! in one transaction and commits once.
//!
//! Where the dialects share a statement's text, [`on_both!`] writes it once and expands it for
//! each arm; where they differ, a function matches on the variant and spells each out.

use super::{Dialect, StoreResult};

/// An open transaction (SQLite's is `BEGIN IMMEDIATE`: it holds the write lock from the start).
pub enum Tx {
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
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

/// `on_both!(tx, c => expr)`: evaluates `expr` with `c` bound to the transaction of whichever
/// database `tx` is on — one statement text, checked by the compiler against both drivers.
macro_rules! on_both {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Postgres($c) => $body,
            $crate::store::Tx::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_both;
