//! Organisations (tenants): creating and finding them, and the roster version tablets poll.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::tx::on_both;
use super::{map_unique, Db, Organisation, StoreResult, Tx};

pub(crate) const ORG_COLS: &str = "id, name, time_zone, policy, sync_interval_s, roster_version, created_at, links_required";

pub async fn create(tx: &mut Tx, name: &str, time_zone: &str, now: DateTime<Utc>) -> StoreResult<Organisation> {
    let sql = format!("INSERT INTO organisations (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4) RETURNING {ORG_COLS}");
    let org = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(Uuid::now_v7())
        .bind(name)
        .bind(time_zone)
        .bind(now)
        .fetch_one(&mut **c)
        .await
        .map_err(map_unique)?);
    Ok(org)
}

/// The organisation `id`. Takes any [`Db`]: a signed device request reads its organisation on
/// a pooled connection, outside a transaction (see [`super::Conn`]).
pub async fn get(db: &mut impl Db, id: Uuid) -> StoreResult<Option<Organisation>> {
    let sql = format!("SELECT {ORG_COLS} FROM organisations WHERE id = $1");
    Ok(on_both!(db, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **c).await?))
}

/// Finds an organisation by id or else by exact name (for the command line).
pub async fn find(tx: &mut Tx, name_or_id: &str) -> StoreResult<Option<Organisation>> {
    if let Ok(id) = name_or_id.parse::<Uuid>() {
        if let Some(o) = get(tx, id).await? {
            return Ok(Some(o));
        }
    }
    let sql = format!("SELECT {ORG_COLS} FROM organisations WHERE name = $1");
    Ok(on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name_or_id).fetch_optional(&mut **c).await?))
}

/// Sets whether a start must name a link. Tablets take it from the next sync answer's config.
pub async fn set_links_required(tx: &mut Tx, org: Uuid, required: bool) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("UPDATE organisations SET links_required = $1 WHERE id = $2")
        .bind(required)
        .bind(org)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(())
}

/// Moves the organisation's roster version so tablets pull the new roster (in the transaction
/// of the change that makes it stale).
pub(crate) async fn bump_roster(tx: &mut Tx, org: Uuid) -> StoreResult<()> {
    on_both!(tx, c => sqlx::query("UPDATE organisations SET roster_version = roster_version + 1 WHERE id = $1")
        .bind(org)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(())
}
