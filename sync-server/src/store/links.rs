//! Project/account links of an organisation. Every change moves the roster version, since
//! tablets show the links.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::organisations::bump_roster;
use super::tx::on_both;
use super::{keyset_page, map_unique, Link, LinkPatch, NewLink, StoreResult, Tx};

const LINK_COLS: &str = "id, organisation_id, project, account, active, created_at";

pub async fn create(tx: &mut Tx, org: Uuid, link: &NewLink, now: DateTime<Utc>) -> StoreResult<Link> {
    let sql = format!(
        "INSERT INTO links (id, organisation_id, project, account, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {LINK_COLS}"
    );
    let l: Link = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(link.id)
        .bind(org)
        .bind(&link.project)
        .bind(&link.account)
        .bind(link.active)
        .bind(now)
        .fetch_one(&mut **c)
        .await
        .map_err(map_unique)?);
    bump_roster(tx, org).await?;
    Ok(l)
}

pub async fn update(tx: &mut Tx, org: Uuid, id: Uuid, patch: &LinkPatch) -> StoreResult<Option<Link>> {
    let sql = format!(
        "UPDATE links SET project = COALESCE($3, project), account = COALESCE($4, account), \
         active = COALESCE($5, active) WHERE organisation_id = $1 AND id = $2 RETURNING {LINK_COLS}"
    );
    let l: Option<Link> = on_both!(tx, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(org)
        .bind(id)
        .bind(&patch.project)
        .bind(&patch.account)
        .bind(patch.active)
        .fetch_optional(&mut **c)
        .await
        .map_err(map_unique)?);
    if l.is_some() {
        bump_roster(tx, org).await?;
    }
    Ok(l)
}

/// Links of `org` by id, after the cursor `after`.
pub async fn list(tx: &mut Tx, org: Uuid, after: Option<Uuid>, limit: i64) -> StoreResult<Vec<Link>> {
    keyset_page(tx, &format!("SELECT {LINK_COLS} FROM links WHERE organisation_id = $1"), org, after, limit).await
}
